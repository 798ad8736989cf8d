"""HTML pages of the evaluation app: dashboards (Art. 11), scorecards (Art. 22), accountability (Art. 29).

Thin: reads through `evaluation.selectors` / `evaluation.statistics`, changes through
`evaluation.services`. Everything needs a login; out-of-reach objects are 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ningbo_grid.replica import reads_from_replica

from . import exports, selectors, services, statistics
from .choices import PeriodState, SubjectKind
from .defaults import DEFAULT_INDICATORS
from .evaluators import authorize_run
from .forms import AdjustmentForm, IndicatorFormSet, MonthForm, PrefillForm, RecomputeForm, SchemeForm, WindowForm
from .indicators import REGISTRY, indicator_help
from .links import event_url


@login_required
def index(request):
    return render(
        request,
        "evaluation/index.html",
        {
            "home": selectors.home_area(request.user),
            "periods": selectors.periods_for(request.user)[:12],
            "may_define": selectors.authorities_for(request.user).exists(),
        },
    )


@login_required
def dashboard_home(request):
    area = selectors.home_area(request.user)
    if area is None:
        raise Http404("no area in reach")
    return redirect("evaluation:dashboard", code=area.code)


@reads_from_replica
@login_required
def dashboard(request, code: str):
    """Key figures, trends, breakdowns, grid ranking and overdue list of one subtree."""
    area = selectors.area_for_dashboard(request.user, code)
    form = WindowForm(request.GET or None)
    start, end = form.span()
    data = statistics.snapshot(area, start, end)
    charts = {
        "daily": [[d["date"].isoformat(), d["reported"], d["closed"], d["overdue"]] for d in data["daily"]],
        "weekly": [[w["week"].isoformat(), w["reported"], w["closed"], w["overdue"]] for w in data["weekly"]],
        "category": [[r["label"], r["reported"]] for r in data["by_category"]],
        "grade": [[r["label"], r["reported"]] for r in data["by_grade"]],
        "item": [[r["label"], r["reported"]] for r in data["by_item"]],
    }
    overdue = [{"event": e, "url": event_url(e.number)} for e in statistics.overdue_list(request.user, area)]
    children = area.get_children().filter(status="active").order_by("code") if area.level != "grid" else []
    return render(
        request,
        "evaluation/dashboard.html",
        {
            **data,
            "form": form,
            "ancestors": area.get_ancestors().filter(pk__in=selectors.restrict_areas(request.user).values("pk")),
            "children": children,
            "overdue": overdue,
            "charts": charts,
        },
    )


@login_required
def period_list(request):
    return render(request, "evaluation/period_list.html", {"periods": selectors.periods_for(request.user)})


def _period_context(request, pk):
    period = selectors.period_for(request.user, pk)
    scores = list(selectors.scores_for(request.user, period).select_related("period"))
    rules = list(period.scheme.indicators.all())
    columns = [{"rule": r, "indicator": REGISTRY.get(r.code), "help": indicator_help(r.code)} for r in rules]
    rows = [{"score": s, "cells": [(s.values.get(r.code), s.points.get(r.code)) for r in rules]} for s in scores]
    return period, scores, {"period": period, "columns": columns, "rows": rows}


def _subjects(scores) -> list[tuple[str, str]]:
    return [(services.score_key(s), f"{s.label}（{s.peer_group}）") for s in scores]


@login_required
def period_detail(request, pk: int, adjustment_form=None, recompute_form=None, status=200):
    """A period's ranking (scores by peer group), with compute/freeze/recompute and adjustments for the authority."""
    period, scores, context = _period_context(request, pk)
    labels = dict(_subjects(scores))
    context.update(
        may_manage=selectors.may_manage(request.user, period),
        recompute_form=recompute_form or RecomputeForm(),
        adjustment_form=adjustment_form or AdjustmentForm(subjects=_subjects(scores)),
        adjustments=[(a, labels.get(a.subject_key, a.subject_key)) for a in period.adjustments.all()],
        logs=period.recomputations.select_related("actor")[:10],
    )
    return render(request, "evaluation/period_detail.html", context, status=status)


@login_required
@require_POST
def period_adjust(request, pk: int):
    """Record a bonus or a concealed report found later; an open period is recomputed at once."""
    period = selectors.period_for(request.user, pk)
    authorize_run(request.user, period.scheme.authority, services.NOT_AUTHORITY)
    form = AdjustmentForm(request.POST, subjects=_subjects(selectors.scores_for(request.user, period)))
    if not form.is_valid():
        return period_detail(request, pk, adjustment_form=form, status=400)
    data = form.cleaned_data
    services.adjustment_add(
        actor=request.user,
        period=period,
        subject_key=data["subject"],
        kind=data["kind"],
        points=data["points"] or 0,
        reason=data["reason"],
        event_number=data["event_number"],
    )
    if period.is_frozen:
        messages.success(request, _("已登记。考评期已冻结，须“说明理由后重新计算”方可计入得分。"))
    else:
        services.period_compute(actor=request.user, period=period)
        messages.success(request, _("已登记并重新计算。"))
    return redirect("evaluation:period", pk=period.pk)


@login_required
def period_print(request, pk: int):
    _period, _scores, context = _period_context(request, pk)
    return render(request, "evaluation/period_print.html", context)


@reads_from_replica
@login_required
def period_export(request, pk: int, fmt: str):
    period, scores, _context = _period_context(request, pk)
    headers, rows = exports.score_table(period, scores)
    name = f"{period.scheme.name}-{period.start:%Y%m%d}"
    if fmt == "xlsx":
        return exports.xlsx_response(f"{name}.xlsx", _("考评得分"), headers, rows)
    return exports.csv_response(f"{name}.csv", headers, rows)


@login_required
@require_POST
def period_act(request, pk: int, act: str):
    """POST compute / freeze / recompute (with a reason) of a period; errors come back as messages."""
    period = selectors.period_for(request.user, pk)
    try:
        if act == "compute":
            services.period_compute(actor=request.user, period=period)
            messages.success(request, _("已重新计算。"))
        elif act == "freeze":
            services.period_freeze(actor=request.user, period=period)
            messages.success(request, _("考评期已冻结。"))
        else:
            form = RecomputeForm(request.POST)
            if not form.is_valid():
                return period_detail(request, pk, recompute_form=form, status=400)
            services.period_recompute(actor=request.user, period=period, reason=form.cleaned_data["reason"])
            messages.success(request, _("已重新计算并记录。"))
    except PermissionDenied:
        raise
    except ValidationError as exc:
        for text in exc.messages:
            messages.error(request, text)
    return redirect("evaluation:period", pk=period.pk)


@login_required
def scheme_list(request):
    """The schemes of the authorities and townships the user acts for (Art. 22); 403 for anyone else."""
    if not selectors.authorities_for(request.user).exists():
        raise PermissionDenied(_("只有网格化主管单位或乡镇（街道）可以制定考评方案。"))
    return render(request, "evaluation/scheme_list.html", {"schemes": selectors.schemes_for(request.user)})


def _indicator_initial(scheme, kind) -> list[dict]:
    if scheme is not None:
        return list(scheme.indicators.values("code", "group", "weight", "floor", "target", "missing_ratio"))
    return [dict(row) for row in DEFAULT_INDICATORS.get(kind, [])]


@login_required
def scheme_edit(request, pk: int | None = None):
    """Create a scheme, or change one (a new version once a frozen period uses it; `services.scheme_revise`).

    The form starts from the default indicators of the chosen subject (`?subject_kind=`).
    Errors come back next to the fields, with what was typed.
    """
    authorities = selectors.authorities_for(request.user)
    scheme = selectors.scheme_for(request.user, pk) if pk is not None else None
    if scheme is None and not authorities.exists():
        raise PermissionDenied(_("只有网格化主管单位或乡镇（街道）可以制定考评方案。"))
    prefill = PrefillForm(request.GET if "subject_kind" in request.GET else None)
    kind = prefill.cleaned_data["subject_kind"] if prefill.is_valid() else SubjectKind.TOWNSHIP
    kind = scheme.subject_kind if scheme else kind
    in_frozen_use = scheme is not None and scheme.periods.filter(state=PeriodState.FROZEN).exists()
    if request.method == "POST":
        form = SchemeForm(request.POST, instance=scheme, authorities=authorities)
        formset = IndicatorFormSet(request.POST, prefix="ind")
        form_ok = form.is_valid()
        formset.subject_kind = scheme.subject_kind if scheme else form.cleaned_data.get("subject_kind")
        if scheme is not None and scheme.revisions.exists():
            form.add_error(None, _("此方案已由新版本取代，请修改新版本。"))
        elif form_ok and formset.is_valid():
            try:
                if scheme is None:
                    saved = services.scheme_create(
                        actor=request.user,
                        authority=form.cleaned_data["authority"],
                        subject_kind=form.cleaned_data["subject_kind"],
                        indicators=formset.rows(),
                        **form.rules(),
                    )
                    messages.success(request, _("考评方案已创建。"))
                else:
                    saved = services.scheme_revise(
                        actor=request.user, scheme=scheme, indicators=formset.rows(), **form.rules()
                    )
                    revised = _("该方案已用于冻结的考评期，已另存为新版本；原方案停用，已冻结的得分不变。")
                    messages.success(request, revised if saved.pk != scheme.pk else _("考评方案已保存。"))
                return redirect("evaluation:scheme-edit", pk=saved.pk)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    for text in errors:
                        form.add_error(field if field in form.fields else None, text)
        status = 400
    else:
        form = SchemeForm(instance=scheme, authorities=authorities, initial={"subject_kind": kind})
        formset = IndicatorFormSet(initial=_indicator_initial(scheme, kind), prefix="ind")
        status = 200
    context = {
        "form": form,
        "formset": formset,
        "scheme": scheme,
        "in_frozen_use": in_frozen_use,
        "prefill": prefill if prefill.is_bound else PrefillForm(initial={"subject_kind": kind}),
        "periods": scheme.periods.order_by("-start")[:12] if scheme else [],
    }
    return render(request, "evaluation/scheme_form.html", context, status=status)


@login_required
@require_POST
def scheme_open_period(request, pk: int):
    """Open (and compute) the scheme's current period, then show it."""
    scheme = selectors.scheme_for(request.user, pk)
    period = services.period_open(actor=request.user, scheme=scheme, day=timezone.localdate())
    if not period.is_frozen:
        services.period_compute(actor=request.user, period=period)
    return redirect("evaluation:period", pk=period.pk)


def accountability_tables(user, span, report_hours, accept_hours) -> list[dict]:
    """The five accountability lists (Art. 29) as `{"title", "headers", "rows": [[cells], url]}`."""
    overdue = selectors.overdue_dispatches(user, span)
    returned = selectors.returned_dispatches(user, span)
    accepted = selectors.late_acceptances(user, span, limit_hours=accept_hours)
    reports = selectors.late_reports(user, span, limit_hours=report_hours)
    tasks = selectors.late_assignments(user, span)

    def person(user_obj):
        if user_obj is None:
            return ""
        staff = getattr(user_obj, "staff", None)
        return staff.name if staff else user_obj.get_username()

    return [
        {
            "key": "overdue",
            "title": _("超期办理"),
            "headers": [
                _("事件编号"),
                _("标题"),
                _("承办单位"),
                _("签收人"),
                _("办结时限"),
                _("办结时间"),
                _("超期（小时）"),
            ],
            "rows": [
                (
                    [
                        d.event.number,
                        d.event.title,
                        d.unit.name,
                        person(d.signed_by),
                        d.complete_due_at,
                        d.completed_at,
                        round(d.overdue_hours, 1),
                    ],
                    event_url(d.event.number),
                )
                for d in overdue[:500]
            ],
        },
        {
            "key": "returned",
            "title": _("退回事件"),
            "headers": [_("事件编号"), _("标题"), _("承办单位"), _("退回人"), _("退回时间"), _("退回理由")],
            "rows": [
                (
                    [d.event.number, d.event.title, d.unit.name, d.returned_by or "", d.returned_at, d.return_reason],
                    event_url(d.event.number),
                )
                for d in returned[:500]
            ],
        },
        {
            "key": "accepted_late",
            "title": _("超时受理"),
            "headers": [
                _("事件编号"),
                _("标题"),
                _("乡镇（街道）"),
                _("受理人"),
                _("上报时间"),
                _("受理时间"),
                _("用时（小时）"),
            ],
            "rows": [
                (
                    [
                        e.number,
                        e.title,
                        e.township.name,
                        e.accepted_by or "",
                        e.reported_at,
                        e.accepted_at,
                        round(e.hours_taken, 1),
                    ],
                    event_url(e.number),
                )
                for e in accepted[:500]
            ],
        },
        {
            "key": "late_reports",
            "title": _("迟报事件"),
            "headers": [
                _("事件编号"),
                _("标题"),
                _("网格"),
                _("上报人"),
                _("发现时间"),
                _("上报时间"),
                _("迟报（小时）"),
            ],
            "rows": [
                (
                    [
                        e.number,
                        e.title,
                        e.area.name,
                        person(e.reporter),
                        e.discovered_at,
                        e.reported_at,
                        round(e.hours_late, 1),
                    ],
                    event_url(e.number),
                )
                for e in reports[:500]
            ],
        },
        {
            "key": "late_tasks",
            "title": _("下派任务超期（含未签收）"),
            "headers": [_("任务"), _("乡镇（街道）"), _("网格"), _("状态"), _("截止时间"), _("完成时间")],
            "rows": [
                (
                    [a.task.title, a.township.name, a.area.name, a.get_status_display(), a.due_at, a.done_at],
                    reverse("tasks:assignment", args=[a.pk]),
                )
                for a in tasks[:500]
            ],
        },
    ]


@reads_from_replica
@login_required
def accountability(request):
    """Who delayed, refused or blocked what in a month (Art. 29), each row linking to the event's timeline."""
    form = MonthForm(request.GET or None)
    span, report_hours, accept_hours = form.values()
    tables = accountability_tables(request.user, span, report_hours, accept_hours)
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx") and form.is_valid():
        wanted = request.GET.get("table", "overdue")
        table = next((t for t in tables if t["key"] == wanted), tables[0])
        rows = [cells for cells, _url in table["rows"]]
        name = f"{table['title']}-{span.start:%Y%m}"
        headers = [str(h) for h in table["headers"]]
        if fmt == "xlsx":
            return exports.xlsx_response(f"{name}.xlsx", str(table["title"]), headers, rows)
        return exports.csv_response(f"{name}.csv", headers, rows)
    return render(
        request,
        "evaluation/accountability.html",
        {"form": form, "span": span, "tables": tables, "query": request.GET.urlencode()},
    )
