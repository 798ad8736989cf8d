"""Thin Celery tasks for webhook delivery (the logic is in `integrations.services`).

Retries are not Celery countdowns (lost or repeated on worker crashes) but rows with a
`next_attempt_at`, swept every minute by `webhook_sweep` (see CELERY_BEAT_SCHEDULE).
"""

from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def webhook_deliver(delivery_uuid: str) -> None:
    """Make one attempt of a delivery if it is due (idempotent)."""
    services.webhook_delivery_attempt(delivery_uuid=delivery_uuid)


@shared_task(ignore_result=True)
def webhook_sweep() -> int:
    """Queue every pending delivery that is due; returns how many were queued."""
    due = services.webhook_deliveries_due()
    for value in due:
        webhook_deliver.delay(value)
    return len(due)
