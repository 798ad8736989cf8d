"""The closed loop (Art. 17, 18, 19, 29, 30): one service per step.

Every step function is keyword-only and takes `actor=` (a user; `None` only for the
public rating through a tracking code) and `event=` (an `Event` instance as the caller
loaded it, or its primary key). Each runs in one transaction:

1. lock the event row (`select_for_update`) and re-read it;
2. check the actor's role for the step (`events.workflow`), raising `NotFound` if the
   event is outside the actor's jurisdiction and `PermissionDenied` if they may see it
   but not take the step;
3. if an `Event` instance was passed and its `version` differs from the locked row's,
   raise `StaleVersion` (someone else acted first: the second of two concurrent steps).
   Callers acting for a person pass the version that person read (`as_read`): the
   browser's step forms and the API's steps both require it;
4. check the step is allowed from the CURRENT status (`InvalidTransition`, a `Conflict`);
5. validate the input (`django.core.exceptions.ValidationError` with a field dict);
6. assign the status, bump `version`, append the `Action` row(s), recompute
   `next_alert_at`/`alert_level`;
7. in the same transaction: notifications and their e-mail / SMS outbox rows
   (`events.notify.record`) and `events.signals.event_changed` (webhook deliveries);
   a Celery task sends them after commit (see `ningbo_grid.outbox`).

Each returns the updated `Event` (patrol services return the `Patrol`).

`at=` (aware datetime, default now) exists only for seeding and imports of past
records; views and the API must never pass it.

Deadlines: dispatch starts the accept (签收) clock from the rule of the event's grade;
signing starts the complete (办结) clock. Emergency events count natural hours (Art. 18).
"""

import datetime
import hmac
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.attributes import validate_report_fields
from catalog.choices import Grade, TimeUnit
from catalog.models import ServiceItem, ServiceItemVersion
from catalog.services import task_authorise
from grids.choices import Level
from grids.models import Area
from personnel import roles
from personnel.models import Membership, Organisation
from personnel.scope import has_area_perm

from . import notify, workflow
from .choices import (
    OPEN_STATUSES,
    ActionKind,
    AlertLevel,
    Datum,
    DispatchRole,
    EventStatus,
    HandlingLevel,
    RejectReason,
    RequestKind,
    RequestState,
    Source,
)
from .exceptions import Conflict, InvalidTransition, NotFound, PermissionDenied, StaleVersion
from .models import Action, Dispatch, Event, HandlingRequest, Patrol, Satisfaction
from .signals import event_changed
from .workcalendar import add_elapsed, add_time, elapsed, working_hours_between

S = EventStatus

#: How long before the report a problem may have been discovered; older dates are typos
#: (e.g. 1926 for 2026) that would count as a century of reporting lateness (Art. 29).
MAX_DISCOVERY_AGE = datetime.timedelta(days=366)

#: The one way the public (no user) creates an event: `event_public_demand`.
PUBLIC_STEP = "public_demand"
PUBLIC_SOURCES = (Source.PUBLIC_DEMAND, Source.COMPLAINT)

CORRECTABLE_FIELDS = ("title", "description", "address", "attributes", "contact_name", "contact_phone")


# Internals --------------------------------------------------------------------------


def _now(at):
    return at or timezone.now()


def _iso(value):
    return value.isoformat() if value else None


def _actor_name(actor) -> str:
    if not actor:
        return _("系统")
    staff = getattr(actor, "staff", None) if hasattr(actor, "staff") else None
    return (staff.name if staff else "") or actor.get_full_name() or actor.get_username()


def _actor_org(actor, prefer=None):
    """The organisation the actor acts for: `prefer` if they belong to it, else their first one."""
    if not actor or not actor.is_authenticated:
        return None
    if prefer is not None:
        return prefer
    membership = Membership.objects.current().filter(user=actor).select_related("organisation").first()
    if membership:
        return membership.organisation
    staff = getattr(actor, "staff", None) if hasattr(actor, "staff") else None
    return staff.organisation if staff else None


def as_read(event: Event, version: int) -> Event:
    """`event` as its caller read it: `version` (the `version` field of the event, sent
    back by the browser's step forms and in the body of every API step) is the one the
    step acts on; `_lock` refuses with `StaleVersion` if the event has moved on since."""
    event.version = version
    return event


def _lock(step: str, actor, event) -> Event:
    """Lock and re-read the event; check role, version and status (see module docstring)."""
    expected = event.version if isinstance(event, Event) else None
    pk = event.pk if isinstance(event, Event) else event
    try:
        locked = (
            Event.objects.select_for_update(of=("self",))
            .select_related("item_version", "area", "township", "county")
            .get(pk=pk)
        )
    except (Event.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    if not workflow.may(step, actor, locked):
        if not Event.objects.restrict(actor).filter(pk=locked.pk).exists():
            raise NotFound()
        if expected is not None and expected != locked.version:
            raise StaleVersion()
        raise PermissionDenied(_("您不能对此事件执行“%(step)s”。") % {"step": workflow.STEPS[step].label})
    if expected is not None and expected != locked.version:
        raise StaleVersion()
    if not workflow.allowed_from(step, locked.status):
        raise InvalidTransition(
            _("事件当前状态为“%(status)s”，不能%(step)s。")
            % {"status": locked.get_status_display(), "step": workflow.STEPS[step].label}
        )
    return locked


def _record(event, kind, actor, *, at, from_status=None, text="", data=None, org=None) -> Action:
    real = actor if actor is not None and actor.is_authenticated else None
    return Action.objects.create(
        event=event,
        kind=kind,
        actor=real,
        actor_name=_actor_name(real) if real else _("公众"),
        actor_organisation=_actor_org(actor, org),
        at=at,
        from_status=from_status if from_status is not None else event.status,
        to_status=event.status,
        text=text,
        data=data or {},
    )


def compute_next_alert(event) -> datetime.datetime | None:
    """The earliest pending alert of the clock running in the event's status, or None.

    DISPATCHED runs the accept clock, HANDLING the complete clock; other statuses (and a
    suspension) run none. `alert_level` says what already fired on the running clock.
    """
    if event.status == S.DISPATCHED:
        warn, due = event.accept_warn_at, event.accept_due_at
    elif event.status == S.HANDLING:
        warn, due = event.complete_warn_at, event.complete_due_at
    else:
        return None
    if event.alert_level == AlertLevel.RED:
        return None
    if event.alert_level == AlertLevel.YELLOW:
        return due
    return warn or due


def _level_at(now, warn, due) -> str:
    if due and now >= due:
        return AlertLevel.RED
    if warn and now >= warn:
        return AlertLevel.YELLOW
    return AlertLevel.NONE


def _save(event, actions, messages=()) -> Event:
    """Bump the version, recompute the alert time, save; then, in the same transaction,
    write the notifications (inbox and outbox, `events.notify.record`) and send
    `event_changed` for each action (its receivers write their webhook deliveries), so the
    step and every side effect it causes commit together (the transactional outbox)."""
    event.version += 1
    event.next_alert_at = compute_next_alert(event)
    event.save()
    notify.record(messages, cause=f"action:{actions[0].pk}")
    for action in sorted(actions, key=lambda a: a.pk):
        event_changed.send(sender=Event, event=event, action=action)
    return event


def _rule(event):
    return event.item_version.rule_for(event.grade)


def _unit(event, unit: str) -> str:
    """Emergencies count natural hours (Art. 18); otherwise the rule's unit."""
    return TimeUnit.NATURAL_HOUR if event.grade == Grade.EMERGENCY else unit


def _pattern(event) -> str | None:
    """The lead unit's working pattern (personnel.choices.WorkingPattern): its clocks follow it."""
    return event.lead_unit.working_pattern if event.lead_unit_id else None


def _clock(event, start, limit, unit, ratio):
    """(warn_at, due_at) for a limit from `start`, or (None, None) when there is no limit.

    Counted on the lead unit's working pattern (the calendar unless the unit keeps its own).
    """
    if limit is None:
        return None, None
    unit, pattern = _unit(event, unit), _pattern(event)
    due = add_time(start, Decimal(limit), unit, pattern=pattern)
    warn = add_time(start, Decimal(limit) * Decimal(ratio), unit, pattern=pattern)
    return warn, due


def _start_complete_clock(event, now):
    rule = _rule(event)
    if rule:
        event.complete_warn_at, event.complete_due_at = _clock(
            event, now, rule.complete_limit, rule.complete_unit, rule.warning_ratio
        )
    else:
        event.complete_warn_at = event.complete_due_at = None
    event.alert_level = AlertLevel.NONE


def _msg(event, kind, title, user_ids, urgent=False, body=""):
    return notify.Message(
        user_ids=set(user_ids),
        event_id=event.pk,
        kind=kind,
        title=f"[{event.number}] {title}",
        body=body or event.title,
        urgent=urgent or event.grade == Grade.EMERGENCY,
    )


def _routers(event) -> set:
    if event.level == HandlingLevel.COUNTY:
        return notify.supervisors_of([event.county_id])
    return notify.dispatchers_of([event.township_id])


def _attach(actor, event, action, files):
    from .attachments import attachment_add

    return [attachment_add(actor=actor, event=event, file=f, action=action) for f in files or ()]


def _require_text(text, field="text", message=None):
    if not (text or "").strip():
        raise ValidationError({field: [message or _("请填写说明。")]})
    return text.strip()


# Report --------------------------------------------------------------------------------


def version_in_force(item: ServiceItem, area: Area, on: datetime.date) -> ServiceItemVersion | None:
    """The item's published version in force on local date `on` if the item applies in
    `area` (the city list plus the area's district list, Art. 13, 19, 30); else None.
    Delegates to the catalogue's Art. 19 check, `catalog.services.task_authorise`."""
    try:
        return task_authorise(item_code=item.code, area=area, on=on)
    except ValidationError:
        return None


def _clean_attributes(version: ServiceItemVersion, data) -> dict:
    """The item's report fields, cleaned by `catalog.attributes.validate_report_fields`.

    Raises ValidationError({"attributes": [message, …]}): the form and API show the
    field problems together under the event's `attributes`."""
    try:
        return validate_report_fields(version, data)
    except ValidationError as exc:
        messages = [m for msgs in exc.message_dict.values() for m in msgs]
        raise ValidationError({"attributes": messages}) from exc


def _next_number(day: datetime.date) -> str:
    prefix = "E" + day.strftime("%Y%m%d")
    last = (
        Event.objects.filter(number__gte=prefix, number__lt=prefix + "~")
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    seq = int(last[len(prefix) :]) + 1 if last else 1
    return f"{prefix}{seq:06d}"


#: The longest text each reported field takes (the columns' lengths; the description as the API's).
REPORT_TEXT_LIMITS = {
    "title": 120,
    "description": 5000,
    "address": 200,
    "contact_name": 50,
    "contact_phone": 20,
    "external_ref": 64,
}


def _text_errors(texts: dict) -> dict[str, list]:
    """Refuse, never cut: a NUL character (PostgreSQL cannot store it) or a text over its limit."""
    errors: dict[str, list] = {}
    for field, value in texts.items():
        value = value or ""
        if "\x00" in value:
            errors.setdefault(field, []).append(_("不得包含空字符（NUL）。"))
        elif len(value.strip()) > REPORT_TEXT_LIMITS[field]:
            errors.setdefault(field, []).append(
                _("最多 %(limit)d 个字（现为 %(length)d 个）。")
                % {"limit": REPORT_TEXT_LIMITS[field], "length": len(value.strip())}
            )
    return errors


def _validate_report(
    *, area, item, grade, title, description, discovered_at, now, latitude, longitude, datum, texts=None
):
    errors: dict[str, list] = _text_errors({"title": title, "description": description, **(texts or {})})
    if not area.is_grid or not area.is_active:
        errors.setdefault("area", []).append(_("只能在有效的网格或微网格上报事件。"))
    if grade not in Grade.values:
        errors.setdefault("grade", []).append(_("事件等级不正确。"))
    if not (title or "").strip():
        errors.setdefault("title", []).append(_("请填写标题。"))
    if not (description or "").strip():
        errors.setdefault("description", []).append(_("请填写事件描述。"))
    if discovered_at is None or timezone.is_naive(discovered_at):
        errors.setdefault("discovered_at", []).append(_("请填写发现时间。"))
    elif discovered_at > now:
        errors.setdefault("discovered_at", []).append(_("发现时间不能晚于上报时间。"))
    elif discovered_at < now - MAX_DISCOVERY_AGE:
        errors.setdefault("discovered_at", []).append(_("发现时间不能早于上报前一年，请核对。"))
    if (latitude is None) != (longitude is None):
        errors.setdefault("latitude", []).append(_("经纬度须同时填写。"))
    if latitude is not None and longitude is not None:
        try:
            lat, lon = Decimal(str(latitude)), Decimal(str(longitude))
        except Exception:
            lat = lon = None
        if lat is None or not (-90 <= lat <= 90):
            errors.setdefault("latitude", []).append(_("纬度应在 -90 至 90 之间。"))
        if lon is None or not (-180 <= lon <= 180):
            errors.setdefault("longitude", []).append(_("经度应在 -180 至 180 之间。"))
        if datum not in Datum.values:
            errors.setdefault("datum", []).append(_("请注明坐标系（WGS-84、GCJ-02、BD-09 或 CGCS2000）。"))
    version = None
    if item is None:
        errors.setdefault("item", []).append(_("请选择清单事项。"))
    elif "area" not in errors:
        version = version_in_force(item, area, timezone.localdate(now))
        if version is None:
            errors.setdefault("item", []).append(
                _("该事项不在本网格现行有效的服务管理事项清单内，不能作为网格事件上报（条例第十九条、第三十条）。")
            )
    if errors:
        raise ValidationError(errors)
    return version


def _create_event(
    *,
    actor,
    area,
    item,
    grade,
    title,
    description,
    discovered_at,
    address,
    latitude,
    longitude,
    datum,
    attributes,
    source,
    patrol,
    contact_name,
    contact_phone,
    external_ref,
    now,
    step,
) -> tuple[Event, dict]:
    if isinstance(item, str):
        item = ServiceItem.objects.filter(code=item).first()
    if isinstance(area, int | str):
        area = Area.objects.filter(pk=area).first()
        if area is None:
            raise NotFound(_("网格不存在或不在您的辖区内。"))
    if step == PUBLIC_STEP:
        # The public (no user): any active grid or micro-grid, with its public card
        # (checked by _validate_report); only demands and complaints.
        may = actor is None and source in PUBLIC_SOURCES
    else:
        # Role: grid staff on the grid; dispatchers may enter public demands and complaints.
        may = has_area_perm(actor, roles.REPORT, area)
        if not may and step == "report" and source in (*PUBLIC_SOURCES, Source.EXTERNAL):
            may = has_area_perm(actor, roles.DISPATCH, area)
        if step == "self_handle":
            may = has_area_perm(actor, roles.SELF_HANDLE, area)
    if not may and step == PUBLIC_STEP:
        raise PermissionDenied(_("公众只能提交诉求或投诉。"))
    if not may:
        if not has_area_perm(actor, roles.VIEW, area):
            raise NotFound(_("网格不存在或不在您的辖区内。"))
        raise PermissionDenied(_("您不能在该网格%(step)s事件。") % {"step": workflow.STEPS[step].label})
    if patrol is not None:
        if patrol.user_id != actor.pk or not (
            patrol.area.tree_id == area.tree_id and patrol.area.lft <= area.lft and area.rght <= patrol.area.rght
        ):
            raise ValidationError({"patrol": [_("只能从本人在该网格的巡查记录上报。")]})
        source = Source.PATROL
    version = _validate_report(
        area=area,
        item=item,
        grade=grade,
        title=title,
        description=description,
        discovered_at=discovered_at,
        now=now,
        latitude=latitude,
        longitude=longitude,
        datum=datum,
        texts={
            "address": address,
            "contact_name": contact_name,
            "contact_phone": contact_phone,
            "external_ref": external_ref,
        },
    )
    if step == "self_handle" and not version.self_handle:
        raise ValidationError({"item": [_("该事项不允许就地处置。")]})
    cleaned = _clean_attributes(version, attributes or {})
    township, county = area.ancestor_at(Level.TOWNSHIP), area.ancestor_at(Level.COUNTY)
    fields = {
        "item": item,
        "item_version": version,
        "category": version.category,
        "grade": grade,
        "status": S.REPORTED,
        "source": source,
        # Published on Open311 only when the public itself reported it (Art. 10, 19): on a
        # public card, or through a dispatcher's or a system's entry (a hotline call, an
        # Open311 POST). Whatever grid staff report stays internal, a "demand" they typed
        # in included, until someone marks it (`event_publish`).
        "public": source in PUBLIC_SOURCES and (step == PUBLIC_STEP or not has_area_perm(actor, roles.REPORT, area)),
        "level": HandlingLevel.TOWNSHIP,
        "area": area,
        "township": township,
        "county": county,
        "title": title.strip(),
        "description": description.strip(),
        "attributes": cleaned,
        "address": address or "",
        "latitude": Decimal(str(latitude)).quantize(Decimal("0.000001")) if latitude is not None else None,
        "longitude": Decimal(str(longitude)).quantize(Decimal("0.000001")) if longitude is not None else None,
        "datum": datum if latitude is not None else "",
        "reporter": actor,
        "patrol": patrol,
        "contact_name": contact_name or "",
        "contact_phone": contact_phone or "",
        "external_ref": external_ref or "",
        "discovered_at": discovered_at,
        "reported_at": now,
    }
    day = timezone.localdate(now)
    for _attempt in range(20):
        try:
            with transaction.atomic():
                event = Event.objects.create(number=_next_number(day), **fields)
            break
        except IntegrityError:
            continue  # another report took the number (or the tracking code): try the next
    else:  # pragma: no cover
        raise Conflict(_("事件编号分配冲突，请重试。"))
    lateness = {
        "reporting_delay_hours": round((now - discovered_at).total_seconds() / 3600, 2),
        "reporting_delay_working_hours": str(working_hours_between(discovered_at, now)),
        "grade": grade,
        "item_version": version.pk,
        "public": event.public,
    }
    return event, lateness


def _emergency_recipients(event) -> set:
    """Art. 18: every staff member of the grid and its micro-grids, the township's
    dispatchers and the district authority's supervisors."""
    return (
        notify.grid_staff(event.area)
        | notify.dispatchers_of([event.township_id])
        | notify.supervisors_of([event.county_id])
    )


def event_report(
    *,
    actor,
    area,
    item,
    title,
    description,
    discovered_at,
    grade=Grade.GENERAL,
    address="",
    latitude=None,
    longitude=None,
    datum="",
    attributes=None,
    source=Source.STAFF,
    patrol=None,
    contact_name="",
    contact_phone="",
    external_ref="",
    attachments=(),
    at=None,
    step="report",
) -> Event:
    """Report an event in a grid or micro-grid (上报, Art. 17, 19, 30).

    `area`: Area (grid or micro-grid) or its pk; `item`: ServiceItem or its code; the
    item must be in force and apply in the area's district (else ValidationError on
    "item"). `discovered_at` aware, not after now. `latitude`/`longitude` decimal degrees
    with `datum` (events.choices.Datum). `attributes` dict of the item's report fields.
    `patrol`: the actor's Patrol covering the area (source becomes patrol).
    `attachments`: uploaded image files (see events.attachments).
    Who: `report_event` on the grid; for public demands, complaints and external
    sources also `dispatch_event` (a dispatcher entering a call). The reporting delay
    (Art. 29) is recorded in the REPORT action's data. Emergencies notify at once (Art. 18).
    `step` is internal (`event_public_demand` files through here without a user).
    A repeated request (double tap, resend after a lost answer) is kept from filing twice
    by the caller's one-time key (`idempotency.services.run_once`), not here.
    """
    now = _now(at)
    with transaction.atomic():
        event, data = _create_event(
            actor=actor,
            area=area,
            item=item,
            grade=grade,
            title=title,
            description=description,
            discovered_at=discovered_at,
            address=address,
            latitude=latitude,
            longitude=longitude,
            datum=datum,
            attributes=attributes,
            source=source,
            patrol=patrol,
            contact_name=contact_name,
            contact_phone=contact_phone,
            external_ref=external_ref,
            now=now,
            step=step,
        )
        action = _record(event, ActionKind.REPORT, actor, at=now, from_status="", text=event.description, data=data)
        _attach(actor, event, action, attachments)
        if event.grade == Grade.EMERGENCY:
            msg = _msg(
                event, ActionKind.REPORT, _("紧急事件：%(t)s") % {"t": event.title}, _emergency_recipients(event)
            )
        else:
            msg = _msg(event, ActionKind.REPORT, _("新事件待受理：%(t)s") % {"t": event.title}, _routers(event))
        event.version -= 1  # _save bumps it: a new event starts at version 1
        return _save(event, [action], [msg])


def event_public_demand(
    *, area, item, description, contact_name, contact_phone, complaint=False, address="", at=None
) -> Event:
    """A demand or complaint from the public (诉求/投诉, Art. 10, 19), filed on a grid's
    public card without signing in: a reported event of that grid, source
    `public_demand` or `complaint`, with no reporter (the timeline says 公众).

    There is no actor and no grant: the service itself decides what the public may do —
    only this step, only in an active grid or micro-grid (the ones with a public card),
    only with an item in force there (ValidationError on "item" otherwise), and with the
    contact name and phone the staff need to call back. The title is made from the kind
    and the description. Anti-automation and rate limits belong to the caller (the public
    page, ningbo_grid.public_demand). The tracking code is `event.tracking_code`.
    """
    errors = {}
    if not (contact_name or "").strip():
        errors["contact_name"] = [_("请填写姓名。")]
    if not (contact_phone or "").strip():
        errors["contact_phone"] = [_("请填写联系电话。")]
    if not (description or "").strip():
        errors["description"] = [_("请填写诉求内容。")]
    if errors:
        raise ValidationError(errors)
    if not isinstance(area, Area) or not area.is_grid or not area.is_active:
        raise NotFound(_("没有这个网格编码。"))
    description = description.strip()
    label = _("投诉") if complaint else _("诉求")
    now = _now(at)
    return event_report(
        actor=None,
        area=area,
        item=item,
        title=f"{label}：{description[:40]}",
        description=description,
        discovered_at=now,
        address=address,
        source=Source.COMPLAINT if complaint else Source.PUBLIC_DEMAND,
        contact_name=contact_name.strip(),
        contact_phone=contact_phone.strip(),
        at=now,
        step=PUBLIC_STEP,
    )


def event_self_handle(
    *,
    actor,
    area,
    item,
    title,
    description,
    discovered_at,
    result_text,
    grade=Grade.GENERAL,
    address="",
    latitude=None,
    longitude=None,
    datum="",
    attributes=None,
    attachments=(),
    at=None,
) -> Event:
    """Report and handle on the spot (就地处置, Art. 17 ¶2): the event is closed at once.

    Who: `self_handle_event` on the grid (grid leader, full-time worker), and the item
    version must allow it (`self_handle`). Arguments as `event_report`, plus the
    `result_text` and result photos (`attachments`).
    """
    now = _now(at)
    result_text = _require_text(result_text, "result_text", _("请填写处置结果。"))
    with transaction.atomic():
        event, data = _create_event(
            actor=actor,
            area=area,
            item=item,
            grade=grade,
            title=title,
            description=description,
            discovered_at=discovered_at,
            address=address,
            latitude=latitude,
            longitude=longitude,
            datum=datum,
            attributes=attributes,
            source=Source.STAFF,
            patrol=None,
            contact_name="",
            contact_phone="",
            external_ref="",
            now=now,
            step="self_handle",
        )
        report = _record(event, ActionKind.REPORT, actor, at=now, from_status="", text=event.description, data=data)
        event.status = S.CLOSED
        event.self_handled = True
        event.result_at = event.closed_at = now
        handled = _record(event, ActionKind.SELF_HANDLE, actor, at=now, from_status=S.REPORTED, text=result_text)
        _attach(actor, event, handled, attachments)
        event.version -= 1
        return _save(event, [report, handled])


# Routing -------------------------------------------------------------------------------


def event_accept(*, actor, event, text="", at=None) -> Event:
    """Accept a reported event (受理) at the township. Who: the township dispatcher.

    The accept delay (reported → accepted, working and natural hours, Art. 29) is
    recorded in the action's data.
    """
    now = _now(at)
    with transaction.atomic():
        ev = _lock("accept", actor, event)
        before = ev.status
        ev.status, ev.accepted_at = S.ACCEPTED, now
        data = {
            "accept_delay_hours": round((now - ev.reported_at).total_seconds() / 3600, 2),
            "accept_delay_working_hours": str(working_hours_between(ev.reported_at, now)),
        }
        action = _record(ev, ActionKind.ACCEPT, actor, at=now, from_status=before, text=text, data=data)
        return _save(ev, [action])


def event_reject(*, actor, event, reason, text="", original=None, at=None) -> Event:
    """Reject an event (不予受理) with `reason` (events.choices.RejectReason).

    `duplicate` needs `original` (an Event or pk, visible to the actor, not this event,
    not itself merged): the event is merged into it (`merged_into`), with a MERGE action
    on both. Who: the dispatcher at the event's level. Notifies the reporter.
    """
    now = _now(at)
    if reason not in RejectReason.values:
        raise ValidationError({"reason": [_("请选择不予受理的原因。")]})
    with transaction.atomic():
        ev = _lock("reject", actor, event)
        actions = []
        target = None
        if reason == RejectReason.DUPLICATE:
            original_pk = original.pk if isinstance(original, Event) else original
            target = (
                Event.objects.restrict(actor).select_for_update(of=("self",)).filter(pk=original_pk).first()
                if original_pk
                else None
            )
            if target is None or target.pk == ev.pk or target.merged_into_id or target.status == S.REJECTED:
                raise ValidationError({"original": [_("请选择要合并到的原事件。")]})
        before = ev.status
        ev.status, ev.reject_reason = S.REJECTED, reason
        ev.accept_warn_at = ev.accept_due_at = ev.complete_warn_at = ev.complete_due_at = None
        if target is not None:
            ev.merged_into = target
        actions.append(
            _record(ev, ActionKind.REJECT, actor, at=now, from_status=before, text=text, data={"reason": reason})
        )
        if target is not None:
            actions.append(
                _record(
                    ev, ActionKind.MERGE, actor, at=now, text=text, data={"into": target.pk, "number": target.number}
                )
            )
            merge = _record(
                target, ActionKind.MERGE, actor, at=now, text=text, data={"merged": ev.pk, "number": ev.number}
            )
            _save(target, [merge])
        msg = _msg(
            ev, ActionKind.REJECT, _("事件不予受理：%(r)s") % {"r": RejectReason(reason).label}, [ev.reporter_id]
        )
        return _save(ev, actions, [msg] if ev.reporter_id else [])


def event_escalate(*, actor, event, text, at=None) -> Event:
    """Escalate to the district authority (提级), which then dispatches (Art. 17).

    Who: the township dispatcher; `text` (reason) required. Notifies the district supervisors.
    """
    now = _now(at)
    text = _require_text(text)
    with transaction.atomic():
        ev = _lock("escalate", actor, event)
        before = ev.status
        ev.status, ev.level = S.ESCALATED, HandlingLevel.COUNTY
        action = _record(ev, ActionKind.ESCALATE, actor, at=now, from_status=before, text=text)
        msg = _msg(ev, ActionKind.ESCALATE, _("提级事件待派遣：%(t)s") % {"t": ev.title}, _routers(ev))
        return _save(ev, [action], [msg])


def _check_unit(ev, unit, field):
    unit = unit if isinstance(unit, Organisation) else Organisation.objects.filter(pk=unit).first()
    county = ev.county
    ok = (
        unit is not None
        and unit.is_active
        and unit.is_handling_unit
        and unit.area.tree_id == county.tree_id
        and (
            (county.lft <= unit.area.lft and unit.area.rght <= county.rght)
            or (unit.area.lft < county.lft and county.rght < unit.area.rght)
        )
    )
    if not ok:
        raise ValidationError({field: [_("请选择本辖区内有效的承办单位。")]})
    return unit


def event_dispatch(*, actor, event, lead_unit, co_units=(), text="", at=None) -> Event:
    """Dispatch to one lead handling unit, optionally with co-handling units (派遣, 协同处置).

    `lead_unit`/`co_units`: Organisations (or pks) that may handle events (departments,
    township offices, committees) in the event's district or above it. Starts the
    accept (签收) clock from the item version's rule for the event's grade on the working
    calendar (natural hours for emergencies); `cycle` += 1; a re-dispatch supersedes the
    active dispatches. Who: the dispatcher at the event's level (township, or the district
    after escalation). Notifies the units' handlers.
    """
    now = _now(at)
    with transaction.atomic():
        ev = _lock("dispatch", actor, event)
        lead = _check_unit(ev, lead_unit, "lead_unit")
        co = [_check_unit(ev, u, "co_units") for u in co_units or ()]
        co = [u for i, u in enumerate(co) if u.pk != lead.pk and u.pk not in {c.pk for c in co[:i]}]
        before = ev.status
        Dispatch.objects.filter(event=ev, active=True).update(active=False)
        ev.cycle += 1
        ev.lead_unit = lead  # before the clock: it runs on the lead unit's working pattern
        rule = _rule(ev)
        if rule:
            ev.accept_warn_at, ev.accept_due_at = _clock(
                ev, now, rule.accept_limit, rule.accept_unit, rule.warning_ratio
            )
        else:
            ev.accept_warn_at = ev.accept_due_at = None
        ev.complete_warn_at = ev.complete_due_at = None
        ev.status, ev.lead_unit, ev.dispatched_at, ev.alert_level = S.DISPATCHED, lead, now, AlertLevel.NONE
        ev.suspended_at = None
        for unit, role in [(lead, DispatchRole.LEAD)] + [(u, DispatchRole.CO) for u in co]:
            Dispatch.objects.create(
                event=ev,
                unit=unit,
                role=role,
                cycle=ev.cycle,
                dispatched_by=actor,
                dispatched_at=now,
                accept_due_at=ev.accept_due_at,
            )
        data = {
            "lead_unit": lead.pk,
            "lead_unit_name": lead.name,
            "co_units": [u.pk for u in co],
            "co_unit_names": [u.name for u in co],
            "accept_due_at": _iso(ev.accept_due_at),
            "cycle": ev.cycle,
        }
        action = _record(ev, ActionKind.DISPATCH, actor, at=now, from_status=before, text=text, data=data)
        msg = _msg(
            ev,
            ActionKind.DISPATCH,
            _("新派遣事件待签收：%(t)s") % {"t": ev.title},
            notify.handlers_of([lead.pk] + [u.pk for u in co]),
        )
        return _save(ev, [action], [msg])


def _active_lead(ev) -> Dispatch:
    dispatch = Dispatch.objects.filter(event=ev, active=True, role=DispatchRole.LEAD).first()
    if dispatch is None:  # pragma: no cover - the status guarantees one
        raise InvalidTransition()
    return dispatch


# Handling ------------------------------------------------------------------------------


def event_sign(*, actor, event, text="", at=None) -> Event:
    """Sign for a dispatched event (签收): starts the complete (办结) clock.

    Who: a handler of the lead unit. The signing delay against the accept deadline is
    recorded (Art. 29).
    """
    now = _now(at)
    with transaction.atomic():
        ev = _lock("sign", actor, event)
        dispatch = _active_lead(ev)
        dispatch.signed_by, dispatch.signed_at = actor, now
        before = ev.status
        ev.status, ev.signed_at = S.HANDLING, now
        _start_complete_clock(ev, now)
        dispatch.complete_due_at = ev.complete_due_at
        dispatch.save(update_fields=["signed_by", "signed_at", "complete_due_at"])
        data = {
            "sign_delay_working_hours": str(working_hours_between(ev.dispatched_at, now)),
            "late": bool(ev.accept_due_at and now > ev.accept_due_at),
            "complete_due_at": _iso(ev.complete_due_at),
        }
        action = _record(ev, ActionKind.SIGN, actor, at=now, from_status=before, text=text, data=data, org=ev.lead_unit)
        return _save(ev, [action])


def event_return(*, actor, event, reason, at=None) -> Event:
    """Return a misrouted event (退回) with `reason`; it goes back to the dispatching level
    (accepted at the township, or escalated at the district) for re-dispatch.

    Who: a handler of the lead unit. `return_count` += 1; clocks stop.
    """
    now = _now(at)
    reason = _require_text(reason, "reason", _("请填写退回理由。"))
    with transaction.atomic():
        ev = _lock("return", actor, event)
        unit = ev.lead_unit
        dispatch = _active_lead(ev)
        dispatch.returned_at, dispatch.return_reason, dispatch.active = now, reason, False
        dispatch.save(update_fields=["returned_at", "return_reason", "active"])
        Dispatch.objects.filter(event=ev, active=True).update(active=False)
        before = ev.status
        ev.status = S.ESCALATED if ev.level == HandlingLevel.COUNTY else S.ACCEPTED
        ev.lead_unit = None
        ev.return_count += 1
        ev.accept_warn_at = ev.accept_due_at = ev.complete_warn_at = ev.complete_due_at = None
        ev.alert_level = AlertLevel.NONE
        action = _record(
            ev, ActionKind.RETURN, actor, at=now, from_status=before, text=reason, data={"unit": unit.pk}, org=unit
        )
        msg = _msg(ev, ActionKind.RETURN, _("事件被退回，请重新派遣：%(t)s") % {"t": ev.title}, _routers(ev))
        return _save(ev, [action], [msg])


def event_request(*, actor, event, kind, reason, extra_amount=None, extra_unit="", at=None) -> Event:
    """Request an extension (延期, `extra_amount` of `extra_unit`, catalog.choices.TimeUnit)
    or a suspension (挂起) of the complete clock. Deadlines move only on approval.

    Who: a handler of the lead unit while handling. One pending request at a time.
    """
    now = _now(at)
    errors = {}
    if kind not in RequestKind.values:
        errors["kind"] = [_("请选择申请类型。")]
    if not (reason or "").strip():
        errors["reason"] = [_("请填写申请理由。")]
    if kind == RequestKind.EXTENSION:
        try:
            amount = Decimal(str(extra_amount))
            if amount <= 0 or amount > 9999:
                raise ValueError
        except Exception:
            errors["extra_amount"] = [_("请填写延长的时长（大于零）。")]
        if extra_unit not in TimeUnit.values:
            errors["extra_unit"] = [_("请选择时长单位。")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        ev = _lock("request", actor, event)
        if HandlingRequest.objects.filter(event=ev, state=RequestState.PENDING).exists():
            raise ValidationError({"kind": [_("已有待审批的申请。")]})
        req = HandlingRequest.objects.create(
            event=ev,
            dispatch=_active_lead(ev),
            kind=kind,
            reason=reason.strip(),
            extra_amount=Decimal(str(extra_amount)) if kind == RequestKind.EXTENSION else None,
            extra_unit=extra_unit if kind == RequestKind.EXTENSION else "",
            requested_by=actor,
            requested_at=now,
        )
        action_kind = ActionKind.REQUEST_EXTENSION if kind == RequestKind.EXTENSION else ActionKind.REQUEST_SUSPENSION
        data = {"request": req.pk, "extra_amount": str(req.extra_amount or ""), "extra_unit": req.extra_unit}
        action = _record(ev, action_kind, actor, at=now, text=req.reason, data=data, org=ev.lead_unit)
        msg = _msg(
            ev, action_kind, _("%(k)s申请待审批：%(t)s") % {"k": req.get_kind_display(), "t": ev.title}, _routers(ev)
        )
        return _save(ev, [action], [msg])


def event_request_decide(*, actor, event, approve: bool, reason="", at=None) -> Event:
    """Approve or refuse the event's pending request (with `reason`; required to refuse).

    Extension approved: the complete deadline (and its warning time) move by the
    requested amount; a fresh alert cycle starts. Suspension approved: status suspended,
    the clock stops (`suspended_at`). Who: the dispatcher at the event's level.
    """
    now = _now(at)
    if not approve and not (reason or "").strip():
        raise ValidationError({"reason": [_("不同意时请填写理由。")]})
    with transaction.atomic():
        ev = _lock("request_decide", actor, event)
        req = HandlingRequest.objects.select_for_update().filter(event=ev, state=RequestState.PENDING).first()
        if req is None:
            raise InvalidTransition(_("没有待审批的申请。"))
        req.state = RequestState.APPROVED if approve else RequestState.REFUSED
        req.decided_by, req.decided_at, req.decision_reason = actor, now, (reason or "").strip()
        req.save()
        before = ev.status
        data = {"request": req.pk, "kind": req.kind}
        if approve and req.kind == RequestKind.EXTENSION:
            unit = _unit(ev, req.extra_unit)
            old_due = ev.complete_due_at
            if old_due:
                ev.complete_due_at = add_time(old_due, req.extra_amount, unit, pattern=_pattern(ev))
                warn_from = ev.complete_warn_at or old_due
                ev.complete_warn_at = add_time(warn_from, req.extra_amount, unit, pattern=_pattern(ev))
            ev.extension_count += 1
            ev.cycle += 1
            ev.alert_level = _level_at(now, ev.complete_warn_at, ev.complete_due_at)
            Dispatch.objects.filter(pk=req.dispatch_id).update(complete_due_at=ev.complete_due_at)
            data.update(old_due_at=_iso(old_due), new_due_at=_iso(ev.complete_due_at))
        elif approve:
            ev.status, ev.suspended_at = S.SUSPENDED, now
            ev.suspension_count += 1
        kind = ActionKind.APPROVE_REQUEST if approve else ActionKind.REFUSE_REQUEST
        action = _record(ev, kind, actor, at=now, from_status=before, text=req.decision_reason, data=data)
        title = _("%(k)s申请已%(d)s：%(t)s") % {
            "k": req.get_kind_display(),
            "d": _("同意") if approve else _("不同意"),
            "t": ev.title,
        }
        msg = _msg(ev, kind, title, notify.handlers_of([ev.lead_unit_id]))
        return _save(ev, [action], [msg])


def event_resume(*, actor, event, text="", at=None) -> Event:
    """Resume a suspended event (恢复办理): the clock restarts with the time that remained
    at suspension (in the clock's unit: working time, or natural hours).

    Who: the dispatcher at the event's level.
    """
    now = _now(at)
    with transaction.atomic():
        ev = _lock("resume", actor, event)
        rule = _rule(ev)
        unit = _unit(ev, rule.complete_unit if rule else TimeUnit.WORKING_HOUR)
        stopped = ev.suspended_at
        old_due = ev.complete_due_at
        if old_due:
            pattern = _pattern(ev)
            remaining = elapsed(stopped, old_due, unit, pattern=pattern)
            ev.complete_due_at = add_elapsed(now, remaining, unit, pattern=pattern)
            if ev.complete_warn_at and ev.complete_warn_at > stopped:
                warn_left = elapsed(stopped, ev.complete_warn_at, unit, pattern=pattern)
                ev.complete_warn_at = add_elapsed(now, warn_left, unit, pattern=pattern)
        before = ev.status
        ev.status, ev.suspended_at = S.HANDLING, None
        Dispatch.objects.filter(event=ev, active=True, role=DispatchRole.LEAD).update(
            complete_due_at=ev.complete_due_at
        )
        data = {"suspended_at": _iso(stopped), "old_due_at": _iso(old_due), "new_due_at": _iso(ev.complete_due_at)}
        action = _record(ev, ActionKind.RESUME, actor, at=now, from_status=before, text=text, data=data)
        msg = _msg(
            ev, ActionKind.RESUME, _("事件恢复办理：%(t)s") % {"t": ev.title}, notify.handlers_of([ev.lead_unit_id])
        )
        return _save(ev, [action], [msg])


def event_submit_result(*, actor, event, text, attachments=(), at=None) -> Event:
    """Submit the handling result (办结反馈) with `text` and photos; the clock stops.

    Who: a handler of the lead unit. Notifies the reporting grid's staff for verification.
    """
    now = _now(at)
    text = _require_text(text, "text", _("请填写办理结果。"))
    with transaction.atomic():
        ev = _lock("submit_result", actor, event)
        before = ev.status
        ev.status, ev.result_at = S.RESULT_SUBMITTED, now
        Dispatch.objects.filter(event=ev, active=True).update(completed_at=now)
        data = {"late": bool(ev.complete_due_at and now > ev.complete_due_at)}
        action = _record(
            ev, ActionKind.SUBMIT_RESULT, actor, at=now, from_status=before, text=text, data=data, org=ev.lead_unit
        )
        _attach(actor, ev, action, attachments)
        msg = _msg(
            ev, ActionKind.SUBMIT_RESULT, _("事件已反馈，请核查：%(t)s") % {"t": ev.title}, notify.grid_staff(ev.area)
        )
        return _save(ev, [action], [msg])


def event_verify(*, actor, event, passed: bool, text="", attachments=(), at=None) -> Event:
    """Verify the result on site (核查) by the reporting grid's staff (`verify_event`).

    Pass: verified, or closed at once when the rule's close level is the grid. Fail
    (`text` required): back to the lead unit as rework (返工): `rework_count` += 1, a
    fresh complete clock and alert cycle.
    """
    now = _now(at)
    if not passed:
        text = _require_text(text, "text", _("请填写核查不通过的原因。"))
    with transaction.atomic():
        ev = _lock("verify", actor, event)
        before = ev.status
        actions, messages = [], []
        if passed:
            closes = workflow.close_level(ev) == "grid"
            ev.status = S.CLOSED if closes else S.VERIFIED
            if closes:
                ev.closed_at = now
            actions.append(_record(ev, ActionKind.VERIFY_PASS, actor, at=now, from_status=before, text=text))
            if closes:
                actions.append(_record(ev, ActionKind.CLOSE, actor, at=now, from_status=before, data={"by": "verify"}))
            else:
                level = workflow.close_level(ev)
                who = (
                    notify.supervisors_of([ev.county_id])
                    if level == "county"
                    else notify.dispatchers_of([ev.township_id])
                )
                messages.append(
                    _msg(ev, ActionKind.VERIFY_PASS, _("事件核查通过，待结案：%(t)s") % {"t": ev.title}, who)
                )
        else:
            ev.status = S.HANDLING
            ev.rework_count += 1
            ev.cycle += 1
            ev.result_at = None
            _start_complete_clock(ev, now)
            Dispatch.objects.filter(event=ev, active=True).update(completed_at=None)
            Dispatch.objects.filter(event=ev, active=True, role=DispatchRole.LEAD).update(
                complete_due_at=ev.complete_due_at
            )
            actions.append(
                _record(
                    ev,
                    ActionKind.VERIFY_FAIL,
                    actor,
                    at=now,
                    from_status=before,
                    text=text,
                    data={"rework_count": ev.rework_count, "complete_due_at": _iso(ev.complete_due_at)},
                )
            )
            messages.append(
                _msg(
                    ev,
                    ActionKind.VERIFY_FAIL,
                    _("核查不通过，请返工：%(t)s") % {"t": ev.title},
                    notify.handlers_of([ev.lead_unit_id]),
                )
            )
        _attach(actor, ev, actions[0], attachments)
        if ev.status == S.CLOSED and ev.reporter_id:
            messages.append(_msg(ev, ActionKind.CLOSE, _("事件已结案：%(t)s") % {"t": ev.title}, [ev.reporter_id]))
        return _save(ev, actions, messages)


def event_close(*, actor, event, text="", at=None) -> Event:
    """Close a verified event (结案). Who: per the rule's close level — the township
    dispatcher (township) or the district supervisor (county)."""
    now = _now(at)
    with transaction.atomic():
        ev = _lock("close", actor, event)
        before = ev.status
        ev.status, ev.closed_at = S.CLOSED, now
        action = _record(ev, ActionKind.CLOSE, actor, at=now, from_status=before, text=text)
        msgs = (
            [_msg(ev, ActionKind.CLOSE, _("事件已结案：%(t)s") % {"t": ev.title}, [ev.reporter_id])]
            if ev.reporter_id
            else []
        )
        return _save(ev, [action], msgs)


def event_rate(*, event, score, comment="", actor=None, tracking_code=None, at=None) -> Event:
    """Rate a closed event (满意度, 1–5 with `comment`), once (Art. 22).

    Either the logged-in reporter (`actor`), or anyone holding the event's public
    `tracking_code` (no login; pass `actor=None`). Wrong code → NotFound. Already rated
    → Conflict.
    """
    now = _now(at)
    try:
        score = int(score)
    except (TypeError, ValueError):
        score = 0
    if not 1 <= score <= 5:
        raise ValidationError({"score": [_("满意度应为 1 至 5 分。")]})
    with transaction.atomic():
        if tracking_code is not None:
            pk = event.pk if isinstance(event, Event) else event
            ev = Event.objects.select_for_update(of=("self",)).select_related("item_version").filter(pk=pk).first()
            if ev is None or not hmac.compare_digest(str(ev.tracking_code), str(tracking_code)):
                raise NotFound()
            if ev.status != S.CLOSED:
                raise InvalidTransition(_("事件结案后才能评价。"))
        else:
            ev = _lock("rate", actor, event)
        if Satisfaction.objects.filter(event=ev).exists():
            raise Conflict(_("该事件已评价过。"))
        Satisfaction.objects.create(
            event=ev,
            score=score,
            comment=(comment or "").strip(),
            by_user=actor if actor and actor.is_authenticated else None,
            at=now,
        )
        action = _record(
            ev, ActionKind.SATISFACTION, actor, at=now, text=(comment or "").strip(), data={"score": score}
        )
        return _save(ev, [action])


def event_urge(*, actor, event, text, at=None) -> Event:
    """Urge the handling of an open event (催办). Who: supervisors or dispatchers over the
    event's grid, at any time. Notifies the lead unit's handlers and the routing level."""
    now = _now(at)
    text = _require_text(text, "text", _("请填写催办意见。"))
    with transaction.atomic():
        ev = _lock("urge", actor, event)
        ev.urge_count += 1
        action = _record(ev, ActionKind.URGE, actor, at=now, text=text, data={"urge_count": ev.urge_count})
        who = notify.handlers_of([ev.lead_unit_id]) if ev.lead_unit_id else set()
        who |= _routers(ev)
        who.discard(actor.pk)
        msg = _msg(ev, ActionKind.URGE, _("催办：%(t)s") % {"t": ev.title}, who, body=text)
        return _save(ev, [action], [msg])


def event_comment(*, actor, event, text, at=None) -> Event:
    """Add a comment (批注) to the timeline. Who: supervisors or dispatchers over the grid."""
    now = _now(at)
    text = _require_text(text, "text", _("请填写批注内容。"))
    with transaction.atomic():
        ev = _lock("comment", actor, event)
        action = _record(ev, ActionKind.COMMENT, actor, at=now, text=text)
        return _save(ev, [action])


def event_publish(*, actor, event, public: bool, text="", at=None) -> Event:
    """Mark an event public (公开) or internal again (取消公开): whether Open311 GeoReport
    (`/open311/v2/requests`, no login) publishes it, with its report photo as `media_url`.

    What the public itself reported (demands, complaints, Open311 POSTs) starts public;
    staff and patrol reports start internal (they may name care targets and homes, Art. 10
    and PIPL), and only this step publishes them. `public`: a bool (anything else is a
    ValidationError on "public"); `text`: why (optional, on the timeline). Who: dispatchers
    and supervisors over the event's grid (`workflow.is_overseer`), in any status. Writes a
    PUBLISH or UNPUBLISH action. Raises InvalidTransition (409) if the event already is so.
    """
    if not isinstance(public, bool):
        raise ValidationError({"public": [_("请选择是否公开。")]})
    now = _now(at)
    step = "publish" if public else "unpublish"
    with transaction.atomic():
        ev = _lock(step, actor, event)
        if not workflow.WHEN[workflow.STEPS[step].when](ev):
            raise InvalidTransition(_("该事件已公开。") if public else _("该事件未公开。"))
        ev.public = public
        kind = ActionKind.PUBLISH if public else ActionKind.UNPUBLISH
        action = _record(ev, kind, actor, at=now, text=(text or "").strip())
        return _save(ev, [action])


def event_correct(*, actor, event, changes: dict, text, at=None) -> Event:
    """Correct reported details (更正): an appended CORRECTION action keeps the old and new
    values (`data["changes"][field] = {"old", "new"}`); the event shows the new ones.

    `changes`: a dict over `CORRECTABLE_FIELDS`; `text`: the reason (required). Who: the
    reporter, staff of the grid, or the dispatcher at the event's level.
    """
    now = _now(at)
    text = _require_text(text, "text", _("请填写更正原因。"))
    unknown = set(changes or {}) - set(CORRECTABLE_FIELDS)
    if not changes or unknown:
        raise ValidationError({"changes": [_("请填写可更正的字段。")]})
    with transaction.atomic():
        ev = _lock("correct", actor, event)
        if "attributes" in changes:
            changes = {**changes, "attributes": _clean_attributes(ev.item_version, changes["attributes"])}
        texts = {field: value for field, value in changes.items() if field != "attributes"}
        wrong_type = [field for field, value in texts.items() if not isinstance(value, str)]
        if wrong_type:
            raise ValidationError({field: [_("请填写文字。")] for field in wrong_type})
        errors = _text_errors(texts)
        for field in ("title", "description"):
            if field in changes and not changes[field].strip():
                errors.setdefault(field, []).append(_("不能为空。"))
        if errors:
            raise ValidationError(errors)
        changes = {field: value.strip() if field in texts else value for field, value in changes.items()}
        diff = {}
        for field, new in changes.items():
            old = getattr(ev, field)
            if old != new:
                diff[field] = {"old": old, "new": new}
                setattr(ev, field, new)
        action = _record(ev, ActionKind.CORRECTION, actor, at=now, text=text, data={"changes": diff})
        return _save(ev, [action])


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


def patrol_start(*, actor, area, notes="", at=None) -> Patrol:
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


def patrol_end(*, actor, patrol, households_visited=0, notes="", at=None) -> Patrol:
    """End the actor's own open patrol, recording households visited and notes."""
    now = _now(at)
    try:  # a forged or missing form value ("abc", None) is no patrol, not a server error
        pk = int(getattr(patrol, "pk", patrol))
    except (TypeError, ValueError):
        raise NotFound(_("巡查记录不存在。")) from None
    with transaction.atomic():
        patrol = Patrol.objects.select_for_update().filter(pk=pk, user=actor).first()
        if patrol is None:
            raise NotFound(_("巡查记录不存在。"))
        if patrol.ended_at:
            raise Conflict(_("该巡查已结束。"))
        _validate_households(households_visited)
        patrol.ended_at = max(now, patrol.started_at)
        patrol.households_visited = int(households_visited or 0)
        if notes:
            patrol.notes = (patrol.notes + "\n" + notes).strip()
        patrol.save()
        return patrol


def _validate_households(n):
    try:
        if int(n or 0) < 0:
            raise ValueError
    except (TypeError, ValueError):
        raise ValidationError({"households_visited": [_("走访户数应为非负整数。")]}) from None


def patrol_log(*, actor, area, started_at, ended_at, households_visited=0, notes="") -> Patrol:
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


__all__ = [
    "OPEN_STATUSES",
    "as_read",
    "compute_next_alert",
    "event_accept",
    "event_close",
    "event_comment",
    "event_correct",
    "event_dispatch",
    "event_escalate",
    "event_public_demand",
    "event_publish",
    "event_rate",
    "event_reject",
    "event_report",
    "event_request",
    "event_request_decide",
    "event_resume",
    "event_return",
    "event_self_handle",
    "event_sign",
    "event_submit_result",
    "event_urge",
    "event_verify",
    "patrol_end",
    "patrol_log",
    "patrol_start",
    "version_in_force",
]


def notifications_mark_read(*, actor, notification=None, at=None) -> int:
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


# The citizen's contact (Art. 10, 19; PIPL) ----------------------------------------------------


#: The purpose's messages (as `staff_unmask`'s) for the page's form and the API's input:
#: `error_messages` of a Django or DRF CharField with min_length 2 and max_length 200.
CONTACT_PURPOSE_MESSAGES = {
    "required": gettext_lazy("请说明查看事由。"),
    "blank": gettext_lazy("请说明查看事由。"),
    "min_length": gettext_lazy("请说明查看事由。"),
    "max_length": gettext_lazy("查看事由不超过200字。"),
}


def event_contact_unmask(*, actor, event, purpose: str) -> dict:
    """Return the clear contact of a demand or complaint and log the access (Art. 10, 19; PIPL).

    `event`: an `Event` or its pk; `purpose`: why (2–200 characters, logged). Returns
    `{"contact_name", "contact_phone"}` in clear and writes one
    `personnel.models.PersonalDataAccess` row (who, which event, field "contact", when,
    purpose; never the values). Nothing is stored anywhere else (no session, no action).

    Who: those who act on the event (`events.workflow.may_reveal_contact`): dispatchers
    and supervisors over its grid, handlers of a unit it is dispatched to now.
    Raises `NotFound` if the event is outside the actor's jurisdiction or has no contact
    (staff reports), `PermissionDenied` if the actor may see it but not act on it (grid
    staff, past handling units), `ValidationError` on `purpose` if it is empty, over
    200 characters or holds a NUL. Checked in that order; nothing is logged when it raises.
    """
    from personnel.choices import AccessedField
    from personnel.models import PersonalDataAccess

    pk = event.pk if isinstance(event, Event) else event
    try:
        ev = Event.objects.restrict(actor).get(pk=pk)
    except (Event.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    if not workflow.may_reveal_contact(actor, ev):
        raise PermissionDenied(_("您无权查看该诉求人的联系方式明文。"))
    if not (ev.contact_name or ev.contact_phone):
        raise NotFound(_("该事件没有诉求人联系方式。"))
    purpose = purpose.strip() if isinstance(purpose, str) else ""
    if "\x00" in purpose:
        raise ValidationError({"purpose": [_("不得包含空字符（NUL）。")]})
    if len(purpose) < 2:
        raise ValidationError({"purpose": [_("请说明查看事由。")]})
    if len(purpose) > 200:
        raise ValidationError({"purpose": [_("查看事由不超过200字。")]})
    with transaction.atomic():
        PersonalDataAccess.objects.create(actor=actor, event=ev, field=AccessedField.CONTACT, purpose=purpose)
    return {"contact_name": ev.contact_name, "contact_phone": ev.contact_phone}
