"""Public pages, no login: the grid contact card and its printable notice (Art. 10).

Art. 10: the township publishes each grid's name, area, supervision hotline and the
grid leader's, full-time grid workers' and grid instructor's names, contact details
and duties, and updates them whenever they change. The card is read live from the
current assignments on every request (never cached), and shows only what is meant to
be public: `Staff.work_phone`, never the mobile number or ID number. It also shows the
grid's work station (Art. 24: address, hours, phone) and the commendations marked
public of the people on it (Art. 25).
"""

from dataclasses import dataclass
from io import BytesIO

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from ningbo_grid.forms import GridLookupForm
from ningbo_grid.replica import reads_from_replica
from personnel.choices import GridRole
from personnel.models import Assignment, Commendation, WorkStation
from personnel.teams import public_members

from .choices import GRID_LEVELS, Level
from .models import Area

#: Roles published on the card, in the order shown (Art. 10; micro-grids have a leader too).
CARD_ROLES = (GridRole.GRID_LEADER, GridRole.MICRO_GRID_LEADER, GridRole.FULLTIME_WORKER, GridRole.INSTRUCTOR)


@dataclass(frozen=True)
class CardPerson:
    """One published person: role label, name, public work phone, duties and public
    commendations' titles with their year (no personal data)."""

    role: str
    role_label: str
    name: str
    work_phone: str
    duties: str
    honours: tuple[str, ...] = ()


@dataclass(frozen=True)
class CardTeamMember:
    """One published service team member (Art. 20): team, name, specialty label and duties; no phone."""

    team: str
    name: str
    specialty_label: str
    duties: str


@dataclass(frozen=True)
class GridCard:
    """What the public card shows for one grid or micro-grid node.

    `divisions`: the ancestors from county down to village (names, top down);
    `supervision_phone`: the node's own hotline, else its nearest ancestor's;
    `people`: current holders of `CARD_ROLES` on the node, leader first (empty for a
    retired grid); `team_members`: the active members of the service teams serving the
    node (Art. 20; name, specialty, duties and team only: never a phone number; empty for a
    retired grid); `successor`: the grid that took over a retired one, or None;
    `stations`: the node's work stations (Art. 24; a micro-grid shows its grid's).
    """

    area: Area
    divisions: list[str]
    supervision_phone: str
    people: list[CardPerson]
    successor: Area | None
    team_members: list[CardTeamMember]
    stations: list[WorkStation]

    @property
    def retired(self) -> bool:
        return not self.area.is_active


def grid_card(code: str) -> GridCard:
    """The card of the grid or micro-grid with unified code `code`.

    Raises Http404 for an unknown code and for division-level nodes (a township is not
    a grid). Four to five queries; read fresh on every call.
    """
    area = Area.objects.filter(code=code, level__in=GRID_LEVELS).select_related("successor").first()
    if area is None:
        raise Http404(_("没有这个网格编码。"))
    ancestors = list(area.get_ancestors())
    hotline = area.supervision_phone or next(
        (a.supervision_phone for a in reversed(ancestors) if a.supervision_phone), ""
    )
    people: list[CardPerson] = []
    team_members: list[CardTeamMember] = []
    stations: list[WorkStation] = []
    if area.is_active:
        team_members = [
            CardTeamMember(m.team.name, m.display_name, m.get_specialty_display(), m.duties)
            for m in public_members(area)
        ]
        rows = list(
            Assignment.objects.current()
            .filter(area=area, role__in=CARD_ROLES, staff__is_active=True)
            .select_related("staff")
            .order_by("start", "staff__work_id")
        )
        honours: dict[int, list[str]] = {}
        public = Commendation.objects.filter(staff_id__in=[a.staff_id for a in rows], is_public=True)
        for staff_id, title, date in public.order_by("-date", "id").values_list("staff_id", "title", "date"):
            honours.setdefault(staff_id, []).append(f"{date.year} {title}")
        people = sorted(
            (
                CardPerson(
                    a.role,
                    a.get_role_display(),
                    a.staff.name,
                    a.staff.work_phone,
                    a.staff.duties,
                    tuple(honours.get(a.staff_id, ())),
                )
                for a in rows
            ),
            key=lambda p: CARD_ROLES.index(p.role),
        )
        station_areas = [area.pk] + ([area.parent_id] if area.level == Level.MICRO_GRID else [])
        stations = list(WorkStation.objects.filter(area_id__in=station_areas).order_by("-area__depth", "id")[:2])
    divisions = [a.name for a in ancestors if a.parent_id is not None and a.level not in GRID_LEVELS]
    return GridCard(
        area=area,
        divisions=divisions,
        supervision_phone=hotline,
        people=people,
        successor=area.successor,
        team_members=team_members,
        stations=stations,
    )


def card_url(code: str) -> str:
    """The card's absolute public URL (settings.SITE_URL), as printed in the QR code."""
    return settings.SITE_URL.rstrip("/") + reverse("public:grid-card", args=[code])


def qr_svg(data: str) -> SafeString:
    """An inline SVG QR code (medium error correction) for `data`; no external service."""
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    qr.add_data(data)
    image = qr.make_image(image_factory=qrcode.image.svg.SvgPathImage)
    buffer = BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode()
    svg = svg[svg.index("<svg") :]  # drop the XML declaration: the SVG sits inside HTML
    return mark_safe(svg)  # noqa: S308 - generated by qrcode from a URL we built


def _card_context(code: str) -> dict:
    card = grid_card(code)
    url = card_url(card.area.code)
    return {"card": card, "card_url": url, "qr": None if card.retired else qr_svg(url)}


@reads_from_replica
@never_cache
def grid_card_view(request: HttpRequest, code: str) -> HttpResponse:
    """GET /public/grids/<code>/: the grid's public contact card (Art. 10)."""
    return render(request, "public/grid_card.html", _card_context(code))


@reads_from_replica
@never_cache
def grid_card_print(request: HttpRequest, code: str) -> HttpResponse:
    """GET /public/grids/<code>/print/: the card as an A4 notice-board sheet (公示牌)."""
    return render(request, "public/grid_card_print.html", _card_context(code))


@reads_from_replica
def grid_lookup(request: HttpRequest) -> HttpResponse:
    """GET /public/grids/?code=…: find a grid card by its code; errors shown next to the field."""
    form = GridLookupForm(request.GET if "code" in request.GET else None)
    if form.is_valid():
        code = form.cleaned_data["code"]
        if Area.objects.filter(code=code, level__in=GRID_LEVELS).exists():
            return redirect("public:grid-card", code=code)
        form.add_error("code", _("未找到编码为 %(code)s 的网格，请核对公示牌上的编码。") % {"code": code})
    return render(request, "public/grid_lookup.html", {"lookup_form": form})
