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
3. notify the lead unit's handlers, the township's dispatchers and the district's
   supervisors (the city's on escalation from the district): inbox rows, and one digest
   e-mail (and SMS when overdue) per user in the outbox; and send `event_overdue` and
   `event_changed`, whose receivers write the webhook deliveries — all in the batch's
   transaction (the transactional outbox, `ningbo_grid.outbox`): a worker killed at any
   instant either committed the alerts with every side effect they cause, to be sent by
   `events.tasks.outbox_deliver` / `integrations.tasks.webhook_sweep`, or nothing, and
   the next sweep fires them then.

A late sweep fires the warning and the overdue alert together.
"""

from collections import Counter

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import notify
from .choices import ActionKind, AlertLevel, AlertStage, EventStatus, HandlingLevel
from .models import Action, Alert, Event, Notification
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


def _insert_alerts(rows, now) -> dict[tuple[int, str], int]:
    """INSERT … ON CONFLICT DO NOTHING RETURNING: {(event_id, stage): alert id} inserted."""
    if not rows:
        return {}
    qn = connection.ops.quote_name
    table = qn(Alert._meta.db_table)
    fired = connection.ops.adapt_datetimefield_value(now)
    inserted = {}
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


def _sql(template: str, ids: str) -> str:
    """Fill quoted table names into a set-based statement (only names are interpolated)."""
    qn = connection.ops.quote_name
    json = "jsonb_build_object" if connection.vendor == "postgresql" else "json_object"
    return template.format(
        alert=qn(Alert._meta.db_table),
        event=qn(Event._meta.db_table),
        action=qn(Action._meta.db_table),
        json=json,
        ids=ids,
        stage_case=_STAGE_CASE,
    )


_STAGE_CASE = (
    "CASE a.stage WHEN 'accept_warning' THEN %s WHEN 'accept_overdue' THEN %s "
    "WHEN 'complete_warning' THEN %s ELSE %s END"
)

_ACTIONS_SQL = """
INSERT INTO {action} (event_id, kind, actor_name, at, from_status, to_status, text, data)
SELECT a.event_id, CASE WHEN a.stage LIKE '%%overdue' THEN 'overdue' ELSE 'warning' END, %s, %s,
       e.status, e.status, {stage_case},
       {json}('stage', a.stage, 'cycle', a.cycle, 'due_at', a.due_at)
FROM {alert} a JOIN {event} e ON e.id = a.event_id
WHERE a.fired_at = %s AND a.event_id IN ({ids})
ORDER BY a.event_id, a.due_at
"""

_ESCALATE_SQL = """
INSERT INTO {action} (event_id, kind, actor_name, at, from_status, to_status, text, data)
SELECT a.event_id, 'auto_escalate', %s, %s, e.status, e.status,
       CASE e.level WHEN 'township' THEN %s ELSE %s END,
       {json}('stage', a.stage, 'from_level', e.level,
              'to_level', CASE e.level WHEN 'township' THEN 'county' ELSE 'city' END)
FROM {alert} a JOIN {event} e ON e.id = a.event_id
WHERE a.fired_at = %s AND a.stage LIKE '%%overdue' AND a.event_id IN ({ids})
"""


def _notify(cursor, fired, stamp, cause: str) -> None:
    """Notify who must hear of the alerts just fired: `fired` is [(event, [stage…])].

    Inbox rows, and in the outbox one digest e-mail per user listing their alerts of
    this batch (and one SMS if any is overdue), keyed by `cause` (the batch's first
    alert: `alert:<id>`) and the user.

    The lead unit's handlers, the township's dispatchers and the district's supervisors (and
    the city's supervisors when a district-level event goes overdue), current memberships
    only; when a late sweep fires a warning and the overdue alert together, only the
    overdue one is notified. One read of the memberships concerned, one insert: the cost
    follows the alerts plus the memberships, never their product.
    """
    from grids.models import Area
    from personnel.models import Membership

    today = timezone.localdate()
    units = {ev.lead_unit_id for ev, _stages in fired if ev.lead_unit_id}
    counties = {ev.county_id for ev, _stages in fired}
    city_of = dict(Area.objects.filter(pk__in=counties).values_list("pk", "parent_id"))
    areas = {ev.township_id for ev, _stages in fired} | counties | {c for c in city_of.values() if c}
    members = (
        Membership.objects.filter(start__lte=today)
        .filter(Q(end__isnull=True) | Q(end__gte=today))
        .filter(
            Q(role="handler", organisation_id__in=units)
            | Q(role__in=["dispatcher", "supervisor"], organisation__area_id__in=areas)
        )
        .values_list("user_id", "role", "organisation_id", "organisation__area_id")
    )
    handlers: dict[int, set[int]] = {}
    by_area: dict[tuple[str, int], set[int]] = {}
    for user_id, role, organisation_id, area_id in members:
        if role == "handler":
            handlers.setdefault(organisation_id, set()).add(user_id)
        else:
            by_area.setdefault((role, area_id), set()).add(user_id)
    labels = dict(zip(AlertStage.values, _labels(), strict=True))
    rows = {}
    for ev, stages in fired:
        late = any(stage.endswith("overdue") for stage in stages)
        for stage in stages:
            overdue = stage.endswith("overdue")
            if late and not overdue:
                continue  # the overdue alert fired too: notify that one only
            users = handlers.get(ev.lead_unit_id, set()) | by_area.get(("dispatcher", ev.township_id), set())
            users |= by_area.get(("supervisor", ev.county_id), set())
            if overdue and ev.level == HandlingLevel.COUNTY:
                users |= by_area.get(("supervisor", city_of.get(ev.county_id)), set())
            kind = ActionKind.OVERDUE if overdue else ActionKind.WARNING
            title = f"[{ev.number}] {labels[stage]}：{ev.title}"
            for user_id in users:
                rows[(user_id, ev.pk, kind, title)] = ev.title
    if not rows:
        return
    qn = connection.ops.quote_name
    created = connection.ops.adapt_datetimefield_value(stamp)
    table = qn(Notification._meta.db_table)
    values = [(user, event, str(kind), title, body, created) for (user, event, kind, title), body in rows.items()]
    # 500 rows a statement. Only the quoted table name and placeholders are interpolated.
    for start in range(0, len(values), 500):
        chunk = values[start : start + 500]
        cursor.execute(
            f"INSERT INTO {table} (user_id, event_id, kind, title, body, created_at) VALUES "  # noqa: S608
            + ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(chunk)),
            [value for row in chunk for value in row],
        )
    digests: dict[int, tuple[list[str], bool]] = {}
    for user_id, _event, kind, title in rows:
        titles, urgent = digests.get(user_id, ([], False))
        titles.append(title)
        digests[user_id] = (titles, urgent or kind == ActionKind.OVERDUE)
    notify.enqueue(
        notify.Outgoing(
            cause, user_id, _("您有 %(n)d 条事件时限提醒") % {"n": len(titles)}, "\n".join(titles[:200]), urgent
        )
        for user_id, (titles, urgent) in digests.items()
    )


def _labels():
    return [str(_LABELS[s]) for s in AlertStage.values]


def _sweep_batch(now, counts: Counter) -> int:
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
        yellow_accept, yellow_complete, red, stale, fired_ids, overdue_ids = [], [], [], [], [], []
        fired: dict[int, list[str]] = {}
        for ev in events:
            stages = plan[ev.pk]
            if not stages:
                stale.append(ev)
                continue
            if stages[-1][0] in (AlertStage.ACCEPT_OVERDUE, AlertStage.COMPLETE_OVERDUE):
                red.append(ev.pk)
            elif ev.status == EventStatus.DISPATCHED:
                yellow_accept.append(ev.pk)
            else:
                yellow_complete.append(ev.pk)
            mine = [stage for stage, _due in stages if (ev.pk, stage) in inserted]
            if mine:
                fired_ids.append(ev.pk)
                fired[ev.pk] = mine
            for stage in mine:
                counts[AlertStage(stage).value] += 1  # plain strings: the result is printed and logged
                if stage in (AlertStage.ACCEPT_OVERDUE, AlertStage.COMPLETE_OVERDUE):
                    overdue_ids.append(ev.pk)
        stamp = timezone.now()
        if fired_ids:
            ids = ", ".join(str(int(pk)) for pk in fired_ids)  # integers from the database
            system, fired_at = str(_("系统")), connection.ops.adapt_datetimefield_value(now)
            with connection.cursor() as cursor:
                cursor.execute(_sql(_ACTIONS_SQL, ids), [system, fired_at, *_labels(), fired_at])
                if overdue_ids:
                    cursor.execute(
                        _sql(_ESCALATE_SQL, ids),
                        [system, fired_at, str(_("超期自动提级至区级")), str(_("超期自动提请市级督办")), fired_at],
                    )
                fired_events = [(ev, fired[ev.pk]) for ev in events if ev.pk in fired]
                _notify(cursor, fired_events, stamp, f"alert:{min(inserted.values())}")
        bump = {"version": F("version") + 1, "updated_at": now}
        if yellow_accept:
            Event.objects.filter(pk__in=yellow_accept).update(
                alert_level=AlertLevel.YELLOW, next_alert_at=F("accept_due_at"), **bump
            )
        if yellow_complete:
            Event.objects.filter(pk__in=yellow_complete).update(
                alert_level=AlertLevel.YELLOW, next_alert_at=F("complete_due_at"), **bump
            )
        # Overdue township events go red and up to the district in the same write (one new row
        # version each, not two); `level` was read under the row lock.
        level_of = {ev.pk: ev.level for ev in events}
        escalate = {pk for pk in overdue_ids if level_of[pk] == HandlingLevel.TOWNSHIP}
        if escalate:
            Event.objects.filter(pk__in=escalate).update(
                alert_level=AlertLevel.RED, next_alert_at=None, level=HandlingLevel.COUNTY, **bump
            )
        if overdue_ids:
            counts["escalated"] += len(escalate)
        if red := [pk for pk in red if pk not in escalate]:
            Event.objects.filter(pk__in=red).update(alert_level=AlertLevel.RED, next_alert_at=None, **bump)
        for ev in stale:
            ev.next_alert_at = compute_next_alert(ev)
        if stale:
            Event.objects.bulk_update(stale, ["next_alert_at"])
        counts["events"] += len(events)
        if fired_ids:
            _signal(fired_ids, now)
        return len(events)


def _signal(event_ids, now) -> None:
    """Send `event_overdue` per alert and `event_changed` per action of this batch, inside
    its transaction: the receivers write their webhook deliveries there (see
    `events.signals`). A receiver's error rolls the batch back; the next sweep retries it."""
    if not (event_overdue.has_listeners(Event) or event_changed.has_listeners(Event)):
        return
    # What the listeners read (events.signals, integrations.receivers); other fields load on use.
    fresh = Event.objects.only(*_SIGNAL_FIELDS).in_bulk(event_ids)
    concerned = _concerned_organisations(fresh.values())
    batch: dict = {}  # shared by this batch's sends (see events.signals)
    alerts = Alert.objects.filter(event_id__in=event_ids, fired_at=now).order_by("event_id", "due_at")
    for event_id, stage in alerts.values_list("event_id", "stage"):
        event = fresh[event_id]
        lead = {event.lead_unit_id} if event.lead_unit_id else set()
        event.webhook_organisation_ids = lambda lead=lead: lead  # overdue alerts: the lead unit
        event_overdue.send(sender=Event, event=event, stage=stage, batch=batch)
    kinds = [ActionKind.WARNING, ActionKind.OVERDUE, ActionKind.AUTO_ESCALATE]
    for action in Action.objects.filter(event_id__in=event_ids, at=now, kind__in=kinds).order_by("id"):
        event = fresh[action.event_id]
        ids = concerned.get(event.pk, set())
        event.webhook_organisation_ids = lambda ids=ids: ids  # state changes: units and authorities
        event_changed.send(sender=Event, event=event, action=action, batch=batch)
    for callback in batch.get("on_end", ()):
        callback()
    for event in fresh.values():
        event.__dict__.pop("webhook_organisation_ids", None)


def describe(counts: dict) -> str:
    """`sweep_due`'s counts for people: "签收预警 3，办结超期 8，提级 11，涉及事件 11" (or "无到期提醒")."""
    parts = [f"{AlertStage(stage).label} {counts[stage]}" for stage in AlertStage.values if counts.get(stage)]
    for key, label in (("escalated", _("自动提级")), ("events", _("涉及事件"))):
        if counts.get(key):
            parts.append(f"{label} {counts[key]}")
    return "，".join(parts) or str(_("无到期提醒"))


def _concerned_organisations(events) -> dict[int, set[int]]:
    """Organisations concerned by a state change of each event, for all of them in two queries.

    The same as `integrations.receivers.event_organisation_ids` computes one event at a
    time: the units of the event's dispatches in its current cycle, the township office
    of its township and the grid authority of its district.
    """
    from personnel.choices import OrgKind
    from personnel.models import Organisation

    from .models import Dispatch

    events = list(events)
    if not events:
        return {}
    concerned: dict[int, set[int]] = {event.pk: set() for event in events}
    cycle_of = {event.pk: event.cycle for event in events}
    for event_id, cycle, unit_id in Dispatch.objects.filter(event_id__in=list(concerned)).values_list(
        "event_id", "cycle", "unit_id"
    ):
        if cycle == cycle_of[event_id]:
            concerned[event_id].add(unit_id)
    townships = {event.township_id for event in events}
    counties = {event.county_id for event in events}
    offices: dict[tuple[str, int], set[int]] = {}
    for pk, kind, area_id in Organisation.objects.filter(
        Q(kind=OrgKind.TOWNSHIP_OFFICE, area_id__in=townships) | Q(kind=OrgKind.AUTHORITY, area_id__in=counties)
    ).values_list("pk", "kind", "area_id"):
        offices.setdefault((kind, area_id), set()).add(pk)
    for event in events:
        concerned[event.pk] |= offices.get((OrgKind.TOWNSHIP_OFFICE, event.township_id), set())
        concerned[event.pk] |= offices.get((OrgKind.AUTHORITY, event.county_id), set())
    return concerned


def _batch_size() -> int:
    """Events locked and fired per transaction (`settings.EVENTS_SWEEP_BATCH`, default 2,000)."""
    return settings.EVENTS_SWEEP_BATCH


def sweep_due(now=None) -> dict:
    """Fire every due alert once; returns counts {"events", "<stage value>"…, "escalated"}.

    `now`: aware datetime (default: the current time). Safe to run concurrently.
    """
    now = now or timezone.now()
    counts: Counter = Counter()
    size = _batch_size()
    while _sweep_batch(now, counts) == size:
        pass
    return dict(counts)
