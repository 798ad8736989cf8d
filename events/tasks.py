"""Celery tasks of the events app (thin: they call the same functions as the commands)."""

from celery import shared_task

from .calendar import calendar_remind
from .sweep import sweep_due


@shared_task(name="events.tasks.sweep", ignore_result=True)
def sweep() -> dict:
    """Every minute (CELERY_BEAT_SCHEDULE): fire due deadline alerts (see events.sweep), and
    log once a day that next year's working-day calendar is not confirmed (from November)."""
    counts = sweep_due()
    calendar_remind()
    return counts
