"""Celery tasks of the emergency app."""

from celery import shared_task

from .sweep import escalate_due


@shared_task(name="emergency.tasks.sweep")
def sweep() -> dict[str, int]:
    """Escalate missed check-ins (beat, every minute; idempotent, exactly once per stage)."""
    return escalate_due()
