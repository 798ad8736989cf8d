"""Celery tasks of the personnel app (thin: they call the services)."""

from celery import shared_task

from . import services


@shared_task(name="personnel.grants_sync_due")
def grants_sync_due() -> int:
    """Daily, shortly after local midnight: apply the roles that start today or ended yesterday.

    Returns the number of users re-synced. Idempotent; a late or repeated run is harmless.
    """
    return services.grants_sync_due()
