"""Pages for the ledgers in bulk: statistics of an area, XLSX import with a per-row error report,
and XLSX export within scope (masked; clear personal data only by POST with the
`export_personal_data` right and a purpose, logged)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from grids.models import Area
from ningbo_grid.replica import reads_from_replica
from ningbo_grid.spreadsheets import xlsx_response
from personnel import scope
from personnel.masking import mask_id_number, mask_mobile
from personnel.roles import EXPORT_PERSONAL_DATA

from . import privacy
from .forms import ImportForm
from .importing import COLUMNS, import_file
from .models import Person, Unit
from .rollups import statistics_for
from .stats import labelled, within


def _area(request) -> Area:
    """The area asked for (`?area=<code>`), else the user's widest granted node; 404 out of reach."""
    code = request.GET.get("area") or request.POST.get("area")
    reach = scope.restrict_areas_ranged(request.user)
    if code:
        return get_object_or_404(reach, code=code)
    top = scope.granted_nodes(request.user, "view_area").order_by("level", "code").first()
    if request.user.is_superuser:
        top = Area.objects.filter(parent=None).order_by("code").first()
    if top is None:
        raise Http404
    return top


@reads_from_replica
@login_required
def statistics(request):
    """GET /ledgers/stats/?area=<code>: residents, households, dwellings, units, care and visits."""
    area = _area(request)
    context = {"area": area, "figures": labelled(statistics_for(area))}
    return render(request, "ledgers/stats.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def import_page(request):
    """GET/POST /ledgers/import/: import an XLSX ledger; each bad row named by line and field."""
    form = ImportForm(request.POST or None, request.FILES or None)
    report, status = None, 200
    if request.method == "POST" and form.is_valid():
        try:
            report = import_file(actor=request.user, kind=form.cleaned_data["kind"], file=form.cleaned_data["file"])
        except ValidationError as exc:
            form.add_error("file", exc.message_dict.get("file", exc.messages)[0])
            status = 400
        else:
            status = 200 if not report.errors else 422
    elif request.method == "POST":
        status = 400
    context = {"form": form, "report": report, "columns": COLUMNS}
    return render(request, "ledgers/import.html", context, status=status)


def _person_rows(persons, clear: bool):
    for p in persons.select_related("residence").iterator(chunk_size=2000):
        yield [
            p.name,
            p.get_doc_type_display(),
            p.id_number if clear else mask_id_number(p.id_number),
            p.get_registration_display(),
            p.mobile if clear else mask_mobile(p.mobile),
            p.residence.code if p.residence_id else "",
            p.get_relation_display(),
        ]


def _unit_rows(units):
    for u in units.select_related("address").iterator(chunk_size=2000):
        yield [
            u.name,
            u.uscc,
            u.get_kind_display(),
            u.address.code,
            u.legal_representative,
            mask_mobile(u.contact_phone),
            u.staff_count,
            u.get_safety_class_display(),
        ]


@reads_from_replica
@login_required
@require_http_methods(["GET", "POST"])
def export(request, kind: str):
    """GET /ledgers/export/<persons|units>.xlsx?area=<code>: the area's ledger, personal data masked.
    POST with `purpose`: persons with clear ID numbers and mobiles — needs `export_personal_data`
    over the area; logged (who, when, how many)."""
    area = _area(request)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if kind == "units":
        units = Unit.objects.restrict(request.user).filter(within(area)).order_by("id")
        return xlsx_response(f"units-{area.code}-{stamp}.xlsx", list(COLUMNS["units"]), _unit_rows(units))
    if kind != "persons":
        raise Http404
    persons = Person.objects.restrict(request.user).filter(within(area)).order_by("id")
    clear = request.method == "POST"
    if clear:
        purpose = (request.POST.get("purpose") or "").strip()
        if not scope.has_area_perm(request.user, EXPORT_PERSONAL_DATA, area) or len(purpose) < 2:
            return HttpResponse(_("导出个人信息明文需要相应权限并说明事由。"), status=403)
        privacy.log_export(actor=request.user, what=f"{area.name} 实有人口（{purpose[:100]}）", count=persons.count())
    header = list(COLUMNS["persons"])[:7]
    response = xlsx_response(f"persons-{area.code}-{stamp}.xlsx", header, _person_rows(persons, clear))
    response["Cache-Control"] = "no-store"
    return response
