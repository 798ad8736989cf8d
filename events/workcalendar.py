"""The working-day calendar and deadline arithmetic (Art. 17 限时办结).

A local date is a working day if an administrator's `CalendarDay` row says so; else as
the official calendar says (`chinese_calendar`, including make-up working days on
weekends, 调休); for years that library does not know, Monday to Friday (a warning is
logged once per year; nothing raises).

Working time of a working day is `settings.WORKING_HOURS`, a list of local
`("HH:MM", "HH:MM")` periods (default 08:30–12:00 and 13:30–17:30, 7.5 hours).

All functions take and return aware datetimes (any zone); days are counted in the
local zone (`settings.TIME_ZONE`, Asia/Shanghai).
"""

import datetime
import logging
from decimal import Decimal

import chinese_calendar
from django.conf import settings
from django.utils import timezone

from catalog.choices import TimeUnit

logger = logging.getLogger(__name__)

DEFAULT_WORKING_HOURS = (("08:30", "12:00"), ("13:30", "17:30"))
_warned_years: set[int] = set()
_MAX_DAYS = 3660  # safety bound on day walks (ten years)


def working_periods() -> list[tuple[datetime.time, datetime.time]]:
    """The configured working periods of a working day, as local (start, end) times."""
    periods = []
    for start, end in getattr(settings, "WORKING_HOURS", DEFAULT_WORKING_HOURS):
        periods.append((datetime.time.fromisoformat(start), datetime.time.fromisoformat(end)))
    return sorted(periods)


def _official_workday(day: datetime.date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        if day.year not in _warned_years:
            _warned_years.add(day.year)
            logger.warning(
                "chinese_calendar has no data for %s: counting Monday–Friday as working days "
                "(add CalendarDay rows to correct)",
                day.year,
            )
        return day.weekday() < 5


class _Calendar:
    """Working-day lookups with the administrator's overrides loaded once per window."""

    def __init__(self):
        self._overrides: dict[datetime.date, bool] = {}
        self._loaded: list[tuple[datetime.date, datetime.date]] = []

    def _load(self, day: datetime.date) -> None:
        from .models import CalendarDay

        lo, hi = day - datetime.timedelta(days=31), day + datetime.timedelta(days=92)
        for d, w in CalendarDay.objects.filter(date__gte=lo, date__lte=hi).values_list("date", "is_workday"):
            self._overrides[d] = w
        self._loaded.append((lo, hi))

    def is_workday(self, day: datetime.date) -> bool:
        if not any(lo <= day <= hi for lo, hi in self._loaded):
            self._load(day)
        if day in self._overrides:
            return self._overrides[day]
        return _official_workday(day)


def is_workday(day: datetime.date) -> bool:
    """Whether local date `day` is a working day (override, official calendar, or Mon–Fri)."""
    return _Calendar().is_workday(day)


def _day_periods(cal: _Calendar, day: datetime.date) -> list[tuple[datetime.datetime, datetime.datetime]]:
    if not cal.is_workday(day):
        return []
    tz = timezone.get_current_timezone()
    return [
        (
            timezone.make_aware(datetime.datetime.combine(day, a), tz),
            timezone.make_aware(datetime.datetime.combine(day, b), tz),
        )
        for a, b in working_periods()
    ]


def _seconds_per_day() -> int:
    return sum(
        (datetime.datetime.combine(datetime.date.min, b) - datetime.datetime.combine(datetime.date.min, a)).seconds
        for a, b in working_periods()
    )


def add_working_seconds(start: datetime.datetime, seconds: float) -> datetime.datetime:
    """The instant at which `seconds` of working time have elapsed after `start`.

    Ends exactly at a period's end when the amount runs out there (e.g. 12:00, not 13:30).
    """
    cal = _Calendar()
    remaining = float(seconds)
    day = timezone.localtime(start).date()
    if remaining <= 0:
        return start
    for _ in range(_MAX_DAYS):
        for a, b in _day_periods(cal, day):
            a = max(a, start)
            if a >= b:
                continue
            span = (b - a).total_seconds()
            if remaining <= span:
                return a + datetime.timedelta(seconds=remaining)
            remaining -= span
        day += datetime.timedelta(days=1)
    raise RuntimeError("no working time found within ten years")  # pragma: no cover


def working_seconds_between(
    a: datetime.datetime, b: datetime.datetime, *, calendar: "_Calendar | None" = None
) -> float:
    """Working seconds in [a, b); 0 if b ≤ a. `calendar`: a `WorkingClock`'s, to read the overrides once."""
    if b <= a:
        return 0.0
    cal = calendar or _Calendar()
    total = 0.0
    day = timezone.localtime(a).date()
    last = timezone.localtime(b).date()
    while day <= last:
        for p, q in _day_periods(cal, day):
            lo, hi = max(p, a), min(q, b)
            if hi > lo:
                total += (hi - lo).total_seconds()
        day += datetime.timedelta(days=1)
    return total


class WorkingClock:
    """`working_seconds_between` for many pairs of instants (e.g. every dispatch of a month).

    Each day's working periods are worked out once (the administrator's `CalendarDay`
    overrides read once per window of dates), and the whole days between the two ends
    come from running totals, so a pair costs the same however far apart its ends are.
    """

    def __init__(self):
        self._calendar = _Calendar()
        self._periods: dict[datetime.date, list] = {}
        self._before: dict[datetime.date, float] = {}  # working seconds from `_origin` to the day's start
        self._origin: datetime.date | None = None

    def _day(self, day: datetime.date) -> list:
        periods = self._periods.get(day)
        if periods is None:
            periods = self._periods[day] = _day_periods(self._calendar, day)
        return periods

    def _whole(self, day: datetime.date) -> float:
        return sum((q - p).total_seconds() for p, q in self._day(day))

    def _running(self, day: datetime.date) -> float:
        """Working seconds from the start of `_origin` to the start of `day` (negative before it)."""
        if self._origin is None:
            self._origin = day
            self._before[day] = 0.0
        known = self._before.get(day)
        if known is not None:
            return known
        one = datetime.timedelta(days=1)
        step = one if day > self._origin else -one
        cursor = self._origin
        while cursor != day:
            following = cursor + step
            if following not in self._before:
                if step == one:
                    self._before[following] = self._before[cursor] + self._whole(cursor)
                else:
                    self._before[following] = self._before[cursor] - self._whole(following)
            cursor = following
        return self._before[day]

    def _within(self, moment: datetime.datetime, day: datetime.date) -> float:
        """Working seconds of `day` before `moment`."""
        return sum(max(0.0, (min(q, moment) - p).total_seconds()) for p, q in self._day(day))

    def seconds(self, a: datetime.datetime, b: datetime.datetime) -> float:
        """Working seconds in [a, b); 0 if b ≤ a (equal to `working_seconds_between`)."""
        if b <= a:
            return 0.0
        da, db = timezone.localtime(a).date(), timezone.localtime(b).date()
        total = self._running(db) - self._running(da) + self._within(b, db) - self._within(a, da)
        return max(total, 0.0)


def working_hours_between(a: datetime.datetime, b: datetime.datetime) -> Decimal:
    """Working hours between two instants (Decimal, 2 places); 0 if b ≤ a."""
    return (Decimal(working_seconds_between(a, b)) / Decimal(3600)).quantize(Decimal("0.01"))


def add_time(start: datetime.datetime, amount: Decimal, unit: str) -> datetime.datetime:
    """The deadline `amount` of `unit` (catalog.choices.TimeUnit) after `start`.

    - `natural_hour`: plain elapsed hours (emergencies count these).
    - `working_hour`: working time as configured, on working days only.
    - `working_day`: for a whole number N, the end of working time (e.g. 17:30) of the
      Nth working day strictly after the local date of `start` (an event dispatched on
      Friday 10:00 with 1 working day is due Monday 17:30; on a Saturday, likewise Monday
      17:30). A fractional amount counts as amount × the working hours of a day, in
      working time from `start` (e.g. 0.5 day = 3.75 working hours).
    Returns an aware datetime in the current (local) zone.
    """
    amount = Decimal(amount)
    if unit == TimeUnit.NATURAL_HOUR:
        return start + datetime.timedelta(seconds=float(amount * 3600))
    if unit == TimeUnit.WORKING_HOUR:
        return timezone.localtime(add_working_seconds(start, float(amount * 3600)))
    if unit == TimeUnit.WORKING_DAY:
        if amount != amount.to_integral_value():
            return timezone.localtime(add_working_seconds(start, float(amount) * _seconds_per_day()))
        cal = _Calendar()
        day = timezone.localtime(start).date()
        n = int(amount)
        if n <= 0:
            return start
        for _ in range(_MAX_DAYS):
            day += datetime.timedelta(days=1)
            if cal.is_workday(day):
                n -= 1
                if n == 0:
                    return timezone.localtime(_day_periods(cal, day)[-1][1])
        raise RuntimeError("no working day found within ten years")  # pragma: no cover
    raise ValueError(f"unknown time unit {unit!r}")


def elapsed(a: datetime.datetime, b: datetime.datetime, unit: str) -> float:
    """Seconds of clock time between `a` and `b` as the clock of `unit` counts them."""
    if unit == TimeUnit.NATURAL_HOUR:
        return max((b - a).total_seconds(), 0.0)
    return working_seconds_between(a, b)


def add_elapsed(start: datetime.datetime, seconds: float, unit: str) -> datetime.datetime:
    """Inverse of `elapsed`: `start` plus `seconds` of the clock of `unit`."""
    if unit == TimeUnit.NATURAL_HOUR:
        return start + datetime.timedelta(seconds=seconds)
    return timezone.localtime(add_working_seconds(start, seconds))
