"""HTML pages of the catalogue: the public list (no login, Art. 13) and the administrator's pages.

Views stay thin: they read through `catalog.selectors` / `ServiceItem.objects.restrict`
and write through `catalog.services`; a service's PermissionDenied becomes a 403 page,
its ValidationError a form error next to the field, with the user's input kept.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from grids.models import Area
from ningbo_grid.replica import reads_from_replica
from ningbo_grid.spreadsheets import csv_response, xlsx_response
from personnel.scope import authorize, restrict_areas

from . import selectors
from .choices import Category, ListLevel, VersionState
from .forms import (
    CompareForm,
    ImportForm,
    ItemFilterForm,
    OpinionForm,
    ProposeForm,
    PublicDistrictForm,
    PublishForm,
    ReasonsForm,
    TemporaryMatterForm,
    apply_service_errors,
)
from .importing import COLUMNS
from .models import ItemExit, ServiceItem, ServiceItemVersion, TemporaryMatter
from .services.core import MANAGE, RULE_FIELDS, VERSION_FIELDS, can_cosign, can_manage, can_propose, is_catalog_admin
from .services.entry import item_propose, version_cosign, version_publish, version_reject, version_review
from .services.exits import item_exit_approve, item_exit_cosign, item_exit_propose, item_exit_reject
from .services.loading import catalogue_import
from .services.matters import temporary_matter_approve

# --- public (Art. 13: 向社会公布) ------------------------------------------------------------


def _public_district(request) -> Area | None:
    code = request.GET.get("district", "").strip()
    if not code:
        return None
    return Area.objects.filter(code=code, level="county").first()


def _public_versions(district: Area | None):
    return (
        selectors.items_in_force(area=district)
        if district
        else selectors.items_in_force().filter(item__level=ListLevel.CITY)
    )


@reads_from_replica
def public_list(request):
    """The list in force today, by category: city items, plus one district's if chosen."""
    district = _public_district(request)
    versions = list(_public_versions(district))
    groups = [(label, [v for v in versions if v.category == value]) for value, label in Category.choices]
    return render(
        request,
        "catalog/public_list.html",
        {
            "groups": groups,
            "district": district,
            "form": PublicDistrictForm(initial={"district": district}, districts=selectors.districts()),
            "today": timezone.localdate(),
            "count": len(versions),
        },
    )


@reads_from_replica
def public_changes(request):
    """The change log of the public list: publications and exits with their effective dates."""
    return render(request, "catalog/public_changes.html", {"steps": selectors.public_changes()[:500]})


def export_rows(versions):
    """Rows in the `importing.COLUMNS` layout plus effective date, for the public export."""
    for v in versions:
        general = v.rule_for("general")
        yield [
            v.item.code,
            v.item.get_level_display(),
            v.item.district.code if v.item.district_id else "",
            v.category,
            v.name,
            v.name_en,
            v.get_kind_display(),
            v.get_department_display(),
            v.supporting_units,
            _("是") if v.self_handle else _("否"),
            v.description,
            v.guidance,
            general.accept_limit if general and general.accept_limit is not None else "",
            general.complete_limit if general and general.complete_limit is not None else "",
            general.get_complete_unit_display() if general and general.complete_limit is not None else "",
            v.effective_from.isoformat(),
            v.number,
        ]


@reads_from_replica
def public_export(request, fmt: str):
    """The list in force today as CSV or XLSX (cells escaped against formula injection)."""
    district = _public_district(request)
    header = [h for _k, h in COLUMNS] + [_("生效日期"), _("版本号")]
    rows = export_rows(_public_versions(district))
    stem = f"catalogue-{timezone.localdate():%Y%m%d}" + (f"-{district.code}" if district else "")
    if fmt == "csv":
        return csv_response(f"{stem}.csv", header, rows)
    return xlsx_response(f"{stem}.xlsx", header, rows, title=_("事项清单"))


# --- administration ------------------------------------------------------------------------


def _items_for(user):
    return ServiceItem.objects.restrict(user).select_related("district", "current_version")


def _item_or_404(user, code: str) -> ServiceItem:
    return get_object_or_404(_items_for(user), code=code)


@login_required
def item_list(request):
    """All items the user may see, with their state; filters: category, level, state, q."""
    items = _items_for(request.user).prefetch_related("versions", "exits")
    form = ItemFilterForm(request.GET)
    if not form.is_valid():  # marked next to its field; never shown as if it had filtered
        items = items.none()
    category, level = form.cleaned_data.get("category"), form.cleaned_data.get("level")
    q, state = (form.cleaned_data.get("q") or "").strip(), form.cleaned_data.get("state")
    if category is not None:
        items = items.filter(versions__category=category).distinct()
    if level:
        items = items.filter(level=level)
    if q:
        # One filter: OR-ing a distinct() queryset with a plain one raises TypeError (was a 500 for any q).
        items = items.filter(Q(versions__name__icontains=q) | Q(code__icontains=q)).distinct()
    today = timezone.localdate()
    rows = []
    for item in items.order_by("code"):
        latest = max(item.versions.all(), key=lambda v: v.number, default=None)
        rows.append({"item": item, "latest": latest, "status": selectors.item_status(item, today)})
    if state:
        rows = [r for r in rows if state in r["status"]]
    return render(
        request,
        "catalog/item_list.html",
        {"rows": rows, "form": form, "can_propose": is_catalog_admin(request.user)},
    )


@login_required
def item_detail(request, code: str):
    """One item: every version (content, rules, attributes), its step log, and the actions open to the user."""
    item = _item_or_404(request.user, code)
    versions = item.versions.prefetch_related("rules").order_by("-number")
    steps = item.steps.select_related("actor", "organisation", "version", "item_exit")
    user = request.user
    manage, cosign = can_manage(user, item), can_cosign(user, item)
    return render(
        request,
        "catalog/item_detail.html",
        {
            "item": item,
            "versions": versions,
            "steps": steps,
            "exits": item.exits.all(),
            "in_force": selectors.version_in_force(item),
            "can_manage": manage,
            "can_cosign": cosign,
            "can_propose": can_propose(user, item.level_node()),
            "pending": VersionState.PROPOSED,
        },
    )


def _submit(request, form, call):
    """For a valid POST, run `call(cleaned_data)`; a service's ValidationError goes next to the fields.

    Returns `(done, result)`. The caller answers 400 when a POST is not done.
    """
    if request.method != "POST" or not form.is_valid():
        return False, None
    try:
        return True, call(form.cleaned_data)
    except ValidationError as exc:
        apply_service_errors(form, exc)
        return False, None


def _status(request) -> int:
    return 400 if request.method == "POST" else 200


def _render_propose(request, form, item=None, status=200):
    return render(request, "catalog/propose.html", {"form": form, "item": item}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def propose(request, code: str | None = None):
    """Propose a new item, or (with `code`) a new version of an existing one."""
    item = _item_or_404(request.user, code) if code else None
    if request.method == "GET":
        initial = {}
        if item and item.latest_version:
            initial = ProposeForm.initial_from(item.latest_version)
        return _render_propose(request, ProposeForm(new_item=item is None, initial=initial), item)
    form = ProposeForm(request.POST, new_item=item is None)
    done, version = _submit(
        request,
        form,
        lambda data: item_propose(
            actor=request.user,
            content=form.content(),
            rules=form.rules(),
            item=item,
            code=data.get("code", "") if item is None else "",
            level=data.get("level", ListLevel.CITY) if item is None else item.level,
            district=data.get("district") if item is None else item.district,
            opinion=data["opinion"],
        ),
    )
    if done:
        messages.success(request, _("已提交提议，等待主管单位审核。"))
        return redirect("catalog:item_detail", code=version.item.code)
    return _render_propose(request, form, item, status=400)


VERSION_ACTIONS = {
    "review": (OpinionForm, version_review, _("审核通过")),
    "cosign": (OpinionForm, version_cosign, _("会签")),
    "publish": (PublishForm, version_publish, _("发布")),
    "reject": (ReasonsForm, version_reject, _("退回")),
}
EXIT_ACTIONS = {
    "cosign": (OpinionForm, item_exit_cosign, _("会签退出")),
    "approve": (PublishForm, item_exit_approve, _("批准退出")),
    "reject": (ReasonsForm, item_exit_reject, _("退回退出申请")),
}


def _run_action(request, *, obj, item, form_class, service, title, target_kw):
    """GET shows the action's form; POST runs the service and returns to the item."""
    form = form_class(request.POST if request.method == "POST" else None)
    done, _result = _submit(request, form, lambda data: service(actor=request.user, **{target_kw: obj}, **data))
    if done:
        messages.success(request, _("%(action)s已完成。") % {"action": title})
        return redirect("catalog:item_detail", code=item.code)
    context = {"form": form, "item": item, "obj": obj, "title": title}
    return render(request, "catalog/action.html", context, status=_status(request))


@login_required
@require_http_methods(["GET", "POST"])
def version_action(request, pk: int, action: str):
    """Review, co-sign, publish or reject one version (PermissionDenied → 403)."""
    if action not in VERSION_ACTIONS:
        raise Http404
    version = get_object_or_404(ServiceItemVersion.objects.filter(item__in=_items_for(request.user)), pk=pk)
    form_class, service, title = VERSION_ACTIONS[action]
    return _run_action(
        request,
        obj=version,
        item=version.item,
        form_class=form_class,
        service=service,
        title=title,
        target_kw="version",
    )


@login_required
@require_http_methods(["GET", "POST"])
def exit_propose(request, code: str):
    """Propose the item's exit, with reasons."""
    item = _item_or_404(request.user, code)
    return _run_action(
        request,
        obj=item,
        item=item,
        form_class=ReasonsForm,
        service=item_exit_propose,
        title=_("提议退出"),
        target_kw="item",
    )


@login_required
@require_http_methods(["GET", "POST"])
def exit_action(request, pk: int, action: str):
    """Co-sign (staffing office), approve (authority, with an effective date) or reject an exit proposal."""
    if action not in EXIT_ACTIONS:
        raise Http404
    item_exit = get_object_or_404(ItemExit.objects.filter(item__in=_items_for(request.user)), pk=pk)
    form_class, service, title = EXIT_ACTIONS[action]
    return _run_action(
        request,
        obj=item_exit,
        item=item_exit.item,
        form_class=form_class,
        service=service,
        title=title,
        target_kw="item_exit",
    )


def version_diff(a: ServiceItemVersion, b: ServiceItemVersion) -> list[dict]:
    """Field-by-field comparison of two versions (content, attributes and each grade's rule)."""
    rows = []
    for name in VERSION_FIELDS:
        field = ServiceItemVersion._meta.get_field(name)
        left, right = getattr(a, name), getattr(b, name)
        if field.choices:
            left, right = getattr(a, f"get_{name}_display")(), getattr(b, f"get_{name}_display")()
        rows.append({"label": field.verbose_name, "a": left, "b": right, "changed": left != right})
    for grade_rule in sorted({r.grade for r in a.rules.all()} | {r.grade for r in b.rules.all()}):
        ra, rb = a.rule_for(grade_rule), b.rule_for(grade_rule)
        for name in RULE_FIELDS:
            field = ra._meta.get_field(name) if ra else rb._meta.get_field(name)
            left = getattr(ra, name) if ra else None
            right = getattr(rb, name) if rb else None
            label = f"{(ra or rb).get_grade_display()}·{field.verbose_name}"
            rows.append({"label": label, "a": left, "b": right, "changed": left != right})
    return rows


@login_required
def compare(request, code: str):
    """Compare two versions of an item (`?a=<number>&b=<number>`; default the last two)."""
    item = _item_or_404(request.user, code)
    versions = list(item.versions.prefetch_related("rules").order_by("number"))
    by_number = {str(v.number): v for v in versions}
    a = by_number.get(request.GET.get("a", "")) or (versions[-2] if len(versions) > 1 else versions[0])
    b = by_number.get(request.GET.get("b", "")) or versions[-1]
    form = CompareForm(initial={"a": a.number, "b": b.number}, versions=versions)
    return render(
        request,
        "catalog/compare.html",
        {"item": item, "form": form, "a": a, "b": b, "rows": version_diff(a, b)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_view(request):
    """Bulk proposals from XLSX: all rows or none, with an error report naming rows and columns."""
    authorize(request.user, MANAGE, None, message=_("只有事项清单管理员可以批量导入。"))
    bound = request.method == "POST"
    form = ImportForm(request.POST if bound else None, request.FILES if bound else None)
    done, report = _submit(request, form, lambda data: catalogue_import(actor=request.user, file=data["file"]))
    if done and report.ok:
        messages.success(request, _("已导入 %(n)d 条提议。") % {"n": len(report.created)})
        return redirect("catalog:item_list")
    return render(request, "catalog/import.html", {"form": form, "report": report}, status=_status(request))


@login_required
@require_http_methods(["GET", "POST"])
def temporary_matters(request):
    """Art. 19: list the recorded consents to temporary matters and record a new one."""
    areas = restrict_areas(request.user, MANAGE).filter(level__in=["city", "county", "township"])
    form = TemporaryMatterForm(request.POST if request.method == "POST" else None, areas=areas)
    done, _matter = _submit(request, form, lambda data: temporary_matter_approve(actor=request.user, **data))
    if done:
        messages.success(request, _("已记录同意。"))
        return redirect("catalog:temporary_matters")
    matters = TemporaryMatter.objects.filter(area__in=areas).select_related("area", "approved_by")
    return render(
        request,
        "catalog/temporary_matters.html",
        {"form": form, "matters": matters, "today": timezone.localdate(), "can_approve": areas.exists()},
        status=_status(request),
    )
