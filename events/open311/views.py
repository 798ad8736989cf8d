"""Open311 GeoReport v2 endpoints, in JSON and XML (the `.json`/`.xml` suffix).

- `GET discovery`, `GET services`, `GET services/<service_code>`: the published,
  in-force catalogue items (service_code = item code) and their report fields.
- `GET requests`: events, newest first, public-safe fields only (see `mapping`).
  Filters: `service_request_id` (comma list of event numbers; overrides the rest),
  `service_code`, `status` (open, closed or both comma-separated), `start_date`,
  `end_date` (ISO 8601 with a zone). Without dates: the last 90 days. At most 1000.
- `POST requests`: `api_key` (an integrations API key with the `report` scope, whose
  user may report public demands in the grid), `service_code`, `address_id` (the grid
  or micro-grid code: required — we cannot place a lat/long in a grid), `description`,
  optional `lat`/`long` (WGS-84), `address_string`, `first_name`, `last_name`, `phone`,
  `device_id`/`account_id` (kept as the external reference), `attribute[code]=value`
  (`attribute[code][]=` for multi-value lists). Creates a public-demand event through
  `events.services.event_report`; answers 201 with `service_request_id` and `token`
  (the event's tracking code).
- `GET requests/<service_request_id>`, `GET tokens/<token>`.

Errors use the spec's shape (`[{"code", "description"}]` / `<errors><error>`) with HTTP
400 (bad input), 403 (bad or insufficient key, or no right to report in that grid),
404 (unknown service, request or token).
"""

import datetime
import re
from decimal import Decimal, InvalidOperation
from xml.etree import ElementTree as ET

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, Subquery
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from catalog.choices import ItemKind
from catalog.selectors import items_in_force
from grids.models import Area
from integrations.choices import Scope
from integrations.models import ApiClient
from integrations.services import hash_key
from ningbo_grid.filters import EARLIEST_DATE, parse_zoned_datetime

from .. import services
from ..choices import Datum, Source
from ..exceptions import Conflict, NotFound
from ..models import Action, Event
from ..selectors import event_by_tracking_code
from . import mapping

MAX_REQUESTS = 1000
DEFAULT_DAYS = 90
LIST_CHILD = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
}
_ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]{1,40})\](\[\])?$")


# Rendering ---------------------------------------------------------------------------


def _element(tag: str, value) -> ET.Element:
    node = ET.Element(tag)
    if isinstance(value, list):
        for entry in value:
            node.append(_element(LIST_CHILD.get(tag, "item"), entry))
    elif isinstance(value, dict):
        for key, entry in value.items():
            node.append(_element(key, entry))
    elif isinstance(value, bool):
        node.text = "true" if value else "false"
    elif value is not None:
        node.text = str(value)
    return node


def _render(fmt: str, root: str, data, status: int = 200) -> HttpResponse:
    """`data` as JSON, or as XML under `<root>` (lists' children named by LIST_CHILD)."""
    if fmt == "json":
        return JsonResponse(data, safe=False, status=status, json_dumps_params={"ensure_ascii": False})
    body = ET.tostring(_element(root, data), encoding="utf-8", xml_declaration=True)
    return HttpResponse(body, status=status, content_type="text/xml; charset=utf-8")


def _error(fmt: str, status: int, *descriptions) -> HttpResponse:
    return _render(fmt, "errors", [{"code": status, "description": str(d)} for d in descriptions], status)


#: The service's field names as the GeoReport request names them.
SPEC_FIELDS = {
    "address": "address_string",
    "contact_name": "last_name/first_name",
    "contact_phone": "phone",
    "external_ref": "device_id/account_id",
    "latitude": "lat",
    "longitude": "long",
    "item": "service_code",
    "area": "address_id",
}


def _validation_messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [
            f"{SPEC_FIELDS.get(field, field)}: {msg}" for field, errors in exc.message_dict.items() for msg in errors
        ]
    return list(exc.messages)


# Discovery and services --------------------------------------------------------------


@require_GET
def discovery(request, fmt):
    url = request.build_absolute_uri("/open311/v2/")
    data = {
        "changeset": "2026-01-01T00:00:00+08:00",
        "contact": _("宁波市城乡网格化服务管理平台"),
        "key_service": _("向网格化主管单位申请 API 密钥（上报权限）。"),
        "endpoints": [
            {
                "specification": "http://wiki.open311.org/GeoReport_v2",
                "url": url,
                "changeset": "2026-01-01T00:00:00+08:00",
                "type": "production",
                "formats": ["application/json", "text/xml"],
            }
        ],
    }
    return _render(fmt, "discovery", data)


def _versions():
    return items_in_force().filter(kind=ItemKind.EVENT)


@require_GET
def service_list(request, fmt):
    return _render(fmt, "services", [mapping.service(v) for v in _versions()])


@require_GET
def service_definition(request, service_code, fmt):
    version = _versions().filter(item__code=service_code).first()
    if version is None:
        return _error(fmt, 404, _("没有该服务（事项）：%(code)s。") % {"code": service_code})
    return _render(fmt, "service_definition", mapping.service_definition(version))


# Requests ----------------------------------------------------------------------------


def _events():
    last_kind = (
        Action.objects.filter(event=OuterRef("pk"), kind__in=mapping.NOTE_KINDS).order_by("-at", "-id").values("kind")
    )
    # Only the columns `mapping.service_request` reads: up to 1,000 rows a page, so no
    # descriptions or report fields (JSON) are fetched and decoded for nothing.
    return (
        Event.objects.select_related("item", "item_version", "lead_unit", "township", "area")
        .only(*mapping.REQUEST_FIELDS)
        .annotate(last_kind=Subquery(last_kind[:1]))
    )


def _list_requests(request, fmt):
    params = request.GET
    qs = _events()
    ids = [i.strip() for i in params.get("service_request_id", "").split(",") if i.strip()]
    if ids:
        qs = qs.filter(number__in=ids[:MAX_REQUESTS])
    else:
        bounds = {}
        for name in ("start_date", "end_date"):
            if params.get(name):
                try:
                    bounds[name] = parse_zoned_datetime(params[name])
                except ValueError:
                    return _error(fmt, 400, _("%(name)s 须为带时区的 ISO 8601 时间。") % {"name": name})
        end = bounds.get("end_date") or timezone.now()
        earliest = datetime.datetime.combine(EARLIEST_DATE, datetime.time(), datetime.UTC)
        start = bounds.get("start_date") or end - min(datetime.timedelta(days=DEFAULT_DAYS), end - earliest)
        qs = qs.filter(reported_at__gte=start, reported_at__lte=end)
        if params.get("service_code"):
            qs = qs.filter(item__code__in=[c.strip() for c in params["service_code"].split(",")])
        if params.get("status"):
            wanted = {s.strip() for s in params["status"].split(",")}
            if not wanted <= {"open", "closed"}:
                return _error(fmt, 400, _("status 只能为 open 或 closed。"))
            if wanted == {"open"}:
                qs = qs.open()
            elif wanted == {"closed"}:
                qs = qs.exclude(pk__in=Event.objects.open().values("pk"))
    rows = qs.order_by("-reported_at", "-id")[:MAX_REQUESTS]
    return _render(fmt, "service_requests", [mapping.service_request(e, e.last_kind) for e in rows])


def _client(key: str) -> ApiClient | None:
    """The active API client with the `report` scope holding `key`, or None."""
    if not key or len(key) > 100:
        return None
    client = ApiClient.objects.select_related("user").filter(key_hash=hash_key(key)).first()
    if client is None or client.is_revoked or client.is_expired or not client.user.is_active:
        return None
    return client if client.has_scope(Scope.REPORT) else None


def _attributes(data) -> dict:
    values = {}
    for name in data:
        match = _ATTRIBUTE.match(name)
        if match:
            code, multi = match.groups()
            values[code] = data.getlist(name) if multi else data.get(name)
    return values


def _date_part(version, values: dict) -> dict:
    """Open311 sends datetimes; a catalogue date field keeps the date."""
    for attr in version.attributes if version else []:
        value = values.get(attr.get("code"))
        if attr.get("type") == "date" and isinstance(value, str) and "T" in value:
            values[attr["code"]] = value.split("T", 1)[0]
    return values


def _coordinate(value: str | None) -> Decimal | None:
    if value in (None, ""):
        return None
    number = Decimal(value.strip())
    if not number.is_finite():
        raise InvalidOperation
    return number.quantize(Decimal("0.000001"))


def _create_request(request, fmt):
    data = request.POST
    client = _client(data.get("api_key") or request.GET.get("api_key", ""))
    if client is None:
        return _error(fmt, 403, _("api_key 无效，或没有上报权限。"))
    errors = []
    code = (data.get("service_code") or "").strip()
    version = _versions().filter(item__code=code).first() if code else None
    if version is None:
        errors.append(_("service_code 缺失或不是在册的服务（事项）编码。"))
    try:
        lat, long = _coordinate(data.get("lat")), _coordinate(data.get("long"))
    except (InvalidOperation, ValueError):
        errors.append(_("lat/long 须为十进制度数。"))
        lat = long = None
    address_id = (data.get("address_id") or "").strip()
    area = Area.objects.filter(code=address_id).first() if address_id else None
    if area is None:
        errors.append(_("请提供 address_id（所在网格或微网格编码）；本平台无法仅凭经纬度确定网格。"))
    description = (data.get("description") or "").strip()
    if not description:
        errors.append(_("请填写 description（诉求描述）。"))
    if errors:
        return _error(fmt, 400, *errors)
    contact = " ".join(filter(None, [data.get("last_name", "").strip(), data.get("first_name", "").strip()]))
    try:
        event = services.event_report(
            actor=client.user,
            area=area,
            item=version.item,
            title=description.splitlines()[0][:30],
            description=description,
            discovered_at=timezone.now(),
            source=Source.PUBLIC_DEMAND,
            # Not cut to fit: an overlong or NUL-bearing value is a 400 from the service.
            address=(data.get("address_string") or "").strip(),
            latitude=lat,
            longitude=long,
            datum=Datum.WGS84 if lat is not None else "",
            attributes=_date_part(version, _attributes(data)),
            contact_name=contact,
            contact_phone=(data.get("phone") or "").strip(),
            external_ref=(data.get("device_id") or data.get("account_id") or "").strip(),
        )
    except ValidationError as exc:
        return _error(fmt, 400, *_validation_messages(exc))
    except (PermissionDenied, NotFound) as exc:
        return _error(fmt, 403, getattr(exc, "message", None) or _("无权在该网格上报。"))
    except Conflict as exc:
        return _error(fmt, 409, exc.message)
    body = [
        {
            "service_request_id": event.number,
            "token": event.tracking_code,
            "service_notice": mapping.notice(),
            "account_id": None,
        }
    ]
    return _render(fmt, "service_requests", body, status=201)


@csrf_exempt  # API-key requests from other systems: no cookies, no session
@require_http_methods(["GET", "POST"])
def requests_view(request, fmt):
    if request.method == "POST":
        return _create_request(request, fmt)
    return _list_requests(request, fmt)


@require_GET
def request_detail(request, service_request_id, fmt):
    event = _events().filter(number=service_request_id).first()
    if event is None:
        return _error(fmt, 404, _("没有该诉求：%(id)s。") % {"id": service_request_id})
    return _render(fmt, "service_requests", [mapping.service_request(event, event.last_kind)])


@require_GET
def token_detail(request, token, fmt):
    event = event_by_tracking_code(token)
    if event is None:
        return _error(fmt, 404, _("查询码无效。"))
    return _render(fmt, "service_requests", [{"service_request_id": event.number, "token": token}])
