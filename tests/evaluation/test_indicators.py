"""Each indicator on the hand-built record of `factories.build_record` (May 2026, NOW = 6-15 12:00).

The record, in short (local times):
- worker 张网格 reports in grid 1: E1 (found 5-3 08:00, reported 10:00, self-handled,
  closed), E2 (found 5-4 08:00, reported 5-5 14:00, rejected invalid), E3 (found 5-6
  09:00, reported 13:00, accepted 14:00, dispatched to A 15:00 and returned, to B 5-7
  09:00, still open, due 5-9 09:00), E4 (found 5-10 00:00, reported 10:00, accepted
  16:00, dispatched to B 17:00, completed 5-13 09:00 against a 5-12 17:00 deadline,
  closed, one rework), E5 (micro-grid, found 5-31 23:00, reported 23:30); E-april and
  E-june fall outside May. E4 was suspended from 5-11 12:00 to 5-12 09:00.
- 李网格 reports E8 in grid 2 (reported 5-20 08:00, dispatched to B 10:00, completed
  5-22 10:00, due 5-25, closed); E7 lies in the sibling township.
"""

import datetime

import pytest

from evaluation import indicators as ind
from evaluation.indicators import Subject, compute, compute_many
from events.choices import ActionKind, RequestKind, RequestState
from events.models import Action, CalendarDay, Dispatch, HandlingRequest
from personnel.choices import OrgKind
from personnel.models import Organisation

from .factories import MAY, OPTIONS, T, build_record, event

pytestmark = pytest.mark.django_db


@pytest.fixture
def r():
    return build_record()


def value(code, subject, options=OPTIONS):
    return compute(code, MAY, subject, options)


def test_every_indicator_is_described_and_has_a_kind():
    for code, indicator in ind.REGISTRY.items():
        assert indicator.code == code
        assert indicator.name and indicator.unit and indicator.doc
        assert indicator.kinds <= ind.ALL_KINDS and indicator.kinds
    assert len(ind.REGISTRY) == 28


def test_grid_staff_indicators(r):
    w = Subject.staff(r.worker)
    # E1..E5 reported in May (E-april on 4-30 23:00 and E-june on 6-1 00:10 are outside).
    assert value("events_reported", w) == 5
    # E2 rejected as invalid: (5 − 1) / 5 = 80 %.
    assert value("valid_report_rate", w) == 80.0
    # E1 self-handled: 1 / 5 = 20 %.
    assert value("on_the_spot_rate", w) == 20.0
    # Discovery → report: 2 h + 30 h + 4 h + 10 h + 0.5 h = 46.5 h over 5 = 9.3 h.
    assert value("report_lateness_hours", w) == 9.3
    # Over 24 h: E2 only. Over 3 h: E2 (30), E3 (4), E4 (10).
    assert value("late_reports", w) == 1
    assert value("late_reports", w, ind.Options(late_report_hours=3, now=OPTIONS.now)) == 3
    # Verifications: E1 1 h after the result (on time), E4 fail 40 h after (late), E4 pass 1 h after: 2 / 3.
    assert value("verifications_on_time", w) == 66.67
    # Patrols 5-2 (30 households) and 5-20 (50); 4-28 is outside.
    assert value("patrols", w) == 2
    assert value("households_visited", w) == 80
    # 80 households visited against the 400 of the worker's grid = 20 %.
    assert value("household_coverage", w) == 20.0
    # Not rejected: E1, E3, E4, E5; closed: E1, E4 → 2 / 4 = 50 %.
    assert value("closure_rate", w) == 50.0
    # Ratings in May of the worker's events: E1 5, E4 2 → 3.5 from 2 answers (E-june's 6-2 rating is outside).
    assert value("satisfaction_avg", w) == 3.5
    assert value("satisfaction_count", w) == 2


def test_township_dispatcher_indicators(r):
    town = Subject.area(r.tree.township)
    # Accepted in May: E3 after 1 h, E4 after 6 h (over 4 h), E8 after 1 h → 2 / 3.
    assert value("accepted_on_time", town) == 66.67
    # Lead dispatches in May: D1 (returned), D2, D3, D5 → 3 / 4 (D4 is a co-handling dispatch).
    assert value("dispatch_accuracy", town) == 75.0
    # Report → dispatch: E3 13:00 → 5-7 09:00 = 20 h, E4 7 h, E8 2 h → 29 / 3 = 9.67 h.
    assert value("avg_dispatch_hours", town) == 9.67


def test_township_sees_its_grids_and_not_its_sibling(r):
    town = Subject.area(r.tree.township)
    # E1..E5 (E5 in a micro-grid) and E8 in grid 2; E7 is in the sibling township.
    assert value("events_reported", town) == 6
    # Not rejected: E1, E3, E4, E5, E8; closed: E1, E4, E8 → 3 / 5.
    assert value("closure_rate", town) == 60.0
    # Ratings 5, 2, 4 → 11 / 3.
    assert value("satisfaction_avg", town) == 3.67
    # 80 households visited against grid 1 (400) + grid 2 (400).
    assert value("household_coverage", town) == 10.0
    assert value("events_reported", Subject.area(r.tree.township2)) == 1


def test_handling_unit_indicators(r):
    b = Subject.unit(r.unit_b)
    # B's dispatches in May: D2, D3, D5 (the June one is outside).
    # Signed by the deadline: D2 (10:00 ≤ 11:00), D5 (11:00 ≤ 12:00); D3 signed 5-11 08:00 > 5-10 19:00 → 2 / 3.
    assert value("signed_on_time", b) == 66.67
    # Completed by the deadline: D5 only; D3 late, D2 still open past 5-9 → 1 / 3.
    assert value("completed_on_time", b) == 33.33
    assert value("overdue_count", b) == 2
    # D2: used 5-7 09:00 → NOW 6-15 12:00 = 939 h of 48 h = 19.5625; D3: 64 h of 48 h = 1.3333;
    # average (19.5625 + 1.3333) / 2 = 10.45.
    assert value("overdue_multiple", b) == 10.45
    # Completed in May, in working hours (08:30–12:00, 13:30–17:30 on working days):
    # D3 dispatched Sun 5-10 17:00 (no working time), Mon 5-11 08:30–12:00 = 3.5 h, then suspended
    # 12:00 → resumed Tue 5-12 09:00 (not counted), Tue 09:00–12:00 + 13:30–17:30 = 7 h, completed
    # Wed 5-13 09:00 (+0.5 h) → 11 h; D5 Wed 5-20 10:00 → Fri 5-22 10:00 = 6 + 7.5 + 1.5 = 15 h → 13 h.
    assert value("avg_handling_hours", b) == 13.0
    # E3 0, E4 1, E8 0 reworks.
    assert value("rework_count", b) == 1
    # One approved extension (the refused one does not count), one approved suspension.
    assert value("extensions", b) == 1
    assert value("suspensions", b) == 1
    # B leads E3 (open), E4 and E8 (closed) → 2 / 3; ratings 2 and 4 → 3.0.
    assert value("closure_rate", b) == 66.67
    assert value("satisfaction_avg", b) == 3.0
    assert value("satisfaction_count", b) == 2


def test_a_unit_that_returned_late_and_completed_nothing(r):
    a = Subject.unit(r.unit_a)
    # D1 returned at 18:00 after a 17:00 sign deadline: 0 / 1; D4 has no sign deadline.
    assert value("signed_on_time", a) == 0.0
    # Nothing left to complete (both returned): no value rather than 0.
    assert value("completed_on_time", a) is None
    assert value("overdue_multiple", a) is None


def test_grouped_computation_equals_one_by_one(r):
    staff = [Subject.staff(r.worker), Subject.staff(r.other)]
    towns = [Subject.area(r.tree.township), Subject.area(r.tree.township2)]
    units = [Subject.unit(r.unit_a), Subject.unit(r.unit_b)]
    for subjects in (staff, towns, units):
        for indicator in ind.for_kind(subjects[0].kind):
            many = compute_many(indicator.code, MAY, subjects, OPTIONS)
            assert many == {s.key: value(indicator.code, s) for s in subjects}, indicator.code


def test_an_indicator_refuses_a_subject_it_does_not_apply_to(r):
    with pytest.raises(ValueError):
        value("signed_on_time", Subject.staff(r.worker))


def test_periods_are_local_months_quarters_and_years():
    span = ind.span_of("quarter", datetime.date(2026, 5, 17))
    assert (span.start, span.end) == (datetime.date(2026, 4, 1), datetime.date(2026, 6, 30))
    lo, hi = ind.span_of("month", datetime.date(2026, 2, 10)).bounds
    # Local midnight of 2-1 is 1-31 16:00 UTC; the end bound is local midnight of 3-1.
    assert lo.astimezone(datetime.UTC).isoformat() == "2026-01-31T16:00:00+00:00"
    assert hi.astimezone(datetime.UTC).isoformat() == "2026-02-28T16:00:00+00:00"
    assert ind.last_full("year", datetime.date(2026, 3, 1)).start == datetime.date(2025, 1, 1)


def handling_hours(r, dispatched, completed, *, event=None):
    """Average handling time (working hours) of a fresh unit with one dispatch completed as given."""
    unit = Organisation.objects.create(
        name=f"单位{Organisation.objects.count()}", kind=OrgKind.DEPARTMENT, area=r.tree.county
    )
    Dispatch.objects.create(
        event=event or r.e8,
        unit=unit,
        dispatched_by=r.dispatcher,
        dispatched_at=dispatched,
        completed_at=completed,
        active=False,
    )
    return value("avg_handling_hours", Subject.unit(unit))


def test_handling_time_counts_working_hours_on_the_official_calendar(r):
    # Dispatched Friday 5-15 16:00, completed Monday 5-18 10:00: Friday 16:00–17:30 = 1.5 h,
    # the weekend nothing, Monday 08:30–10:00 = 1.5 h → 3 working hours (66 natural hours).
    assert handling_hours(r, T(5, 15, 16), T(5, 18, 10)) == 3.0
    # Friday 5-8 16:00 → Monday 5-11 10:00: Saturday 5-9 is a make-up working day (调休) of the
    # May Day holiday: 1.5 + 7.5 + 1.5 = 10.5 h.
    assert handling_hours(r, T(5, 8, 16), T(5, 11, 10)) == 10.5
    # The lunch break does not count: 11:00 → 14:00 is 1 + 0.5 = 1.5 h.
    assert handling_hours(r, T(5, 19, 11), T(5, 19, 14)) == 1.5
    # An administrator's correction of the calendar wins: Monday 5-18 declared a holiday → 1.5 h.
    CalendarDay.objects.create(date=datetime.date(2026, 5, 18), is_workday=False)
    assert handling_hours(r, T(5, 15, 16), T(5, 18, 10)) == 1.5


def test_handling_time_leaves_suspended_time_out(r):
    ev = event(r.tree.grid, discovered=T(5, 18, 8), reported=T(5, 18, 8))
    # Dispatched Tue 5-19 09:00, suspended 14:00, resumed Wed 5-20 14:00, completed Thu 5-21 10:00:
    # Tue 09:00–12:00 + 13:30–14:00 = 3.5 h, Wed 14:00–17:30 = 3.5 h, Thu 08:30–10:00 = 1.5 h → 8.5 h.
    HandlingRequest.objects.create(
        event=ev,
        dispatch=r.d5,
        kind=RequestKind.SUSPENSION,
        reason="r",
        state=RequestState.APPROVED,
        requested_by=r.dispatcher,
        requested_at=T(5, 19, 13),
        decided_at=T(5, 19, 14),
    )
    Action.objects.create(event=ev, kind=ActionKind.RESUME, at=T(5, 20, 14), actor_name="王调度")
    assert handling_hours(r, T(5, 19, 9), T(5, 21, 10), event=ev) == 8.5
