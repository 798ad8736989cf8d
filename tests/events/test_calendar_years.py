"""The working-day calendar at the turn of the year (issue 21, Art. 17, 22, 29): estimated
holidays for years without official data, the annual notice confirmed by the calendar
administrator, open clocks following the change exactly once, units' own patterns."""

import datetime
import logging
from decimal import Decimal

import chinese_calendar
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from catalog.choices import TimeUnit
from events import calendar, workcalendar
from events import services as s
from events.choices import ActionKind, AlertLevel, AlertStage, CalendarSource
from events.models import Action, Alert, Dispatch
from events.sweep import sweep_due
from events.workcalendar import _Calendar, add_time, is_workday, year_source
from personnel.choices import PlatformRole, WorkingPattern
from tests.events.calendar_helpers import NOTICE_2026, NOTICE_2027, official_2026, ranges_of
from tests.events.conftest import TZ
from tests.scenario import member

pytestmark = pytest.mark.django_db
SPRING = ("holiday", "春节", "2027-02-06", "2027-02-14")


def at(y, m, d, h, mi=0):
    return datetime.datetime(y, m, d, h, mi, tzinfo=TZ)


@pytest.fixture
def admin(world):
    return member(world.authority, PlatformRole.CALENDAR_ADMIN)


def handling(world, clock, when):
    """An event signed at `when` (complete clock: 3 working days, warning at 75 %)."""
    clock.move_to(when)
    ev = s.event_accept(actor=world.dispatcher, event=world.report())
    ev = s.event_dispatch(actor=world.dispatcher, event=ev, lead_unit=world.unit)
    return s.event_sign(actor=world.handler, event=ev)


def test_without_any_admin_action_the_2027_spring_festival_is_not_working_time(db):
    assert year_source(2026) == CalendarSource.OFFICIAL
    assert year_source(2027) == CalendarSource.ESTIMATED
    assert not is_workday(datetime.date(2027, 1, 1))  # New Year's Day
    for day in (8, 9, 10):
        assert not is_workday(datetime.date(2027, 2, day))
    assert is_workday(datetime.date(2027, 2, 4)) and is_workday(datetime.date(2027, 2, 11))
    # Five working days from Wednesday 3 Feb: 4, 11, 12, 15, 16 Feb (5–10 Feb are holidays).
    assert add_time(at(2027, 2, 3, 10), Decimal(5), TimeUnit.WORKING_DAY) == at(2027, 2, 16, 17, 30)


def test_a_year_no_library_computes_falls_back_to_monday_to_friday(db, monkeypatch, caplog):
    monkeypatch.setattr(workcalendar, "_estimated_holidays", lambda year: None)
    workcalendar._warned_years.discard(2033)
    with caplog.at_level(logging.WARNING, logger="events.workcalendar"):
        assert is_workday(datetime.date(2033, 1, 3)) and not is_workday(datetime.date(2033, 1, 1))
    assert "Monday–Friday" in caplog.text


def test_the_2026_notice_as_entered_agrees_with_the_official_calendar_on_every_day(world, admin, monkeypatch):
    done = calendar.calendar_notice_confirm(actor=admin, year=2026, ranges=ranges_of(NOTICE_2026))
    assert done["days"] == 0  # the same calendar as the official one: nothing moves
    assert year_source(2026) == CalendarSource.CONFIRMED
    # Without the official data the confirmed notice alone gives the same year.
    official = official_2026()
    monkeypatch.setattr(chinese_calendar, "is_workday", lambda day: 1 / 0)
    cal = _Calendar()
    assert {day: cal.is_workday(day) for day in official} == official


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([SPRING, ("workday", "春节", "2027-02-19", "2027-02-19")], "不是周末"),
        ([("holiday", "元旦", "2026-12-31", "2027-01-02")], "不在 2027 年内"),
        ([SPRING, ("holiday", "其他", "2027-02-10", "2027-02-11")], "重叠"),
        ([("holiday", "春节", "2027-02-14", "2027-02-06")], "开始日期晚于结束日期"),
        ([("workday", "春节", "2027-02-20", "2027-02-20")], "至少填写一段放假安排"),
    ],
)
def test_a_notice_that_breaks_a_rule_is_refused_with_the_reason(world, admin, rows, message):
    with pytest.raises(ValidationError) as exc:
        calendar.calendar_notice_confirm(actor=admin, year=2027, ranges=ranges_of(rows))
    assert any(message in m for m in exc.value.messages)
    assert year_source(2027) == CalendarSource.ESTIMATED


def test_only_the_calendar_administrator_changes_the_calendar(world):
    for user in (world.supervisor, world.dispatcher, world.handler):
        with pytest.raises(PermissionDenied):
            calendar.calendar_notice_confirm(actor=user, year=2027, ranges=ranges_of(NOTICE_2027))
        with pytest.raises(PermissionDenied):
            calendar.calendar_day_set(actor=user, day=datetime.date(2027, 3, 1), is_workday=False, note="x")


def test_confirming_the_notice_moves_open_deadlines_once_with_a_timeline_row(world, admin, clock):
    untouched = handling(world, clock, at(2027, 1, 4, 10))  # due 7 Jan, before the changed days
    clock.move_to(at(2027, 1, 8, 9))
    assert sweep_due()["complete_overdue"] == 1
    ev = handling(world, clock, at(2027, 2, 3, 10))
    # Estimated: 4 Feb, then 5–10 Feb off (the library's Spring Festival), 11, 12 Feb.
    assert ev.complete_due_at == at(2027, 2, 12, 17, 30)
    clock.move_to(at(2027, 2, 3, 11))
    done = calendar.calendar_notice_confirm(actor=admin, year=2027, ranges=ranges_of(NOTICE_2027))
    assert done["events"] == 1
    ev.refresh_from_db()
    # Confirmed: 5 Feb (Friday) is worked, 6–14 Feb off: 4, 5, 15 Feb.
    assert ev.complete_due_at == at(2027, 2, 15, 17, 30)
    warn = at(2027, 2, 5, 11, 52) + datetime.timedelta(seconds=30)  # 2.25 working days after signing
    assert ev.complete_warn_at == warn and ev.next_alert_at == warn
    lead = Dispatch.objects.get(event=ev, role="lead", active=True)
    assert lead.complete_due_at == ev.complete_due_at
    row = Action.objects.get(event=ev, kind=ActionKind.RECLOCK)
    assert row.actor == admin and "2027" in row.text and "2027-02-12 17:30 → 2027-02-15 17:30" in row.text
    assert row.data["moved"]["complete_due_at"][1] == at(2027, 2, 15, 17, 30).isoformat()
    assert not Action.objects.filter(event=untouched, kind=ActionKind.RECLOCK).exists()
    # Confirming the same notice again changes no day and moves nothing.
    again = calendar.calendar_notice_confirm(actor=admin, year=2027, ranges=ranges_of(NOTICE_2027))
    assert again == {"days": 0, "events": 0}
    assert Action.objects.filter(event=ev, kind=ActionKind.RECLOCK).count() == 1
    # The sweep fires at the new times, once each, and nothing at the old due time.
    clock.move_to(warn)
    assert sweep_due() == {"events": 1, AlertStage.COMPLETE_WARNING: 1}
    clock.move_to(at(2027, 2, 12, 17, 31))
    assert sweep_due() == {}
    clock.move_to(at(2027, 2, 15, 17, 31))
    assert sweep_due() == {"events": 1, AlertStage.COMPLETE_OVERDUE: 1, "escalated": 1}
    assert sweep_due() == {}
    assert Alert.objects.filter(event=ev).count() == 2


def test_a_warning_already_fired_stays_and_does_not_fire_again(world, admin, clock):
    ev = handling(world, clock, at(2027, 2, 3, 10))
    clock.move_to(at(2027, 2, 12, 10))  # past the warning (11 Feb 11:52), before the due time
    assert sweep_due() == {"events": 1, AlertStage.COMPLETE_WARNING: 1}
    calendar.calendar_notice_confirm(actor=admin, year=2027, ranges=ranges_of(NOTICE_2027))
    ev.refresh_from_db()
    assert ev.alert_level == AlertLevel.YELLOW
    assert ev.complete_warn_at == at(2027, 2, 11, 11, 52) + datetime.timedelta(seconds=30)  # passed: kept
    assert ev.complete_due_at == at(2027, 2, 15, 17, 30)
    clock.move_to(at(2027, 2, 15, 17, 31))
    assert sweep_due() == {"events": 1, AlertStage.COMPLETE_OVERDUE: 1, "escalated": 1}
    assert Alert.objects.filter(event=ev, stage=AlertStage.COMPLETE_WARNING).count() == 1


def test_a_corrected_day_counts_lateness_on_the_corrected_calendar(world, admin, clock):
    from evaluation.indicators import Span
    from evaluation.selectors import overdue_dispatches

    ev = handling(world, clock, at(2025, 6, 9, 9))  # due Thursday 12 June 17:30
    assert ev.complete_due_at == at(2025, 6, 12, 17, 30)
    clock.move_to(at(2025, 6, 13, 10))
    assert sweep_due()["complete_overdue"] == 1  # red on Friday morning
    ev.refresh_from_db()
    ev = s.event_submit_result(actor=world.handler, event=ev, text="已清理")
    span = Span(datetime.date(2025, 6, 1), datetime.date(2025, 6, 30))
    assert overdue_dispatches(world.supervisor, span).count() == 1
    # Tuesday 10 June was a typhoon day off, decided afterwards.
    done = calendar.calendar_day_set(actor=admin, day=datetime.date(2025, 6, 10), is_workday=False, note="台风停工")
    assert done == {"days": 1, "events": 1}
    ev.refresh_from_db()
    assert ev.complete_due_at == at(2025, 6, 13, 17, 30)
    assert ev.alert_level == AlertLevel.RED  # the alert that fired is not withdrawn
    assert Alert.objects.filter(event=ev, stage=AlertStage.COMPLETE_OVERDUE).exists()
    assert overdue_dispatches(world.supervisor, span).count() == 0  # on time on the corrected calendar


def test_emergencies_and_units_with_their_own_pattern_do_not_follow_the_calendar(world, admin, clock):
    world.unit.working_pattern = WorkingPattern.EVERY_DAY
    world.unit.save()
    ev = handling(world, clock, at(2027, 2, 3, 10))
    # Every day counts: 4, 5, 6 Feb.
    assert ev.complete_due_at == at(2027, 2, 6, 17, 30)
    calendar.calendar_notice_confirm(actor=admin, year=2027, ranges=ranges_of(NOTICE_2027))
    ev.refresh_from_db()
    assert ev.complete_due_at == at(2027, 2, 6, 17, 30)
    assert not Action.objects.filter(event=ev, kind=ActionKind.RECLOCK).exists()


@pytest.mark.parametrize(
    ("pattern", "due"),
    [
        (WorkingPattern.CALENDAR, at(2025, 6, 16, 9)),  # Monday
        (WorkingPattern.EVERY_DAY, at(2025, 6, 14, 9)),  # Saturday morning
        (WorkingPattern.ROUND_THE_CLOCK, at(2025, 6, 13, 18)),  # two hours later
    ],
)
def test_a_units_working_pattern_sets_the_clock_of_events_dispatched_to_it(world, clock, pattern, due):
    world.unit.working_pattern = pattern
    world.unit.save()
    clock.move_to(at(2025, 6, 13, 16))  # Friday 16:00, 2 working hours to sign
    ev = s.event_accept(actor=world.dispatcher, event=world.report())
    ev = s.event_dispatch(actor=world.dispatcher, event=ev, lead_unit=world.unit)
    assert ev.accept_due_at == due


def test_the_reminder_starts_in_november_and_is_logged_once_a_day(world, admin, clock, caplog):
    clock.move_to(at(2026, 10, 31, 12))
    assert calendar.reminder_due() is None and not calendar.calendar_remind()
    clock.move_to(at(2026, 11, 1, 0, 1))
    assert calendar.reminder_due() == 2027
    with caplog.at_level(logging.WARNING, logger="events.calendar"):
        assert [calendar.calendar_remind() for _ in range(3)] == [True, False, False]
        clock.move_to(at(2026, 11, 1, 23, 59))
        assert not calendar.calendar_remind()
        clock.move_to(at(2026, 11, 2, 0, 0))
        assert calendar.calendar_remind()
    assert len([r for r in caplog.records if "2027" in r.getMessage()]) == 2
    calendar.calendar_notice_confirm(actor=admin, year=2027, ranges=ranges_of(NOTICE_2027))
    clock.move_to(at(2026, 11, 3, 9))
    assert calendar.reminder_due() is None and not calendar.calendar_remind()


def test_the_minute_sweep_task_logs_the_unconfirmed_year_once_a_day(world, clock, caplog):
    from events.tasks import sweep

    clock.move_to(at(2026, 12, 6, 9))
    with caplog.at_level(logging.WARNING, logger="events.calendar"):
        for minute in range(3):
            clock.move_to(at(2026, 12, 6, 9, minute))
            sweep()
    assert len([r for r in caplog.records if "2027" in r.getMessage()]) == 1


def test_a_clock_in_natural_hours_is_not_moved(world, admin, clock):
    from catalog.models import HandlingRule

    rules = HandlingRule.objects.filter(version=world.item.current_version, grade="general")
    rules.update(complete_limit=Decimal(72), complete_unit=TimeUnit.NATURAL_HOUR)
    ev = handling(world, clock, at(2027, 2, 3, 10))
    assert ev.complete_due_at == at(2027, 2, 6, 10)
    assert calendar.calendar_notice_confirm(actor=admin, year=2027, ranges=ranges_of(NOTICE_2027))["events"] == 0
    ev.refresh_from_db()
    assert ev.complete_due_at == at(2027, 2, 6, 10)


def test_the_recompute_costs_the_same_queries_for_few_and_many_events(world, admin, clock):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    longer = [NOTICE_2027[0], ("holiday", "春节", "2027-02-05", "2027-02-14"), NOTICE_2027[2]]

    def confirm_with(n, notice):
        for _ in range(n):
            handling(world, clock, at(2027, 2, 3, 10))
        clock.move_to(at(2027, 2, 3, 11))
        with CaptureQueriesContext(connection) as queries:
            done = calendar.calendar_notice_confirm(actor=admin, year=2027, ranges=ranges_of(notice))
        return done["events"], len(queries)

    assert confirm_with(0, NOTICE_2027)[0] == 0
    few = confirm_with(2, longer)  # 5 Feb becomes a day off: the two events move
    many = confirm_with(10, NOTICE_2027)  # and a working day again: all twelve move back
    assert (few[0], many[0]) == (2, 12)
    assert many[1] == few[1]
