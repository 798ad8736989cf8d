"""Pages of the ledgers, sized for a grid worker's phone (390 px): find a household, see who
lives there (masked), record a visit, turn a finding into an event; due visits; a resident's
page with a logged reveal; exact-ID search. Thin: reads through `restrict`, writes through
the services. Everything out of scope is a 404. No personal data in any URL."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from events.forms import ReportForm, apply_errors
from events.submit import once, submit_once
from idempotency.services import KeyReused
from personnel.roles import KEEP_LEDGERS

from . import privacy, services, visits
from .choices import PersonStatus
from .forms import IdSearchForm, PersonForm, RevealForm, UnitFilterForm, VisitForm
from .models import Household, Person, PersonTag, Unit, Visit

PAGE_SIZE = 30


def _page(request, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _members(user):
    """A household's members with only the tags `user` may see."""
    tags = PersonTag.objects.filter(tag__in=privacy.visible_tags(user)).select_related("tag")
    return Prefetch("members", queryset=Person.objects.prefetch_related(Prefetch("persontag_set", queryset=tags)))


@login_required
def index(request):
    """GET /ledgers/: households of the user's grids, searchable by address; due visits first."""
    q = (request.GET.get("q") or "").strip()[:60]
    households = Household.objects.restrict(request.user).select_related("address", "head").order_by("address__code")
    if q:
        households = households.filter(address__full_text__icontains=q)
    today = timezone.localdate()
    due = list(visits.due_visits(request.user)[:5])
    context = {"page": _page(request, households), "q": q, "due": due, "today": today}
    return render(request, "ledgers/index.html", context)


@login_required
def household_detail(request, pk: int):
    """GET /ledgers/households/<pk>/: address, members (ID and mobile masked), visits."""
    household = get_object_or_404(
        Household.objects.restrict(request.user)
        .select_related("address", "area")
        .prefetch_related(_members(request.user)),
        pk=pk,
    )
    recent = Visit.objects.filter(household=household).select_related("visitor", "event")[:10]
    return render(request, "ledgers/household.html", {"household": household, "visits": recent})


@login_required
@require_http_methods(["GET", "POST"])
def person_new(request, pk: int):
    """GET/POST /ledgers/households/<pk>/person/: register a resident in the household (once per form)."""
    household = get_object_or_404(Household.objects.restrict(request.user), pk=pk)
    tags = privacy.visible_tags(request.user).filter(is_active=True).order_by("code")
    form = PersonForm(request.POST or None, tags=tags)

    def register():
        data = form.service_values()
        services.person_register(actor=request.user, household=household, **data)
        messages.success(request, _("已登记。"))
        return redirect("ledgers:household", pk=household.pk)

    return submit_once(request, form, register, "ledgers/person_form.html", {"household": household})


@login_required
@require_http_methods(["GET", "POST"])
def person_detail(request, pk: int):
    """GET/POST /ledgers/persons/<pk>/: a resident, masked; POST reveals one field with a purpose (logged).
    The clear value is only in this POST's answer, never in a URL or the browser's storage."""
    person = get_object_or_404(
        Person.objects.restrict(request.user).select_related("residence", "household", "area"), pk=pk
    )
    form, revealed = RevealForm(request.POST or None), None
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            revealed = (
                form.cleaned_data["field"],
                privacy.person_reveal(actor=request.user, person=person, **form.cleaned_data),
            )
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
            status = 403
        except ValidationError as exc:
            apply_errors(form, exc)
    elif request.method == "POST":
        status = 400
    tags = privacy.visible_tags(request.user).filter(persons=person)
    context = {
        "person": person,
        "tags": tags,
        "form": form,
        "revealed": revealed,
        "moves": person.moves.select_related("from_area", "to_area", "from_residence", "to_residence")[:10],
        "kept": person.status == PersonStatus.PRESENT
        and Person.objects.restrict(request.user, KEEP_LEDGERS).filter(pk=person.pk).exists(),
        "visits": Visit.objects.filter(person=person).select_related("visitor")[:10],
    }
    response = render(request, "ledgers/person.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def search_id(request):
    """GET/POST /ledgers/search/: exact document-number search through the keyed hash (logged)."""
    form = IdSearchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        person = privacy.person_search_id(actor=request.user, **form.cleaned_data)
        if person is not None:
            return redirect("ledgers:person", pk=person.pk)
        form.add_error("id_number", _("您的辖区内没有此证件号码的人员。"))
    response = render(request, "ledgers/search.html", {"form": form})
    response["Cache-Control"] = "no-store"
    return response


_TARGETS = {"household": Household, "person": Person, "unit": Unit}


def _target(request, kind: str, pk: int):
    model = _TARGETS.get(kind)
    if model is None:
        raise Http404
    return get_object_or_404(model.objects.restrict(request.user), pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def visit_new(request, kind: str, pk: int):
    """GET/POST /ledgers/visit/<kind>/<pk>/: record a visit; once per filled-in form (submission key)."""
    target = _target(request, kind, pk)
    form = VisitForm(request.POST or None, request.FILES or None)

    def record():
        data = form.cleaned_data
        visit = visits.visit_record(
            actor=request.user,
            target=target,
            visited_at=data["visited_at"],
            findings=data["findings"],
            follow_up=data["follow_up"],
            photo=data["photo"],
        )
        messages.success(request, _("走访已记录。"))
        return redirect("ledgers:visit", pk=visit.pk)

    return submit_once(request, form, record, "ledgers/visit_form.html", {"target": target})


@login_required
def visit_detail(request, pk: int):
    """GET /ledgers/visits/<pk>/: one visit, with 转为事件 while it has none."""
    visit = get_object_or_404(
        Visit.objects.restrict(request.user).select_related("visitor", "event", "household", "person", "unit"), pk=pk
    )
    return render(request, "ledgers/visit.html", {"visit": visit})


@login_required
def visit_photo(request, pk: int):
    """GET /ledgers/visits/<pk>/photo: the visit's photo, to those who may see the visit."""
    visit = get_object_or_404(Visit.objects.restrict(request.user).exclude(photo=""), pk=pk)
    response = FileResponse(visit.photo.open("rb"))
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def visit_event(request, pk: int):
    """GET/POST /ledgers/visits/<pk>/event/: the report form prefilled from the visit (grid,
    address, finding, time); filing it creates the event and links it to the visit."""
    visit = get_object_or_404(Visit.objects.restrict(request.user), pk=pk)
    if visit.event_id:
        return redirect("events:detail", number=visit.event.number)
    refresh = request.method == "POST" and "refresh" in request.POST
    if request.method == "POST" and not refresh:
        form = ReportForm(request.POST, request.FILES, user=request.user)
    else:
        form = ReportForm(initial=request.POST.dict() if refresh else visits.event_initial(visit), user=request.user)
    if not form.fields["area"].queryset.exists():
        raise Http404(_("您没有可以上报事件的网格。"))
    status = 200
    if request.method == "POST" and not refresh and form.is_valid():

        def file():
            event = visits.visit_to_event(actor=request.user, visit=visit, **form.service_kwargs())
            messages.success(request, _("已转为事件 %(n)s。") % {"n": event.number})
            return redirect("events:detail", number=event.number)

        try:
            return once(request, form, file)
        except KeyReused:
            form.add_error(None, _("这张表单已经提交过，内容与那次不同。"))
            status = 422
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
            status = 403
        except ValidationError as exc:
            apply_errors(form, exc, {"attachments": "photos", "attributes": None})
    context = {"form": form, "visit": visit, "action": reverse("ledgers:visit-event", args=[visit.pk])}
    if request.headers.get("HX-Request"):
        return render(request, "events/_report_form.html", context, status=status)
    return render(request, "ledgers/visit_event.html", context, status=status)


@login_required
def due(request):
    """GET /ledgers/due/: the user's due visits (care targets in their grids), overdue first."""
    today = timezone.localdate()
    page = _page(request, visits.due_visits(request.user))
    return render(request, "ledgers/due.html", {"page": page, "today": today})


@login_required
def unit_list(request):
    """GET /ledgers/units/: actual units in reach, by type and fire-safety class."""
    form = UnitFilterForm(request.GET or None)
    units = Unit.objects.restrict(request.user).select_related("address")
    if form.is_valid():
        for name in ("kind", "safety_class"):
            if form.cleaned_data[name]:
                units = units.filter(**{name: form.cleaned_data[name]})
    return render(request, "ledgers/units.html", {"page": _page(request, units), "form": form})
