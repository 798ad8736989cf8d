"""The generic endpoint checks applied to /api/v1/tasks/ and /api/v1/tasks/assignments/."""

import itertools

from tasks import services
from tasks.models import Assignment

from .mixins import EndpointContract

_numbers = itertools.count(1)


def _issue(world, in_scope: bool):
    """A task to one grid: the township's (by its dispatcher) or the other district's."""
    actor, grid = (world.dispatcher, world.tree.grid) if in_scope else (world.other_supervisor, world.tree.other_grid)
    return services.task_issue(
        actor=actor,
        title=f"测试任务{next(_numbers)}号",
        instructions="逐户检查。",
        areas=[grid],
        working_days=2,
        item=world.item,
    )


class TestTaskEndpoints(EndpointContract):
    """Tasks sent to grids in the supervisor's district are in scope; the other district's are not."""

    list_url = "/api/v1/tasks/"

    def make_rows(self, scenario, n, in_scope):
        return [_issue(scenario, in_scope) for _ in range(n)]


class TestAssignmentEndpoints(EndpointContract):
    """Assignments of grids in the supervisor's district are in scope; the other district's are not."""

    list_url = "/api/v1/tasks/assignments/"

    def make_rows(self, scenario, n, in_scope):
        return [Assignment.objects.get(task=_issue(scenario, in_scope)) for _ in range(n)]
