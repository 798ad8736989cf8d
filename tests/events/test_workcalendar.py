"""Deadlines on the official working-day calendar (Art. 17 限时办结)."""

import datetime
import logging
from decimal import Decimal

import pytest

from catalog.choices import TimeUnit
from events import workcalendar
from events.models import CalendarDay
from events.workcalendar import add_time, is_workday, working_hours_between
from tests.events.conftest import TZ

pytestmark = pytest.mark.django_db


def at(y, m, d, h, mi=0):
    return datetime.datetime(y, m, d, h, mi, tzinfo=TZ)


def test_national_day_2025_skips_the_holiday_and_counts_the_make_up_days():
    # 2025-09-28 (Sunday) and 2025-10-11 (Saturday) are make-up working days;
    # 2025-10-01 … 10-08 are holidays.
    assert is_workday(datetime.date(2025, 9, 28))
    assert is_workday(datetime.date(2025, 10, 11))
    assert not is_workday(datetime.date(2025, 10, 3))
    # Dispatched Friday 26 Sept 16:00, 1 working day: due on the make-up Sunday 28th.
    assert add_time(at(2025, 9, 26, 16), Decimal(1), TimeUnit.WORKING_DAY) == at(2025, 9, 28, 17, 30)
    # Tuesday 30 Sept 10:00 + 2 working days: 1–8 Oct off, 9 Oct is the first, 10 Oct the second.
    assert add_time(at(2025, 9, 30, 10), Decimal(2), TimeUnit.WORKING_DAY) == at(2025, 10, 10, 17, 30)
    # 4 working hours from 30 Sept 15:30: 2h that day, then 2h on 9 Oct from 08:30.
    assert add_time(at(2025, 9, 30, 15, 30), Decimal(4), TimeUnit.WORKING_HOUR) == at(2025, 10, 9, 10, 30)


def test_spring_festival_2026():
    # 2026: 15–23 Feb off; Saturday 14 Feb and Saturday 28 Feb are working days.
    assert is_workday(datetime.date(2026, 2, 14))
    assert not is_workday(datetime.date(2026, 2, 16))
    assert add_time(at(2026, 2, 13, 17), Decimal(1), TimeUnit.WORKING_HOUR) == at(2026, 2, 14, 9)
    assert add_time(at(2026, 2, 14, 17), Decimal(1), TimeUnit.WORKING_DAY) == at(2026, 2, 24, 17, 30)


def test_a_make_up_saturday_counts_as_working_time():
    # Saturday 2025-10-11 is a make-up working day: working hours run through it.
    assert working_hours_between(at(2025, 10, 10, 17), at(2025, 10, 13, 9)) == Decimal("8.50")


def test_beyond_the_known_years_falls_back_to_monday_to_friday_and_logs_once(caplog):
    workcalendar._warned_years.discard(2031)
    with caplog.at_level(logging.WARNING, logger="events.workcalendar"):
        assert is_workday(datetime.date(2031, 1, 3))  # a Friday
        assert not is_workday(datetime.date(2031, 1, 4))  # a Saturday
        due = add_time(at(2031, 1, 3, 16), Decimal(1), TimeUnit.WORKING_DAY)
    assert due == at(2031, 1, 6, 17, 30)
    assert len([r for r in caplog.records if "2031" in r.getMessage()]) == 1


def test_calendar_day_override_wins():
    CalendarDay.objects.create(date=datetime.date(2025, 6, 10), is_workday=False, note="台风停工")
    CalendarDay.objects.create(date=datetime.date(2025, 6, 14), is_workday=True, note="补班")
    assert not is_workday(datetime.date(2025, 6, 10))
    assert is_workday(datetime.date(2025, 6, 14))
    assert add_time(at(2025, 6, 9, 17), Decimal(1), TimeUnit.WORKING_HOUR) == at(2025, 6, 11, 9)


def test_working_day_ends_at_the_end_of_the_nth_working_day():
    assert add_time(at(2025, 6, 13, 10), Decimal(1), TimeUnit.WORKING_DAY) == at(2025, 6, 16, 17, 30)
    assert add_time(at(2025, 6, 14, 10), Decimal(1), TimeUnit.WORKING_DAY) == at(2025, 6, 16, 17, 30)
    # A fractional day counts as that share of a day's 7.5 working hours.
    assert add_time(at(2025, 6, 9, 8, 30), Decimal("0.5"), TimeUnit.WORKING_DAY) == at(2025, 6, 9, 13, 45)


def test_working_hours_skip_lunch_and_end_exactly_at_noon():
    assert add_time(at(2025, 6, 9, 10), Decimal(2), TimeUnit.WORKING_HOUR) == at(2025, 6, 9, 12)
    assert add_time(at(2025, 6, 9, 11), Decimal(2), TimeUnit.WORKING_HOUR) == at(2025, 6, 9, 14, 30)
    assert add_time(at(2025, 6, 9, 7), Decimal(1), TimeUnit.WORKING_HOUR) == at(2025, 6, 9, 9, 30)
    assert working_hours_between(at(2025, 6, 9, 8), at(2025, 6, 9, 18)) == Decimal("7.50")
    assert working_hours_between(at(2025, 6, 9, 18), at(2025, 6, 9, 8)) == Decimal("0.00")


def test_natural_hours_ignore_the_calendar():
    assert add_time(at(2025, 10, 1, 23), Decimal("1.5"), TimeUnit.NATURAL_HOUR) == at(2025, 10, 2, 0, 30)


def test_working_hours_are_configurable(settings):
    settings.WORKING_HOURS = [("09:00", "17:00")]
    assert add_time(at(2025, 6, 9, 16), Decimal(2), TimeUnit.WORKING_HOUR) == at(2025, 6, 10, 10)


def test_the_working_clock_equals_working_seconds_between_in_both_directions_and_reads_overrides_once(
    django_assert_max_num_queries,
):
    import random

    CalendarDay.objects.create(date=datetime.date(2025, 10, 13), is_workday=False)  # a Monday, declared off
    rng = random.Random(3)
    start = datetime.datetime(2025, 9, 1, tzinfo=TZ)
    pairs = []
    for _ in range(300):
        a = start + datetime.timedelta(minutes=rng.randint(0, 60 * 24 * 90))
        pairs.append((a, a + datetime.timedelta(hours=rng.choice([0.5, 3, 20, 70, 400]))))
    pairs.append((pairs[0][1], pairs[0][0]))  # backwards: 0
    expected = [workcalendar.working_seconds_between(a, b) for a, b in pairs]
    clock = workcalendar.WorkingClock()
    with django_assert_max_num_queries(6):
        # The first pair sets the origin; later ones run forwards and backwards from it.
        got = [clock.seconds(a, b) for a, b in reversed(pairs)][::-1]
    assert got == pytest.approx(expected, abs=1e-6)
    # National Day 2025 (10-1…10-8 off, Saturday 10-11 worked) and the override of 10-13:
    # Tuesday 9-30 17:00 → Tuesday 10-14 09:00 = 0.5 + 7.5 (10-9) + 7.5 (10-10) + 7.5 (10-11) + 0.5 = 23.5 h.
    a, b = datetime.datetime(2025, 9, 30, 17, tzinfo=TZ), datetime.datetime(2025, 10, 14, 9, tzinfo=TZ)
    assert clock.seconds(a, b) / 3600 == 23.5
