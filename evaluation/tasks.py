"""Celery tasks of the evaluation app (thin: they call `evaluation.rollups` and `evaluation.services`)."""

from celery import shared_task

from . import rollups, services


@shared_task(name="evaluation.rollup_refresh_recent")
def rollup_refresh_recent() -> int:
    """Refresh the dashboard rollups of today and yesterday (beat: every 10 minutes). Returns rows written."""
    return rollups.rollup_refresh_recent().rows


@shared_task(name="evaluation.freeze_closed_periods")
def freeze_closed_periods() -> int:
    """Freeze the periods whose grace after closing has passed (beat: hourly). Returns how many froze."""
    return len(services.periods_freeze_closed())
