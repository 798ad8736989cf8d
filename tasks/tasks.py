"""Celery tasks of the tasks app."""

from celery import shared_task

from . import sweep as deadline_sweep


@shared_task(name="tasks.sweep")
def sweep() -> dict[str, int]:
    """The assignments' deadline sweep (`tasks.sweep.sweep_due`); idempotent."""
    return deadline_sweep.sweep_due()
