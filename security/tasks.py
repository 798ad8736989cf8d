"""Periodic jobs of the security app."""

import datetime

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import audit
from .choices import EventKind
from .models import SecurityEvent


@shared_task(name="security.purge_expired")
def purge_expired() -> int:
    """Delete audit rows older than `SECURITY_AUDIT_RETENTION_DAYS` (at least 180) and
    record the purge with the new anchor; returns how many rows went (0: nothing recorded)."""
    days = max(180, settings.SECURITY_AUDIT_RETENTION_DAYS)
    cutoff = timezone.now() - datetime.timedelta(days=days)
    with transaction.atomic():
        expired = SecurityEvent.objects.filter(at__lt=cutoff)
        removed = expired._raw_delete(expired.db)  # the queryset's own delete() refuses
        if removed:
            first = SecurityEvent.objects.order_by("id").first()
            audit.record(EventKind.AUDIT_PURGED, removed=removed, days=days, anchor=first.prev_hash if first else "")
    return removed
