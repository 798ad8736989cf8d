"""The issuer's view of a task: rollups per township, the late grids, the XLSX export.

`summary(task)` is one GROUP BY over the task's assignments (index
`assignment_progress`): per township the number of grids, done, returned, overdue (not
done) and not acknowledged; plus the task's totals and its share done (%).
"""

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ningbo_grid.spreadsheets import xlsx_response

from .choices import AssignmentStatus
from .models import Assignment, Task

S = AssignmentStatus
#: Late grids listed on the progress page (each a link and an urge form; rendering 200 of
#: them was most of the page's time at 15,000 grids, bench/RESULTS.md); the rest are counted.
LATE_SHOWN = 50
_COUNTS = {
    "grids": Count("id"),
    "done": Count("id", filter=Q(status=S.DONE)),
    "returned": Count("id", filter=Q(status=S.RETURNED)),
    "overdue": Count("id", filter=Q(overdue_at__isnull=False) & ~Q(status=S.DONE)),
    "unacknowledged": Count("id", filter=Q(status=S.RECEIVED)),
}


def summary(task: Task) -> dict:
    """{"townships": [{"township__name", "township_id", counts…}], "total": {counts…}, "percent": int}."""
    rows = list(
        Assignment.objects.filter(task=task)
        .values("township_id", "township__name")
        .annotate(**_COUNTS)
        .order_by("township__code")
    )
    total = {key: sum(row[key] for row in rows) for key in _COUNTS}
    percent = round(100 * total["done"] / total["grids"]) if total["grids"] else 0
    return {"townships": rows, "total": total, "percent": percent}


def late(task: Task):
    """The task's late assignments: open and overdue, or not yet acknowledged; overdue first.
    The one definition of "late" (超期或未签收): the progress page lists these, its button
    counts and urges them (`services.urge_late`)."""
    return (
        Assignment.objects.filter(task=task, status__in=[S.RECEIVED, S.ACKNOWLEDGED, S.IN_PROGRESS])
        .filter(Q(overdue_at__isnull=False) | Q(status=S.RECEIVED))
        .select_related("area", "township")
        .order_by("overdue_at", "township__code", "area__code")
    )


def xlsx(task: Task):
    """Every grid's assignment of `task` as an XLSX download (times local)."""
    header = [
        _("乡镇（街道）"),
        _("网格编码"),
        _("网格"),
        _("状态"),
        _("超期"),
        _("签收时间"),
        _("完成时间"),
        _("办理结果"),
        _("入户结果数"),
        _("退回理由"),
    ]

    def local(value):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""

    rows = (
        [
            a.township.name,
            a.area.code,
            a.area.name,
            a.get_status_display(),
            _("是") if a.late else "",
            local(a.acknowledged_at),
            local(a.done_at),
            a.result,
            a.n_results,
            a.return_reason,
        ]
        for a in Assignment.objects.filter(task=task)
        .select_related("area", "township")
        .annotate(n_results=Count("results"))
        .order_by("township__code", "area__code")
        .iterator(chunk_size=2000)
    )
    return xlsx_response(f"task-{task.pk}.xlsx", header, rows, title=_("任务进度"))
