"""Reads of events that depend on who asks (Art. 17)."""

import datetime

from django.utils import timezone

from .choices import OPEN_STATUSES
from .models import Event


def similar_open_events(*, area, item, since=None, user=None, exclude=None):
    """Open events of the same item in the same grid (the grid of a micro-grid and its
    micro-grids included), reported since `since` (default: the last 7 days), not merged:
    offered for merging when reporting (duplicates). Scoped to `user` when given.
    Newest first."""
    since = since or timezone.now() - datetime.timedelta(days=7)
    grid = area.parent if area.level == "micro_grid" and area.parent_id else area
    qs = Event.objects.restrict(user) if user is not None else Event.objects.all()
    qs = qs.filter(
        item=item,
        status__in=OPEN_STATUSES,
        merged_into__isnull=True,
        reported_at__gte=since,
        area__tree_id=grid.tree_id,
        area__lft__gte=grid.lft,
        area__rght__lte=grid.rght,
    )
    if exclude is not None:
        qs = qs.exclude(pk=getattr(exclude, "pk", exclude))
    return qs.order_by("-reported_at", "-id")


def event_by_tracking_code(code: str) -> Event | None:
    """The event with this public tracking code (for the no-login satisfaction link), or None."""
    code = (code or "").strip().upper()
    if len(code) != 12:
        return None
    return Event.objects.filter(tracking_code=code).first()
