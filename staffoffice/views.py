"""Pages of the township's staff office (乡镇（街道）网格人员管理, Art. 8, 16, 21, 24, 25, 27).

Who: users holding `manage_staff` (`personnel.roles.MANAGE_STAFF`): the dispatchers of a
township office over their township, and the authorities' supervisors over their
district or the city (see docs/staff-office.md). Reads go through
`personnel.selectors` (`restrict` on `manage_staff`): a person, a grid or an office out
of reach is a 404. Writes go through `personnel.services` / `personnel.records`, which
authorise again (`personnel.scope.authorize`) and re-sync grants, so a new or ended role
counts from the next request. Creating forms run once per filled-in form
(`events.submit`). Sized for a phone (390 px).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from events.forms import apply_errors
from events.models import Event
from events.submit import submit_once
from grids.choices import GRID_LEVELS, Level
from grids.hotline import area_set_hotline
from grids.models import Area
from personnel import records, scope, selectors, services
from personnel.models import Assignment, Training, WorkStation
from personnel.roles import MANAGE_STAFF

from .forms import (
    AssignForm,
    AttendeesForm,
    CommendForm,
    EndForm,
    HotlineForm,
    SessionForm,
    StaffCreateForm,
    StationForm,
    YearForm,
)

PAGE_SIZE = 30


def _page(request, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _managed_person(request, pk: int):
    return get_object_or_404(selectors.managed_staff(request.user), pk=pk)


def _office_of(person_areas, user) -> Area | None:
    """The office node (township first) through which `user` manages a person, for forms."""
    nodes = selectors.office_nodes(user)
    for area in person_areas:
        node = nodes.filter(tree_id=area.tree_id, lft__lte=area.lft, rght__gte=area.rght).order_by("-lft").first()
        if node is not None:
            return node
    return nodes.first()


@login_required
def index(request):
    """GET /staff-office/: the offices the user runs; straight to it when there is one."""
    nodes = selectors.office_nodes(request.user)
    if not nodes.exists():
        raise PermissionDenied(_("您没有管理网格人员的权限。"))
    if nodes.count() == 1:
        return redirect("staffoffice:office", code=nodes.get().code)
    return render(request, "staffoffice/index.html", {"page": _page(request, nodes)})


@login_required
def office(request, code: str):
    """GET /staff-office/<code>/: the office's roster (search by name or work ID), its grids
    (a township) or the offices below (a district, the city), and complaints about staff."""
    node = selectors.office_node(request.user, code)
    roster = selectors.office_staff(request.user, node)
    q = request.GET.get("q", "").strip()[:50]
    if q:
        roster = roster.filter(Q(name__contains=q) | Q(work_id__iexact=q))
    if node.level == Level.TOWNSHIP:
        below = Area.objects.within(node).filter(level=Level.GRID, status="active").order_by("code")
    else:
        below = selectors.office_nodes(request.user).filter(parent=node)
    complaints = (
        Event.objects.restrict(request.user)
        .within(node)
        .filter(about_staff__isnull=False)
        .select_related("about_staff")
    )
    context = {
        "node": node,
        "page": _page(request, roster),
        "q": q,
        "below": below,
        "complaints": complaints.order_by("-reported_at")[:20],
    }
    return render(request, "staffoffice/office.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def staff_new(request, code: str):
    """GET/POST /staff-office/<code>/staff/new/: add a person with a first grid role (Art. 8, 16)."""
    node = selectors.office_node(request.user, code)
    form = StaffCreateForm(request.POST or None, node=node)

    def create():
        roles = form.role_fields()
        with transaction.atomic():
            staff = services.staff_create(actor=request.user, area=roles["area"], **form.staff_fields())
            services.assignment_start(actor=request.user, staff=staff, **roles)
        messages.success(
            request, _("已添加 %(name)s（工作证件编号 %(id)s）。") % {"name": staff.name, "id": staff.work_id}
        )
        return redirect("staffoffice:record", pk=staff.pk)

    return submit_once(request, form, create, "staffoffice/staff_form.html", {"node": node})


@login_required
def record(request, pk: int):
    """GET /staff-office/staff/<pk>/: a person's record: roles now and before, trainings,
    commendations, complaints about their conduct (Art. 27; the township and the
    authorities only), with the forms to give or end a role and to commend."""
    staff = _managed_person(request, pk)
    history = selectors.staff_history(staff)
    node = _office_of([a.area for a in history], request.user)
    context = {
        "staff": staff,
        "node": node,
        "current": selectors.current_of(history),
        "history": history,
        "trainings": selectors.staff_trainings(staff),
        "commendations": staff.commendations.all(),
        "complaints": Event.objects.restrict(request.user).filter(about_staff=staff).order_by("-reported_at"),
        "assign_form": AssignForm(node=node) if node else None,
        "commend_form": CommendForm(),
        "end_form": EndForm(),
    }
    return render(request, "staffoffice/record.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def assign(request, pk: int):
    """GET/POST /staff-office/staff/<pk>/assign/: give the person a grid role (Art. 8)."""
    staff = _managed_person(request, pk)
    node = _office_of([a.area for a in selectors.staff_history(staff)], request.user)
    if node is None:
        raise Http404
    form = AssignForm(request.POST or None, node=node)

    def run():
        data = form.cleaned_data
        services.assignment_start(
            actor=request.user,
            staff=staff,
            **{k: data[k] for k in ("area", "role", "start", "end", "replace")},
        )
        messages.success(request, _("任职已登记。"))
        return redirect("staffoffice:record", pk=staff.pk)

    return submit_once(request, form, run, "staffoffice/assign.html", {"staff": staff, "node": node})


@login_required
@require_POST
def assignment_end(request, pk: int):
    """POST /staff-office/assignments/<pk>/end/: end a role (last day served; default yesterday)."""
    assignment = get_object_or_404(
        Assignment.objects.filter(staff__in=selectors.managed_staff(request.user)).select_related("area", "staff"),
        pk=pk,
    )
    form = EndForm(request.POST)
    if form.is_valid():
        try:
            services.assignment_end(actor=request.user, assignment=assignment, end=form.cleaned_data["end"])
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("已免去 %(role)s。") % {"role": assignment.get_role_display()})
    else:
        messages.error(request, _("日期格式不正确。"))
    return redirect("staffoffice:record", pk=assignment.staff_id)


@login_required
@require_http_methods(["GET", "POST"])
def commend(request, pk: int):
    """GET/POST /staff-office/staff/<pk>/commend/: record a commendation (Art. 25)."""
    staff = _managed_person(request, pk)
    form = CommendForm(request.POST or None)

    def run():
        data = form.service_values()
        records.commendation_add(actor=request.user, staff=staff, **data)
        messages.success(request, _("褒奖已记录。"))
        return redirect("staffoffice:record", pk=staff.pk)

    return submit_once(request, form, run, "staffoffice/commend.html", {"staff": staff})


@login_required
@require_http_methods(["GET", "POST"])
def trainings(request, code: str):
    """GET/POST /staff-office/<code>/trainings/: sessions concerning the office (held by it,
    above or below it) and a form to record one it held, with attendees (Art. 21)."""
    node = selectors.office_node(request.user, code)
    form = SessionForm(request.POST or None, managed=selectors.managed_staff(request.user))

    def run():
        data = form.cleaned_data
        session = records.training_session_create(
            actor=request.user,
            area=node,
            title=data["title"],
            date=data["date"],
            hours=data["hours"],
            attendees=data["attendees"],
        )
        messages.success(request, _("培训已登记。"))
        return redirect("staffoffice:session", pk=session.pk)

    context = {"node": node, "page": _page(request, selectors.sessions_for(node))}
    return submit_once(request, form, run, "staffoffice/trainings.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def session(request, pk: int):
    """GET/POST /staff-office/trainings/<pk>/: a session and the attendees the user manages;
    POST adds attendees by work ID."""
    training_session = selectors.session_visible(request.user, pk)
    managed = selectors.managed_staff(request.user)
    form = AttendeesForm(request.POST or None, managed=managed)

    def run():
        added = records.training_attendees_add(
            actor=request.user, session=training_session, staff=form.cleaned_data["attendees"]
        )
        messages.success(request, _("已添加 %(n)s 名参训人员。") % {"n": added})
        return redirect("staffoffice:session", pk=training_session.pk)

    attendees = (
        training_session.attendances.filter(staff__in=managed).select_related("staff").order_by("staff__work_id")
    )
    context = {"session": training_session, "attendees": attendees}
    return submit_once(request, form, run, "staffoffice/session.html", context)


@login_required
@require_POST
def attendance_remove(request, pk: int):
    """POST /staff-office/attendances/<pk>/remove/: take a person off a session (a mistake)."""
    training = get_object_or_404(
        Training.objects.filter(staff__in=selectors.managed_staff(request.user)).select_related("staff"), pk=pk
    )
    records.training_attendee_remove(actor=request.user, training=training)
    messages.success(request, _("已移除 %(name)s。") % {"name": training.staff.name})
    return redirect("staffoffice:session", pk=training.session_id)


@login_required
def untrained(request, code: str):
    """GET /staff-office/<code>/untrained/?year=: staff serving now with no training in the
    year (Art. 21; the year on Beijing time, default this year)."""
    node = selectors.office_node(request.user, code)
    form = YearForm(request.GET or None, this_year=timezone.localdate().year)
    year = form.chosen()
    rows = selectors.untrained_staff(request.user, node, year)
    context = {"node": node, "year": year, "form": form, "page": _page(request, rows)}
    return render(request, "staffoffice/untrained.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def station(request, code: str):
    """GET/POST /staff-office/grids/<code>/station/: a grid's work station (Art. 24), shown
    on the public card."""
    area = scope.restrict_areas(request.user, MANAGE_STAFF).filter(code=code, level__in=GRID_LEVELS).first()
    if area is None:
        raise Http404
    current = WorkStation.objects.filter(area=area).order_by("id").first()
    initial = {f: getattr(current, f) for f in ("name", "address", "opening_hours", "phone")} if current else {}
    form = StationForm(request.POST or None, initial=initial or {"name": f"{area.name}工作室"})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                records.work_station_save(actor=request.user, area=area, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("工作站信息已保存，网格公示卡即时更新。"))
                return redirect("staffoffice:station", code=area.code)
    return render(request, "staffoffice/station.html", {"area": area, "form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def hotline(request, code: str):
    """GET/POST /staff-office/areas/<code>/hotline/: the supervision hotline of a node in the
    user's `manage_staff` reach, any level (Art. 10); shown with the number its cards show
    now (its own, else the nearest one above). Retired or out of reach: 404."""
    area = scope.restrict_areas(request.user, MANAGE_STAFF).filter(code=code, status="active").first()
    if area is None:
        raise Http404
    form = HotlineForm(request.POST or None, initial={"supervision_phone": area.supervision_phone})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            number = form.cleaned_data["supervision_phone"]
            try:
                area = area_set_hotline(actor=request.user, area=area, supervision_phone=number)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("监督电话已保存，网格公示卡即时更新。"))
                return redirect("staffoffice:hotline", code=area.code)
    above = next((a for a in area.get_ancestors(ascending=True) if a.supervision_phone), None)
    context = {"area": area, "form": form, "above": above}
    return render(request, "staffoffice/hotline.html", context, status=status)
