"""HTML pages of the events app (Art. 15, 17, 18, 19): lists, report, detail with one
form per available step, work queues, notifications and patrols.

Every read goes through `Event.objects.restrict(user)` (out of scope is 404); every
change calls the step service in `events.services`. `Conflict` is shown as a message
(HTTP 409), `PermissionDenied` is a 403, `NotFound` a 404, a ValidationError goes next
to the fields. Thin views: no state change happens here.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q
from django.http import FileResponse, Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from catalog.attributes import display_report_fields
from idempotency.services import KeyReused, fingerprint, run_once
from personnel import roles
from personnel.scope import covering_q, unit_ids

from . import forms as step_forms
from . import selectors, services, workflow
from .choices import OPEN_STATUSES, AlertLevel, EventStatus, HandlingLevel, RequestState
from .exceptions import Conflict, NotFound, PermissionDenied
from .filtersets import EventFilterSet
from .forms import (
    PatrolEndForm,
    PatrolLogForm,
    PatrolStartForm,
    ReportForm,
    SelfHandleForm,
    StepForm,
    apply_errors,
    report_areas,
)
from .messaging import Notification
from .models import Attachment, Event, HandlingRequest, Patrol

S = EventStatus
PAGE_SIZE = 25


def _paginate(request, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _querystring(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def _listing(request, qs, template, extra=None):
    filterset = EventFilterSet(request.GET or None, queryset=qs)
    # Unbound (no query string): everything, unfiltered; bound and invalid: nothing.
    events = filterset.qs.queue_order() if not filterset.is_bound or filterset.is_valid() else qs.none()
    context = {"filter": filterset, "page": _paginate(request, events), "query": _querystring(request)}
    return render(request, template, {**context, **(extra or {})})


# Queues ----------------------------------------------------------------------------------------


def router_q(user) -> Q:
    """Open events the user routes now (dispatcher of the township, or the district after
    escalation) that need a routing step: reported, escalated, accepted (incl. returned),
    verified (to close), suspended (to resume), or with a pending request. Subqueries only."""
    pending = HandlingRequest.objects.filter(event_id=OuterRef("pk"), state=RequestState.PENDING)
    routes = (Q(level=HandlingLevel.TOWNSHIP) & covering_q(user, roles.DISPATCH, "township")) | (
        Q(level=HandlingLevel.COUNTY) & covering_q(user, roles.DISPATCH, "county")
    )
    needs = Q(status__in=[S.REPORTED, S.ESCALATED, S.ACCEPTED, S.VERIFIED, S.SUSPENDED]) | Q(Exists(pending))
    return Q(status__in=OPEN_STATUSES) & routes & needs


def handler_q(user) -> Q:
    """Events whose lead unit is one of the user's units and that wait for the unit: to
    sign (dispatched) or to handle (handling, suspended). Subqueries only."""
    return Q(lead_unit_id__in=unit_ids(user, "handler"), status__in=[S.DISPATCHED, S.HANDLING, S.SUSPENDED])


def verifier_q(user) -> Q:
    """Results submitted in grids where the user verifies (`verify_event`). Subqueries only."""
    return Q(status=S.RESULT_SUBMITTED) & covering_q(user, roles.VERIFY, "area")


def task_q(user) -> Q:
    """Everything waiting for the user (routing, handling, verifying). Each condition
    implies the user may see the event, so the workbench can skip `restrict` (no extra
    queries); pages still read through `restrict`."""
    return router_q(user) | handler_q(user) | verifier_q(user)


def router_queue(user):
    return Event.objects.restrict(user).filter(router_q(user))


def handler_tasks(user):
    return Event.objects.restrict(user).filter(handler_q(user))


def verification_tasks(user):
    return Event.objects.restrict(user).filter(verifier_q(user))


@login_required
def event_list(request):
    """GET /events/: the events the user may see, filtered, work-queue order, paginated."""
    return _listing(
        request, Event.objects.restrict(request.user).select_related("area", "item_version"), "events/list.html"
    )


@login_required
@require_http_methods(["GET", "POST"])
def queue(request):
    """GET /events/queue/: the dispatcher's queue; POST bulk-accepts the selected events."""
    qs = router_queue(request.user).select_related("area", "item_version")
    if request.method == "POST":
        accepted, failed = 0, []
        for event in qs.filter(pk__in=[p for p in request.POST.getlist("events") if p.isdigit()], status=S.REPORTED):
            try:
                services.event_accept(actor=request.user, event=event)
                accepted += 1
            except (Conflict, NotFound, ValidationError, PermissionDenied) as exc:
                failed.append(f"{event.number}：{getattr(exc, 'message', exc)}")
        if accepted:
            messages.success(request, _("已受理 %(n)d 件事件。") % {"n": accepted})
        for line in failed:
            messages.error(request, line)
        if not accepted and not failed:
            messages.warning(request, _("请先勾选待受理的事件。"))
        return redirect(request.get_full_path())
    return _listing(request, qs, "events/queue.html")


#: Tasks shown per section of /events/tasks/, most urgent first; the page says when there are more.
TASKS_SHOWN = 100


@login_required
def tasks(request):
    """GET /events/tasks/: the handling unit's tasks and the grid staff's verification tasks.

    Each section shows the `TASKS_SHOWN` most urgent (overdue, warned, nearest deadline) and
    says so when more are waiting, linking to the full event list."""
    user = request.user
    context = {}
    for name, qs in (("handling", handler_tasks(user)), ("verifying", verification_tasks(user))):
        rows = list(qs.select_related("area", "item_version").queue_order()[: TASKS_SHOWN + 1])
        context[name] = rows[:TASKS_SHOWN]
        context[f"{name}_more"] = len(rows) > TASKS_SHOWN
    context["shown"] = TASKS_SHOWN
    return render(request, "events/tasks.html", context)


@login_required
def overview(request):
    """GET /events/overview/: a supervisor's subtree — open events, overdue and warned first."""
    qs = Event.objects.restrict(request.user).open().select_related("area", "item_version")
    open_all = Event.objects.restrict(request.user).open()
    counts = {
        "open": open_all.count(),
        "red": open_all.filter(alert_level=AlertLevel.RED).count(),
        "yellow": open_all.filter(alert_level=AlertLevel.YELLOW).count(),
    }
    return _listing(request, qs, "events/overview.html", {"counts": counts})


# Report ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportPage:
    """One of the pages that create an event: its form, service and words."""

    form: type
    service: Callable
    title: str
    success: str  # with %(n)s, the event number
    no_grid: str  # the 404 when the user has no grid for the form's permission
    url_name: str
    other: str  # the page to switch to when this one does not fit
    other_label: str
    intro: str = ""


REPORT = ReportPage(
    form=ReportForm,
    service=services.event_report,
    title=gettext_lazy("上报事件"),
    success=gettext_lazy("事件已上报，编号 %(n)s。"),
    no_grid=gettext_lazy("您没有可以上报事件的网格。"),
    url_name="events:report",
    other="events:self-handle",
    other_label=gettext_lazy("能当场解决？就地处置"),
)
SELF_HANDLE = ReportPage(
    form=SelfHandleForm,
    service=services.event_self_handle,
    title=gettext_lazy("就地处置"),
    success=gettext_lazy("已就地处置，事件 %(n)s 已结案。"),
    no_grid=gettext_lazy("您没有可以就地处置事件的网格。"),
    url_name="events:self-handle",
    other="events:report",
    other_label=gettext_lazy("不能当场解决？上报事件"),
    intro=gettext_lazy(
        "网格长、专职网格员对清单中允许就地处置的事项，当场处置后如实登记，事件即时结案（条例第十七条）。"
    ),
)


def may_self_handle(user) -> bool:
    return report_areas(user, roles.SELF_HANDLE).exists()


def _report_page(request, page: ReportPage):
    """The report and on-the-spot handling pages (`page`: one form, one service call).

    A POST with `refresh` (item, grid or category changed) re-renders the form with the
    item's report fields, saving nothing. No grid for the form's permission is a 404."""
    refresh = request.method == "POST" and "refresh" in request.POST
    if request.method == "POST" and not refresh:
        form = page.form(request.POST, request.FILES, user=request.user)
    elif refresh:
        form = page.form(initial=request.POST.dict(), user=request.user)
        form.initial.update({k: request.POST.getlist(k) for k in request.POST if k.startswith("attr_")})
        for name, values in form.initial.items():
            if (
                isinstance(values, list)
                and len(values) == 1
                and name in form.fields
                and not hasattr(form.fields[name], "choices")
            ):
                form.initial[name] = values[0]
    else:
        form = page.form(user=request.user)
    if not form.fields["area"].queryset.exists():
        raise Http404(page.no_grid)
    status = 200
    if request.method == "POST" and not refresh and form.is_valid():
        try:
            return _file_once(request, form, page)
        except KeyReused:
            form.add_error(None, _("这张表单已经提交过，内容与那次不同；如确需另行上报，请核对后再次提交。"))
            form.data = form.data.copy()
            form.data["submission_key"] = str(uuid.uuid4())  # sending it again is a new, deliberate report
            status = 422
        except ValidationError as exc:
            apply_errors(form, exc, {"attachments": "photos", "attributes": None})
            if hasattr(exc, "error_dict"):
                for code, msgs in exc.message_dict.items():
                    if "attr_" + code in form.fields:
                        for m in msgs:
                            form.add_error("attr_" + code, m)
        except (Conflict, NotFound) as exc:
            form.add_error(None, exc.message)
    similar = []
    if form.area is not None and form.version is not None:
        similar = list(selectors.similar_open_events(area=form.area, item=form.version.item, user=request.user)[:5])
    context = {"form": form, "similar": similar, "page": page, "action": reverse(page.url_name)}
    if request.headers.get("HX-Request"):
        return render(request, "events/_report_form.html", context, status=status)
    # The switch to the other page only for those who may use it.
    context["other"] = page.other if page is SELF_HANDLE or may_self_handle(request.user) else None
    return render(request, "events/report.html", context, status=status)


def _file_once(request, form, page: ReportPage):
    """File the report through the page's service and redirect to the event, once per
    filled-in form: the form's hidden one-time `submission_key` goes through the same
    `idempotency.services.run_once` as the API's `Idempotency-Key` (a repeated POST of the
    same form, e.g. a double tap or a resend after a lost answer, is redirected to the
    event the first one filed). Raises the service's errors and `KeyReused`."""

    def file():
        event = page.service(actor=request.user, **form.service_kwargs())
        messages.success(request, page.success % {"n": event.number})
        return redirect("events:detail", number=event.number)

    key = form.cleaned_data.get("submission_key")
    if key is None:
        return file()
    return run_once(
        caller=f"user:{request.user.pk}",
        key=str(key),
        fingerprint=fingerprint(request, ignore={"csrfmiddlewaretoken"}),
        run=file,
        keep=lambda response: response.status_code == 302,
    )


@login_required
@require_http_methods(["GET", "POST"])
def report(request):
    """GET/POST /events/report/: the report form (上报)."""
    return _report_page(request, REPORT)


@login_required
@require_http_methods(["GET", "POST"])
def self_handle(request):
    """GET/POST /events/self-handle/: report and handle on the spot (就地处置, Art. 17 ¶2):
    grid leaders and full-time workers, items that allow it; the event closes at once."""
    return _report_page(request, SELF_HANDLE)


# Detail and steps -------------------------------------------------------------------------------


def _event(user, number) -> Event:
    return get_object_or_404(
        # Tree nodes in their own small queries: three joins of grids_area cost PostgreSQL
        # more to plan than the page costs to run (see events.api.views.EventViewSet).
        Event.objects.restrict(user)
        .select_related("item_version", "lead_unit", "merged_into", "reporter")
        .prefetch_related("area", "township", "county"),
        number=number,
    )


def step_form(name: str) -> type[StepForm] | None:
    """The form of step `name` on the event page (its `workflow.STEPS` row), or None for
    a step taken elsewhere (creating an event, the sweep's) or unknown."""
    row = workflow.STEPS.get(name)
    if row is None or row.creates or not row.form:
        return None
    return getattr(step_forms, row.form)


def _detail(request, event, bound=None, status=200):
    steps = workflow.available_steps(request.user, event)
    step_forms = []
    for name in steps:
        cls = step_form(name)
        if cls is None:
            continue
        if bound is not None and bound[0] == name:
            form = bound[1]
        else:
            form = cls(initial={"version": event.version}, event=event, prefix=name)
        step_forms.append({"name": name, "label": workflow.STEPS[name].label, "form": form})
    actions = event.actions.select_related("actor_organisation").prefetch_related("attachments")
    context = {
        "event": event,
        "actions": actions,
        "report_fields": display_report_fields(event.item_version, event.attributes),
        "step_forms": step_forms,
        "open_step": bound[0] if bound else _first_step(step_forms),
        "dispatches": event.dispatches.select_related("unit").order_by("-cycle", "role"),
        "requests": event.requests.order_by("-requested_at")[:5],
        "now": timezone.now(),
    }
    return render(request, "events/detail.html", context, status=status)


def _first_step(step_forms) -> str | None:
    """The step form the page opens with: the first that moves the event on (not `aside`
    in its `workflow.STEPS` row), else the first."""
    names = [s["name"] for s in step_forms]
    return next((n for n in names if not workflow.STEPS[n].aside), names[0] if names else None)


@login_required
def detail(request, number):
    """GET /events/<number>/: the event, its clocks, its timeline and the step forms."""
    return _detail(request, _event(request.user, number))


@login_required
def step(request, number, name):
    """POST /events/<number>/steps/<name>/: take one workflow step through its service,
    with its form (both named in the step's `workflow.STEPS` row)."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form_class = step_form(name)
    if form_class is None:
        raise Http404()
    event = _event(request.user, number)
    form = form_class(request.POST, request.FILES, event=event, prefix=name)
    if not form.is_valid():
        return _detail(request, event, bound=(name, form), status=400)
    try:
        workflow.STEPS[name].run()(
            actor=request.user, event=services.as_read(event, form.cleaned_data["version"]), **form.service_kwargs()
        )
    except Conflict as exc:
        # Someone changed the event meanwhile: show it as it is now, with what this user
        # typed still in the form (against the new version), to look over and send again.
        messages.error(request, str(exc.message))
        fresh = _event(request.user, number)
        data = request.POST.copy()
        data[form.add_prefix("version")] = fresh.version
        kept = form_class(data, event=fresh, prefix=name)
        kept.is_valid()
        return _detail(request, fresh, bound=(name, kept), status=409)
    except NotFound:
        raise Http404() from None
    except ValidationError as exc:
        apply_errors(form, exc, getattr(form, "aliases", {}))
        return _detail(request, _event(request.user, number), bound=(name, form), status=400)
    messages.success(request, _("已%(step)s。") % {"step": workflow.STEPS[name].label})
    return redirect("events:detail", number=number)


@login_required
def attachment(request, number, pk):
    """GET /events/<number>/attachments/<pk>/: a photo, only to users who may see the event."""
    event = _event(request.user, number)
    item = get_object_or_404(Attachment, pk=pk, event=event)
    response = FileResponse(item.file.open("rb"), content_type=item.content_type)
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, max-age=3600"
    return response


# Notifications and patrols --------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def notifications(request):
    """GET /events/notifications/: my inbox; POST marks one (`id`) or all as read."""
    mine = Notification.objects.filter(user=request.user)
    if request.method == "POST":
        unread = mine.filter(read_at__isnull=True)
        if request.POST.get("id", "").isdigit():
            unread = unread.filter(pk=int(request.POST["id"]))
        unread.update(read_at=timezone.now())
        return redirect("events:notifications")
    page = _paginate(request, mine.select_related("event"))
    return render(
        request, "events/notifications.html", {"page": page, "unread": mine.filter(read_at__isnull=True).count()}
    )


@login_required
@require_http_methods(["GET", "POST"])
def patrols(request):
    """GET /events/patrols/: my patrols; POST `start`, `end` (with `patrol`) or `log`."""
    user = request.user
    start_form = PatrolStartForm(user=user, prefix="start")
    log_form = PatrolLogForm(user=user, prefix="log")
    end_form = PatrolEndForm(prefix="end")
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "start":
                start_form = PatrolStartForm(request.POST, user=user, prefix="start")
                if start_form.is_valid():
                    services.patrol_start(actor=user, **start_form.cleaned_data)
                    messages.success(request, _("巡查已开始。"))
                    return redirect("events:patrols")
            elif action == "end":
                end_form = PatrolEndForm(request.POST, prefix="end")
                if end_form.is_valid():
                    services.patrol_end(actor=user, patrol=request.POST.get("patrol"), **end_form.cleaned_data)
                    messages.success(request, _("巡查已结束。"))
                    return redirect("events:patrols")
            elif action == "log":
                log_form = PatrolLogForm(request.POST, user=user, prefix="log")
                if log_form.is_valid():
                    services.patrol_log(actor=user, **log_form.cleaned_data)
                    messages.success(request, _("巡查记录已保存。"))
                    return redirect("events:patrols")
        except ValidationError as exc:
            target = {"start": start_form, "end": end_form, "log": log_form}.get(action, log_form)
            apply_errors(target, exc)
        except (Conflict, NotFound) as exc:
            messages.error(request, str(exc.message))
        status = 400
    # The visits recorded in the ledgers during each round (the patrol log links them, Art. 15(2)).
    mine = (
        Patrol.objects.filter(user=user)
        .select_related("area")
        .prefetch_related("visits__household__address", "visits__person", "visits__unit")
    )
    context = {
        "start_form": start_form,
        "end_form": end_form,
        "log_form": log_form,
        "open_patrols": mine.filter(ended_at__isnull=True),
        "page": _paginate(request, mine),
        "can_patrol": start_form.fields["area"].queryset.exists(),
    }
    return render(request, "events/patrols.html", context, status=status)
