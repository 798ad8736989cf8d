"""Thin Celery tasks of the catalogue; the work is in `catalog.services`."""

from celery import shared_task

from .services.core import catalog_refresh


@shared_task(name="catalog.refresh_catalogue")
def refresh_catalogue() -> int:
    """Daily: cache today's in-force versions and mark superseded/retired rows (Art. 13)."""
    return catalog_refresh()
