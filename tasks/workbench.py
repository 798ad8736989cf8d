"""The tasks' workbench panel: the open assignments of the user's grids, by deadline."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ningbo_grid.workbench import Panel, register_panel
from personnel.choices import GridRole
from personnel.scope import covering_q

from .choices import OPEN_STATUSES
from .models import Assignment

GRID_ROLES = (GridRole.GRID_LEADER, GridRole.FULLTIME_WORKER, GridRole.PARTTIME_WORKER)


def open_assignments(user):
    """Open assignments of the grids where `user` reports (`report_event`), soonest due first."""
    return (
        Assignment.objects.filter(covering_q(user, "report_event"), status__in=OPEN_STATUSES)
        .select_related("task", "area")
        .order_by("due_at", "id")
    )


@register_panel
def assignments_panel(request, roles):
    """The first eight open assignments of a grid worker; the badge counts the late ones (2 queries)."""
    if not roles.has_any(*GRID_ROLES):
        return None
    mine = open_assignments(request.user)
    late = mine.filter(Q(overdue_at__isnull=False) | Q(warned_at__isnull=False)).count()
    return Panel(
        key="tasks",
        title=str(_("下派任务")),
        template="tasks/panels/assignments.html",
        context={"assignments": list(mine[:8])},
        order=20,
        badge=late or None,
        level="danger" if late else "secondary",
    )
