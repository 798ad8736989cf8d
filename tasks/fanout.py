"""Set-based writes of a task's fan-out: one assignment per grid, one inbox row per staff.

`fan_out(task, now)` writes, in ONE `INSERT … SELECT … ON CONFLICT DO NOTHING`, an
assignment for every active grid (level `grid`) inside any of the task's chosen areas,
with its township (the grid's village's parent: `grids.choices.PARENT_LEVEL`). Overlapping choices
(a township and one of its grids) still reach each grid exactly once (`EXISTS` plus the
unique constraint `assignment_one_per_grid`), and re-running it adds only the grids that
have none yet: that is the rule for a grid drawn after the task was issued — it gets
nothing until the issuer takes the `extend` step (`tasks.services.task_extend`), which
runs this again; grids retired since keep their assignment.

`notify_new(task, since)` writes the inbox rows (`events.Notification`) of the grid
leaders and full-time workers of the assignments created at `since`, in one statement.
Both run in the caller's transaction (PostgreSQL and SQLite alike).
"""

import datetime

from django.db import connection

from events.models import Notification
from grids.choices import Level, Status
from grids.models import Area
from personnel.choices import GridRole
from personnel.models import Assignment as Role
from personnel.models import Staff

from .models import Assignment, Task


def _tables() -> dict[str, str]:
    qn = connection.ops.quote_name
    return {
        "assignment": qn(Assignment._meta.db_table),
        "area": qn(Area._meta.db_table),
        "chosen": qn(Task.areas.through._meta.db_table),
        "notification": qn(Notification._meta.db_table),
        "role": qn(Role._meta.db_table),
        "staff": qn(Staff._meta.db_table),
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


def notify_new(task: Task, since: datetime.datetime, title: str, on: datetime.date) -> int:
    """Inbox rows for the grid leaders and full-time workers (roles current on local date
    `on`) of `task`'s assignments created at or after `since`; returns how many."""
    adapt = connection.ops.adapt_datetimefield_value
    t = _tables()
    sql = f"""
        INSERT INTO {t["notification"]} (user_id, kind, title, body, created_at)
        SELECT DISTINCT s.user_id, 'dispatch', %s, %s, %s
        FROM {t["assignment"]} a
        JOIN {t["role"]} r ON r.area_id = a.area_id
        JOIN {t["staff"]} s ON s.id = r.staff_id
        WHERE a.task_id = %s AND a.created_at >= %s AND s.user_id IS NOT NULL
          AND r.role IN (%s, %s) AND r.start <= %s AND (r."end" IS NULL OR r."end" >= %s)
    """  # noqa: S608
    params: list = [title[:200], task.instructions, adapt(since), task.pk, adapt(since)]
    params += [GridRole.GRID_LEADER, GridRole.FULLTIME_WORKER, on, on]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount
