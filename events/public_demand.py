"""Public demands and complaints (诉求/投诉) and their tracking, no login (Art. 10, 19, 22).

- GET/POST /public/grids/<code>/demand/: a form that creates an event in that grid
  through `events.services.event_public_demand` (source public_demand or complaint, no
  reporter): the service itself decides what the public may file, so no account acts
  for the public and nobody is granted anything. Anti-automation without external services: a
  honeypot field (`website`) and a signed display time (`token`; a submission sooner
  than `MIN_SECONDS` after the form was shown, or with a token older than
  `MAX_AGE_SECONDS`, is refused). At most `RATE_LIMIT` filed demands per client IP per
  hour (Django's cache) → HTTP 429 with a Chinese message; a refused form (bad phone,
  position in no grid, a photo that is not one, a repeat answered from the first) is not
  counted, so a citizen fixing a mistake does not use up the allowance. The form takes
  an optional pin (static/grids/maps.js on the card grid's outline; WGS 84 from the
  phone's browser) and one photo: the service files the demand in the micro-grid holding
  the pin (`grids.locate.grid_at`, as Open311 does), a pin in no grid is a form error. The token (it carries a random
  nonce) is also the form's one-time key (`idempotency.services.run_once`, caller
  `public:demand`): the same form sent again (a double tap, a resend after a lost answer)
  shows the first answer with its tracking code instead of filing a second demand; the
  same form sent again with other content is refused (422).
- GET/POST /public/track/: enter a tracking code → /public/track/<code>/: status, what
  was done (`selectors.public_progress`: the handling unit, the deadline, the result text
  and its verification, numbers in texts masked, no staff names or personal data; Art.
  10, 17, 19), a public-safe timeline (step names and times only), and once closed the
  satisfaction form (`event_rate` with the tracking code). The citizen also gets an SMS
  at acceptance, result and closure (`events.notify.citizen_enqueue`).
"""

import secrets
import time

from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from catalog.selectors import items_in_force
from grids.api.geo import feature
from grids.choices import GRID_LEVELS, Level
from grids.models import Area
from idempotency.services import KeyReused, fingerprint, run_once
from ningbo_grid.clients import client_ip
from ningbo_grid.replica import reads_from_replica
from personnel.models import Assignment, Staff

from . import services
from .choices import ActionKind, Datum
from .exceptions import Conflict, NotFound
from .forms import apply_errors
from .public_forms import DemandForm, PublicRateForm, TrackForm
from .selectors import event_by_tracking_code, public_progress, surviving_case

DEFAULT_ITEM = "03-001"  # 社情民意收集: where a demand goes when the visitor is unsure
MIN_SECONDS = 3
MAX_AGE_SECONDS = 2 * 3600
RATE_LIMIT = 5
RATE_WINDOW = 3600
_SALT = "public-demand"
#: The service's field names → the form's (the pin's hidden fields: above the form).
ALIASES = {
    "contact_name": "name",
    "contact_phone": "phone",
    "attachments": "photo",
    "latitude": "position",
    "about_staff": "about",
}
#: Timeline rows the public sees (step names and times only).
PUBLIC_KINDS = {
    ActionKind.REPORT,
    ActionKind.ACCEPT,
    ActionKind.REJECT,
    ActionKind.MERGE,
    ActionKind.ESCALATE,
    ActionKind.DISPATCH,
    ActionKind.SIGN,
    ActionKind.SUBMIT_RESULT,
    ActionKind.VERIFY_PASS,
    ActionKind.VERIFY_FAIL,
    ActionKind.CLOSE,
    ActionKind.SATISFACTION,
}


def make_token(at: float | None = None) -> str:
    """A signed display time (seconds since the epoch) for the demand form."""
    return signing.dumps({"t": at if at is not None else time.time(), "n": secrets.token_hex(8)}, salt=_SALT)


def token_age(token: str) -> float | None:
    """Seconds since the token was made, or None when it is forged or expired."""
    try:
        data = signing.loads(token, salt=_SALT, max_age=MAX_AGE_SECONDS)
        return time.time() - float(data["t"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def _rate_key(request) -> str:
    return f"public-demand:{client_ip(request)}"


def _over_limit(request) -> bool:
    """Whether the client IP has already filed `RATE_LIMIT` demands this hour (nothing counted)."""
    return (cache.get(_rate_key(request)) or 0) >= RATE_LIMIT


def _count_filed(request) -> None:
    """Count one filed demand against the client IP (only filed ones count: a refused form,
    an invalid position or photo, or a repeat answered from the first, does not)."""
    key = _rate_key(request)
    cache.add(key, 0, RATE_WINDOW)
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, RATE_WINDOW)


def _grid(code: str) -> Area:
    area = Area.objects.filter(code=code, level__in=GRID_LEVELS, status="active").first()
    if area is None:
        raise Http404(_("没有这个网格编码。"))
    return area


def _pick_item(versions, choice: str):
    codes = {v.item.code: v.item for v in versions}
    if choice in codes:
        return codes[choice]
    if DEFAULT_ITEM in codes:
        return codes[DEFAULT_ITEM]
    opinion = [v.item for v in versions if v.category == 3]
    return opinion[0] if opinion else next(iter(codes.values()), None)


@never_cache
def demand(request: HttpRequest, code: str) -> HttpResponse:
    """GET/POST /public/grids/<code>/demand/: file a demand or complaint in the grid."""
    area = _grid(code)
    versions = list(items_in_force(area))
    people = _people(area)
    if request.method != "POST":
        initial = {"token": make_token(), "datum": Datum.WGS84}
        form = DemandForm(versions=versions, people=people.items(), initial=initial)
        return _page(area, form, request)
    form = DemandForm(request.POST, request.FILES, versions=versions, people=people.items())
    if _over_limit(request):
        form.add_error(None, _("提交过于频繁，请一小时后再试，或拨打网格公示卡上的监督电话。"))
        return _page(area, form, request, status=429)
    status = 400
    if form.is_valid():
        age = token_age(form.cleaned_data["token"])
        if form.cleaned_data["website"]:
            form.add_error(None, _("提交未通过校验，请刷新页面后重试。"))
        elif age is None or age < MIN_SECONDS:
            form.add_error(None, _("提交过快或页面已过期，请稍候片刻再提交。"))
        else:
            try:
                return run_once(
                    caller="public:demand",
                    key=form.cleaned_data["token"],
                    fingerprint=fingerprint(request, ignore={"csrfmiddlewaretoken"}),
                    run=lambda: _file(request, area, versions, form, people),
                    keep=lambda response: response.status_code == 201,
                )
            except ValidationError as exc:
                apply_errors(form, exc, ALIASES)
            except (Conflict, NotFound) as exc:
                form.add_error(None, str(exc.message))
            except KeyReused:
                form.add_error(None, _("这张表单已经提交过，内容与那次不同；如需另提诉求，请核对后再次提交。"))
                form.data = request.POST.copy()
                form.data["token"] = make_token(time.time() - MIN_SECONDS)  # a new form: a deliberate second demand
                return _page(area, form, request, status=422)
    # Keep what was typed; refresh the display time so a second try is not "too fast" forever.
    data = request.POST.copy()
    if token_age(data.get("token", "")) is None:
        data["token"] = make_token()
    form.data = data
    return _page(area, form, request, status=status)


def _page(area, form, request, status=200) -> HttpResponse:
    """The demand form, with the card's grid outline for the pin map (simplified for a street view)."""
    context = {"area": area, "form": form, "outline": {"type": "FeatureCollection", "features": [feature(area, 17)]}}
    return render(request, "public/demand.html", context, status=status)


def _people(area: Area) -> dict:
    """Staff pk → "role name" of the people serving the card's grid now (Art. 10): whom a
    complaint about a grid worker's conduct may name (public data only, as on the card)."""
    grid = area.parent if area.level == Level.MICRO_GRID else area
    rows = (
        Assignment.objects.current()
        .filter(area__in=Area.objects.within(grid), staff__is_active=True)
        .select_related("staff")
        .order_by("role", "staff__work_id")
    )
    return {a.staff_id: f"{a.get_role_display()} {a.staff.name}" for a in rows}


def _file(request, area, versions, form, people) -> HttpResponse:
    """File the demand (`events.services.event_public_demand`) and show its tracking code."""
    data = form.cleaned_data
    about = None
    if data["kind"] == "conduct":
        if data["about"] not in people:
            raise ValidationError({"about": [_("请选择本网格在任的工作人员。")]})
        about = Staff.objects.get(pk=data["about"])
    event = services.event_public_demand(
        area=area,
        item=_pick_item(versions, data["item"]),
        description=data["description"],
        address=data["address"],
        complaint=data["kind"] in ("complaint", "conduct"),
        about_staff=about,
        contact_name=data["name"],
        contact_phone=data["phone"],
        photo=data["photo"],
        **_position(data),
    )
    _count_filed(request)
    return render(request, "public/demand_done.html", {"area": event.area, "event": event}, status=201)


def _position(data) -> dict:
    """The service's position arguments from the form's pin (none when no pin was set)."""
    if data.get("latitude") is None:
        return {}
    return {"latitude": data["latitude"], "longitude": data["longitude"], "datum": data.get("datum") or Datum.WGS84}


@reads_from_replica
@never_cache
def track(request: HttpRequest) -> HttpResponse:
    """GET /public/track/?code=…: find a demand by its tracking code."""
    form = TrackForm(request.GET if "code" in request.GET else None)
    if form.is_valid():
        if event_by_tracking_code(form.cleaned_data["code"]) is not None:
            return redirect("public:track-status", code=form.cleaned_data["code"])
        form.add_error("code", _("没有找到这个查询码，请核对后重试。"))
    return render(request, "public/track.html", {"form": form})


@reads_from_replica
@never_cache
def track_status(request: HttpRequest, code: str) -> HttpResponse:
    """GET/POST /public/track/<code>/: the status, a public-safe timeline and, once
    closed, the satisfaction form (Art. 22). A demand merged into another as a duplicate
    shows that it was merged, and the surviving case's status and progress (no names, no
    contact, not that case's tracking code)."""
    event = event_by_tracking_code(code)
    if event is None:
        raise Http404(_("没有找到这个查询码。"))
    form = None
    status = 200
    rated = hasattr(event, "satisfaction")
    if event.status == "closed" and not rated:
        form = PublicRateForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                services.event_rate(
                    event=event,
                    tracking_code=event.tracking_code,
                    score=form.cleaned_data["score"],
                    comment=form.cleaned_data["comment"],
                )
                return redirect("public:track-status", code=event.tracking_code)
            except ValidationError as exc:
                apply_errors(form, exc)
            except (Conflict, NotFound) as exc:
                form.add_error(None, str(exc.message))
        if request.method == "POST":
            status = 400
    steps = [
        {"label": a.get_kind_display(), "at": a.at}
        for a in event.actions.filter(kind__in=PUBLIC_KINDS).only("kind", "at").order_by("at", "id")
    ]
    # A duplicate merged into another case: what is done on that case (Art. 10, 19).
    case = surviving_case(event)
    context = {
        "event": event,
        "steps": steps,
        "form": form,
        "rated": rated,
        "merged": case if case.pk != event.pk else None,
        "progress": public_progress(case),
    }
    return render(request, "public/track_status.html", context, status=status)
