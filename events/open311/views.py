"""Open311 GeoReport v2 endpoints, in JSON and XML (the `.json`/`.xml` suffix).

- `GET discovery`: the endpoint's URL (`…/open311/v2`, no trailing slash: clients append
  `/services.xml`), formats and contact.
- `GET services`, `GET services/<service_code>`: the published, in-force catalogue items
  (service_code = item code) and their report fields.
- `GET requests`: PUBLISHED events only (`Event.objects.published()`: what the public
  reported, or what a dispatcher or supervisor marked public), newest first, public-safe
  fields only (see `mapping`). Filters: `service_request_id` (comma list of event
  numbers; overrides the rest), `service_code`, `status` (open, closed or both
  comma-separated), `start_date`, `end_date` (ISO 8601 with a zone). Without dates: the
  last 90 days. At most 1000.
- `GET requests/<service_request_id>`, `GET tokens/<token>`: a published event.
- `GET requests/<service_request_id>/media`: the first photo taken with the report of a
  published event (`media_url`), to anyone, while it stays published (`no-cache`).
- `POST requests`: `api_key` in the body (or an `X-Api-Key` / `Authorization: Api-Key`
  header; NEVER the query string) — an integrations API key with the `report` scope,
  checked by the API's own `ApiKeyAuthentication` (failure throttle, `last_used_at`) and
  counted against the client's rate; `service_code`; `address_id` (the grid or micro-grid
  code) or, without it, `lat`/`long` (WGS-84, both): the micro-grid holding the position
  (`grids.locate.grid_at`; a position in no drawn grid is a 400); `description`;
  `address_string`, `first_name`, `last_name`, `phone`, `device_id`/`account_id` (kept as
  the external reference), `attribute[code]=value` (`attribute[code][]=` for multi-value
  lists). Creates a public-demand event (published) through `events.services.event_report`;
  answers 201 with `service_request_id` and `token` (the event's tracking code).

Every endpoint: `jurisdiction_id` may be omitted or blank; any value other than
`settings.OPEN311_JURISDICTION_ID` is 404. Errors use the spec's shape
(`[{"code", "description"}]` / `<errors><error>`, see `formats`) with HTTP 400 (bad
input, or `api_key` in the query string), 403 (bad or insufficient key, or no right to
report in that grid), 404 (unknown service, request, token or jurisdiction), 405, 409,
429 (too many failed keys, or over the client's rate; `Retry-After`).
"""

import datetime
import math
import re
from decimal import Decimal, InvalidOperation
from functools import wraps

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, Subquery
from django.http import FileResponse, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from rest_framework import exceptions as drf_exceptions

from catalog.choices import ItemKind
from catalog.selectors import items_in_force
from grids.locate import grid_at
from grids.models import Area
from integrations.authentication import ApiKeyAuthentication, key_from_request
from integrations.choices import Scope
from integrations.models import ApiClient
from integrations.throttling import note_client_request
from ningbo_grid.filters import EARLIEST_DATE, parse_zoned_datetime
from ningbo_grid.replica import reads_from_replica

from .. import services
from ..choices import ActionKind, Datum, Source
from ..exceptions import Conflict, NotFound
from ..models import Action, Attachment, Event
from ..selectors import event_by_tracking_code
from . import mapping
from .formats import error as _error
from .formats import render as _render

#: When this interface last changed (discovery's `changeset`; ISO 8601, in the past): move
#: it on every change clients may notice.
CHANGESET = "2026-12-06T00:00:00+08:00"
MAX_REQUESTS = 1000
DEFAULT_DAYS = 90
_ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]{1,40})\](\[\])?$")
#: Longest code looked up in the database (item codes, area codes); longer is unknown.
MAX_CODE = 40


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


def _param(request, name: str) -> str:
    """A parameter from the POST body, else the query string (stripped; "" if absent)."""
    value = request.POST.get(name) if request.method == "POST" else None
    if value is None:
        value = request.GET.get(name)
    return (value or "").strip()


def _code(value: str) -> str | None:
    """`value` if it can name a code (no NUL, not overlong), else None (unknown)."""
    return value if value and "\x00" not in value and len(value) <= MAX_CODE else None


def endpoint(*methods):
    """Decorate a GeoReport view (called with `fmt`, "json" or "xml", when its URL has one).

    Before the view: a method not in `methods` is 405 (with `Allow`); `api_key` in the
    query string is 400, whatever the endpoint (a key there is written to access logs:
    the logs redact it, see `ningbo_grid.logsafe`, but the caller must stop sending it);
    a `jurisdiction_id` (body or query) other than ours is 404, blank is none. No CSRF
    check: GeoReport uses no cookies (POST is authorised by its API key), and a CSRF 403
    would hide the 405 a client needs. `api_key` is kept out of error reports.
    """

    def decorate(view):
        @csrf_exempt
        @sensitive_post_parameters("api_key")
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            fmt = kwargs.get("fmt", "json")
            if request.method not in methods:
                response = _error(fmt, 405, _("该接口只接受 %(methods)s 请求。") % {"methods": "、".join(methods)})
                response["Allow"] = ", ".join(methods)
                return response
            if "api_key" in request.GET:
                return _error(
                    fmt,
                    400,
                    _("api_key 不得放在查询字符串中（会被记入访问日志）：请放在 POST 正文或 X-Api-Key 请求头。"),
                )
            jurisdiction = _param(request, "jurisdiction_id")
            if jurisdiction and jurisdiction != settings.OPEN311_JURISDICTION_ID:
                return _error(
                    fmt,
                    404,
                    _("jurisdiction_id 未找到：本接口只服务 %(id)s。") % {"id": settings.OPEN311_JURISDICTION_ID},
                )
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


# Discovery and services --------------------------------------------------------------


@endpoint("GET")
def discovery(request, fmt):
    # Without the trailing slash: clients append "/services.xml" to it.
    url = request.build_absolute_uri(reverse("open311:discovery", kwargs={"fmt": fmt})).rsplit("/", 1)[0]
    data = {
        "changeset": CHANGESET,
        "contact": _("宁波市城乡网格化服务管理平台"),
        "key_service": _("向网格化主管单位申请 API 密钥（上报权限）。"),
        "endpoints": [
            {
                "specification": "http://wiki.open311.org/GeoReport_v2",
                "url": url,
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["application/json", "text/xml"],
            }
        ],
    }
    return _render(fmt, "discovery", data)


def _versions():
    return items_in_force().filter(kind=ItemKind.EVENT)


@reads_from_replica
@endpoint("GET")
def service_list(request, fmt):
    return _render(fmt, "services", [mapping.service(v) for v in _versions()])


@endpoint("GET")
def service_definition(request, service_code, fmt):
    version = _versions().filter(item__code=service_code).first() if _code(service_code) else None
    if version is None:
        return _error(fmt, 404, _("没有该服务（事项）：%(code)s。") % {"code": service_code})
    return _render(fmt, "service_definition", mapping.service_definition(version))


# Requests ----------------------------------------------------------------------------


def _report_photos():
    """Photos that may be published: taken with the report of a published event (never
    those of later steps, which show homes and people while handling)."""
    return Attachment.objects.filter(action__kind=ActionKind.REPORT, event__public=True)


def _events():
    last_kind = (
        Action.objects.filter(event=OuterRef("pk"), kind__in=mapping.NOTE_KINDS).order_by("-at", "-id").values("kind")
    )
    photo = _report_photos().filter(event=OuterRef("pk")).order_by("uploaded_at", "id").values("pk")
    # Only the columns `mapping.service_request` reads: up to 1,000 rows a page, so no
    # descriptions or report fields (JSON) are fetched and decoded for nothing.
    return (
        Event.objects.published()
        .select_related("item", "item_version", "lead_unit", "township", "area")
        .only(*mapping.REQUEST_FIELDS)
        .annotate(last_kind=Subquery(last_kind[:1]), photo_id=Subquery(photo[:1]))
    )


def _requests(request, fmt, events) -> HttpResponse:
    def media_url(event):
        if event.photo_id is None:
            return None
        return request.build_absolute_uri(reverse("open311:media", kwargs={"service_request_id": event.number}))

    rows = [mapping.service_request(e, e.last_kind, media_url(e)) for e in events]
    return _render(fmt, "service_requests", rows)


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
    return _requests(request, fmt, qs.order_by("-reported_at", "-id")[:MAX_REQUESTS])


@sensitive_variables("key")
def _authenticate(request, fmt) -> tuple[ApiClient | None, HttpResponse | None]:
    """The API client of the key in the POST body (`api_key`) or the headers, with the
    `report` scope: `(client, None)`, or `(None, the error answer)`. The key goes through
    the API's own `ApiKeyAuthentication` (failure throttle per IP, `last_used_at`) and the
    request counts against the client's rate (`integrations.throttling`)."""
    key = request.POST.get("api_key") or key_from_request(request)
    if not key:
        return None, _error(fmt, 403, _("请提供 api_key（POST 正文）或 X-Api-Key 请求头。"))
    try:
        _user, client = ApiKeyAuthentication().authenticate_key(request, key)
        if not client.has_scope(Scope.REPORT):
            return None, _error(fmt, 403, _("该 API 密钥没有上报（report）权限。"))
        note_client_request(client)
    except drf_exceptions.Throttled as exc:
        response = _error(fmt, 429, exc.detail)
        if exc.wait is not None:
            response["Retry-After"] = str(math.ceil(exc.wait))
        return None, response
    except drf_exceptions.AuthenticationFailed as exc:
        return None, _error(fmt, 403, exc.detail)
    return client, None


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


def _location(data) -> tuple[Area | None, Decimal | None, Decimal | None, list]:
    """(area, lat, long, errors) from `address_id`, `lat`/`long` and `address_string`."""
    errors = []
    try:
        lat, long = _coordinate(data.get("lat")), _coordinate(data.get("long"))
    except (InvalidOperation, ValueError):
        errors.append(_("lat/long 须为十进制度数。"))
        lat = long = None
    if (lat is None) != (long is None):
        errors.append(_("lat 和 long 须同时提供。"))
    address_id = (data.get("address_id") or "").strip()
    area = Area.objects.filter(code=address_id).first() if _code(address_id) else None
    if address_id and area is None:
        errors.append(_("address_id 不是在册的网格或微网格编码：%(code)s。") % {"code": address_id[:MAX_CODE]})
    elif not address_id and lat is not None and long is not None:
        try:
            area = grid_at(lat=lat, lon=long)
        except ValueError:
            errors.append(_("lat/long 超出范围（纬度 ±90，经度 ±180）。"))
        else:
            if area is None:
                errors.append(_("该位置（lat/long）不在任何网格内；请提供 address_id（所在网格或微网格编码）。"))
    elif not address_id and lat is None and long is None:
        errors.append(_("请提供 address_id（所在网格或微网格编码）或 lat/long（WGS-84 位置）。"))
    return area, lat, long, errors


def _create_request(request, fmt):
    data = request.POST
    client, refused = _authenticate(request, fmt)
    if refused is not None:
        return refused
    code = (data.get("service_code") or "").strip()
    if not code:
        return _error(fmt, 400, _("请提供 service_code（服务/事项编码）。"))
    version = _versions().filter(item__code=code).first() if _code(code) else None
    if version is None:
        return _error(fmt, 404, _("没有该服务（事项）：%(code)s。") % {"code": code[:MAX_CODE]})
    area, lat, long, errors = _location(data)
    description = (data.get("description") or "").strip()
    if not description:
        errors.append(_("请填写 description（诉求描述）。"))
    if data.get("media_url"):
        errors.append(
            _(
                "暂不接受 media_url：平台不从其他网站下载照片。"
                "请在提交后用 POST /api/v1/events/{service_request_id}/attachments/ 上传照片。"
            )
        )
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


@reads_from_replica
@endpoint("GET", "POST")
def requests_view(request, fmt):
    if request.method == "POST":
        return _create_request(request, fmt)
    return _list_requests(request, fmt)


@reads_from_replica
@endpoint("GET")
def request_detail(request, service_request_id, fmt):
    event = _events().filter(number=service_request_id).first() if _code(service_request_id) else None
    if event is None:
        return _error(fmt, 404, _("没有该诉求：%(id)s。") % {"id": service_request_id})
    return _requests(request, fmt, [event])


@endpoint("GET")
def request_media(request, service_request_id):
    """The first report photo of a published request: to anyone, while it stays published.

    `no-cache` with the photo's SHA-256 as ETag: clients revalidate each time (a 304 costs
    one query), so unpublishing takes effect at once, also behind shared caches."""
    photo = _report_photos().filter(event__number=service_request_id).order_by("uploaded_at", "id").first()
    if photo is None:
        return _error("json", 404, _("该诉求没有公开的照片。"))
    etag = f'"{photo.sha256}"'
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponse(status=304)
    else:
        response = FileResponse(photo.file.open("rb"), content_type=photo.content_type)
        response["Content-Disposition"] = "inline"
    response["ETag"] = etag
    response["Cache-Control"] = "public, no-cache"
    return response


@endpoint("GET")
def token_detail(request, token, fmt):
    event = event_by_tracking_code(token)
    if event is None or not event.public:
        return _error(fmt, 404, _("查询码无效。"))
    return _render(fmt, "service_requests", [{"service_request_id": event.number, "token": token}])
