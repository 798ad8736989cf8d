"""Open clocks follow a change of the working-day calendar (Art. 17 限时办结, Art. 29).

When a year's notice is confirmed or one day is corrected (`events.calendar`), the
deadlines the change moves are recomputed in bounded batches (`BATCH` events a batch:
one locking read, one bulk update of the events, one of their active dispatches, one
insert of timeline rows), inside the transaction that writes the change.

A deadline `t` of a clock started at `s` keeps its amount of working time: with `a` the
later of `s` and the first changed day's midnight (before it both calendars agree),
the new deadline is the instant after `a` at which the new calendar has counted the
working time the old one counted between `a` and `t`. For a whole number of working
days this is again the end of working time of the Nth working day.

What moves:
- running clocks (accept while dispatched, complete while handling): warning and due
  times not yet passed; `next_alert_at` follows, so the sweep fires what is due at the
  new times. Alerts are rows unique per event, stage and cycle and the cycle does not
  change, so nothing fires twice; a time moved into the past fires on the next sweep.
- deadlines already passed, and those of events already handled, move on the record
  (`Event`, and the active `Dispatch` rows the accountability report and scorecards
  read), so lateness is counted on the corrected calendar; alerts already fired stay
  (not withdrawn: `alert_level`, `Alert` rows and their timeline rows are kept).
Not moved: emergencies and clocks whose rule counts natural hours (Art. 18), units with
their own working pattern (their clocks do not follow the calendar), suspended clocks
(recomputed on resume).
"""

import datetime

from django.db import connection
from django.db.models import Max, OuterRef, Q, Subquery
from django.utils import timezone

from catalog.choices import Grade, TimeUnit
from catalog.models import HandlingRule
from personnel.choices import WorkingPattern

from .choices import ActionKind, DispatchRole, EventStatus
from .models import Action, Dispatch, Event
from .services import compute_next_alert
from .workcalendar import _Calendar, add_working_seconds, working_seconds_between

BATCH = 1000
_COMPLETE_STATES = (EventStatus.HANDLING, EventStatus.RESULT_SUBMITTED, EventStatus.VERIFIED, EventStatus.CLOSED)
_FIELDS = (
    *("id", "status", "version", "alert_level", "dispatched_at", "signed_at"),
    *("accept_warn_at", "accept_due_at", "complete_warn_at", "complete_due_at", "next_alert_at"),
)


def _midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()), timezone.get_current_timezone())


class _Mapper:
    """Old deadline → new deadline for clocks that touch the changed days."""

    def __init__(self, old_values: dict[datetime.date, bool]):
        self.old = _Calendar(overlay=old_values)
        self.new = _Calendar()
        self.lo = _midnight(min(old_values))

    def __call__(self, start, t):
        if t is None or start is None or t <= self.lo:
            return t
        anchor = max(start, self.lo)
        if t <= anchor:
            return t
        seconds = working_seconds_between(anchor, t, calendar=self.old)
        return timezone.localtime(add_working_seconds(anchor, seconds, calendar=self.new))


def _move(ev, mapper, now) -> dict:
    """Recompute `ev`'s deadlines in place; returns {field: [old ISO, new ISO]} of those moved."""
    moved = {}

    def shift(field, start, *, running):
        old = getattr(ev, field)
        if old is None or (running and old <= now and field.endswith("warn_at")):
            return  # a warning already passed has fired (or fires now): it stays
        new = mapper(start, old)
        if new != old:
            setattr(ev, field, new)
            moved[field] = [old.isoformat(), new.isoformat()]

    accept_running = ev.status == EventStatus.DISPATCHED
    if ev.accept_unit != TimeUnit.NATURAL_HOUR:
        if accept_running:
            shift("accept_warn_at", ev.dispatched_at, running=True)
        shift("accept_due_at", ev.dispatched_at, running=accept_running)
    if ev.status in _COMPLETE_STATES and ev.complete_unit != TimeUnit.NATURAL_HOUR:
        start = max(filter(None, [ev.signed_at, ev.clock_restart]), default=None)
        if ev.status == EventStatus.HANDLING:
            shift("complete_warn_at", start, running=True)
        shift("complete_due_at", start, running=ev.status == EventStatus.HANDLING)
    return moved


def recompute_clocks(*, old_values: dict[datetime.date, bool], actor, reason: str, now=None) -> int:
    """Move the deadlines a calendar change moves; returns how many events changed.

    `old_values`: {local date: is_workday before the change} for the days whose working
    status the change flipped (the calendar pattern). Call inside the transaction that
    wrote the change, after writing it. `actor`: the user who made the change (named on
    each timeline row, kind `reclock`, with `reason` and the old and new times).
    """
    if not old_values:
        return 0
    now = now or timezone.now()
    mapper = _Mapper(old_values)
    hi = _midnight(max(old_values) + datetime.timedelta(days=1))
    restart = (
        Action.objects.filter(event=OuterRef("pk"), kind__in=[ActionKind.VERIFY_FAIL, ActionKind.RESUME])
        .values("event")
        .annotate(at=Max("at"))
        .values("at")
    )
    rule = HandlingRule.objects.filter(version=OuterRef("item_version_id"), grade=OuterRef("grade"))
    touching = Q(accept_due_at__gt=mapper.lo, dispatched_at__lt=hi) | Q(
        complete_due_at__gt=mapper.lo, signed_at__lt=hi, status__in=_COMPLETE_STATES
    )
    candidates = (
        Event.objects.filter(touching, lead_unit__working_pattern=WorkingPattern.CALENDAR)
        .exclude(grade=Grade.EMERGENCY)
        .annotate(
            clock_restart=Subquery(restart),
            accept_unit=Subquery(rule.values("accept_unit")[:1]),
            complete_unit=Subquery(rule.values("complete_unit")[:1]),
        )
        .only(*_FIELDS)
        .order_by("id")
    )
    name = actor.get_full_name() or actor.get_username()
    days = sorted(d.isoformat() for d in old_values)
    changed, last = 0, 0
    while True:
        batch = list(candidates.filter(id__gt=last).select_for_update(of=("self",))[:BATCH])
        if not batch:
            return changed
        last = batch[-1].pk
        moved = {ev.pk: m for ev in batch if (m := _move(ev, mapper, now))}
        events = [ev for ev in batch if ev.pk in moved]
        for ev in events:
            ev.next_alert_at = compute_next_alert(ev)
        fields = ["accept_warn_at", "accept_due_at", "complete_warn_at", "complete_due_at", "next_alert_at"]
        _update_from_values(Event, fields, events, bump=now)
        _copy_to_dispatches(events)
        Action.objects.bulk_create(
            Action(
                event_id=ev.pk,
                kind=ActionKind.RECLOCK,
                actor=actor,
                actor_name=name,
                at=now,
                from_status=ev.status,
                to_status=ev.status,
                text=_text(reason, moved[ev.pk]),
                data={"days": days, "moved": moved[ev.pk]},
            )
            for ev in events
        )
        changed += len(events)


def _text(reason: str, moved: dict) -> str:
    """The timeline text: why, then each moved deadline as old → new (local time)."""
    lines = [reason]
    for field in ("accept_due_at", "complete_due_at"):
        if field in moved:
            old, new = (timezone.localtime(datetime.datetime.fromisoformat(v)) for v in moved[field])
            label = Event._meta.get_field(field).verbose_name
            lines.append(f"{label}：{old:%Y-%m-%d %H:%M} → {new:%Y-%m-%d %H:%M}")
    return "\n".join(lines)


def _update_from_values(model, fields: list[str], rows, *, bump=None) -> None:
    """Write `fields` (datetimes) of `rows` in one `UPDATE … FROM (VALUES …)` per 500 rows.

    (Django's `bulk_update` builds a CASE per field and row: 2,000 events took 30 s.)
    `bump` (aware datetime): also `version` + 1 and `updated_at` = bump, as every change of
    an event does. Only quoted names and placeholders are interpolated; values are parameters.
    """
    qn, ops = connection.ops.quote_name, connection.ops
    cast = "::timestamptz" if connection.vendor == "postgresql" else ""
    key = "::bigint" if connection.vendor == "postgresql" else ""
    table = qn(model._meta.db_table)
    sets = [f"{qn(f)} = v.column{i + 2}" for i, f in enumerate(fields)]
    bump_params = []
    if bump is not None:
        sets += [f"{qn('version')} = {table}.{qn('version')} + 1", f"{qn('updated_at')} = %s"]
        bump_params = [ops.adapt_datetimefield_value(bump)]
    row_sql = "(" + ", ".join([f"%s{key}"] + [f"%s{cast}"] * len(fields)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 500):
            chunk = rows[start : start + 500]
            params = [*bump_params]
            for row in chunk:
                params += [row.pk, *(ops.adapt_datetimefield_value(getattr(row, f)) for f in fields)]
            cursor.execute(
                f"UPDATE {table} SET {', '.join(sets)} FROM (VALUES {', '.join([row_sql] * len(chunk))}) AS v "  # noqa: S608
                f"WHERE {table}.{qn('id')} = v.column1",
                params,
            )


def _copy_to_dispatches(events) -> None:
    """The active dispatches carry the event's deadlines (accept: all; complete: the lead)."""
    by_event = {ev.pk: ev for ev in events}
    rows = list(
        Dispatch.objects.filter(event_id__in=by_event, active=True).only("id", "event_id", "role", "complete_due_at")
    )
    for row in rows:
        ev = by_event[row.event_id]
        row.accept_due_at = ev.accept_due_at
        if row.role == DispatchRole.LEAD and row.complete_due_at is not None:
            row.complete_due_at = ev.complete_due_at
    _update_from_values(Dispatch, ["accept_due_at", "complete_due_at"], rows)
