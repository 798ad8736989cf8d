"""The assignments' deadline sweep: a yellow warning at `warn_at`, overdue at `due_at`,
each exactly once per assignment (the `overdue` row of `tasks.workflow.STEPS`).

`sweep_due(now)` is run every minute by beat (`tasks.tasks.sweep`). Each stage is ONE
`UPDATE … SET warned_at = now WHERE warned_at IS NULL AND warn_at <= now AND status IN
(open) RETURNING id` (likewise `overdue_at`), so only the rows this statement changed
act — however many sweeps run, restart or overlap, an assignment is warned once and
marked overdue once (a late sweep does both at once). Then, in the same transaction:
a timeline row per assignment, one inbox row and e-mail (SMS when overdue) per grid
staff member and one digest to the issuer, and a `task.overdue` webhook to the issuing
organisation (the transactional outbox). A done or returned assignment is never swept.
"""

import datetime
from collections import defaultdict

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from events import notify
from integrations.choices import WebhookEventType
from integrations.services import webhook_emit
from personnel.models import Assignment as Role

from . import workflow
from .choices import LogKind
from .models import Assignment, Log

_STAGES = ((LogKind.WARNING, "warn_at", "warned_at"), (LogKind.OVERDUE, "due_at", "overdue_at"))


def sweep_due(now: datetime.datetime | None = None) -> dict[str, int]:
    """Warn and mark overdue the due open assignments (see the module docstring); returns
    {"warning": n, "overdue": m}, the assignments this run fired."""
    now = now or timezone.now()
    fired = {}
    sources = list(workflow.STEPS["overdue"].sources)
    with transaction.atomic():
        for kind, due_field, mark in _STAGES:
            rows = Assignment.objects.filter(
                **{f"{mark}__isnull": True, f"{due_field}__lte": now, "status__in": sources}
            )
            ids = _mark(rows, mark, now)
            fired[str(kind)] = len(ids)
            if ids:
                _announce(kind, ids, now)
    return fired


def _mark(rows, mark: str, now: datetime.datetime) -> list[int]:
    """Set `mark` on `rows` still unmarked, in one UPDATE … RETURNING; the ids changed."""
    sql, params = rows.values("pk").query.sql_with_params()
    table = connection.ops.quote_name(Assignment._meta.db_table)
    column = connection.ops.quote_name(mark)
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {column} = %s "  # noqa: S608
            f"WHERE {column} IS NULL AND id IN ({sql}) RETURNING id",
            [adapt(now), *params],
        )
        return [row[0] for row in cursor.fetchall()]


def _announce(kind: str, ids: list[int], now: datetime.datetime) -> None:
    assignments = list(Assignment.objects.filter(pk__in=ids).select_related("task", "area"))
    logs = Log.objects.bulk_create(
        [Log(assignment=a, kind=kind, actor=None, at=now) for a in assignments], batch_size=1000
    )
    staff: dict[int, set[int]] = defaultdict(set)
    for area_id, user_id in (
        Role.objects.current()
        .filter(area_id__in={a.area_id for a in assignments}, staff__user__isnull=False)
        .values_list("area_id", "staff__user_id")
    ):
        staff[area_id].add(user_id)
    overdue = kind == LogKind.OVERDUE
    label = _("任务超期") if overdue else _("任务即将到期")
    messages = [
        notify.Message(
            user_ids=staff[a.area_id], event_id=None, kind=kind, title=f"{label}：{a.task.title}", urgent=overdue
        )
        for a in assignments
    ]
    by_task: dict[int, list[Assignment]] = defaultdict(list)
    for a in assignments:
        by_task[a.task_id].append(a)
    for group in by_task.values():
        task = group[0].task
        names = "、".join(a.area.name for a in group[:20])
        body = _("%(n)s个网格：%(names)s") % {"n": len(group), "names": names}
        messages.append(
            notify.Message(
                user_ids={task.issued_by_id}, event_id=None, kind=kind, title=f"{label}：{task.title}", body=body
            )
        )
        webhook_emit(
            event_type=WebhookEventType.TASK_OVERDUE,
            organisation_ids=[task.organisation_id],
            payload={"task": task.pk, "stage": str(kind), "grids": [a.area.code for a in group]},
            cause=f"tasksweep:{kind}:{task.pk}:{logs[0].pk}",
        )
    notify.record(messages, cause=f"tasksweep:{kind}:{logs[0].pk}")
