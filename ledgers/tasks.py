"""Celery tasks of the ledgers (thin: they call the services)."""

from celery import shared_task

from . import privacy


@shared_task(name="ledgers.anonymise_due")
def anonymise_due() -> int:
    """Nightly: anonymise residents past the retention period (PIPL). Idempotent; returns the count."""
    return privacy.anonymise_due()
