"""Thin Celery task for webhook delivery (the logic is in `integrations.delivery`).

Retries are not Celery countdowns (lost or repeated on worker crashes) but rows with a
`next_attempt_at` (see `ningbo_grid.outbox`): `webhook_sweep` is queued once when a
transaction that wrote deliveries commits, and by beat every few seconds
(`OUTBOX_SWEEP_SECONDS`, CELERY_BEAT_SCHEDULE); any number may run at once.
"""

from celery import shared_task

from ningbo_grid.outbox import drain

from .delivery import webhook_deliveries_send


@shared_task(ignore_result=True)
def webhook_sweep() -> int:
    """Send every pending delivery that is due; returns how many attempts were made."""
    return drain(webhook_deliveries_send)
