"""The event-record indicators (Art. 17, 18, 22, 29): reporting, verification, patrols, tasks, handling.

Registered into `evaluation.indicators.REGISTRY` (imported by the app's `ready`, before
the ledger indicators, so the registry keeps this order). Definitions, units and
thresholds as described in `evaluation.indicators`.
"""

from __future__ import annotations

import datetime

from django.db.models import (
    Avg,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, NullIf
from django.db.models.lookups import LessThanOrEqual
from django.utils.translation import gettext_lazy as _

from events.choices import ActionKind, DispatchRole, EventStatus, RejectReason, RequestKind, RequestState
from events.models import Action, HandlingRequest
from events.workcalendar import WorkingClock
from grids.choices import Level
from grids.models import Area
from personnel.models import Assignment

from .indicators import (
    ALL_KINDS,
    AREA,
    HELP,
    STAFF,
    UNIT,
    Measure,
    Options,
    Seconds,
    Span,
    Subject,
    _at,
    _hours_over,
    _num,
    hours,
    indicator,
    pct,
)

# Grid staff and grid leaders ---------------------------------------------------------

INVALID = Q(status=EventStatus.REJECTED, reject_reason__in=[RejectReason.INVALID, RejectReason.DUPLICATE])


@indicator("events_reported", _("上报事件数"), _("件"), higher_better=True, kinds={STAFF, AREA}, source="events")
def events_reported(span, opt):
    """Events reported in the span (by the person / in the area)."""
    return Measure(span.q("reported_at"), {"n": Count("id")}, lambda a: a["n"] or 0)


@indicator("valid_report_rate", _("有效上报率"), "%", higher_better=True, kinds={STAFF, AREA}, source="events")
def valid_report_rate(span, opt):
    """Share of events reported in the span not rejected as invalid or duplicate."""
    return Measure(
        span.q("reported_at"),
        {"n": Count("id"), "bad": Count("id", filter=INVALID)},
        lambda a: pct((a["n"] or 0) - (a["bad"] or 0), a["n"]),
    )


@indicator("on_the_spot_rate", _("就地处置率"), "%", higher_better=True, kinds={STAFF, AREA}, source="events")
def on_the_spot_rate(span, opt):
    """Share of events reported in the span that the grid handled on the spot (Art. 17)."""
    return Measure(
        span.q("reported_at"),
        {"n": Count("id"), "spot": Count("id", filter=Q(self_handled=True))},
        lambda a: pct(a["spot"], a["n"]),
    )


@indicator(
    "report_lateness_hours", _("平均上报延迟"), _("小时"), higher_better=False, kinds={STAFF, AREA}, source="events"
)
def report_lateness_hours(span, opt):
    """Average natural hours from discovery to report, of events reported in the span."""
    return Measure(
        span.q("reported_at"), {"s": Avg(Seconds(F("reported_at"), F("discovered_at")))}, lambda a: hours(a["s"])
    )


@indicator("late_reports", _("迟报事件数"), _("件"), higher_better=False, kinds={STAFF, AREA}, source="events")
def late_reports(span, opt):
    """Events reported in the span more than `late_report_hours` after discovery (Art. 29 迟延报送)."""
    late = _hours_over(F("reported_at"), F("discovered_at"), opt.late_report_hours)
    return Measure(span.q("reported_at"), {"n": Count("id", filter=Q(late))}, lambda a: a["n"] or 0)


VERIFY_KINDS = (ActionKind.VERIFY_PASS, ActionKind.VERIFY_FAIL)


@indicator("verifications_on_time", _("按时核查率"), "%", higher_better=True, kinds={STAFF, AREA}, source="actions")
def verifications_on_time(span, opt):
    """Share of verifications done in the span within `verify_hours` of the result they check.

    The result checked is the latest `submit_result` action of the event before the
    verification; a verification with no such action counts as on time.
    """
    fed_back = Subquery(
        Action.objects.filter(event_id=OuterRef("event_id"), kind=ActionKind.SUBMIT_RESULT, at__lte=OuterRef("at"))
        .order_by("-at")
        .values("at")[:1]
    )
    late = _hours_over(F("at"), fed_back, opt.verify_hours)
    return Measure(
        span.q("at") & Q(kind__in=VERIFY_KINDS),
        {"n": Count("id"), "late": Count("id", filter=Q(late))},
        lambda a: pct((a["n"] or 0) - (a["late"] or 0), a["n"]),
    )


@indicator("patrols", _("巡查走访次数"), _("次"), higher_better=True, kinds={STAFF, AREA}, source="patrols")
def patrols(span, opt):
    """Patrol and home-visit rounds started in the span (Art. 15(2))."""
    return Measure(span.q("started_at"), {"n": Count("id")}, lambda a: a["n"] or 0)


@indicator("households_visited", _("走访户数"), _("户"), higher_better=True, kinds={STAFF, AREA}, source="patrols")
def households_visited(span, opt):
    """Households visited on the rounds started in the span."""
    return Measure(span.q("started_at"), {"n": Sum("households_visited")}, lambda a: a["n"] or 0)


def grid_households(span: Span, subject: Subject) -> float | None:
    """Households of the grids of the subject: the area's grids, or the grids a person was assigned to in the span."""
    grids = Area.objects.filter(level=Level.GRID)
    if subject.kind == AREA:
        grids = grids.within(subject.obj)
    else:
        assigned = Assignment.objects.filter(
            area_id=OuterRef("pk"), staff__user_id=subject.pk, start__lte=span.end
        ).filter(Q(end__isnull=True) | Q(end__gte=span.start))
        grids = grids.filter(Exists(assigned))
    return grids.aggregate(n=Sum("households"))["n"]


@indicator(
    "household_coverage",
    _("走访覆盖率"),
    "%",
    higher_better=True,
    kinds={STAFF, AREA},
    source="patrols",
    whole=grid_households,
)
def household_coverage(span, opt):
    """Households visited in the span against the households of the grid(s) (Art. 6, 15(2))."""
    return Measure(span.q("started_at"), {"n": Sum("households_visited")}, lambda a: a["n"] or 0)


# Tasks sent down to the grids (Art. 19, 22, 29) ------------------------------------------

_RETURNED = Q(status="returned")


@indicator("tasks_on_time", _("下派任务按时完成率"), "%", higher_better=True, kinds={AREA}, source="assignments")
def tasks_on_time(span, opt):
    """Share of the grids' task assignments due in the span done by their deadline (returned ones left out)."""
    return Measure(
        span.q("due_at") & ~_RETURNED,
        {"n": Count("id"), "ok": Count("id", filter=Q(done_at__lte=F("due_at")))},
        lambda a: pct(a["ok"], a["n"]),
    )


@indicator("tasks_late", _("下派任务超期数"), _("件"), higher_better=False, kinds={AREA}, source="assignments")
def tasks_late(span, opt):
    """Task assignments due in the span done after their deadline, or still open past it (Art. 29)."""
    late = Q(done_at__gt=F("due_at")) | Q(done_at__isnull=True, due_at__lt=opt.now)
    return Measure(span.q("due_at") & ~_RETURNED & late, {"n": Count("id")}, lambda a: a["n"] or 0)


# Township dispatchers ----------------------------------------------------------------


@indicator("accepted_on_time", _("按时受理率"), "%", higher_better=True, kinds={AREA}, source="events")
def accepted_on_time(span, opt):
    """Share of events accepted in the span within `accept_hours` of their report."""
    late = _hours_over(F("accepted_at"), F("reported_at"), opt.accept_hours)
    return Measure(
        span.q("accepted_at"),
        {"n": Count("id"), "late": Count("id", filter=Q(late))},
        lambda a: pct((a["n"] or 0) - (a["late"] or 0), a["n"]),
    )


@indicator("dispatch_accuracy", _("派遣准确率"), "%", higher_better=True, kinds={AREA}, source="dispatches")
def dispatch_accuracy(span, opt):
    """Share of lead dispatches made in the span that the unit did not return (退回)."""
    return Measure(
        span.q("dispatched_at") & Q(role=DispatchRole.LEAD),
        {"n": Count("id"), "back": Count("id", filter=Q(returned_at__isnull=False))},
        lambda a: pct((a["n"] or 0) - (a["back"] or 0), a["n"]),
    )


@indicator("avg_dispatch_hours", _("平均派遣用时"), _("小时"), higher_better=False, kinds={AREA}, source="events")
def avg_dispatch_hours(span, opt):
    """Average natural hours from report to (latest) dispatch, of events dispatched in the span."""
    return Measure(
        span.q("dispatched_at"), {"s": Avg(Seconds(F("dispatched_at"), F("reported_at")))}, lambda a: hours(a["s"])
    )


# Handling units ----------------------------------------------------------------------


@indicator("signed_on_time", _("按时签收率"), "%", higher_better=True, kinds={UNIT}, source="dispatches")
def signed_on_time(span, opt):
    """Share of dispatches made in the span answered (signed or returned) by their sign deadline.

    Dispatches still unanswered whose deadline has not passed yet are left out.
    """
    answered = Coalesce("signed_at", "returned_at")
    rows = span.q("dispatched_at") & Q(accept_due_at__isnull=False)
    rows &= Q(signed_at__isnull=False) | Q(returned_at__isnull=False) | Q(accept_due_at__lt=opt.now)
    return Measure(
        rows,
        {"n": Count("id"), "ok": Count("id", filter=Q(LessThanOrEqual(answered, F("accept_due_at"))))},
        lambda a: pct(a["ok"], a["n"]),
    )


def _completion_rows(span: Span, opt: Options) -> Q:
    """Dispatches made in the span, not returned, with a deadline that was met, missed or has passed."""
    rows = span.q("dispatched_at") & Q(returned_at__isnull=True, complete_due_at__isnull=False)
    return rows & (Q(completed_at__isnull=False) | Q(complete_due_at__lt=opt.now))


def _overdue(opt: Options) -> Q:
    return Q(completed_at__gt=F("complete_due_at")) | Q(completed_at__isnull=True, complete_due_at__lt=opt.now)


@indicator("completed_on_time", _("按时办结率"), "%", higher_better=True, kinds={UNIT}, source="dispatches")
def completed_on_time(span, opt):
    """Share of dispatches made in the span completed by their deadline (returned ones left out)."""
    return Measure(
        _completion_rows(span, opt),
        {"n": Count("id"), "ok": Count("id", filter=Q(completed_at__lte=F("complete_due_at")))},
        lambda a: pct(a["ok"], a["n"]),
    )


@indicator("overdue_count", _("超期件数"), _("件"), higher_better=False, kinds={UNIT}, source="dispatches")
def overdue_count(span, opt):
    """Dispatches made in the span completed after their deadline, or still open past it."""
    return Measure(_completion_rows(span, opt) & _overdue(opt), {"n": Count("id")}, lambda a: a["n"] or 0)


@indicator("overdue_multiple", _("超期倍数"), _("倍"), higher_better=False, kinds={UNIT}, source="dispatches")
def overdue_multiple(span, opt):
    """Average, over the overdue dispatches, of time used ÷ time allowed (dispatch → completion or now).

    1.5 means the unit took half as long again as it was allowed.
    """
    used = Seconds(Coalesce(F("completed_at"), _at(opt.now)), F("dispatched_at"))
    allowed = NullIf(Seconds(F("complete_due_at"), F("dispatched_at")), Value(0.0))
    return Measure(_completion_rows(span, opt) & _overdue(opt), {"m": Avg(used / allowed)}, lambda a: _num(a["m"]))


@indicator("rework_count", _("返工次数"), _("次"), higher_better=False, kinds={UNIT}, source="events")
def rework_count(span, opt):
    """Reworks (核查不通过) of the events the unit leads that were dispatched in the span."""
    return Measure(span.q("dispatched_at"), {"n": Sum("rework_count")}, lambda a: a["n"] or 0)


@indicator("extensions", _("延期次数"), _("次"), higher_better=False, kinds={UNIT, AREA}, source="requests")
def extensions(span, opt):
    """Extensions (延期) approved in the span."""
    rows = span.q("decided_at") & Q(kind=RequestKind.EXTENSION, state=RequestState.APPROVED)
    return Measure(rows, {"n": Count("id")}, lambda a: a["n"] or 0)


@indicator("suspensions", _("挂起次数"), _("次"), higher_better=False, kinds={UNIT, AREA}, source="requests")
def suspensions(span, opt):
    """Suspensions (挂起) approved in the span."""
    rows = span.q("decided_at") & Q(kind=RequestKind.SUSPENSION, state=RequestState.APPROVED)
    return Measure(rows, {"n": Count("id")}, lambda a: a["n"] or 0)


def suspended_spans(event_ids) -> dict[int, list[tuple[datetime.datetime, datetime.datetime | None]]]:
    """`{event id: [(stopped, resumed or None)]}`: when the events' clocks stood still (挂起).

    A suspension runs from the approval of a suspension request to the first resumption
    (恢复办理) of the event after it; None while it still runs. `event_ids`: ids or a
    values("event_id") queryset. Two queries.
    """
    stops = (
        HandlingRequest.objects.filter(
            event_id__in=event_ids,
            kind=RequestKind.SUSPENSION,
            state=RequestState.APPROVED,
            decided_at__isnull=False,
        )
        .order_by("event_id", "decided_at")
        .values_list("event_id", "decided_at")
    )
    resumes: dict[int, list] = {}
    for ev, at in (
        Action.objects.filter(event_id__in=event_ids, kind=ActionKind.RESUME)
        .order_by("event_id", "at")
        .values_list("event_id", "at")
    ):
        resumes.setdefault(ev, []).append(at)
    result: dict[int, list] = {}
    for ev, stopped in stops:
        resumed = next((at for at in resumes.get(ev, ()) if at >= stopped), None)
        result.setdefault(ev, []).append((stopped, resumed))
    return result


def handling_seconds(clock: WorkingClock, start, end, stopped=()) -> float:
    """Working seconds from `start` (dispatch) to `end` (completion), less the suspensions `stopped`.

    Working time follows the working-day calendar (`events.workcalendar`: working days
    with the administrator's corrections, `settings.WORKING_HOURS`), so nights, weekends
    and holidays do not count, nor does the time the event was suspended.
    """
    total = clock.seconds(start, end)
    for a, b in stopped:
        total -= clock.seconds(max(a, start), min(b or end, end))
    return max(total, 0.0)


def _fold_handling(qs: QuerySet, path: str | None) -> dict:
    """`{group: {"s": average working seconds}}` of dispatch rows `qs` (see `handling_seconds`)."""
    fields = ("event_id", "dispatched_at", "completed_at")
    stopped = suspended_spans(qs.values("event_id"))
    clock = WorkingClock()
    sums: dict = {}
    for row in qs.order_by().values_list(*((path,) if path else ()), *fields).iterator(chunk_size=2000):
        key = row[0] if path else None
        ev, start, end = row[-3:]
        total, n = sums.get(key, (0.0, 0))
        sums[key] = (total + handling_seconds(clock, start, end, stopped.get(ev, ())), n + 1)
    return {key: {"s": total / n} for key, (total, n) in sums.items()}


@indicator(
    "avg_handling_hours", _("平均办理时长"), _("工作小时"), higher_better=False, kinds={UNIT}, source="dispatches"
)
def avg_handling_hours(span, opt):
    """Average working hours from dispatch to completion, of dispatches completed in the span.

    Counted on the working-day calendar, suspended time left out (see `handling_seconds`).
    """
    return Measure(
        span.q("completed_at") & Q(dispatched_at__isnull=False),
        {"s": None},  # folded in Python (fold), not aggregated in SQL
        lambda a: hours(a["s"]),
        fold=_fold_handling,
    )


# Everyone ----------------------------------------------------------------------------


@indicator("closure_rate", _("结案率"), "%", higher_better=True, kinds=ALL_KINDS, source="events")
def closure_rate(span, opt):
    """Share of events reported in the span (not rejected) that are closed (结案)."""
    rows = span.q("reported_at") & ~Q(status=EventStatus.REJECTED)
    return Measure(
        rows,
        {"n": Count("id"), "closed": Count("id", filter=Q(status=EventStatus.CLOSED))},
        lambda a: pct(a["closed"], a["n"]),
    )


@indicator("satisfaction_avg", _("群众满意度"), _("分"), higher_better=True, kinds=ALL_KINDS, source="satisfactions")
def satisfaction_avg(span, opt):
    """Average public satisfaction score (1–5) of the ratings given in the span (Art. 22)."""
    return Measure(span.q("at"), {"s": Avg("score")}, lambda a: _num(a["s"]))


@indicator(
    "satisfaction_count", _("满意度评价数"), _("条"), higher_better=True, kinds=ALL_KINDS, source="satisfactions"
)
def satisfaction_count(span, opt):
    """Number of public satisfaction ratings given in the span."""
    return Measure(span.q("at"), {"n": Count("id")}, lambda a: a["n"] or 0)


#: What each indicator counts, for people (table headers' tooltips, in their language);
#: the functions' docstrings stay the developers' definition.
HELP.update(
    {
        "events_reported": _("考评期内上报的事件数（按人员或区域）。"),
        "valid_report_rate": _("考评期内上报的事件中，未因无效或重复被不予受理的比例。"),
        "on_the_spot_rate": _("考评期内上报的事件中，由网格就地处置的比例（条例第十七条）。"),
        "report_lateness_hours": _("考评期内上报的事件从发现到上报的平均自然小时数。"),
        "late_reports": _("考评期内发现后超过规定时限才上报的事件数（条例第二十九条 迟延报送）。"),
        "verifications_on_time": _("考评期内的核查中，在办结反馈后规定时限内完成的比例。"),
        "patrols": _("考评期内开始的巡查走访次数（条例第十五条）。"),
        "households_visited": _("考评期内巡查走访的户数。"),
        "household_coverage": _("考评期内走访户数占网格户数的比例（条例第六条、第十五条）。"),
        "tasks_on_time": _(
            "考评期内到期的下派任务中，网格在截止时间前完成的比例（退回的不计；条例第十九条、第二十二条）。"
        ),
        "tasks_late": _("考评期内到期的下派任务中，超期完成或超期仍未完成的网格任务数（条例第二十九条）。"),
        "accepted_on_time": _("考评期内受理的事件中，在上报后规定时限内受理的比例。"),
        "dispatch_accuracy": _("考评期内的主办派遣中，未被承办单位退回的比例。"),
        "avg_dispatch_hours": _("考评期内派遣的事件从上报到（最近一次）派遣的平均自然小时数。"),
        "signed_on_time": _("考评期内的派遣中，在签收时限内签收或退回的比例（时限未到且未答复的不计）。"),
        "completed_on_time": _("考评期内的派遣中，在办结时限内办结的比例（退回的不计）。"),
        "overdue_count": _("考评期内的派遣中，超过时限办结或超时仍未办结的件数。"),
        "overdue_multiple": _("超期派遣的平均用时倍数（实际用时 ÷ 规定时限）；1.5 即多用了一半时间。"),
        "rework_count": _("考评期内派遣、由本单位主办的事件核查不通过（返工）的次数。"),
        "extensions": _("考评期内批准的延期次数。"),
        "suspensions": _("考评期内批准的挂起次数。"),
        "avg_handling_hours": _("考评期内办结的派遣从派遣到办结的平均小时数。"),
        "closure_rate": _("考评期内上报（且未被不予受理）的事件中已结案的比例。"),
        "satisfaction_avg": _("考评期内群众满意度评价的平均分（1–5 分，条例第二十二条）。"),
        "satisfaction_count": _("考评期内收到的群众满意度评价条数。"),
    }
)
