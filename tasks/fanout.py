"""Set-based writes of a task's fan-out: one assignment per grid, one inbox row per staff.

`fan_out(task, now)` writes, in ONE `INSERT … SELECT … ON CONFLICT DO NOTHING`, an
assignment for every active grid (level `grid`) inside any of the task's chosen areas,
with its township (the grid's village's parent: `grids.choices.PARENT_LEVEL`). Overlapping choices
(a township and one of its grids) still reach each grid exactly once (`EXISTS` plus the
unique constraint `assignment_one_per_grid`), and re-running it adds only the grids that
have none yet: that is the rule for a grid drawn after the task was issued — it gets
nothing until the issuer takes the `extend` step (`tasks.services.task_extend`), which
runs this again; grids retired since keep their assignment.

`notify_new(task, since, …)` tells the grid leaders and full-time workers of the
assignments created at `since` through every channel (inbox, e-mail, SMS: the outbox),
in two statements (`events.notify.record_set`).
Both run in the caller's transaction (PostgreSQL and SQLite alike).
"""

import datetime

from django.db import connection

from events import notify
from grids.choices import Level, Status
from grids.models import Area
from personnel.choices import GridRole
from personnel.models import Assignment as Role

from .models import Assignment, Task


def _tables() -> dict[str, str]:
    qn = connection.ops.quote_name
    return {
        "assignment": qn(Assignment._meta.db_table),
        "area": qn(Area._meta.db_table),
        "chosen": qn(Task.areas.through._meta.db_table),
    }


def fan_out(task: Task, now: datetime.datetime) -> int:
    """Create the missing assignments of `task` (see the module docstring); returns how many."""
    adapt = connection.ops.adapt_datetimefield_value
    t = _tables()
    # Only quoted table names are interpolated; every value goes as a parameter.
    sql = f"""
        INSERT INTO {t["assignment"]}
            (task_id, area_id, township_id, status, version, warn_at, due_at, urged,
             result, return_reason, photo, created_at, updated_at)
        SELECT %s, g.id, tw.id, 'received', 1, %s, %s, 0, '', '', '', %s, %s
        FROM {t["area"]} g
        JOIN {t["area"]} v ON v.id = g.parent_id
        JOIN {t["area"]} tw ON tw.id = v.parent_id AND tw.level = %s
        WHERE g.level = %s AND g.status = %s AND EXISTS (
            SELECT 1 FROM {t["chosen"]} c JOIN {t["area"]} n ON n.id = c.area_id
            WHERE c.task_id = %s AND n.tree_id = g.tree_id AND n.lft <= g.lft AND n.rght >= g.rght)
        ON CONFLICT (task_id, area_id) DO NOTHING
    """  # noqa: S608
    params = [task.pk, adapt(task.warn_at), adapt(task.due_at), adapt(now), adapt(now)]
    params += [Level.TOWNSHIP, Level.GRID, Status.ACTIVE, task.pk]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def notify_new(task: Task, since: datetime.datetime, title: str, on: datetime.date) -> None:
    """Tell the grid leaders and full-time workers (roles current on local date `on`) of
    `task`'s assignments created at or after `since` through every channel: an inbox row
    each, an e-mail to those with an address and an SMS to those with a mobile number
    (urgent: grid staff work in the field, where an SMS reaches them), all written in the
    caller's transaction by two INSERT … SELECT statements (`events.notify.record_set`;
    outbox keys `task:<id>@<since, epoch µs>/0:<channel>:<user>`, so each send once)."""
    grids = Assignment.objects.filter(task=task, created_at__gte=since).values("area_id")
    staff = (
        Role.objects.current(on)
        .filter(area_id__in=grids, role__in=(GridRole.GRID_LEADER, GridRole.FULLTIME_WORKER), staff__user__isnull=False)
        .order_by()  # a subquery of two INSERT … SELECT: no sort
        .values_list("staff__user_id", flat=True)
    )
    message = notify.Message(
        user_ids=set(), event_id=None, kind="dispatch", title=title, body=task.instructions, urgent=True
    )
    notify.record_set(staff, message, cause=f"task:{task.pk}@{int(since.timestamp() * 1_000_000)}")
