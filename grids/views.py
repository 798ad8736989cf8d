"""HTML screens of the area tree: the tree browser and the adjustment forms (Art. 9).

Every page goes through `grids.selectors.areas_visible` (login required; a node out
of reach is a 404). Adjustments need `adjust_area` on the node (or an ancestor) and
call the services in `grids.services`; their errors show next to the fields.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from personnel.roles import ADJUST, MANAGE_STAFF
from personnel.scope import authorize, has_area_perm

from . import rules, services
from .choices import ChangeKind, Level
from .forms import CreateForm, HouseholdRuleForm, MergeForm, RedrawForm, RenameForm, RetireForm, SplitForm
from .models import Area
from .selectors import areas_visible, top_visible_nodes, with_counts

#: action → (form class, title); which actions a node offers depends on its level.
ACTIONS = {
    "create": (CreateForm, gettext_lazy("新建下级网格")),
    "rename": (RenameForm, gettext_lazy("更名")),
    "redraw": (RedrawForm, gettext_lazy("调整范围")),
    "split": (SplitForm, gettext_lazy("拆分")),
    "merge": (MergeForm, gettext_lazy("合并")),
    "retire": (RetireForm, gettext_lazy("撤销")),
}
LEVEL_ACTIONS = {
    Level.VILLAGE: ["create"],
    Level.GRID: ["create", "rename", "redraw", "split", "merge", "retire"],
    Level.MICRO_GRID: ["rename", "redraw", "split", "merge", "retire"],
}


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The top of the user's reach (counties for the city), with counts of children and grids."""
    nodes = with_counts(top_visible_nodes(request.user)).order_by("code")
    return render(request, "grids/index.html", {"nodes": nodes})


def _visible_area(request: HttpRequest, code: str) -> Area:
    return get_object_or_404(areas_visible(request.user).select_related("parent", "successor"), code=code)


@login_required
def area_detail(request: HttpRequest, code: str) -> HttpResponse:
    """A node: breadcrumb, details, children with counts, change history, adjustment forms."""
    area = _visible_area(request, code)
    return render(request, "grids/area_detail.html", _detail_context(request, area))


def _detail_context(request: HttpRequest, area: Area, bound: tuple[str, object] | None = None) -> dict:
    ancestors = list(area.get_ancestors())
    visible = set(areas_visible(request.user).filter(pk__in=[a.pk for a in ancestors]).values_list("pk", flat=True))
    forms = []
    if area.is_active and has_area_perm(request.user, ADJUST, area):
        for action in LEVEL_ACTIONS.get(area.level, []):
            form_class, title = ACTIONS[action]
            form = bound[1] if bound and bound[0] == action else form_class(area=area, prefix=action)
            forms.append(
                {"action": action, "title": _(title), "form": form, "open": bool(bound and bound[0] == action)}
            )
    return {
        "area": area,
        "ancestors": [(a, a.pk in visible) for a in ancestors],
        "children": with_counts(area.get_children()).order_by("code"),
        "changes": area.changes.select_related("actor")[:50],
        "predecessors": area.predecessors.order_by("code"),
        "forms": forms,
        # Art. 10: whoever runs the area sets its supervision hotline (staff office page).
        "can_set_hotline": area.is_active and has_area_perm(request.user, MANAGE_STAFF, area),
    }


def _add_errors(form, exc: ValidationError) -> None:
    """Put a service's ValidationError next to the form's fields (unknown keys on top)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else NON_FIELD_ERRORS, errors)
    else:
        form.add_error(NON_FIELD_ERRORS, exc)


@login_required
@require_POST
def area_adjust(request: HttpRequest, code: str, action: str) -> HttpResponse:
    """Run one adjustment from its form; on error, show the page again with the form's errors."""
    area = _visible_area(request, code)
    if action not in LEVEL_ACTIONS.get(area.level, []):
        raise Http404
    authorize(request.user, ADJUST, area, message=services.NOT_ADJUSTER)
    form = ACTIONS[action][0](request.POST, area=area, prefix=action)
    if form.is_valid():
        try:
            target = _run(action, area, form.cleaned_data, request.user)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(
                request, _("已%(action)s：%(name)s") % {"action": _(ACTIONS[action][1]), "name": target.name}
            )
            return redirect("grids:area", code=target.code)
    context = _detail_context(request, area, bound=(action, form))
    return render(request, "grids/area_detail.html", context, status=400)


def _run(action: str, area: Area, data: dict, actor) -> Area:
    """Call the service for `action`; returns the node to show next."""
    date, reason = data["effective_date"], data.get("exception_reason", "")
    if action == "create":
        fields = {k: v for k, v in data.items() if k != "effective_date"}
        return services.area_create(actor=actor, parent=area, effective_date=date, **fields)
    if action == "rename":
        return services.area_rename(actor=actor, area=area, name=data["name"], effective_date=date)
    if action == "redraw":
        fields = {k: data[k] for k in ("area_description", "boundary", "households", "scale", "exception_reason")}
        return services.area_redraw(actor=actor, area=area, effective_date=date, **fields)
    if action == "split":
        parts = services.area_split(
            actor=actor, area=area, parts=data["parts"], effective_date=date, exception_reason=reason
        )
        return parts[0].parent
    if action == "merge":
        areas = [area, *data["others"]]
        kept = {"name": data["new_name"]} if data["new_name"] else {"into": area}
        return services.area_merge(actor=actor, areas=areas, effective_date=date, exception_reason=reason, **kept)
    return services.area_retire(
        actor=actor, area=area, successor=data["successor"], note=data["note"], effective_date=date
    )


def _rule_city(request: HttpRequest, code: str) -> Area:
    city = rules.rule_city(request.user, code)
    if city is None:
        raise Http404
    return city


@login_required
def rules_index(request: HttpRequest) -> HttpResponse:
    """GET /grids/rules/: the city's household rules (straight to it when the user has one city)."""
    cities = rules.rule_cities(request.user)
    if len(cities) == 1:
        return redirect("grids:rules", code=cities[0].code)
    return render(request, "grids/rules.html", {"cities": cities})


@login_required
def rules_page(request: HttpRequest, code: str, bound: tuple[str, HouseholdRuleForm] | None = None) -> HttpResponse:
    """GET /grids/rules/<city>/: the city's household range per grid type and level (Art. 7),
    each with its form for the city authority (`rules.can_set_rules`), and the changes made."""
    city = _rule_city(request, code)
    editable = rules.can_set_rules(request.user, city)
    rows = []
    for rule in rules.city_rules(city):
        prefix = f"{rule.grid_type}-{rule.level}"
        form = None
        if editable:
            form = (
                bound[1]
                if bound and bound[0] == prefix
                else HouseholdRuleForm(
                    prefix=prefix,
                    initial={
                        "min_households": rule.min_households,
                        "max_households": rule.max_households,
                        "version": rule.version,
                    },
                )
            )
        rows.append({"rule": rule, "text": rules.describe(rule), "form": form, "prefix": prefix})
    changes = city.changes.filter(kind=ChangeKind.RULE).select_related("actor")[:20]
    context = {"city": city, "rows": rows, "editable": editable, "changes": changes}
    return render(request, "grids/rules.html", context, status=400 if bound else 200)


@login_required
@require_POST
def rule_save(request: HttpRequest, code: str, grid_type: str, level: str) -> HttpResponse:
    """POST /grids/rules/<city>/<grid_type>/<level>/: the city authority sets one rule."""
    city = _rule_city(request, code)
    authorize(request.user, ADJUST, city, message=rules.NOT_CITY_AUTHORITY)
    prefix = f"{grid_type}-{level}"
    form = HouseholdRuleForm(request.POST, prefix=prefix)
    if form.is_valid():
        try:
            rules.rule_set(actor=request.user, city=city, grid_type=grid_type, level=level, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("户数规则已保存，此后的网格调整按新规则检查。"))
            return redirect("grids:rules", code=city.code)
    return rules_page(request, code, bound=(prefix, form))
