"""Reads of events that depend on who asks (Art. 17)."""

import datetime
import re
from collections.abc import Iterable

from django.db.models import Q
from django.utils import timezone

from grids.choices import Level
from personnel.choices import OrgKind
from personnel.masking import mask_id_number, mask_mobile
from personnel.models import Organisation

from .choices import OPEN_STATUSES, ActionKind, EventStatus, HandlingLevel
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


def surviving_case(event: "Event") -> "Event":
    """The event `event` was merged into as a duplicate (following a chain of merges, at most
    `MERGE_DEPTH` links), or `event` itself when it was not merged. One query per link."""
    for _ in range(MERGE_DEPTH):
        if event.merged_into_id is None:
            break
        event = event.merged_into
    return event


#: How far `surviving_case` follows merges of merges (each target was unmerged when chosen).
MERGE_DEPTH = 5


def event_contact(user, event: Event) -> dict | None:
    """The citizen's contact on a demand or complaint as `user` may see it (Art. 10, 19; PIPL).

    `{"name", "phone", "can_reveal"}` with the name and phone MASKED (`personnel.masking`),
    and whether `user` may reveal them (`events.services.event_contact_unmask`); None
    when the event has no contact (staff reports) or `user` may not see it (see
    `events.workflow.may_see_masked_contact`). Assumes `user` may see the event.
    """
    from personnel.masking import mask_mobile, mask_name

    from .workflow import may_reveal_contact, may_see_masked_contact

    if not (event.contact_name or event.contact_phone) or not may_see_masked_contact(user, event):
        return None
    return {
        "name": mask_name(event.contact_name),
        "phone": mask_mobile(event.contact_phone),
        "can_reveal": may_reveal_contact(user, event),
    }


def concerned_organisations(events: Iterable[Event]) -> dict[int, set[int]]:
    """{event id: ids of the organisations concerned by a change of that event}: the units
    of its dispatches in its current `cycle` (lead and co-handling), the township office of
    its township and the grid authority of its district (personnel OrgKind township_office
    / authority with that area). Two queries for any number of events.

    The one answer to "who hears of this event" for webhooks: the deadline sweep reads it
    for a whole batch, `integrations.receivers` for one step's event.
    """
    from personnel.choices import OrgKind
    from personnel.models import Organisation

    from .models import Dispatch

    events = list(events)
    if not events:
        return {}
    concerned: dict[int, set[int]] = {event.pk: set() for event in events}
    cycle_of = {event.pk: event.cycle for event in events}
    dispatches = Dispatch.objects.filter(event_id__in=list(concerned)).values_list("event_id", "cycle", "unit_id")
    for event_id, cycle, unit_id in dispatches:
        if cycle == cycle_of[event_id]:
            concerned[event_id].add(unit_id)
    townships = {event.township_id for event in events}
    counties = {event.county_id for event in events}
    offices: dict[tuple[str, int], set[int]] = {}
    for pk, kind, area_id in Organisation.objects.filter(
        Q(kind=OrgKind.TOWNSHIP_OFFICE, area_id__in=townships) | Q(kind=OrgKind.AUTHORITY, area_id__in=counties)
    ).values_list("pk", "kind", "area_id"):
        offices.setdefault((kind, area_id), set()).add(pk)
    for event in events:
        concerned[event.pk] |= offices.get((OrgKind.TOWNSHIP_OFFICE, event.township_id), set())
        concerned[event.pk] |= offices.get((OrgKind.AUTHORITY, event.county_id), set())
    return concerned


#: Mainland mobile numbers and resident ID numbers inside free text (masked on public pages).
_MOBILE_RE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
_ID_RE = re.compile(r"(?<![0-9Xx])\d{17}[\dXx](?![0-9Xx])")


def public_text(text: str) -> str:
    """`text` with the mobile and ID numbers in it masked (`personnel.masking`): what a
    handler wrote, fit for the public tracking page (Art. 10, 19; PIPL)."""
    text = _ID_RE.sub(lambda m: mask_id_number(m.group()), text or "")
    return _MOBILE_RE.sub(lambda m: mask_mobile(m.group()), text)


def public_progress(event: Event) -> dict:
    """What was done on a public demand or complaint, for its tracking page (Art. 10, 17, 19).

    Returns `{"unit": str | None` (the lead handling unit's name, an organisation, never a
    person), `"accept_due_at"`/`"complete_due_at"`: aware datetimes or None (the running
    deadlines: to sign for it, to finish it), `"result": {"text", "at"} | None` (the last
    fed-back result, numbers masked), `"verification": {"passed": bool, "text", "at"} |
    None` (the last check of that result)}. No actor names, no contact, no attachments.
    Two queries.
    """

    unit = event.lead_unit.name if event.lead_unit_id else None
    last = {}
    kinds = [ActionKind.SUBMIT_RESULT, ActionKind.VERIFY_PASS, ActionKind.VERIFY_FAIL]
    for kind, text, at in event.actions.filter(kind__in=kinds).order_by("at", "id").values_list("kind", "text", "at"):
        key = "result" if kind == ActionKind.SUBMIT_RESULT else "verification"
        last[key] = {"kind": kind, "text": public_text(text), "at": at}
        if key == "result":
            last.pop("verification", None)  # a new result: the earlier check was of the earlier one
    verification = last.get("verification")
    if verification is not None:
        verification["passed"] = verification.pop("kind") == ActionKind.VERIFY_PASS
    if "result" in last:
        last["result"].pop("kind")
    return {
        "unit": unit,
        "accept_due_at": event.accept_due_at if event.status == EventStatus.DISPATCHED else None,
        "complete_due_at": event.complete_due_at if event.is_open else None,
        "result": last.get("result"),
        "verification": verification,
    }


def staff_office_of(event: Event) -> Organisation | None:
    """The township's staff office for a complaint about a grid worker (Art. 27): the
    active township office (乡镇人民政府（街道办事处）) of the event's township, or None."""
    return staff_offices(event).order_by("id").first()


def staff_offices(event: Event):
    """The active township offices of `event`'s township (a QuerySet of Organisation)."""
    return Organisation.objects.filter(kind=OrgKind.TOWNSHIP_OFFICE, area_id=event.township_id, is_active=True)


def handling_units(event: Event):
    """Active handling units (departments, township offices, committees) in the event's
    district or above it: what a dispatcher may pick (the service re-checks, Art. 17).
    A QuerySet of Organisation with `area`, ordered city → district → township → village,
    then by name. For a complaint about a grid worker (`about_staff`, Art. 27) only the
    township's staff office (`staff_office_of`)."""
    if event.about_staff_id:
        office = staff_office_of(event)
        if office is None:
            return Organisation.objects.none()
        return Organisation.objects.filter(pk=office.pk).select_related("area")
    county = event.county
    return (
        Organisation.objects.filter(
            is_active=True,
            kind__in=[OrgKind.DEPARTMENT, OrgKind.TOWNSHIP_OFFICE, OrgKind.VILLAGE_COMMITTEE],
            area__tree_id=county.tree_id,
        )
        .filter(
            Q(area__lft__gte=county.lft, area__rght__lte=county.rght)
            | Q(area__lft__lt=county.lft, area__rght__gt=county.rght)
        )
        .select_related("area")
        .order_by("area__depth", "name")
    )


#: The levels the unit pickers are grouped by, top first.
UNIT_LEVELS = (Level.CITY, Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE)


def units_by_level(units: Iterable[Organisation]) -> list[tuple[str, list[tuple[int, str]]]]:
    """`units` as optgroups `[(level label, [(pk, name), …]), …]`, top level first; within
    the township and village groups each name is prefixed by its area's name when the
    group holds units of several areas (so 南门街道 and 江厦街道 offices are told apart)."""
    groups: dict[str, list[Organisation]] = {}
    for unit in units:
        groups.setdefault(unit.area.level, []).append(unit)
    out = []
    for level in UNIT_LEVELS:
        rows = groups.get(level, [])
        if not rows:
            continue
        several = len({u.area_id for u in rows}) > 1
        names = [(u.pk, f"{u.area.name} · {u.name}" if several and u.area.name not in u.name else u.name) for u in rows]
        out.append((str(Level(level).label), names))
    return out


def suggested_lead_unit(event: Event, units=None) -> Organisation | None:
    """The lead unit to suggest for `event` (Art. 17): among `units` (default
    `handling_units(event)`), one of the item version's responsible department whose
    jurisdiction holds the event's grid, the nearest first — the township's own office of
    that line of work, else the district bureau, never the city bureau while a district
    one exists. An escalated event (handled at district level) skips township units.
    None when no unit of that department covers the event. A complaint about a grid
    worker: the township's staff office."""
    units = handling_units(event) if units is None else units
    if event.about_staff_id:
        return next(iter(units), None)
    department = event.item_version.department
    area = event.area
    lowest = 1 if event.level == HandlingLevel.COUNTY else 2  # county depth 1, township 2
    candidates = [
        u
        for u in units
        if u.department == department
        and u.area.tree_id == area.tree_id
        and u.area.lft <= area.lft
        and area.rght <= u.area.rght
        and u.area.depth <= lowest
    ]
    return max(candidates, key=lambda u: (u.area.depth, -u.pk), default=None)
