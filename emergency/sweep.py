"""The check-in sweep (Art. 18): leaders who miss the check-in are escalated to the
township, then the district, exactly once each (the `escalate` row of
`emergency.workflow.STEPS`, actor `events.workflow.SYSTEM`).

`escalate_due(now)` is run every minute by Celery beat (`emergency.tasks.sweep`). In one
transaction, two set-based statements:

1. `UPDATE … SET escalated_township_at = now WHERE` pending, past `due_at`, not yet
   escalated, response active `RETURNING` the rows: the township's dispatchers hear of them;
2. the same for `escalated_district_at`, one more check-in window (the response's
   `checkin_minutes`) after `due_at`, once escalated to the township: the district's
   supervisors hear of them.

Exactly once under concurrent runs: a second sweep's UPDATE waits on the first one's row
locks and then re-reads `escalated_*_at IS NULL` (PostgreSQL, READ COMMITTED), so only one
run returns a row; the timeline records, inbox, e-mail/SMS outbox rows and webhook
deliveries are written from the returned rows in the same transaction. A late sweep
escalates to both at once.
"""

import datetime
from collections import defaultdict

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from events import notify
from events.workflow import SYSTEM
from personnel.choices import PlatformRole

from . import webhooks, workflow
from .choices import CheckInStatus, RecordKind, ResponseStatus
from .models import CheckIn, Record, Response

_STAGES = {
    "township": ("escalated_township_at", "", RecordKind.ESCALATE_TOWNSHIP, PlatformRole.DISPATCHER),
    "district": (
        "escalated_district_at",
        "AND c.escalated_township_at IS NOT NULL AND c.due_at + make_interval(mins => r.checkin_minutes) <= %s",
        RecordKind.ESCALATE_DISTRICT,
        PlatformRole.SUPERVISOR,
    ),
}


def _claim(stage: str, now: datetime.datetime) -> list[tuple[int, int, int, int, str]]:
    """Mark the check-ins due for `stage`; returns [(id, response, township, county, area code)]."""
    column, extra, _kind, _role = _STAGES[stage]
    qn = connection.ops.quote_name
    checkin, response = qn(CheckIn._meta.db_table), qn(Response._meta.db_table)
    from grids.models import Area

    area = qn(Area._meta.db_table)
    at = connection.ops.adapt_datetimefield_value(now)
    # Only quoted names and the stage's fixed SQL are interpolated; values are parameters.
    sql = f"""
        UPDATE {checkin} c SET {qn(column)} = %s FROM {response} r, {area} a
        WHERE c.response_id = r.id AND a.id = c.area_id AND r.status = %s AND c.status = %s
          AND c.due_at <= %s AND c.{qn(column)} IS NULL {extra}
        RETURNING c.id, c.response_id, c.township_id, r.county_id, a.code
    """  # noqa: S608
    params = [at, ResponseStatus.ACTIVE, CheckInStatus.PENDING, at] + ([at] if extra else [])
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return sorted(cursor.fetchall())


def _announce(stage: str, rows, now: datetime.datetime) -> None:
    """Timeline rows, notifications and webhooks for the check-ins just escalated."""
    _column, _extra, kind, role = _STAGES[stage]
    Record.objects.bulk_create(
        Record(response_id=response_id, checkin_id=pk, kind=kind, at=now) for pk, response_id, *_rest in rows
    )
    by_response: dict[int, list] = defaultdict(list)
    for row in rows:
        by_response[row[1]].append(row)
    responses = Response.objects.select_related("area", "county").in_bulk(list(by_response))
    for response_id, group in by_response.items():
        response = responses[response_id]
        workflow.authorize(SYSTEM, "escalate", CheckIn(response=response, status=CheckInStatus.PENDING))
        node = 2 if stage == "township" else 3
        recipients = notify.members_by(role, "area_id", {row[node] for row in group})
        cause = f"emergency-escalate:{stage}:{group[0][0]}"
        messages = []
        for node_id in sorted({row[node] for row in group}):
            codes = sorted(row[4] for row in group if row[node] == node_id)
            title = _("%(n)d 个网格未按时签到") % {"n": len(codes)}
            messages.append(
                notify.Message(
                    user_ids=recipients.get(node_id, set()),
                    event_id=None,
                    kind="emergency",
                    title=f"【{response.title}】{title}",
                    body="、".join(codes),
                    urgent=True,
                )
            )
        notify.record(messages, cause=cause)
        webhooks.checkins_escalated(response, stage, [row[4] for row in group], cause)


def escalate_due(now: datetime.datetime | None = None) -> dict[str, int]:
    """Escalate missed check-ins (see the module docstring); returns {stage: check-ins escalated}."""
    now = now or timezone.now()
    done = {}
    with transaction.atomic():
        for stage in _STAGES:
            rows = _claim(stage, now)
            if rows:
                _announce(stage, rows, now)
            done[stage] = len(rows)
    return done
