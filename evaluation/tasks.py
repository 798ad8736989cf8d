"""Celery tasks of the evaluation app (thin: they call `evaluation.rollups`)."""

from celery import shared_task

from . import rollups


@shared_task(name="evaluation.rollup_refresh_recent")
def rollup_refresh_recent() -> int:
    """Refresh the dashboard rollups of today and yesterday (beat: every 10 minutes). Returns rows written."""
    return rollups.rollup_refresh_recent().rows
