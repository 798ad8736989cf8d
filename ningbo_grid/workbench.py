"""The workbench (工作台) on the home page: a list of panels that the apps contribute.

An app adds a panel by registering a function that receives the request and the user's
roles (`ningbo_grid.context_processors.UserRoles`) and returns a `Panel`, or None when
the panel does not apply to that user::

    # events/workbench.py, imported from EventsConfig.ready()
    from ningbo_grid.workbench import Panel, register_panel

    @register_panel
    def my_tasks(request, roles):
        if not roles.has_any("grid_leader", "fulltime_worker", "handler"):
            return None
        tasks = ...  # scoped through the app's selectors
        return Panel(key="tasks", title=_("待办任务"), template="events/panels/tasks.html",
                     context={"tasks": tasks}, order=10, badge=len(tasks))

Panels are shown by ascending `order` (the built-in panels use 50 and 60, so 10–40 puts
urgent work — tasks by deadline, overdue first, unread notifications — above them).
Each panel's template is rendered with the panel's `context` plus `panel`, `roles` and the
request's context processors (`user`, `request` …), and placed in a card with its title.
Keep each panel to a fixed number of queries: the home page renders all of them.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from .context_processors import UserRoles

PanelFunc = Callable[[HttpRequest, UserRoles], "Panel | None"]


@dataclass
class Panel:
    """One block of the workbench.

    `key`: stable identifier (used as the HTML id `panel-<key>`); `title`: heading text;
    `template`: template path; `context`: extra template variables; `order`: position
    (lower first); `badge`: optional count shown beside the title; `level`: badge colour,
    one of Bootstrap's "secondary", "warning" (yellow) or "danger" (red).
    """

    key: str
    title: str
    template: str
    context: dict = field(default_factory=dict)
    order: int = 100
    badge: int | None = None
    level: str = "secondary"
    html: SafeString = field(default=SafeString(""), repr=False)


_registry: list[PanelFunc] = []


def register_panel(func: PanelFunc) -> PanelFunc:
    """Add `func` to the workbench (idempotent; usable as a decorator)."""
    if func not in _registry:
        _registry.append(func)
    return func


def panels_for(request: HttpRequest, roles: UserRoles) -> list[Panel]:
    """The panels that apply to this user, in display order, each with its `html` rendered."""
    panels = sorted(
        (panel for func in _registry if (panel := func(request, roles)) is not None),
        key=lambda panel: (panel.order, panel.key),
    )
    for panel in panels:
        context = {**panel.context, "panel": panel, "roles": roles}
        panel.html = render_to_string(panel.template, context, request=request)
    return panels


@register_panel
def my_grids(request: HttpRequest, roles: UserRoles) -> Panel | None:
    """My grids and my role on each (Art. 15), with a link to each public grid card."""
    if not roles.assignments:
        return None
    return Panel(
        key="grids",
        title=_("我的网格"),
        template="includes/panels/my_grids.html",
        context={"assignments": roles.assignments},
        order=50,
    )


@register_panel
def my_roles(request: HttpRequest, roles: UserRoles) -> Panel | None:
    """The organisations the user works for and the platform role in each."""
    return Panel(
        key="roles",
        title=_("我的岗位"),
        template="includes/panels/my_roles.html",
        context={"memberships": roles.memberships},
        order=60,
    )
