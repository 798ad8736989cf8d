"""The working-day calendar's annual notice and day corrections (Art. 17 限时办结).

Who: the calendar administrator (platform role `calendar_admin`, 工作日历管理员, held
for the city's grid authority; the calendar is city-wide because the State Council's
notice is national) and superusers change the calendar; supervisors (主管单位督办员) may
read it, since their deadlines and scorecards depend on it. The role needs no area
grant (`personnel.roles`): it is checked as a current membership.

- `notice_validate(year, ranges)`: the notice as written, checked (`ValidationError`).
- `calendar_notice_confirm`: confirm a year's notice; `calendar_day_set`: correct a day.
  Both take the exclusive calendar lock, write the change and move the open clocks it
  moves (`events.reclock`), in one transaction.
- `month_grid`: a year as twelve month grids, for the page's preview.
- `reminder_due` / `calendar_remind`: from 1 November while next year's calendar is
  only estimated, the workbench warns (`events.workbench`) and the minute sweep logs it
  once a day (`events.tasks.sweep`).
"""

import calendar as pycalendar
import datetime
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from personnel.choices import PlatformRole
from personnel.models import Membership

from .choices import CalendarSource
from .models import CalendarDay, CalendarYear
from .reclock import recompute_clocks
from .workcalendar import CALENDAR_LOCK, _Calendar, notice_days, year_source

logger = logging.getLogger(__name__)

HOLIDAY, WORKDAY = "holiday", "workday"
#: From this month on, next year's calendar should be confirmed (the State Council
#: publishes the notice in October or November).
REMIND_FROM_MONTH = 11


def can_manage(user) -> bool:
    """Whether `user` may confirm notices and correct days (calendar administrator)."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return Membership.objects.current().filter(user=user, role=PlatformRole.CALENDAR_ADMIN).exists()


def can_view(user) -> bool:
    """Whether `user` may read the calendar page (administrators and supervisors)."""
    if can_manage(user):
        return True
    roles = [PlatformRole.SUPERVISOR]
    return Membership.objects.current().filter(user=user, role__in=roles).exists()


def notice_validate(year: int, ranges: list[dict]) -> list[dict]:
    """Check a notice as written; returns the ranges sorted by start.

    `ranges`: [{"kind": "holiday" | "workday", "start": date, "end": date, "name": str}]
    (dates as `datetime.date`, ends inclusive). Rules: at least one holiday range; each
    range within `year`, start ≤ end; every make-up working day (上班) is a Saturday or
    Sunday; no two ranges share a day. Raises `ValidationError` with a list of Chinese
    messages naming the ranges concerned.
    """
    errors = []
    ranges = sorted(ranges, key=lambda r: (r["start"], r["end"]))
    for r in ranges:
        label = _("%(name)s（%(start)s 至 %(end)s）") % {"name": r["name"] or "—", "start": r["start"], "end": r["end"]}
        if r["kind"] not in (HOLIDAY, WORKDAY):
            errors.append(_("%(r)s：类型无效。") % {"r": label})
        if r["start"] > r["end"]:
            errors.append(_("%(r)s：开始日期晚于结束日期。") % {"r": label})
        if r["start"].year != year or r["end"].year != year:
            errors.append(_("%(r)s：日期不在 %(y)d 年内。") % {"r": label, "y": year})
        if r["kind"] == WORKDAY and r["start"] <= r["end"]:
            day = r["start"]
            while day <= r["end"]:
                if day.weekday() < 5:
                    errors.append(_("%(r)s：%(d)s 不是周末，无需调休上班。") % {"r": label, "d": day})
                day += datetime.timedelta(days=1)
    latest = None  # the range reaching furthest so far (ranges are sorted by start)
    for r in ranges:
        if latest and r["start"] <= latest["end"]:
            errors.append(
                _("%(a)s 与 %(b)s 日期重叠。")
                % {"a": f"{latest['name'] or '—'}（{latest['start']}）", "b": f"{r['name'] or '—'}（{r['start']}）"}
            )
        if latest is None or r["end"] > latest["end"]:
            latest = r
    if not any(r["kind"] == HOLIDAY for r in ranges):
        errors.append(_("请至少填写一段放假安排。"))
    if errors:
        raise ValidationError(errors)
    return ranges


def _stored(ranges: list[dict]) -> list[dict]:
    return [{**r, "start": r["start"].isoformat(), "end": r["end"].isoformat()} for r in ranges]


def _year_days(year: int):
    day = datetime.date(year, 1, 1)
    while day.year == year:
        yield day
        day += datetime.timedelta(days=1)


def _lock() -> None:
    """Serialise calendar changes against clocks being computed (see `workcalendar._Calendar`)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CALENDAR_LOCK])


def calendar_notice_confirm(*, actor, year: int, ranges: list[dict], at=None) -> dict:
    """Confirm the State Council's notice for `year` as entered (确认年度放假安排).

    `ranges` as `notice_validate` takes them. The year's source becomes `confirmed`; its
    days follow the notice (other days Monday–Friday; single-day corrections still win).
    Open deadlines the change moves are recomputed, each with a timeline row. Who: the
    calendar administrator (else `PermissionDenied`). Returns {"days": days whose working
    status changed, "events": events whose deadlines moved}.
    """
    if not can_manage(actor):
        raise PermissionDenied
    ranges = notice_validate(year, ranges)
    now = at or timezone.now()
    with transaction.atomic():
        _lock()
        before = _Calendar()
        old = {day: before.is_workday(day) for day in _year_days(year)}
        CalendarYear.objects.update_or_create(
            year=year,
            defaults={
                "source": CalendarSource.CONFIRMED,
                "ranges": _stored(ranges),
                "confirmed_by": actor,
                "confirmed_at": now,
            },
        )
        after = _Calendar()
        flipped = {day: was for day, was in old.items() if after.is_workday(day) != was}
        reason = _("%(y)d 年放假安排已确认，时限按新日历重算。") % {"y": year}
        moved = recompute_clocks(old_values=flipped, actor=actor, reason=reason, now=now)
    logger.info("calendar %s confirmed by %s: %d days changed, %d events moved", year, actor, len(flipped), moved)
    return {"days": len(flipped), "events": moved}


def calendar_day_set(*, actor, day: datetime.date, is_workday: bool, note: str, at=None) -> dict:
    """Correct one day (单日调整, e.g. a typhoon day off): it wins over every other source.

    `note` (required, ≤ 100 characters) says why. Open deadlines it moves are recomputed,
    each with a timeline row. Who: the calendar administrator (else `PermissionDenied`).
    Returns {"days": 0 or 1, "events": events whose deadlines moved}.
    """
    if not can_manage(actor):
        raise PermissionDenied
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": [_("请填写调整原因。")]})
    now = at or timezone.now()
    with transaction.atomic():
        _lock()
        was = _Calendar().is_workday(day)
        CalendarDay.objects.update_or_create(date=day, defaults={"is_workday": is_workday, "note": note[:100]})
        flipped = {day: was} if was != is_workday else {}
        reason = _("%(d)s 调整为%(k)s（%(n)s），时限按新日历重算。") % {
            "d": day,
            "k": _("工作日") if is_workday else _("休息日"),
            "n": note,
        }
        moved = recompute_clocks(old_values=flipped, actor=actor, reason=reason, now=now)
    return {"days": len(flipped), "events": moved}


def month_grid(year: int, ranges: list[dict] | None = None) -> list[dict]:
    """The year as twelve months for display: [{"month": 1…12, "weeks": [[cell | None] × 7]}].

    A cell is {"day": date, "work": bool, "kind": "holiday" | "workday" | "weekend" | ""}
    ("holiday"/"workday": named by the notice; "weekend": an ordinary day off). With
    `ranges` (a notice being previewed) the days are shown as they will be once it is
    confirmed; without, as the platform counts them now.
    """
    named = notice_days(_stored(ranges)) if ranges is not None else None
    cal = _Calendar()
    corrected = dict(CalendarDay.objects.filter(date__year=year).values_list("date", "is_workday"))
    months = []
    for month in range(1, 13):
        weeks = []
        for week in pycalendar.Calendar().monthdatescalendar(year, month):
            row = []
            for day in week:
                if day.month != month:
                    row.append(None)
                    continue
                if day in corrected:
                    work = corrected[day]
                elif named is not None:
                    work = named.get(day, day.weekday() < 5)
                else:
                    work = cal.is_workday(day)
                kind = ""
                if work and day.weekday() >= 5:
                    kind = WORKDAY
                elif not work:
                    kind = HOLIDAY if day.weekday() < 5 or (named and day in named) else "weekend"
                row.append({"day": day, "work": work, "kind": kind})
            weeks.append(row)
        months.append({"month": month, "weeks": weeks})
    return months


def reminder_due(today: datetime.date | None = None) -> int | None:
    """The year to warn about, or None: next year from 1 November while only estimated."""
    today = today or timezone.localdate()
    if today.month < REMIND_FROM_MONTH:
        return None
    nxt = today.year + 1
    return nxt if year_source(nxt) == CalendarSource.ESTIMATED else None


def calendar_remind(now=None) -> bool:
    """Log the warning once per local day while `reminder_due`; True when logged now.

    Idempotent across sweeps, processes and restarts: one conditional UPDATE of the
    year's row (`reminded_on`) decides which caller logs.
    """
    today = timezone.localdate(now)
    year = reminder_due(today)
    if year is None:
        return False
    CalendarYear.objects.get_or_create(year=year)
    if not CalendarYear.objects.filter(year=year).exclude(reminded_on=today).update(reminded_on=today):
        return False
    logger.warning(
        "the working-day calendar of %s is not confirmed: deadlines in %s count estimated holidays; "
        "the calendar administrator should enter the State Council's notice at /events/calendar/",
        year,
        year,
    )
    return True
