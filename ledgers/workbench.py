"""The ledgers' workbench panel: the worker's due visits, overdue first (Art. 15(2))."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ningbo_grid.workbench import Panel, register_panel
from personnel.choices import GridRole

from .visits import due_visits

GRID_ROLES = (GridRole.GRID_LEADER, GridRole.FULLTIME_WORKER, GridRole.PARTTIME_WORKER, GridRole.MICRO_GRID_LEADER)


@register_panel
def due_visits_panel(request, roles):
    """The first five due visits of a grid worker, with the number overdue as the badge (2 queries)."""
    if not roles.has_any(*GRID_ROLES):
        return None
    today = timezone.localdate()
    due = list(due_visits(request.user)[:5])
    overdue = due_visits(request.user).filter(next_visit_due__lt=today).count()
    return Panel(
        key="due-visits",
        title=str(_("待走访（逾期在前）")),
        template="ledgers/panels/due.html",
        context={"due": due, "today": today},
        order=30,
        badge=overdue or None,
        level="danger" if overdue else "secondary",
    )
