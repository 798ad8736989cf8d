"""Public "which grid am I in" (Issue 16 item 4; Art. 10 grid cards): no login.

`GET /public/find/` offers two ways to the grid card:

- by position: `?lat=&lon=` (WGS 84, what the phone's geolocation gives; the page's
  "use my position" button fills them) → the micro-grid, else grid, holding the point
  (`grids.locate`) → a redirect to its card;
- by name: `?q=` (2–40 characters) → active areas whose name matches (a community or
  village, a street/township, a grid), or grids whose described range (区域范围, the
  streets and estates a grid covers) contains the text; a grid links to its card, a
  township or village to the list of its grids (`?area=<code>`).

Only what the grid cards publish is shown: codes, names, levels. Bad input is a form
error on the page, never a 500.
"""

from dataclasses import dataclass

from django import forms
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from ningbo_grid.replica import reads_from_replica

from .choices import GRID_LEVELS, Level, Status
from .locate import grid_at
from .models import Area

#: Results shown for a name search; the page says when there were more.
MAX_RESULTS = 30
#: Levels a name search looks at (the city and districts are too broad to help).
SEARCHED = (Level.TOWNSHIP, Level.VILLAGE, Level.GRID, Level.MICRO_GRID)


class PositionForm(forms.Form):
    """A WGS 84 position from the phone (decimal degrees)."""

    lat = forms.FloatField(min_value=-90, max_value=90, widget=forms.HiddenInput)
    lon = forms.FloatField(min_value=-180, max_value=180, widget=forms.HiddenInput)


class NameForm(forms.Form):
    """A community, street or address name."""

    q = forms.CharField(
        label=_("社区、街道或地址名称"),
        min_length=2,
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "enterkeyhint": "search"}),
    )


@dataclass(frozen=True)
class Found:
    """One search result: the area, the names above it (township › village), and where it leads."""

    area: Area
    above: str
    is_grid: bool


def _above(area: Area, names: dict[int, tuple[str, int | None, str]]) -> str:
    parts, pk = [], area.parent_id
    while pk in names:
        name, parent, level = names[pk]
        if level in (Level.TOWNSHIP, Level.VILLAGE, Level.GRID):
            parts.append(name)
        pk = parent
    return " › ".join(reversed(parts))


def with_context(areas: list[Area]) -> list[Found]:
    """Attach each area's township › village (› grid) names, in one query per level above."""
    names: dict[int, tuple[str, int | None, str]] = {}
    wanted = {area.parent_id for area in areas} - {None}
    while wanted:
        rows = Area.objects.filter(pk__in=wanted).values_list("pk", "name", "parent_id", "level")
        for pk, name, parent, level in rows:
            names[pk] = (name, parent, level)
        wanted = {parent for _, parent, _ in names.values() if parent and parent not in names}
    return [Found(area, _above(area, names), area.level in GRID_LEVELS) for area in areas]


def search(text: str) -> tuple[list[Found], bool]:
    """Active areas matching `text` by name (townships … micro-grids) or grids by range; grids first."""
    matches = Area.objects.filter(status=Status.ACTIVE, level__in=SEARCHED).filter(
        Q(name__icontains=text) | Q(level__in=GRID_LEVELS, area_description__icontains=text)
    )
    rows = list(matches.order_by("code")[: MAX_RESULTS + 1])
    order = {Level.VILLAGE: 0, Level.TOWNSHIP: 1, Level.GRID: 2, Level.MICRO_GRID: 3}
    rows.sort(key=lambda area: (order[area.level], area.code))
    return with_context(rows[:MAX_RESULTS]), len(rows) > MAX_RESULTS


def grids_of(area: Area) -> list[Found]:
    """The active grids (or, for a township, villages) directly under `area`."""
    children = area.get_children().filter(status=Status.ACTIVE).order_by("code")
    return with_context(list(children[:200]))


@reads_from_replica
@never_cache
def find(request: HttpRequest) -> HttpResponse:
    """GET /public/find/: the grid card by position or by name (see module)."""
    context: dict = {"name_form": NameForm(), "position_form": PositionForm()}
    if "lat" in request.GET or "lon" in request.GET:
        position = PositionForm(request.GET)
        context["position_form"] = position
        if position.is_valid():
            grid = grid_at(lat=position.cleaned_data["lat"], lon=position.cleaned_data["lon"])
            if grid is not None:
                return redirect("public:grid-card", code=grid.code)
            context["position_error"] = _("您所在的位置不在本市已划定边界的网格内，请按名称查找。")
        else:
            context["position_error"] = _("未能读取有效的位置，请重试或按名称查找。")
    elif "q" in request.GET:
        names = NameForm(request.GET)
        context["name_form"] = names
        if names.is_valid():
            context["results"], context["more"] = search(names.cleaned_data["q"].strip())
            context["searched"] = True
    elif "area" in request.GET:
        parent = Area.objects.filter(
            code=str(request.GET["area"])[:20], status=Status.ACTIVE, level__in=(Level.TOWNSHIP, Level.VILLAGE)
        ).first()
        if parent is not None:
            context["parent"] = parent
            context["results"] = grids_of(parent)
            context["searched"] = True
    return render(request, "grids/public_find.html", context)
