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
2. append a WARNING / OVERDUE action and set `alert_level` yellow / red; on overdue take
   the registry step `auto_escalate` (`events.workflow.STEPS`, actor `workflow.SYSTEM`,
   checked by `workflow.authorize`): an AUTO_ESCALATE action that puts the event under
   the supervision of the level above its routing level — the district for a
   township-level event, the city for a district-level one. It does not move the
   routing: who routes an event follows the division of duties (Art. 17), which only the
   `escalate` step changes; the township that dispatched it still decides requests,
   resumes and re-dispatches. Recompute `next_alert_at`. The timeline rows are built by
   the services' own `events.services.core.action_row` and written in one statement;
3. notify the lead unit's handlers, the township's dispatchers and the district's
   supervisors (the city's on escalation from the district): inbox rows
   (`notify.inbox`), and one digest e-mail (and SMS when overdue) per user in the outbox;
   and send `event_overdue` and `event_changed`, whose receivers write the webhook
   deliveries to the organisations concerned (`selectors.concerned_organisations`, read
   once per batch) — all in the batch's
   transaction (the transactional outbox, `ningbo_grid.outbox`): a worker killed at any
   instant either committed the alerts with every side effect they cause, to be sent by
   `events.tasks.outbox_deliver` / `integrations.tasks.webhook_sweep`, or nothing, and
   the next sweep fires them then.

A late sweep fires the warning and the overdue alert together.
"""

import datetime
from collections import Counter

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from personnel.choices import PlatformRole

from . import bulk, notify, workflow
from .choices import ActionKind, AlertLevel, AlertStage, EventStatus, HandlingLevel
from .models import Action, Alert, Event
from .selectors import concerned_organisations
from .signals import event_changed, event_overdue

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
#: The event fields the sweep's signals carry loaded (others load when a listener reads them).
_SIGNAL_FIELDS = (
    *("id", "number", "title", "status", "level", "version", "updated_at", "cycle", "alert_level"),
    *("township", "county", "lead_unit", "area", "item", "accept_due_at", "complete_due_at"),
)
_LABELS = {
    AlertStage.ACCEPT_WARNING: gettext_lazy("签收预警（黄牌）"),
    AlertStage.ACCEPT_OVERDUE: gettext_lazy("签收超期（红牌）"),
    AlertStage.COMPLETE_WARNING: gettext_lazy("办结预警（黄牌）"),
    AlertStage.COMPLETE_OVERDUE: gettext_lazy("办结超期（红牌）"),
}


def due_stages(event: Event, now: datetime.datetime) -> list[tuple[str, datetime.datetime]]:
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
    out: list[tuple[str, datetime.datetime]] = []
    if event.alert_level == AlertLevel.NONE and warn and warn <= now:
        out.append((warn_stage, warn))
    if event.alert_level != AlertLevel.RED and due and due <= now:
        out.append((due_stage, due))
    return out


def _insert_alerts(rows, now) -> dict[tuple[int, str], int]:
    """INSERT … ON CONFLICT DO NOTHING RETURNING: {(event_id, stage): alert id} inserted."""
    if not rows:
        return {}
    qn = connection.ops.quote_name
    table = qn(Alert._meta.db_table)
    fired = connection.ops.adapt_datetimefield_value(now)
    inserted: dict[tuple[int, str], int] = {}
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
                f"ON CONFLICT ({cols}) DO NOTHING RETURNING {qn('event_id')}, {qn('stage')}, {qn('id')}"
            )
            cursor.execute(sql, params)
            inserted.update(((int(e), s), int(pk)) for e, s, pk in cursor.fetchall())
    return inserted


def _recipients(events) -> dict[int, dict[str, set[int]]]:
    """{event id: {"warning": users, "overdue": users}}: who hears of an alert on each event —
    the lead unit's handlers, the township's dispatchers and the district's supervisors;
    of an overdue alert also the level above the event's routing level when the sweep
    escalates (`auto_escalate`): the city's supervisors for a district-level event.
    Current memberships only (`notify.members_by`), three queries for the batch."""
    from grids.models import Area

    counties = {ev.county_id for ev in events}
    city_of = dict(Area.objects.filter(pk__in=counties).values_list("pk", "parent_id"))
    handlers = notify.members_by(PlatformRole.HANDLER, "id", {ev.lead_unit_id for ev in events if ev.lead_unit_id})
    dispatchers = notify.members_by(PlatformRole.DISPATCHER, "area_id", {ev.township_id for ev in events})
    supervisors = notify.members_by(PlatformRole.SUPERVISOR, "area_id", counties | set(filter(None, city_of.values())))
    out = {}
    for ev in events:
        users = handlers.get(ev.lead_unit_id, set()) | dispatchers.get(ev.township_id, set())
        users |= supervisors.get(ev.county_id, set())
        city = city_of.get(ev.county_id)
        above = supervisors.get(city, set()) if city and ev.level == HandlingLevel.COUNTY else set()
        out[ev.pk] = {"warning": users, "overdue": users | above}
    return out


def _notify(fired, cause: str) -> None:
    """Notify who must hear of the alerts just fired: `fired` is [(event, [stage…])].

    Inbox rows through `notify.inbox` (titled by `notify.message`, as the steps' are), and
    in the outbox one digest e-mail per user listing their alerts of this batch (and one
    SMS if any is overdue), keyed by `cause` (the batch's first alert: `alert:<id>`) and the
    user. When a late sweep fires a warning and the overdue alert together, only the
    overdue one is notified. The cost follows the alerts plus the memberships, never their
    product.
    """
    recipients = _recipients([ev for ev, _stages in fired])
    labels = {stage: str(label) for stage, label in _LABELS.items()}
    messages = []
    for ev, stages in fired:
        late = any(stage in _OVERDUE for stage in stages)
        for stage in stages:
            if late and stage not in _OVERDUE:
                continue  # the overdue alert fired too: notify that one only
            kind = ActionKind.OVERDUE if stage in _OVERDUE else ActionKind.WARNING
            users = recipients[ev.pk]["overdue" if stage in _OVERDUE else "warning"]
            title = f"{labels[stage]}：{ev.title}"
            messages.append(notify.message(ev, kind, title, users))
    messages = [m for m in messages if m.user_ids]
    if not messages:
        return
    notify.inbox(messages)
    digests: dict[int, tuple[list[str], bool]] = {}
    for message in messages:
        for user_id in message.user_ids:
            titles, urgent = digests.get(user_id, ([], False))
            titles.append(message.title)
            digests[user_id] = (titles, urgent or message.kind == ActionKind.OVERDUE)
    notify.enqueue(
        notify.Outgoing(
            cause, user_id, _("您有 %(n)d 条事件时限提醒") % {"n": len(titles)}, "\n".join(titles[:200]), urgent
        )
        for user_id, (titles, urgent) in digests.items()
    )


_OVERDUE = frozenset({AlertStage.ACCEPT_OVERDUE, AlertStage.COMPLETE_OVERDUE})


def _actions(fired, plan, now) -> tuple[list[Action], int]:
    """The timeline rows of the alerts just fired (`fired`: [(event, [stage…])]), written in
    one statement with the services' own `action_row`: a WARNING or OVERDUE row per alert
    and, on overdue, the registry step `auto_escalate` taken by `workflow.SYSTEM`
    (`workflow.authorize` checks it like any step). Returns (rows, steps taken)."""
    from .services.core import action_row

    rows, escalated = [], 0
    labels = {stage: str(label) for stage, label in _LABELS.items()}
    for ev, stages in fired:
        due_of = dict(plan[ev.pk])
        for stage in stages:
            kind = ActionKind.OVERDUE if stage in _OVERDUE else ActionKind.WARNING
            data = {"stage": str(stage), "cycle": ev.cycle, "due_at": due_of[stage].isoformat()}
            rows.append(action_row(ev, kind, workflow.SYSTEM, at=now, text=labels[stage], data=data))
        overdue = [stage for stage in stages if stage in _OVERDUE]
        if overdue:
            workflow.authorize(workflow.SYSTEM, "auto_escalate", ev)
            up = HandlingLevel.COUNTY if ev.level == HandlingLevel.TOWNSHIP else "city"
            text = _("超期自动提请区级督办") if up == HandlingLevel.COUNTY else _("超期自动提请市级督办")
            data = {"stage": str(overdue[0]), "from_level": ev.level, "to_level": str(up)}
            rows.append(action_row(ev, ActionKind.AUTO_ESCALATE, workflow.SYSTEM, at=now, text=text, data=data))
            escalated += 1
    bulk.insert(rows)
    return rows, escalated


def _sweep_batch(now: datetime.datetime, counts: Counter) -> int:
    from .services import compute_next_alert

    with transaction.atomic():
        events = list(
            Event.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(next_alert_at__lte=now)
            .only(*_FIELDS)
            .order_by("next_alert_at")[: _batch_size()]
        )
        if not events:
            return 0
        plan = {ev.pk: due_stages(ev, now) for ev in events}
        inserted = _insert_alerts([(ev.pk, stage, ev.cycle, due) for ev in events for stage, due in plan[ev.pk]], now)
        yellow_accept, yellow_complete, red, stale = [], [], [], []
        fired = []
        for ev in events:
            stages = plan[ev.pk]
            if not stages:
                stale.append(ev)
                continue
            if stages[-1][0] in _OVERDUE:
                red.append(ev.pk)
            elif ev.status == EventStatus.DISPATCHED:
                yellow_accept.append(ev.pk)
            else:
                yellow_complete.append(ev.pk)
            mine = [stage for stage, _due in stages if (ev.pk, stage) in inserted]
            if mine:
                fired.append((ev, mine))
            for stage in mine:
                counts[AlertStage(stage).value] += 1  # plain strings: the result is printed and logged
        actions: list[Action] = []
        if fired:
            actions, escalated = _actions(fired, plan, now)
            if escalated:
                counts["escalated"] += escalated
            _notify(fired, f"alert:{min(inserted.values())}")
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
        for ev in stale:
            ev.next_alert_at = compute_next_alert(ev)
        if stale:
            Event.objects.bulk_update(stale, ["next_alert_at"])
        counts["events"] += len(events)
        if fired:
            _signal(fired, plan, actions)
        return len(events)


def _signal(fired, plan, actions: list[Action]) -> None:
    """Send `event_overdue` per alert and `event_changed` per action of this batch, inside
    its transaction: the receivers write their webhook deliveries there (see
    `events.signals`), with the organisations concerned read once for the batch
    (`selectors.concerned_organisations`, in `batch["concerned"]`). A receiver's error
    rolls the batch back; the next sweep retries it."""
    if not (event_overdue.has_listeners(Event) or event_changed.has_listeners(Event)):
        return
    # What the listeners read (events.signals, integrations.receivers); other fields load on use.
    fresh = Event.objects.only(*_SIGNAL_FIELDS).in_bulk([ev.pk for ev, _stages in fired])
    batch: dict = {"concerned": concerned_organisations(fresh.values())}  # shared by this batch's sends
    for ev, stages in sorted(fired, key=lambda pair: pair[0].pk):
        due_of = dict(plan[ev.pk])
        for stage in sorted(stages, key=lambda stage: due_of[stage]):
            event_overdue.send(sender=Event, event=fresh[ev.pk], stage=stage, batch=batch)
    for action in sorted(actions, key=lambda action: action.pk):
        event_changed.send(sender=Event, event=fresh[action.event_id], action=action, batch=batch)
    for callback in batch.get("on_end", ()):
        callback()


def describe(counts: dict[str, int]) -> str:
    """`sweep_due`'s counts for people: "签收预警 3，办结超期 8，提级 11，涉及事件 11" (or "无到期提醒")."""
    parts = [f"{AlertStage(stage).label} {counts[stage]}" for stage in AlertStage.values if counts.get(stage)]
    for key, label in (("escalated", _("自动提级")), ("events", _("涉及事件"))):
        if counts.get(key):
            parts.append(f"{label} {counts[key]}")
    return "，".join(parts) or str(_("无到期提醒"))


def _batch_size() -> int:
    """Events locked and fired per transaction (`settings.EVENTS_SWEEP_BATCH`, default 2,000)."""
    return settings.EVENTS_SWEEP_BATCH


def sweep_due(now: datetime.datetime | None = None) -> dict[str, int]:
    """Fire every due alert once; returns counts {"events", "<stage value>"…, "escalated"}.

    `now`: aware datetime (default: the current time). Safe to run concurrently.
    """
    now = now or timezone.now()
    counts: Counter = Counter()
    size = _batch_size()
    while _sweep_batch(now, counts) == size:
        pass
    return dict(counts)
