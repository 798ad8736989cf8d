"""The working-day calendar and deadline arithmetic (Art. 17 限时办结).

Whether a local date is a working day: the first source that answers wins.

1. An administrator's correction of that one day (`CalendarDay`, e.g. a typhoon day).
2. The State Council's notice for the year as the calendar administrator entered and
   confirmed it (`CalendarYear.ranges`): its holiday ranges (放假调休) are off, its
   make-up days (上班) are working days, other days Monday to Friday. Source "confirmed".
3. The official data of `chinese_calendar` (2004–2026 in 1.11.0), with the make-up
   working days. Source "official".
4. For later years, the `holidays` library's China calendar (0.108): it computes the
   lunar holidays (Spring Festival, Qingming, Dragon Boat, Mid-Autumn) and the fixed
   ones with its "observed" rule, but carries the State Council's substituted working
   days (调休上班) only for years already published; holidays 0.108 has none for 2027, so
   such a year counts no weekend make-up days until the notice is entered. Source
   "estimated".
5. Monday to Friday, for a year neither library computes (also "estimated").
   A year without official data is logged once per process; nothing raises.

Working time of a working day is `settings.WORKING_HOURS`, a list of local
`("HH:MM", "HH:MM")` periods (default 08:30–12:00 and 13:30–17:30, 7.5 hours). A handling
unit may keep its own pattern (`personnel.choices.WorkingPattern`, e.g. the 12345
hotline): `every_day` counts every date as a working day with the same hours,
`round_the_clock` counts all time (a working day is 24 hours from midnight). Functions
take that `pattern` (default: the calendar).

All functions take and return aware datetimes (any zone); days are counted in the
local zone (`settings.TIME_ZONE`, Asia/Shanghai).
"""

import datetime
import functools
import logging
from decimal import Decimal

import chinese_calendar
import holidays
from django.conf import settings
from django.db import connection
from django.utils import timezone

from catalog.choices import TimeUnit
from personnel.choices import WorkingPattern

from .choices import CalendarSource

logger = logging.getLogger(__name__)

DEFAULT_WORKING_HOURS = (("08:30", "12:00"), ("13:30", "17:30"))
_warned_years: set[int] = set()
_MAX_DAYS = 3660  # safety bound on day walks (ten years)
#: PostgreSQL advisory lock key: shared by every transaction that reads the calendar,
#: exclusive for a calendar change (see `_Calendar`).
CALENDAR_LOCK = 0x63616C31


def working_periods() -> list[tuple[datetime.time, datetime.time]]:
    """The configured working periods of a working day, as local (start, end) times."""
    periods = []
    for start, end in getattr(settings, "WORKING_HOURS", DEFAULT_WORKING_HOURS):
        periods.append((datetime.time.fromisoformat(start), datetime.time.fromisoformat(end)))
    return sorted(periods)


@functools.lru_cache(maxsize=32)
def _estimated_holidays(year: int):
    """The `holidays` library's China calendar for `year`, or None when it computes none."""
    calendar = holidays.China(years=year)
    return calendar if calendar else None


def official_year(year: int) -> bool:
    """Whether `chinese_calendar` holds the official calendar of `year`."""
    try:
        chinese_calendar.is_workday(datetime.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def _unconfirmed_workday(day: datetime.date) -> bool:
    """Official data, else the `holidays` estimate, else Monday–Friday (sources 3–5)."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        estimate = _estimated_holidays(day.year)
        if day.year not in _warned_years:
            _warned_years.add(day.year)
            logger.warning(
                "no official calendar for %s: %s until its notice is confirmed at /events/calendar/",
                day.year,
                "estimating holidays with the holidays library" if estimate else "counting Monday–Friday",
            )
        if estimate is not None:
            return estimate.is_working_day(day)
        return day.weekday() < 5


def notice_days(ranges) -> dict[datetime.date, bool]:
    """The days a notice names, {date: is_workday}, from `ranges`: a list of
    {"kind": "holiday" | "workday", "start": ISO date, "end": ISO date, "name": str}
    (ends inclusive; "workday" = make-up working days, 上班)."""
    days = {}
    for r in ranges:
        day, end = datetime.date.fromisoformat(r["start"]), datetime.date.fromisoformat(r["end"])
        while day <= end:
            days[day] = r["kind"] == "workday"
            day += datetime.timedelta(days=1)
    return days


class _Calendar:
    """Working-day lookups, the administrator's data read once per window of dates / year.

    `pattern`: a `WorkingPattern` value (None: the calendar). `overlay`: {date: is_workday}
    winning over every source (the recompute pass measures the calendar as it was by
    overlaying the old values of the changed days). In a PostgreSQL transaction the first
    read takes the shared calendar lock: a calendar change, which takes it exclusively,
    waits for clocks being computed on the old calendar to commit, and clocks computed
    after it see the new one.
    """

    def __init__(self, pattern: str | None = None, overlay: dict | None = None):
        self.pattern = pattern or WorkingPattern.CALENDAR
        self._overlay = overlay or {}
        self._overrides: dict[datetime.date, bool] = {}
        self._loaded: list[tuple[datetime.date, datetime.date]] = []
        self._years: dict[int, dict | None] = {}
        self._days: dict[datetime.date, bool] = {}  # answers already worked out
        self.periods: dict[datetime.date, list] = {}  # `_day_periods` already worked out

    def _load(self, day: datetime.date) -> None:
        from .models import CalendarDay

        if not self._loaded and connection.vendor == "postgresql" and connection.in_atomic_block:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock_shared(%s)", [CALENDAR_LOCK])
        lo, hi = day - datetime.timedelta(days=31), day + datetime.timedelta(days=92)
        for d, w in CalendarDay.objects.filter(date__gte=lo, date__lte=hi).values_list("date", "is_workday"):
            self._overrides[d] = w
        self._loaded.append((lo, hi))

    def _notice(self, year: int) -> dict | None:
        """{date: is_workday} of the year's confirmed notice, or None when not confirmed."""
        if year not in self._years:
            from .models import CalendarYear

            row = CalendarYear.objects.filter(year=year, source=CalendarSource.CONFIRMED).first()
            self._years[year] = notice_days(row.ranges) if row else None
        return self._years[year]

    def is_workday(self, day: datetime.date) -> bool:
        known = self._days.get(day)
        if known is None:
            known = self._days[day] = self._answer(day)
        return known

    def _answer(self, day: datetime.date) -> bool:
        if self.pattern != WorkingPattern.CALENDAR:
            return True
        if day in self._overlay:
            return self._overlay[day]
        if not any(lo <= day <= hi for lo, hi in self._loaded):
            self._load(day)
        if day in self._overrides:
            return self._overrides[day]
        notice = self._notice(day.year)
        if notice is not None:
            return notice.get(day, day.weekday() < 5)
        return _unconfirmed_workday(day)


def is_workday(day: datetime.date) -> bool:
    """Whether local date `day` is a working day of the calendar (sources 1–5 above)."""
    return _Calendar().is_workday(day)


def year_source(year: int) -> str:
    """Where the calendar of `year` comes from: a `CalendarSource` value."""
    from .models import CalendarYear

    if CalendarYear.objects.filter(year=year, source=CalendarSource.CONFIRMED).exists():
        return CalendarSource.CONFIRMED
    return CalendarSource.OFFICIAL if official_year(year) else CalendarSource.ESTIMATED


def _day_periods(cal: _Calendar, day: datetime.date) -> list[tuple[datetime.datetime, datetime.datetime]]:
    periods = cal.periods.get(day)
    if periods is None:
        periods = cal.periods[day] = _periods_of(cal, day)
    return periods


def _periods_of(cal: _Calendar, day: datetime.date) -> list[tuple[datetime.datetime, datetime.datetime]]:
    if not cal.is_workday(day):
        return []
    tz = timezone.get_current_timezone()
    if cal.pattern == WorkingPattern.ROUND_THE_CLOCK:
        midnight = datetime.time()
        return [
            (
                timezone.make_aware(datetime.datetime.combine(day, midnight), tz),
                timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), midnight), tz),
            )
        ]
    return [
        (
            timezone.make_aware(datetime.datetime.combine(day, a), tz),
            timezone.make_aware(datetime.datetime.combine(day, b), tz),
        )
        for a, b in working_periods()
    ]


def _seconds_per_day(pattern: str | None = None) -> int:
    if pattern == WorkingPattern.ROUND_THE_CLOCK:
        return 86400
    return sum(
        (datetime.datetime.combine(datetime.date.min, b) - datetime.datetime.combine(datetime.date.min, a)).seconds
        for a, b in working_periods()
    )


def add_working_seconds(
    start: datetime.datetime, seconds: float, *, pattern: str | None = None, calendar: "_Calendar | None" = None
) -> datetime.datetime:
    """The instant at which `seconds` of working time have elapsed after `start`.

    Ends exactly at a period's end when the amount runs out there (e.g. 12:00, not 13:30).
    `pattern`: the unit's `WorkingPattern`; `calendar`: one already loaded (wins over it).
    """
    cal = calendar or _Calendar(pattern)
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
    a: datetime.datetime, b: datetime.datetime, *, pattern: str | None = None, calendar: "_Calendar | None" = None
) -> float:
    """Working seconds in [a, b); 0 if b ≤ a. `calendar`: a `WorkingClock`'s, to read the overrides once."""
    if b <= a:
        return 0.0
    cal = calendar or _Calendar(pattern)
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

    def __init__(self, pattern: str | None = None):
        self._calendar = _Calendar(pattern)
        self._before: dict[datetime.date, float] = {}  # working seconds from `_origin` to the day's start
        self._origin: datetime.date | None = None

    def _day(self, day: datetime.date) -> list:
        return _day_periods(self._calendar, day)  # worked out once per day by the calendar

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


def add_time(start: datetime.datetime, amount: Decimal, unit: str, *, pattern: str | None = None) -> datetime.datetime:
    """The deadline `amount` of `unit` (catalog.choices.TimeUnit) after `start`.

    - `natural_hour`: plain elapsed hours (emergencies count these).
    - `working_hour`: working time as configured, on working days only.
    - `working_day`: for a whole number N, the end of working time (e.g. 17:30) of the
      Nth working day strictly after the local date of `start` (an event dispatched on
      Friday 10:00 with 1 working day is due Monday 17:30; on a Saturday, likewise Monday
      17:30). A fractional amount counts as amount × the working hours of a day, in
      working time from `start` (e.g. 0.5 day = 3.75 working hours).
    `pattern`: the handling unit's `WorkingPattern` (None: the calendar).
    Returns an aware datetime in the current (local) zone.
    """
    amount = Decimal(amount)
    if unit == TimeUnit.NATURAL_HOUR:
        return start + datetime.timedelta(seconds=float(amount * 3600))
    if unit == TimeUnit.WORKING_HOUR:
        return timezone.localtime(add_working_seconds(start, float(amount * 3600), pattern=pattern))
    if unit == TimeUnit.WORKING_DAY:
        if amount != amount.to_integral_value():
            seconds = float(amount) * _seconds_per_day(pattern)
            return timezone.localtime(add_working_seconds(start, seconds, pattern=pattern))
        cal = _Calendar(pattern)
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


def elapsed(a: datetime.datetime, b: datetime.datetime, unit: str, *, pattern: str | None = None) -> float:
    """Seconds of clock time between `a` and `b` as the clock of `unit` (and the unit's
    working `pattern`) counts them."""
    if unit == TimeUnit.NATURAL_HOUR:
        return max((b - a).total_seconds(), 0.0)
    return working_seconds_between(a, b, pattern=pattern)


def add_elapsed(
    start: datetime.datetime, seconds: float, unit: str, *, pattern: str | None = None
) -> datetime.datetime:
    """Inverse of `elapsed`: `start` plus `seconds` of the clock of `unit`."""
    if unit == TimeUnit.NATURAL_HOUR:
        return start + datetime.timedelta(seconds=seconds)
    return timezone.localtime(add_working_seconds(start, seconds, pattern=pattern))
