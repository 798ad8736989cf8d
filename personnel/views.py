"""HTML pages of the personnel app: scoped staff lists, masked detail, grid staff (and its
printable list), lapsed insurance, and "我的": a person's own record on the phone.

Every page reads through `personnel.selectors` (built on `restrict`); out of scope is 404.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from . import selectors, services
from .filtersets import StaffFilter
from .forms import StaffEditForm, UnmaskForm
from .models import Staff
from .roles import MANAGE_STAFF


@login_required
def staff_list(request):
    """Staff within the user's reach, with the API's filters (area, within, role, source, active)."""
    filterset = StaffFilter(request.GET or None, queryset=selectors.staff_list(request.user))
    page = Paginator(filterset.qs, 50).get_page(request.GET.get("page"))
    return render(request, "personnel/staff_list.html", {"filter": filterset, "page": page})


@login_required
@require_http_methods(["GET", "POST"])
def staff_detail(request, pk: int):
    """A staff record, masked; POST reveals one field for a stated purpose (logged)."""
    staff = get_object_or_404(selectors.staff_list(request.user), pk=pk)
    form = UnmaskForm(request.POST or None)
    revealed = None
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            value = services.staff_unmask(actor=request.user, staff=staff, **form.cleaned_data)
            revealed = {"label": dict(form.fields["field"].choices)[form.cleaned_data["field"]], "value": value}
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
            status = 403
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, messages)
    can_change = Staff.objects.restrict(request.user, MANAGE_STAFF).filter(pk=staff.pk).exists()
    context = {"staff": staff, "form": form, "revealed": revealed, "can_change": can_change}
    return render(request, "personnel/staff_detail.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def staff_edit(request, pk: int):
    """Edit a staff record (needs `manage_staff` over it; 404 if out of view, 403 if view only)."""
    staff = get_object_or_404(selectors.staff_list(request.user), pk=pk)
    if not Staff.objects.restrict(request.user, MANAGE_STAFF).filter(pk=staff.pk).exists():
        raise PermissionDenied
    initial = {f: getattr(staff, f) for f in ("name", "work_phone", "source", "duties", "insurance_until")}
    form = StaffEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.staff_update(actor=request.user, staff=staff, **form.changes())
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, messages)
        else:
            return redirect("personnel:staff-detail", pk=staff.pk)
    return render(request, "personnel/staff_form.html", {"staff": staff, "form": form})


@login_required
def grid_staff(request, code: str):
    """Who serves this grid (and its micro-grids) now, and who served it before (Art. 8, 10)."""
    area = selectors.scoped_area(request.user, code)
    current, past = selectors.grid_staff(area)
    return render(request, "personnel/grid_staff.html", {"area": area, "current": current, "past": past})


@login_required
def grid_staff_print(request, code: str):
    """The staff list of a grid as an A4 sheet (static/css/print.css): who serves now, with
    roles, public work phones and start dates; no personal data (Art. 8, 10)."""
    area = selectors.scoped_area(request.user, code)
    current, _past = selectors.grid_staff(area)
    context = {"area": area, "current": current, "today": timezone.localdate()}
    return render(request, "personnel/grid_staff_print.html", context)


@login_required
def my_record(request):
    """ "我的": the signed-in person's own record, roles (now and before), trainings and
    commendations (Art. 16, 21, 25), sized for a phone. Personal data masked."""
    staff = Staff.objects.filter(user=request.user).select_related("organisation").first()
    context = {"staff": staff}
    if staff is not None:
        history = selectors.staff_history(staff)
        context.update(
            history=history,
            current=selectors.current_of(history),
            trainings=selectors.staff_trainings(staff),
            commendations=staff.commendations.all(),
        )
    return render(request, "personnel/my_record.html", context)


@login_required
def insurance_lapsed(request):
    """Current micro-grid leaders in reach whose accident insurance has lapsed (Art. 23)."""
    page = Paginator(selectors.lapsed_insurance(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "personnel/insurance_lapsed.html", {"page": page})
