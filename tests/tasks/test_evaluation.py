"""Evaluation counts tasks done on time (Art. 22) and the late ones (Art. 29)."""

import datetime

import pytest
from django.utils import timezone

from evaluation import indicators as ind
from tasks import services
from tasks.models import Assignment

from .conftest import issue

pytestmark = pytest.mark.django_db


def test_tasks_on_time_and_late_per_township_and_grid(world, clock):
    task = issue(world)
    on_time = Assignment.objects.get(task=task, area=world.tree.grid2)
    services.assignment_acknowledge(actor=world.worker2, assignment=on_time, version=1)
    services.assignment_complete(actor=world.worker2, assignment=on_time, version=2, result="好了")
    returned = issue(world, title="不属于网格的事")
    services.assignment_return(
        actor=world.worker2,
        assignment=Assignment.objects.get(task=returned, area=world.tree.grid2),
        version=1,
        reason="非本网格职责",
    )
    clock.move_to(task.due_at + datetime.timedelta(days=1))
    day = timezone.localdate(task.due_at)
    span = ind.Span(day.replace(day=1), day.replace(day=28))
    options = ind.Options(now=timezone.now())
    township = ind.Subject.area(world.tree.township)
    townships = [township, ind.Subject.area(world.tree.township2)]
    # Of three assignments due (the returned one left out) one was done on time; two are late.
    assert ind.compute("tasks_on_time", span, township, options) == pytest.approx(100 / 3, abs=0.1)
    assert ind.compute("tasks_late", span, township, options) == 2  # the first task's grid and the 2nd's grid
    assert ind.compute("tasks_late", span, ind.Subject.area(world.tree.grid2), options) == 0
    many = ind.compute_many("tasks_on_time", span, townships, options)
    assert many[f"area:{world.tree.township.pk}"] == pytest.approx(100 / 3, abs=0.1)
    assert many[f"area:{world.tree.township2.pk}"] is None


def test_the_accountability_report_lists_late_and_unacknowledged_assignments(client, world, clock):
    task = issue(world)
    done = Assignment.objects.get(task=task, area=world.tree.grid2)
    services.assignment_acknowledge(actor=world.worker2, assignment=done, version=1)
    services.assignment_complete(actor=world.worker2, assignment=done, version=2, result="好了")
    clock.move_to(task.due_at + datetime.timedelta(hours=1))
    client.force_login(world.supervisor)
    page = client.get("/evaluation/accountability/", {"month": f"{task.due_at:%Y-%m}"})
    table = next(t for t in page.context["tables"] if t["key"] == "late_tasks")
    assert [row[0][2] for row in table["rows"]] == [world.tree.grid.name]
    assert table["rows"][0][0][3] == "待签收"
    # Out of reach: the other district's supervisor sees none of them.
    client.force_login(world.other_supervisor)
    page = client.get("/evaluation/accountability/", {"month": f"{task.due_at:%Y-%m}"})
    assert next(t for t in page.context["tables"] if t["key"] == "late_tasks")["rows"] == []
