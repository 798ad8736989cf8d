"""Thin Celery task: expired one-time keys are deleted (see CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from . import services


@shared_task(name="idempotency.purge_expired", ignore_result=True)
def purge_expired() -> int:
    """Delete the records past `IDEMPOTENCY_TTL`; returns how many."""
    return services.purge_expired()
