"""Pages of assigned tasks under /tasks/: issue, progress (per township and grid), urge,
export; the grid's assignment page, usable on a phone, whose step forms come from the
table `tasks.workflow.STEPS`."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from events.exceptions import Conflict, NotFound
from grids import public_find
from idempotency.services import KeyReused, fingerprint, run_once
from ningbo_grid.replica import reads_from_replica

from . import forms, progress, services, workflow
from .choices import ResultKind
from .models import Assignment, Task, issued_q


def _issued(request) -> Task:
    return Task.objects.filter(issued_q(request.user)) if not request.user.is_superuser else Task.objects.all()


@login_required
def task_list(request):
    """GET /tasks/: the tasks the user or their organisation issued, newest first."""
    tasks = _issued(request).select_related("organisation")[:100]
    return render(request, "tasks/list.html", {"tasks": tasks})


#: Most nodes one search of the area picker returns (`task_areas`).
AREA_SEARCH_LIMIT = 50


@login_required
@require_GET
def task_areas(request):
    """GET /tasks/areas/?q=: the task issue form's area picker (Art. 19 issue #17).

    Returns `{"results": [{"id", "code", "name", "level", "level_label", "path"}], "more": bool}`:
    the nodes the caller may send a task to (`forms.issuable_areas`) whose name contains `q`
    or whose code starts with it, in tree order, at most `AREA_SEARCH_LIMIT`; `more` tells
    that there were more. A missing, empty or over-long `q` is a 400 with the field's code.
    """
    text = request.GET.get("q", "").strip()
    if not text or len(text) > 50:
        code, message = ("required", _("请输入名称或编码。")) if not text else ("max_length", _("最多50个字。"))
        return JsonResponse({"errors": {"q": [{"code": code, "message": message}]}}, status=400)
    found = list(
        forms.issuable_areas(request.user)
        .filter(Q(name__icontains=text) | Q(code__startswith=text))
        .only("id", "code", "name", "level", "parent")[: AREA_SEARCH_LIMIT + 1]
    )
    more, found = len(found) > AREA_SEARCH_LIMIT, found[:AREA_SEARCH_LIMIT]
    results = [
        {
            "id": hit.area.pk,
            "code": hit.area.code,
            "name": hit.area.name,
            "level": hit.area.level,
            "level_label": hit.area.get_level_display(),
            "path": " › ".join(filter(None, [hit.above, hit.area.name])),
        }
        for hit in public_find.with_context(found)
    ]
    return JsonResponse({"results": results, "more": more})


def _errors_to_form(form, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@login_required
@require_http_methods(["GET", "POST"])
def task_new(request):
    """GET/POST /tasks/new/: issue a task (Art. 19); once per filled-in form (submission key)."""
    form = forms.TaskForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def run() -> HttpResponse:
            try:
                task = services.task_issue(
                    actor=request.user,
                    title=data["title"],
                    instructions=data["instructions"],
                    areas=list(data["areas"]),
                    working_days=data["working_days"],
                    result_kind=data["result_kind"],
                    item=data["item"],
                    temporary_matter=data["temporary_matter"],
                    attachment=data["attachment"],
                )
            except ValidationError as exc:
                _errors_to_form(form, exc)
                return render(request, "tasks/new.html", {"form": form})
            return redirect("tasks:detail", pk=task.pk)

        try:
            return run_once(
                caller=f"user:{request.user.pk}",
                key=str(data.get("submission_key") or uuid.uuid4()),
                fingerprint=fingerprint(request, ignore={"csrfmiddlewaretoken"}),
                run=run,
                keep=lambda response: response.status_code == 302,
            )
        except KeyReused:
            form.add_error(None, _("这张表单已经提交过，内容与那次不同。"))
            return render(request, "tasks/new.html", {"form": form}, status=422)
    return render(request, "tasks/new.html", {"form": form})


@login_required
def task_detail(request, pk: int):
    """GET /tasks/<pk>/: progress per township (done, overdue, not acknowledged) and the first
    `progress.LATE_SHOWN` late grids (the rest counted; all in the XLSX export)."""
    task = get_object_or_404(_issued(request), pk=pk)
    late = progress.late(task)
    shown = list(late[: progress.LATE_SHOWN])
    more = late.count() - len(shown) if len(shown) == progress.LATE_SHOWN else 0
    context = {"task": task, **progress.summary(task), "late": shown, "more": more, "late_count": len(shown) + more}
    return render(request, "tasks/detail.html", context)


@reads_from_replica
@login_required
def task_export(request, pk: int):
    """GET /tasks/<pk>/export.xlsx: every grid's assignment and result (XLSX)."""
    task = get_object_or_404(_issued(request), pk=pk)
    return progress.xlsx(task)


@login_required
@require_POST
def task_urge_late(request, pk: int):
    """POST /tasks/<pk>/urge/: urge every late assignment of the task."""
    task = get_object_or_404(_issued(request), pk=pk)
    count = services.urge_late(actor=request.user, task=task)
    if count:
        messages.success(request, _("已催办%(n)s个超期或未签收的网格。") % {"n": count})
    else:
        messages.info(request, _("没有超期或未签收的网格，未催办。"))
    return redirect("tasks:detail", pk=task.pk)


@login_required
@require_POST
def task_extend(request, pk: int):
    """POST /tasks/<pk>/extend/: send the task to grids drawn since it was issued."""
    task = get_object_or_404(_issued(request), pk=pk)
    count = services.task_extend(actor=request.user, task=task)
    messages.success(request, _("已补发至%(n)s个新网格。") % {"n": count})
    return redirect("tasks:detail", pk=task.pk)


def _step_form(name: str, assignment: Assignment, data=None, files=None):
    row = workflow.STEPS[name]
    cls = getattr(forms, row.form)
    kwargs = {"assignment": assignment} if cls is forms.RecordForm else {}
    return cls(data, files, initial={"version": assignment.version}, prefix=name, **kwargs)


def _assignment(request, pk: int) -> Assignment:
    qs = Assignment.objects.restrict(request.user).select_related("task", "area", "township")
    return get_object_or_404(qs, pk=pk)


@login_required
def assignment_detail(request, pk: int, bound=None):
    """GET /tasks/a/<pk>/: one grid's assignment, with a form for each step the user may take."""
    assignment = _assignment(request, pk)
    steps = [
        (name, workflow.STEPS[name], bound[1] if bound and bound[0] == name else _step_form(name, assignment))
        for name in workflow.available_steps(request.user, assignment)
    ]
    results = list(assignment.results.select_related("household__address", "visit"))
    context = {
        "a": assignment,
        "task": assignment.task,
        "steps": steps,
        "results": results,
        "logs": assignment.logs.select_related("actor"),
    }
    if assignment.task.result_kind == ResultKind.HOUSEHOLD:
        context["households"] = services.grid_households(assignment.area).count()
    return render(request, "tasks/assignment.html", context, status=400 if bound else 200)


@login_required
@require_POST
def assignment_step(request, pk: int, step: str):
    """POST /tasks/a/<pk>/<step>/: take `step` (a row of `tasks.workflow.STEPS`) with the
    version the page showed; a clash asks to reload, bad input shows the form again."""
    row = workflow.STEPS.get(step)
    if row is None or not row.form or row.who == "system":
        raise Http404
    assignment = _assignment(request, pk)
    form = _step_form(step, assignment, request.POST, request.FILES)
    if not form.is_valid():
        return assignment_detail(request, pk, bound=(step, form))
    data = dict(form.cleaned_data)
    try:
        row.run()(actor=request.user, assignment=assignment, **data)
    except ValidationError as exc:
        _errors_to_form(form, exc)
        return assignment_detail(request, pk, bound=(step, form))
    except NotFound:
        raise Http404 from None
    except Conflict as exc:
        messages.error(request, str(exc.message))
        return redirect("tasks:assignment", pk=pk)
    messages.success(request, _("已%(step)s。") % {"step": row.label})
    return redirect("tasks:assignment", pk=pk)
