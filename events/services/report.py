"""Creating an event (Art. 10, 17, 19, 29, 30): staff reports, the public's demands and
complaints, and on-the-spot handling (就地处置)."""

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.attributes import validate_report_fields
from catalog.choices import Grade
from catalog.models import ServiceItem, ServiceItemVersion
from catalog.services.matters import task_authorise
from grids.choices import Level
from grids.locate import grid_at
from grids.models import Area
from personnel import roles
from personnel.models import Assignment
from personnel.scope import has_area_perm

from .. import notify, workflow
from ..attachments import public_photo_add
from ..choices import (
    ActionKind,
    Datum,
    HandlingLevel,
    Source,
)
from ..exceptions import Conflict, NotFound
from ..models import Event, Patrol
from ..positions import canonical_position
from ..workcalendar import working_hours_between
from .core import (
    S,
    _attach,
    _now,
    _record,
    _require_text,
    _routers,
    _save,
)

#: How long before the report a problem may have been discovered; older dates are typos
#: (e.g. 1926 for 2026) that would count as a century of reporting lateness (Art. 29).
MAX_DISCOVERY_AGE = datetime.timedelta(days=366)

#: The one way the public (no user) creates an event: `event_public_demand`.
PUBLIC_STEP = "public_demand"
PUBLIC_SOURCES = workflow.PUBLIC_SOURCES


# Report --------------------------------------------------------------------------------


def version_in_force(item: ServiceItem, area: Area, on: datetime.date) -> ServiceItemVersion | None:
    """The item's published version in force on local date `on` if the item applies in
    `area` (the city list plus the area's district list, Art. 13, 19, 30); else None.
    Delegates to the catalogue's Art. 19 check, `catalog.services.matters.task_authorise`."""
    try:
        # An item's code gives one of its versions (a temporary matter's code is no item).
        return cast(ServiceItemVersion, task_authorise(item_code=item.code, area=area, on=on))
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
            lat = lon = None  # type: ignore[assignment]
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


def _position(latitude, longitude, datum: str) -> dict:
    """The event's position fields: the pair as reported (to 6 decimals, ~0.1 m) in `datum`,
    and that pair in WGS 84 (`events.positions`); all empty without a position."""
    if latitude is None:
        return {"latitude": None, "longitude": None, "datum": "", "wgs84_latitude": None, "wgs84_longitude": None}
    lat, lon = (Decimal(str(v)).quantize(Decimal("0.000001")) for v in (latitude, longitude))
    wgs84_latitude, wgs84_longitude = canonical_position(lat, lon, datum)
    return {
        "latitude": lat,
        "longitude": lon,
        "datum": datum,
        "wgs84_latitude": wgs84_latitude,
        "wgs84_longitude": wgs84_longitude,
    }


def _create_event(
    *,
    actor: workflow.Actor,
    now: datetime.datetime,
    step: str,
    area: Area | int | str,
    item: ServiceItem | str | None,
    title: str,
    description: str,
    discovered_at: datetime.datetime | None,
    grade: str = Grade.GENERAL,
    address: str = "",
    latitude: Decimal | float | str | None = None,
    longitude: Decimal | float | str | None = None,
    datum: str = "",
    attributes: dict | None = None,
    source: str = Source.STAFF,
    patrol: Patrol | None = None,
    contact_name: str = "",
    contact_phone: str = "",
    external_ref: str = "",
    about_staff=None,
) -> tuple[Event, dict]:
    """The new event of `step` ("report", "self_handle" or "public_demand"), status reported,
    and the REPORT action's data (the reporting delay, Art. 29). The report's arguments
    are the ones `event_report` documents. Raises NotFound / PermissionDenied
    (`workflow.authorize`), ValidationError (field dict)."""
    if isinstance(item, str):
        item = ServiceItem.objects.filter(code=item).first()
    grid = area if isinstance(area, Area) else Area.objects.filter(pk=area).first()
    if grid is None:
        raise NotFound(_("网格不存在或不在您的辖区内。"))
    area = grid
    workflow.authorize(actor, step, Event(area=area, source=source))
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
        "status": workflow.STEPS["report"].target,  # a self-handled event closes after its REPORT action
        "source": source,
        # Published on Open311 only when the public itself reported it (Art. 10, 19): on a
        # public card, or through a dispatcher's or a system's entry (a hotline call, an
        # Open311 POST). Whatever grid staff report stays internal, a "demand" they typed
        # in included, until someone marks it (`event_publish`).
        # A complaint about a grid worker (Art. 27) is never published: it names a person.
        "public": about_staff is None
        and source in PUBLIC_SOURCES
        and (step == PUBLIC_STEP or not has_area_perm(actor, roles.REPORT, area)),
        "about_staff": about_staff,
        "level": HandlingLevel.TOWNSHIP,
        "area": area,
        "township": township,
        "county": county,
        "title": title.strip(),
        "description": description.strip(),
        "attributes": cleaned,
        "address": address or "",
        **_position(latitude, longitude, datum),
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
        "reporting_delay_hours": round((now - event.discovered_at).total_seconds() / 3600, 2),
        "reporting_delay_working_hours": str(working_hours_between(event.discovered_at, now)),
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
    actor: workflow.Actor,
    attachments: Iterable[UploadedFile] = (),
    at: datetime.datetime | None = None,
    step: str = "report",
    **report: Any,
) -> Event:
    """Report an event in a grid or micro-grid (上报, Art. 17, 19, 30).

    The report (`**report`, keywords): `area`, `item`, `title`, `description`,
    `discovered_at` (required), `grade` (default general), `address`, `latitude`,
    `longitude`, `datum`, `attributes`, `source` (default staff), `patrol`,
    `contact_name`, `contact_phone`, `external_ref`, `about_staff` (the grid worker a
    conduct complaint is about, Art. 27; only from `event_public_demand`); any other
    keyword is a TypeError.
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
        event, data = _create_event(actor=actor, now=now, step=step, **report)
        action = _record(event, ActionKind.REPORT, actor, at=now, from_status="", text=event.description, data=data)
        _attach(actor, event, action, attachments)
        if event.grade == Grade.EMERGENCY:
            msg = notify.message(
                event, ActionKind.REPORT, _("紧急事件：%(t)s") % {"t": event.title}, _emergency_recipients(event)
            )
        else:
            msg = notify.message(
                event, ActionKind.REPORT, _("新事件待受理：%(t)s") % {"t": event.title}, _routers(event)
            )
        event.version -= 1  # _save bumps it: a new event starts at version 1
        return _save(event, [action], [msg])


def event_public_demand(
    *,
    area,
    item,
    description,
    contact_name,
    contact_phone,
    complaint=False,
    address="",
    latitude=None,
    longitude=None,
    datum=Datum.WGS84,
    photo=None,
    about_staff=None,
    at=None,
) -> Event:
    """A demand or complaint from the public (诉求/投诉, Art. 10, 19), filed on a grid's
    public card without signing in: a reported event of that grid, source
    `public_demand` or `complaint`, with no reporter (the timeline says 公众).

    There is no actor and no grant: the service itself decides what the public may do —
    only this step, only in an active grid or micro-grid (the ones with a public card),
    only with an item in force there (ValidationError on "item" otherwise), and with the
    contact name and phone the staff need to call back. The title is made from the kind
    and the description. Anti-automation and rate limits belong to the caller (the public
    page, events.public_demand). The tracking code is `event.tracking_code`.

    `latitude`/`longitude` (decimal degrees in `datum`, default WGS 84 as a phone's
    browser gives it), when given, place the demand: it is filed in the micro-grid (else
    grid) holding the position (`grids.locate.grid_at`), which may differ from `area`
    (the card the citizen opened); a position in no drawn grid or out of range is a
    ValidationError on "latitude". `photo`: at most one uploaded image, checked and
    re-encoded as staff photos are (`events.attachments.clean_image`; ValidationError on
    "attachments"), kept with no uploader.

    `about_staff` (a `personnel.Staff`): the complaint is about that grid worker's
    conduct (Art. 10 ¶2, 27). He must hold a current role in the card's grid (or its
    micro-grids; ValidationError on "about_staff" otherwise); the complaint stays in the
    card's grid whatever the pin, is never published, is hidden from the grid's staff and
    can only be dispatched to the township's staff office (`event_dispatch`).
    """
    errors = {}
    if about_staff is not None:
        complaint = True
        if not _serves_in(about_staff, area):
            errors["about_staff"] = [_("请选择本网格在任的工作人员。")]
    if not (contact_name or "").strip():
        errors["contact_name"] = [_("请填写姓名。")]
    if not (contact_phone or "").strip():
        errors["contact_phone"] = [_("请填写联系电话。")]
    if not (description or "").strip():
        errors["description"] = [_("请填写诉求内容。")]
    if (latitude is None) != (longitude is None):
        errors["latitude"] = [_("经纬度须同时提供。")]
    elif latitude is not None:
        found = _public_position(latitude, longitude, datum, errors)
        area = area if about_staff is not None else found or area
    if errors:
        raise ValidationError(errors)
    if not isinstance(area, Area) or not area.is_grid or not area.is_active:
        raise NotFound(_("没有这个网格编码。"))
    description = description.strip()
    label = _("投诉") if complaint else _("诉求")
    now = _now(at)
    with transaction.atomic():
        event = event_report(
            actor=None,
            area=area,
            item=item,
            title=f"{label}：{description[:40]}",
            description=description,
            discovered_at=now,
            address=address,
            latitude=latitude,
            longitude=longitude,
            datum=datum if latitude is not None else "",
            source=Source.COMPLAINT if complaint else Source.PUBLIC_DEMAND,
            contact_name=contact_name.strip(),
            contact_phone=contact_phone.strip(),
            about_staff=about_staff,
            at=now,
            step=PUBLIC_STEP,
        )
        if photo is not None:
            public_photo_add(event=event, action=event.actions.get(kind=ActionKind.REPORT), file=photo)
    return event


def _serves_in(staff, area) -> bool:
    """Whether `staff` holds a current role on the grid of `area` (a grid, or a micro-grid's
    parent grid) or on one of its micro-grids."""
    grid = area.parent if isinstance(area, Area) and area.level == Level.MICRO_GRID else area
    if not isinstance(grid, Area):
        return False
    return Assignment.objects.current().filter(staff=staff, area__in=Area.objects.within(grid)).exists()


def _public_position(latitude, longitude, datum, errors) -> Area | None:
    """The grid holding a citizen's position (`grids.locate.grid_at`), or None with the
    reason put in `errors["latitude"]`."""
    try:
        found = grid_at(lat=float(latitude), lon=float(longitude), datum=datum or Datum.WGS84)
    except (TypeError, ValueError):
        errors["latitude"] = [_("位置无效：纬度须在 ±90、经度须在 ±180 之间。")]
        return None
    if found is None or not found.is_active:
        errors["latitude"] = [_("所选位置不在本市任何网格内，请在地图上重新选择，或不填位置直接提交。")]
        return None
    return found


#: What on-the-spot handling records besides the result: the staff member's own report.
SELF_HANDLE_FIELDS = frozenset(
    {"area", "item", "title", "description", "discovered_at", "grade", "address", "latitude", "longitude"}
    | {"datum", "attributes"}
)


def event_self_handle(
    *,
    actor: workflow.Actor,
    result_text: str,
    attachments: Iterable[UploadedFile] = (),
    at: datetime.datetime | None = None,
    **report: Any,
) -> Event:
    """Report and handle on the spot (就地处置, Art. 17 ¶2): the event is closed at once.

    Who: `self_handle_event` on the grid (grid leader, full-time worker), and the item
    version must allow it (`self_handle`). The report as `event_report`'s (`SELF_HANDLE_FIELDS`
    only: source staff, no patrol, contact or external reference; others are a TypeError),
    plus the `result_text` and result photos (`attachments`).
    """
    extra = set(report) - SELF_HANDLE_FIELDS
    if extra:
        raise TypeError(f"event_self_handle() got unexpected keyword arguments {sorted(extra)}")
    now = _now(at)
    result_text = _require_text(result_text, "result_text", _("请填写处置结果。"))
    with transaction.atomic():
        event, data = _create_event(actor=actor, now=now, step="self_handle", **report)
        reported = _record(event, ActionKind.REPORT, actor, at=now, from_status="", text=event.description, data=data)
        workflow.enter(event, "self_handle")
        event.self_handled = True
        event.result_at = event.closed_at = now
        handled = _record(event, ActionKind.SELF_HANDLE, actor, at=now, from_status=S.REPORTED, text=result_text)
        _attach(actor, event, handled, attachments)
        event.version -= 1
        return _save(event, [reported, handled])
