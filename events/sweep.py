"""The deadline sweep (Art. 17 限时办结): yellow warnings, red overdue alerts, escalation.

`sweep_due(now)` is called every minute by Celery beat (`events.tasks.sweep`) and by
`manage.py sweep_deadlines`. It reads open events whose `next_alert_at` ≤ now (one
indexed query when idle), locking them with `FOR UPDATE SKIP LOCKED` so concurrent
sweeps share the work and never wait on a user's step, in batches, each batch one
transaction:

1. for each due stage of the running clock (accept while dispatched, complete while
   handling) INSERT an `Alert` row — `ON CONFLICT DO NOTHING RETURNING` — so only rows
   actually inserted act: each alert fires exactly once per event, stage and cycle,
   whatever the number of sweeps, restarts or delays;
2. append a WARNING / OVERDUE action, set `alert_level` yellow / red, and on overdue
   escalate one level up (AUTO_ESCALATE: a township-level event is flagged to the
   district, which may then re-dispatch it; a district-level event is flagged to the
   city authority); recompute `next_alert_at`;
3. after commit: notify the lead unit's handlers, the township's dispatchers and the
   district's supervisors (the city's on escalation from the district), and send
   `event_overdue` and `event_changed`.

A late sweep fires the warning and the overdue alert together.
"""

import logging
from collections import Counter

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from personnel.choices import PlatformRole

from . import notify
from .choices import ActionKind, AlertLevel, AlertStage, EventStatus, HandlingLevel
from .models import Action, Alert, Event
from .signals import event_changed, event_overdue

logger = logging.getLogger(__name__)

BATCH = 2000
_FIELDS = (
    "id",
    "number",
    "title",
    "grade",
    "status",
    "level",
    "cycle",
    "alert_level",
    "accept_warn_at",
    "accept_due_at",
    "complete_warn_at",
    "complete_due_at",
    "next_alert_at",
    "township_id",
    "county_id",
    "lead_unit_id",
)
_LABELS = {
    AlertStage.ACCEPT_WARNING: _("签收预警（黄牌）"),
    AlertStage.ACCEPT_OVERDUE: _("签收超期（红牌）"),
    AlertStage.COMPLETE_WARNING: _("办结预警（黄牌）"),
    AlertStage.COMPLETE_OVERDUE: _("办结超期（红牌）"),
}


def due_stages(event, now) -> list[tuple[str, object]]:
    """[(stage, due time)] of the running clock that are due at `now` and not yet fired."""
    if event.status == EventStatus.DISPATCHED:
        clock = (AlertStage.ACCEPT_WARNING, event.accept_warn_at, AlertStage.ACCEPT_OVERDUE, event.accept_due_at)
    elif event.status == EventStatus.HANDLING:
        clock = (
            AlertStage.COMPLETE_WARNING,
            event.complete_warn_at,
            AlertStage.COMPLETE_OVERDUE,
            event.complete_due_at,
        )
    else:
        return []
    warn_stage, warn, due_stage, due = clock
    out = []
    if event.alert_level == AlertLevel.NONE and warn and warn <= now:
        out.append((warn_stage, warn))
    if event.alert_level != AlertLevel.RED and due and due <= now:
        out.append((due_stage, due))
    return out


def _insert_alerts(rows, now) -> set[tuple[int, str]]:
    """INSERT … ON CONFLICT DO NOTHING RETURNING: the (event_id, stage) pairs inserted."""
    if not rows:
        return set()
    qn = connection.ops.quote_name
    table = qn(Alert._meta.db_table)
    fired = connection.ops.adapt_datetimefield_value(now)
    inserted = set()
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 500):
            chunk = rows[start : start + 500]
            params = []
            for event_id, stage, cycle, due_at in chunk:
                params += [event_id, stage, cycle, connection.ops.adapt_datetimefield_value(due_at), fired]
            values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(chunk))
            cols = f"{qn('event_id')}, {qn('stage')}, {qn('cycle')}"
            # Only quoted names and placeholders are interpolated; values go as parameters.
            sql = (
                f"INSERT INTO {table} ({cols}, {qn('due_at')}, {qn('fired_at')}) VALUES {values} "  # noqa: S608
                f"ON CONFLICT ({cols}) DO NOTHING RETURNING {qn('event_id')}, {qn('stage')}"
            )
            cursor.execute(sql, params)
            inserted.update((int(e), s) for e, s in cursor.fetchall())
    return inserted


def _sweep_batch(now, counts: Counter) -> int:
    from .services import compute_next_alert

    with transaction.atomic():
        events = list(
            Event.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(next_alert_at__lte=now)
            .only(*_FIELDS)
            .order_by("next_alert_at")[:BATCH]
        )
        if not events:
            return 0
        plan = {ev.pk: due_stages(ev, now) for ev in events}
        inserted = _insert_alerts([(ev.pk, stage, ev.cycle, due) for ev in events for stage, due in plan[ev.pk]], now)
        yellow_accept, yellow_complete, red, escalate, stale = [], [], [], [], []
        actions, fired = [], []
        for ev in events:
            stages = plan[ev.pk]
            if not stages:
                stale.append(ev)
                continue
            is_red = stages[-1][0] in (AlertStage.ACCEPT_OVERDUE, AlertStage.COMPLETE_OVERDUE)
            if is_red:
                red.append(ev.pk)
            elif ev.status == EventStatus.DISPATCHED:
                yellow_accept.append(ev.pk)
            else:
                yellow_complete.append(ev.pk)
            for stage, due in stages:
                if (ev.pk, stage) not in inserted:
                    continue
                overdue = stage in (AlertStage.ACCEPT_OVERDUE, AlertStage.COMPLETE_OVERDUE)
                counts[stage] += 1
                fired.append((ev, stage))
                actions.append(
                    Action(
                        event_id=ev.pk,
                        kind=ActionKind.OVERDUE if overdue else ActionKind.WARNING,
                        actor_name=_("系统"),
                        at=now,
                        from_status=ev.status,
                        to_status=ev.status,
                        text=f"{_LABELS[stage]}：{_('时限')} {timezone.localtime(due):%Y-%m-%d %H:%M}",
                        data={"stage": stage, "cycle": ev.cycle, "due_at": due.isoformat()},
                    )
                )
                if overdue:
                    to_level = "county" if ev.level == HandlingLevel.TOWNSHIP else "city"
                    escalate.append((ev, to_level))
                    actions.append(
                        Action(
                            event_id=ev.pk,
                            kind=ActionKind.AUTO_ESCALATE,
                            actor_name=_("系统"),
                            at=now,
                            from_status=ev.status,
                            to_status=ev.status,
                            text=_("超期自动提级至区级") if to_level == "county" else _("超期自动提请市级督办"),
                            data={"stage": stage, "from_level": ev.level, "to_level": to_level},
                        )
                    )
        bump = {"version": F("version") + 1, "updated_at": now}
        if yellow_accept:
            Event.objects.filter(pk__in=yellow_accept).update(
                alert_level=AlertLevel.YELLOW, next_alert_at=F("accept_due_at"), **bump
            )
        if yellow_complete:
            Event.objects.filter(pk__in=yellow_complete).update(
                alert_level=AlertLevel.YELLOW, next_alert_at=F("complete_due_at"), **bump
            )
        if red:
            Event.objects.filter(pk__in=red).update(alert_level=AlertLevel.RED, next_alert_at=None, **bump)
        to_county = [ev.pk for ev, level in escalate if level == "county"]
        if to_county:
            Event.objects.filter(pk__in=to_county).update(level=HandlingLevel.COUNTY)
            counts["escalated"] += len(to_county)
        for ev in stale:
            ev.next_alert_at = compute_next_alert(ev)
        if stale:
            Event.objects.bulk_update(stale, ["next_alert_at"])
        created = Action.objects.bulk_create(actions, batch_size=1000)
        counts["events"] += len(events)
        _after_commit(fired, escalate, created)
        return len(events)


def _after_commit(fired, escalate, actions):
    if not fired:
        return
    units = {ev.lead_unit_id for ev, _s in fired if ev.lead_unit_id}
    handlers = notify.members_by(PlatformRole.HANDLER, "id", units)
    dispatchers = notify.members_by(PlatformRole.DISPATCHER, "area_id", {ev.township_id for ev, _s in fired})
    supervisors = notify.members_by(PlatformRole.SUPERVISOR, "area_id", {ev.county_id for ev, _s in fired})
    to_city = {ev.pk for ev, level in escalate if level == "city"}
    city_supervisors = set()
    if to_city:
        from grids.models import Area

        city_ids = Area.objects.filter(pk__in={ev.county_id for ev, _s in fired}).values_list("parent_id", flat=True)
        city_supervisors = set().union(*notify.members_by(PlatformRole.SUPERVISOR, "area_id", city_ids).values())
    messages = []
    for ev, stage in fired:
        users = (
            handlers.get(ev.lead_unit_id, set())
            | dispatchers.get(ev.township_id, set())
            | supervisors.get(ev.county_id, set())
        )
        if ev.pk in to_city:
            users = users | city_supervisors
        messages.append(
            notify.Message(
                user_ids=users,
                event_id=ev.pk,
                kind=ActionKind.OVERDUE if "overdue" in stage else ActionKind.WARNING,
                title=f"[{ev.number}] {_LABELS[stage]}：{ev.title}",
                body=ev.title,
                urgent="overdue" in stage or ev.grade == "emergency",
            )
        )
    notify.queue(messages, digest=True)
    fired_pairs = [(ev.pk, stage) for ev, stage in fired]
    action_ids = [a.pk for a in actions]

    if not (event_overdue.has_listeners(Event) or event_changed.has_listeners(Event)):
        return

    def _signals():
        fresh = Event.objects.in_bulk([pk for pk, _s in fired_pairs])
        for pk, stage in fired_pairs:
            try:
                event_overdue.send(sender=Event, event=fresh[pk], stage=stage)
            except Exception:
                logger.exception("event_overdue listener failed for event %s", pk)
        for action in Action.objects.filter(pk__in=action_ids).order_by("id"):
            try:
                event_changed.send(sender=Event, event=fresh[action.event_id], action=action)
            except Exception:
                logger.exception("event_changed listener failed for event %s", action.event_id)

    transaction.on_commit(_signals)


def sweep_due(now=None) -> dict:
    """Fire every due alert once; returns counts {"events", "<stage>"…, "escalated"}.

    `now`: aware datetime (default: the current time). Safe to run concurrently.
    """
    now = now or timezone.now()
    counts: Counter = Counter()
    while _sweep_batch(now, counts) == BATCH:
        pass
    return dict(counts)
