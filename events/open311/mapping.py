"""How catalogue items and grid events are shown as Open311 services and requests.

Only published events (`Event.objects.published()`) are shown, and of them only
public-safe fields: no reporter, no contact data, no free text written by staff (the
event's short title stands for its description; status notes are fixed labels of the
latest status-changing step), the report photo as `media_url`. Times are ISO 8601 in
Asia/Shanghai (+08:00).
"""

import re

from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.choices import AttributeType, Category
from personnel.choices import Department

from ..choices import OPEN_STATUSES, ActionKind, RejectReason

DATATYPES = {
    AttributeType.TEXT: "string",
    AttributeType.NUMBER: "number",
    AttributeType.DATE: "datetime",
    AttributeType.SINGLE_CHOICE: "singlevaluelist",
    AttributeType.MULTIPLE_CHOICE: "multivaluelist",
}
DATATYPE_HELP = {
    "string": "text",
    "number": "a decimal number",
    "datetime": "an ISO 8601 date (YYYY-MM-DD) or date-time; the date is kept",
    "singlevaluelist": "one of the keys listed in values",
    "multivaluelist": "one or more of the keys listed in values (attribute[code][]=key)",
}
#: Steps whose label is a public status note (free text is never shown).
NOTE_KINDS = {
    ActionKind.REPORT,
    ActionKind.ACCEPT,
    ActionKind.REJECT,
    ActionKind.ESCALATE,
    ActionKind.DISPATCH,
    ActionKind.SIGN,
    ActionKind.RETURN,
    ActionKind.RESUME,
    ActionKind.SUBMIT_RESULT,
    ActionKind.SELF_HANDLE,
    ActionKind.MERGE,
    ActionKind.APPROVE_REQUEST,
    ActionKind.VERIFY_PASS,
    ActionKind.VERIFY_FAIL,
    ActionKind.AUTO_ESCALATE,
    ActionKind.CLOSE,
}


def iso(value) -> str | None:
    """An aware datetime as ISO 8601 in local time with its offset (e.g. +08:00)."""
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def service(version) -> dict:
    """One entry of services.{json,xml} for an in-force item version."""
    return {
        "service_code": version.item.code,
        "service_name": version.name,
        "description": version.description,
        "metadata": bool(version.attributes),
        "type": "realtime",
        "keywords": keywords(version),
        "group": str(Category(version.category).label),
    }


def keywords(version) -> str:
    """The responsible department and supporting units, comma-separated."""
    words = [str(Department(version.department).label)] if version.department in Department.values else []
    words += [w.strip() for w in re.split(r"[,，、;；]", version.supporting_units or "") if w.strip()]
    return ", ".join(words)


def service_definition(version) -> dict:
    """services/<code>.{json,xml}: the item's report fields as Open311 attributes."""
    attributes = []
    for order, attr in enumerate(version.attributes or [], start=1):
        datatype = DATATYPES.get(attr.get("type"), "string")
        attributes.append(
            {
                "variable": True,
                "code": attr["code"],
                "datatype": datatype,
                "required": bool(attr.get("required")),
                "datatype_description": DATATYPE_HELP[datatype],
                "order": order,
                "description": attr.get("label", ""),
                "values": [{"key": c["key"], "name": c.get("label") or c["key"]} for c in attr.get("choices", [])],
            }
        )
    return {"service_code": version.item.code, "attributes": attributes}


def status_of(event) -> str:
    """open (reported … verified) or closed (closed, rejected)."""
    return "open" if event.status in OPEN_STATUSES else "closed"


def status_notes(event, last_kind) -> str:
    """The label of the latest public step `last_kind` (an ActionKind value), with the
    reason label for a rejection; the status label when there is none."""
    if not last_kind:
        return str(event.get_status_display())
    note = str(ActionKind(last_kind).label)
    if last_kind == ActionKind.REJECT and event.reject_reason:
        note = f"{note}：{RejectReason(event.reject_reason).label}"
    return note


#: The event columns `service_request` reads (views fetch only these).
REQUEST_FIELDS = (
    "number",
    "status",
    "reject_reason",
    "title",
    "address",
    "latitude",
    "longitude",
    "reported_at",
    "updated_at",
    "accept_due_at",
    "complete_due_at",
    "item__code",
    "item_version__name",
    "lead_unit__name",
    "township__name",
    "area__code",
)


def service_request(event, last_kind=None, media_url=None) -> dict:
    """One entry of requests.{json,xml} (public-safe fields). `media_url`: the absolute
    URL of the report photo (the views' `media` route), None without one."""
    return {
        "service_request_id": event.number,
        "status": status_of(event),
        "status_notes": status_notes(event, last_kind),
        "service_name": event.item_version.name,
        "service_code": event.item.code,
        "description": event.title,
        "agency_responsible": event.lead_unit.name if event.lead_unit_id else event.township.name,
        "service_notice": "",
        "requested_datetime": iso(event.reported_at),
        "updated_datetime": iso(event.updated_at),
        "expected_datetime": iso(event.complete_due_at or event.accept_due_at) if event.is_open else None,
        "address": event.address,
        "address_id": event.area.code,
        "zipcode": None,
        "lat": float(event.latitude) if event.latitude is not None else None,
        "long": float(event.longitude) if event.longitude is not None else None,
        "media_url": media_url,
    }


def notice() -> str:
    return _("诉求已受理登记，请凭查询码查询办理进度。")
