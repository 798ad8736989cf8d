"""Visits (走访, Art. 15(2)): record one, list who is due, turn a finding into an event.

A care tag's `visit_every_days` sets when a person carrying it must next be visited
(`Person.next_visit_due`, a local date, kept by `ledgers.services.refresh_due`). A
visit to a person, or to their household, restarts their clock. A finding becomes a
grid event through `visit_to_event`, which files it with `events.services.event_report`
and links the two.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from events import services as event_services
from events.models import Event, Patrol
from personnel import scope
from personnel.roles import KEEP_LEDGERS, REPORT

from .models import Household, Person, Unit, Visit
from .services import refresh_due


def _target_fields(target) -> dict:
    if isinstance(target, Household):
        return {"household": target}
    if isinstance(target, Person):
        return {"person": target}
    if isinstance(target, Unit):
        return {"unit": target}
    raise ValidationError({"target": [_("请选择走访对象（家庭、人员或单位）。")]})


def visit_record(
    *,
    actor,
    target,
    visited_at: datetime.datetime,
    findings: str = "",
    follow_up: str = "",
    patrol: Patrol | None = None,
    photo=None,
) -> Visit:
    """Record a visit by `actor` to `target` (a Household, Person or Unit) at aware `visited_at`.

    Needs `keep_ledgers` on the target's micro-grid. `patrol`, if given, is one of the
    actor's own patrol rounds (default: their round under way over the area, if any); the
    patrol log then lists its visits. The visited
    persons' (a household's members') due dates restart. A person who moved out of the
    city or died is visited only before that date (a visit recorded late). Raises ValidationError
    (target, visited_at, findings, patrol), PermissionDenied.
    """
    fields = _target_fields(target)
    if not scope.has_area_perm(actor, KEEP_LEDGERS, target.area):
        raise PermissionDenied(_("您无权走访该网格的对象。"))
    errors: dict[str, list] = {}
    if not isinstance(visited_at, datetime.datetime) or timezone.is_naive(visited_at):
        errors["visited_at"] = [_("请填写走访时间。")]
    elif visited_at > timezone.now():
        errors["visited_at"] = [_("走访时间不能晚于现在。")]
    elif isinstance(target, Person) and target.left_on and timezone.localdate(visited_at) > target.left_on:
        message = _("该人员已于 %(date)s 迁出本市或死亡，不能登记此后的走访。")
        errors["target"] = [message % {"date": target.left_on.isoformat()}]
    if len(findings or "") > 5000 or len(follow_up or "") > 5000:
        errors["findings"] = [_("内容不超过5000字。")]
    if patrol is not None and patrol.user_id != actor.pk:
        errors["patrol"] = [_("只能关联本人的巡查记录。")]
    if errors:
        raise ValidationError(errors)
    patrol = patrol or open_patrol(actor, target.area)
    with transaction.atomic():
        visit = Visit.objects.create(
            **fields,
            area=target.area,
            township=target.township,
            visitor=actor,
            visited_at=visited_at,
            findings=(findings or "").strip(),
            follow_up=(follow_up or "").strip(),
            patrol=patrol,
            photo=photo or "",
        )
        if isinstance(target, Unit):
            Unit.objects.filter(pk=target.pk, last_visited_at__lt=visited_at).update(last_visited_at=visited_at)
            Unit.objects.filter(pk=target.pk, last_visited_at__isnull=True).update(last_visited_at=visited_at)
        else:
            persons = [target] if isinstance(target, Person) else list(target.members.all())
            for person in persons:
                if person.last_visited_at is None or person.last_visited_at < visited_at:
                    person.last_visited_at = visited_at
                    Person.objects.filter(pk=person.pk).update(last_visited_at=visited_at)
                    refresh_due(person)
    return visit


def open_patrol(actor, area) -> Patrol | None:
    """The actor's patrol round under way (not ended) over `area` or a node above it, if any:
    a visit made during it is listed in that patrol's log."""
    return (
        Patrol.objects.filter(
            user_id=actor.pk,
            ended_at__isnull=True,
            area__tree_id=area.tree_id,
            area__lft__lte=area.lft,
            area__rght__gte=area.rght,
        )
        .order_by("-started_at")
        .first()
    )


def due_visits(user, on: datetime.date | None = None) -> QuerySet:
    """Persons within `user`'s `keep_ledgers` reach who have a visiting duty, the most overdue
    first (`next_visit_due` ascending); `overdue` is `next_visit_due < on` (local date)."""
    return (
        Person.objects.restrict(user, KEEP_LEDGERS)
        .filter(next_visit_due__isnull=False)
        .select_related("residence", "household")
        .order_by("next_visit_due", "id")
    )


def event_initial(visit: Visit) -> dict:
    """The report form's initial values for turning `visit`'s finding into an event: its
    micro-grid, the address, the finding as title and description, the visit time."""
    target = visit.target
    address = getattr(target, "residence", None) or getattr(target, "address", None)
    text = visit.findings or visit.follow_up
    description = "\n".join(filter(None, [visit.findings, visit.follow_up and _("跟进：") + visit.follow_up]))
    return {
        "area": visit.area_id,
        "title": text.splitlines()[0][:60] if text else "",
        "description": description,
        "address": address.full_text if address else "",
        "discovered_at": timezone.localtime(visit.visited_at).replace(second=0, microsecond=0),
    }


def visit_to_event(*, actor, visit: Visit, **report) -> Event:
    """File the visit's finding as a grid event (`events.services.event_report`, Art. 17) and
    link it to the visit, in one transaction. `report`: the report's fields (area, item,
    title, description, discovered_at …). A visit becomes at most one event
    (ValidationError on "visit"); reporting needs `report_event` on the grid.
    """
    if not scope.has_area_perm(actor, REPORT, visit.area):
        raise PermissionDenied(_("您无权在该网格上报事件。"))
    with transaction.atomic():
        visit = Visit.objects.select_for_update().get(pk=visit.pk)
        if visit.event_id is not None:
            raise ValidationError({"visit": [_("该走访发现已转为事件 %(n)s。") % {"n": visit.event.number}]})
        patrol = visit.patrol if visit.patrol and visit.patrol.user_id == actor.pk else None
        event = event_services.event_report(actor=actor, patrol=patrol, **report)
        visit.event = event
        visit.save(update_fields=["event"])
    return event
