"""Celery tasks of the events app (thin: they call the same functions as the commands)."""

from celery import shared_task

from ningbo_grid.outbox import drain

from . import notify
from .calendar import calendar_remind
from .sweep import sweep_due


@shared_task(name="events.tasks.sweep", ignore_result=True)
def sweep() -> dict:
    """Every minute (CELERY_BEAT_SCHEDULE): fire due deadline alerts (see events.sweep), and
    log once a day that next year's working-day calendar is not confirmed (from November)."""
    counts = sweep_due()
    calendar_remind()
    return counts


@shared_task(name="events.tasks.outbox_deliver", ignore_result=True)
def outbox_deliver() -> int:
    """Send pending e-mail / SMS of the outbox (see events.notify); returns how many were tried.

    Queued once when a transaction that wrote outbox rows commits, and every few seconds
    by beat (`OUTBOX_SWEEP_SECONDS`); any number may run at once (rows are claimed).
    """
    return drain(notify.deliver_due)
