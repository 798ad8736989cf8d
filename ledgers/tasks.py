"""Celery tasks of the ledgers (thin: they call the services)."""

from celery import shared_task

from . import privacy, rollups


@shared_task(name="ledgers.anonymise_due")
def anonymise_due() -> int:
    """Nightly: anonymise residents past the retention period (PIPL). Idempotent; returns the count."""
    return privacy.anonymise_due()


@shared_task(name="ledgers.rollup_refresh")
def rollup_refresh() -> int:
    """Every 15 minutes: recount the grids whose ledgers changed (all after midnight). Idempotent."""
    return rollups.rollup_refresh()
