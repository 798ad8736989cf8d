"""Patrols and home visits (巡查走访, Art. 15) and the user's inbox."""

import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grids.models import Area
from personnel import roles
from personnel.scope import has_area_perm

from ..exceptions import Conflict, NotFound, PermissionDenied
from ..messaging import Notification
from ..models import Patrol
from ..workflow import Actor
from .core import (
    _now,
)

# Patrols (Art. 15) ----------------------------------------------------------------------


def _patrol_area(actor, area) -> Area:
    area = area if isinstance(area, Area) else Area.objects.filter(pk=area).first()
    if area is None or not has_area_perm(actor, roles.VIEW, area):
        raise NotFound(_("网格不存在或不在您的辖区内。"))
    if not has_area_perm(actor, roles.REPORT, area):
        raise PermissionDenied(_("只有本网格的网格员可以记录巡查走访。"))
    if not area.is_grid:
        raise ValidationError({"area": [_("请选择网格或微网格。")]})
    return area


def patrol_start(*, actor: Actor, area: Area | int, notes: str = "", at: datetime.datetime | None = None) -> Patrol:
    """Start a patrol (巡查走访) in one of the actor's grids. Who: grid staff (`report_event`).

    One open patrol per person: raises `Conflict` (409) while the actor's previous patrol
    has not ended, so patrol time is never counted twice (Art. 15).
    """
    area = _patrol_area(actor, area)
    with transaction.atomic():
        # Lock the actor's row so two concurrent starts cannot both pass the check.
        get_user_model().objects.select_for_update().filter(pk=actor.pk).first()
        if Patrol.objects.filter(user=actor, ended_at__isnull=True).exists():
            raise Conflict(_("您还有一次巡查尚未结束，请先结束它再开始新的巡查。"))
        return Patrol.objects.create(area=area, user=actor, started_at=_now(at), notes=notes or "")


def patrol_end(
    *,
    actor: Actor,
    patrol: Patrol | int | str | None,
    households_visited: int = 0,
    notes: str = "",
    at: datetime.datetime | None = None,
) -> Patrol:
    """End the actor's own open patrol, recording households visited and notes."""
    now = _now(at)
    try:  # a forged or missing form value ("abc", None) is no patrol, not a server error
        pk = int(patrol.pk if isinstance(patrol, Patrol) else patrol)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise NotFound(_("巡查记录不存在。")) from None
    with transaction.atomic():
        row = Patrol.objects.select_for_update().filter(pk=pk, user=actor).first()
        if row is None:
            raise NotFound(_("巡查记录不存在。"))
        if row.ended_at:
            raise Conflict(_("该巡查已结束。"))
        _validate_households(households_visited)
        row.ended_at = max(now, row.started_at)
        row.households_visited = int(households_visited or 0)
        if notes:
            row.notes = (row.notes + "\n" + notes).strip()
        row.save()
        return row


def _validate_households(n):
    try:
        if int(n or 0) < 0:
            raise ValueError
    except (TypeError, ValueError):
        raise ValidationError({"households_visited": [_("走访户数应为非负整数。")]}) from None


def patrol_log(
    *,
    actor: Actor,
    area: Area | int,
    started_at: datetime.datetime,
    ended_at: datetime.datetime,
    households_visited: int = 0,
    notes: str = "",
) -> Patrol:
    """Record a finished patrol after the fact (start ≤ end ≤ now, aware datetimes)."""
    area = _patrol_area(actor, area)
    _validate_households(households_visited)
    if not started_at or not ended_at or ended_at < started_at or ended_at > timezone.now():
        raise ValidationError({"ended_at": [_("结束时间应不早于开始时间，且不晚于现在。")]})
    return Patrol.objects.create(
        area=area,
        user=actor,
        started_at=started_at,
        ended_at=ended_at,
        households_visited=int(households_visited or 0),
        notes=notes or "",
    )


def notifications_mark_read(
    *, actor: Actor, notification: Notification | int | None = None, at: datetime.datetime | None = None
) -> int:
    """Mark the actor's own unread notifications read: one (`notification`, instance or
    pk) or all. Someone else's notification is `NotFound`. Returns the number marked."""
    now = _now(at)
    qs = actor.notifications.filter(read_at__isnull=True) if actor and actor.is_authenticated else None
    if qs is None:
        raise NotFound(_("通知不存在。"))
    if notification is not None:
        pk = getattr(notification, "pk", notification)
        if not actor.notifications.filter(pk=pk).exists():
            raise NotFound(_("通知不存在。"))
        qs = qs.filter(pk=pk)
    return qs.update(read_at=now)
