"""Pages of the emergency app under /emergency/ (Art. 18): responses, check-ins, the board.

Step views are generated from `emergency.workflow.STEPS`: `step` takes any row with a
form on the response or check-in page through its service.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from events.exceptions import Conflict, InvalidTransition, NotFound, PermissionDenied
from idempotency.services import KeyReused, fingerprint, run_once

from . import forms, selectors, services, workflow
from .choices import BoardShow, CheckInStatus, ResponseStatus


def _step_forms(user, obj, subject: str) -> list[dict]:
    out = []
    for name in workflow.available_steps(user, obj, subject):
        form_class = getattr(forms, workflow.STEPS[name].form)
        initial = {"version": obj.version}
        if name == "report" and obj.on_duty is not None:
            initial |= {"on_duty": obj.on_duty, "to_transfer": obj.to_transfer, "hazards": obj.hazards}
        out.append(
            {"name": name, "label": workflow.STEPS[name].label, "form": form_class(initial=initial, prefix=name)}
        )
    return out


@login_required
def index(request):
    """GET /emergency/: responses in reach (active first) and the user's own check-ins to make."""
    responses = selectors.responses(request.user).select_related("area").order_by("status", "-activated_at")[:50]
    mine = (
        selectors.checkins(request.user)
        .filter(leader=request.user, response__status=ResponseStatus.ACTIVE)
        .select_related("response", "area")
        .order_by("status", "due_at")
    )
    may_activate = forms.ActivateForm(user=request.user).fields["area"].queryset.exists()
    return render(request, "emergency/index.html", {"responses": responses, "mine": mine, "may_activate": may_activate})


@login_required
@require_http_methods(["GET", "POST"])
def new(request):
    """GET/POST /emergency/new/: activate a response; once per filled-in form (submission key)."""
    form = forms.ActivateForm(request.POST or None, user=request.user)
    if not form.fields["area"].queryset.exists():
        raise DjangoPermissionDenied(_("只有区（县、市）主管单位可以启动应急响应。"))
    if request.method == "POST" and form.is_valid():

        def run():
            data = form.service_values()
            try:
                response = services.response_activate(actor=request.user, **data)
            except ValidationError as exc:
                for name, errors in exc.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
                return render(request, "emergency/new.html", {"form": form}, status=400)
            return redirect("emergency:detail", pk=response.pk)

        try:
            return run_once(
                caller=f"user:{request.user.pk}",
                key=str(form.cleaned_data.get("submission_key")),
                fingerprint=fingerprint(request, ignore={"csrfmiddlewaretoken"}),
                run=run,
                keep=lambda response: response.status_code == 302,
            )
        except KeyReused:
            form.add_error(None, _("该表单已提交过，请刷新页面后重新填写。"))
        except (NotFound, PermissionDenied) as exc:
            form.add_error(None, str(exc.message))
    return render(request, "emergency/new.html", {"form": form}, status=400 if form.errors else 200)


def _response(user, pk: int):
    return get_object_or_404(selectors.responses(user).select_related("area", "county", "activated_by"), pk=pk)


def _board(request, response) -> dict:
    """The board's context for the query `?township=<id>&show=<BoardShow>&page=<n>`: without
    a township, the per-township summary; with one, its counts and one page of its grids
    (default: those not checked in). A township with no check-in in reach is a 404."""
    try:
        township = int(request.GET["township"])
    except (KeyError, ValueError):
        township = None
    summary = selectors.board(request.user, response, township)
    context = {"board": summary, "detail_url": reverse("emergency:detail", args=[response.pk])}
    context["board_url"] = reverse("emergency:board", args=[response.pk])
    if township is None:
        return context
    if not summary.townships:
        raise Http404()
    show = request.GET.get("show") if request.GET.get("show") in BoardShow.values else BoardShow.PENDING
    page = selectors.township_page(request.user, response, township, show, request.GET.get("page"))
    row = summary.townships[0]
    counts = {
        BoardShow.PENDING: row.total - row.checked_in,
        BoardShow.CHECKED_IN: row.checked_in,
        BoardShow.ALL: row.total,
    }
    context |= {
        "township": row,
        "page": page,
        "query": urlencode({"township": township, "show": show}),
        "poll": urlencode({"township": township, "show": show, "page": page.number}),
        "filters": [
            {
                "label": label,
                "count": counts[value],
                "on": value == show,
                "query": urlencode({"township": township, "show": value}),
            }
            for value, label in BoardShow.choices
        ],
    }
    return context


@login_required
def detail(request, pk: int):
    """GET /emergency/<pk>/: the response, its step forms, the roll-call board (the query of
    `_board`: the summary, or a township's page) and the timeline."""
    response = _response(request.user, pk)
    records = response.records.select_related("actor", "checkin__area", "event").order_by("-at", "-id")[:200]
    context = {
        "response": response,
        "step_forms": _step_forms(request.user, response, "response"),
        "records": records,
    }
    return render(request, "emergency/detail.html", context | _board(request, response))


@login_required
def board(request, pk: int):
    """GET /emergency/<pk>/board/: the board alone, as on screen (the query of `_board`);
    htmx polls it every 10 seconds and swaps it in when a township, filter or page is chosen."""
    response = _response(request.user, pk)
    return render(request, "emergency/_board.html", {"response": response} | _board(request, response))


@login_required
def checkin(request, pk: int):
    """GET /emergency/checkin/<pk>/: a grid's check-in: the instructions, acknowledge, report."""
    obj = get_object_or_404(selectors.checkins(request.user).select_related("response", "area"), pk=pk)
    context = {
        "checkin": obj,
        "step_forms": _step_forms(request.user, obj, "checkin"),
        "pending": obj.status == CheckInStatus.PENDING,
    }
    return render(request, "emergency/checkin.html", context)


@login_required
@require_POST
def step(request, subject: str, pk: int, name: str):
    """POST /emergency/<subject>/<pk>/steps/<name>/: take the step (a `workflow.STEPS` row
    with a form on `subject`: "response" or "checkin") through its service."""
    row = workflow.STEPS.get(name)
    if row is None or row.creates or not row.form or workflow.SUBJECT[name] != subject:
        raise Http404()
    if subject == "response":
        obj, back = _response(request.user, pk), "emergency:detail"
    else:
        obj = get_object_or_404(selectors.checkins(request.user).select_related("response"), pk=pk)
        back = "emergency:checkin"
    form = getattr(forms, row.form)(request.POST, prefix=name)
    if not form.is_valid():
        messages.error(request, "；".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(back, pk=pk)
    kwargs = form.service_kwargs() | ({"step": name} if name in ("raise", "lower") else {})
    try:
        row.run()(actor=request.user, **{subject: obj}, version=form.cleaned_data["version"], **kwargs)
    except (Conflict, InvalidTransition, PermissionDenied, NotFound) as exc:
        messages.error(request, str(exc.message))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("已%(step)s。") % {"step": row.label})
    return redirect(back, pk=pk)
