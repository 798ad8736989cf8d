"""HTML pages of the evaluation app: dashboards (Art. 11), scorecards (Art. 22), accountability (Art. 29).

Thin: reads through `evaluation.selectors` / `evaluation.statistics`, changes through
`evaluation.services`. Everything needs a login; out-of-reach objects are 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import exports, selectors, services, statistics
from .forms import MonthForm, RecomputeForm, WindowForm
from .indicators import REGISTRY, indicator_help
from .links import event_url


@login_required
def index(request):
    return render(
        request,
        "evaluation/index.html",
        {"home": selectors.home_area(request.user), "periods": selectors.periods_for(request.user)[:12]},
    )


@login_required
def dashboard_home(request):
    area = selectors.home_area(request.user)
    if area is None:
        raise Http404("no area in reach")
    return redirect("evaluation:dashboard", code=area.code)


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


@login_required
def period_detail(request, pk: int):
    """A period's ranking (scores by peer group), with compute/freeze/recompute for the authority."""
    period, _scores, context = _period_context(request, pk)
    context.update(
        may_manage=selectors.may_manage(request.user, period),
        recompute_form=RecomputeForm(),
        logs=period.recomputations.select_related("actor")[:10],
    )
    return render(request, "evaluation/period_detail.html", context)


@login_required
def period_print(request, pk: int):
    _period, _scores, context = _period_context(request, pk)
    return render(request, "evaluation/period_print.html", context)


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
                _p, _s, context = _period_context(request, pk)
                context.update(may_manage=True, recompute_form=form, logs=period.recomputations.all()[:10])
                return render(request, "evaluation/period_detail.html", context, status=400)
            services.period_recompute(actor=request.user, period=period, reason=form.cleaned_data["reason"])
            messages.success(request, _("已重新计算并记录。"))
    except PermissionDenied:
        raise
    except ValidationError as exc:
        for text in exc.messages:
            messages.error(request, text)
    return redirect("evaluation:period", pk=period.pk)


def accountability_tables(user, span, report_hours, accept_hours) -> list[dict]:
    """The four accountability lists (Art. 29) as `{"title", "headers", "rows": [[cells], url]}`."""
    overdue = selectors.overdue_dispatches(user, span)
    returned = selectors.returned_dispatches(user, span)
    accepted = selectors.late_acceptances(user, span, limit_hours=accept_hours)
    reports = selectors.late_reports(user, span, limit_hours=report_hours)

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
    ]


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
