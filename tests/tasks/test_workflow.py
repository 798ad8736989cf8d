"""The assignment's steps, driven from the table (`tasks.workflow.STEPS`): every step
ends in its target; the version read is checked; the sweep fires once per stage."""

import datetime

import pytest
from django.utils import timezone

from events.exceptions import InvalidTransition, NotFound, PermissionDenied, StaleVersion
from events.messaging import Notification, OutboxMessage
from tasks import progress, services, sweep, workflow
from tasks.choices import AssignmentStatus, Outcome, ResultKind
from tasks.models import Assignment, Log

from .conftest import issue

pytestmark = pytest.mark.django_db
S = AssignmentStatus

#: Extra input of each step's service.
INPUT = {
    "complete": {"result": "已完成排查，未发现隐患。"},
    "return": {"reason": "本网格无此类场所。"},
    "reopen": {"reason": "请补充照片。"},
    "record": {"outcome": Outcome.NEEDS_HELP, "note": "屋顶漏水"},
}
STEP_NAMES = [name for name, row in workflow.STEPS.items() if row.who != "system"]


def _actor(world, row):
    return world.dispatcher if row.who == "issuer" else world.worker


@pytest.mark.parametrize("name", STEP_NAMES)
def test_every_step_ends_in_its_target_from_every_source(world, household, name):
    row = workflow.STEPS[name]
    for source in sorted(row.sources):
        kind = ResultKind.HOUSEHOLD if name == "record" else ResultKind.GRID
        task = issue(world, title=f"{name}-{source}", result_kind=kind)
        assignment = Assignment.objects.get(task=task, area=world.tree.grid)
        Assignment.objects.filter(pk=assignment.pk).update(status=source)
        assignment.refresh_from_db()
        extra = dict(INPUT.get(name, {}))
        if name == "record":
            extra["household"] = household
        row.run()(actor=_actor(world, row), assignment=assignment, version=assignment.version, **extra)
        assignment.refresh_from_db()
        assert assignment.status in row.ends(source), (name, source)
        assert assignment.version == 2
        assert Log.objects.filter(assignment=assignment, kind=name).count() == 1


@pytest.mark.parametrize("name", STEP_NAMES)
def test_refused_outside_its_sources_roles_and_version(world, household, name):
    row = workflow.STEPS[name]
    kind = ResultKind.HOUSEHOLD if name == "record" else ResultKind.GRID
    task = issue(world, title=name, result_kind=kind)
    assignment = Assignment.objects.get(task=task, area=world.tree.grid)
    other = next(s for s in S.values if s not in row.sources)
    Assignment.objects.filter(pk=assignment.pk).update(status=other)
    assignment.refresh_from_db()
    service = row.run()
    extra = {**INPUT.get(name, {}), **({"household": household} if name == "record" else {})}
    with pytest.raises(InvalidTransition):
        service(actor=_actor(world, row), assignment=assignment, version=assignment.version, **extra)
    Assignment.objects.filter(pk=assignment.pk).update(status=sorted(row.sources)[0])
    with pytest.raises(StaleVersion):
        service(actor=_actor(world, row), assignment=assignment, version=assignment.version + 5, **extra)
    wrong = world.worker if row.who == "issuer" else world.dispatcher
    with pytest.raises(PermissionDenied):
        service(actor=wrong, assignment=assignment, version=None, **extra)
    with pytest.raises(NotFound):
        service(actor=world.other_worker, assignment=assignment, version=None, **extra)
    assert Log.objects.filter(kind=name).count() == 0


def test_complete_needs_a_result_and_notifies_the_issuer(world):
    task = issue(world)
    assignment = Assignment.objects.get(task=task, area=world.tree.grid)
    services.assignment_acknowledge(actor=world.worker, assignment=assignment, version=1)
    with pytest.raises(Exception) as err:
        services.assignment_complete(actor=world.worker, assignment=assignment, version=2, result=" ")
    assert "result" in err.value.message_dict
    services.assignment_complete(actor=world.worker, assignment=assignment, version=2, result="已排查")
    assert Notification.objects.filter(user=world.dispatcher, title__contains=task.title).count() == 1


def test_sweep_warns_and_marks_overdue_exactly_once(world, clock):
    task = issue(world)
    done = Assignment.objects.get(task=task, area=world.tree.grid2)
    services.assignment_acknowledge(actor=world.worker2, assignment=done, version=1)
    services.assignment_complete(actor=world.worker2, assignment=done, version=2, result="好了")
    assert sweep.sweep_due() == {"warning": 0, "overdue": 0}
    clock.move_to(task.warn_at + datetime.timedelta(minutes=1))
    assert sweep.sweep_due() == {"warning": 1, "overdue": 0}
    assert sweep.sweep_due() == {"warning": 0, "overdue": 0}
    clock.move_to(task.due_at + datetime.timedelta(minutes=1))
    assert sweep.sweep_due() == {"warning": 0, "overdue": 1}
    assert sweep.sweep_due(timezone.now() + datetime.timedelta(days=3)) == {"warning": 0, "overdue": 0}
    late = Assignment.objects.get(task=task, area=world.tree.grid)
    assert late.late and late.warned_at and not Assignment.objects.get(pk=done.pk).overdue_at
    assert Log.objects.filter(assignment=late, kind="overdue").count() == 1
    # The grid's worker gets one urgent SMS for the overdue mark; the issuer a digest.
    sms = OutboxMessage.objects.filter(user=world.worker, channel="sms").exclude(subject__startswith="新任务")
    assert sms.count() == 1
    assert Notification.objects.filter(user=world.dispatcher, kind="overdue").count() == 1


def test_urge_late_reaches_only_the_late_ones(world, clock):
    task = issue(world)
    clock.move_to(task.due_at + datetime.timedelta(minutes=1))
    sweep.sweep_due()
    done = Assignment.objects.get(task=task, area=world.tree.grid2)
    services.assignment_acknowledge(actor=world.worker2, assignment=done, version=1)
    services.assignment_complete(actor=world.worker2, assignment=done, version=2, result="好了")
    assert services.urge_late(actor=world.dispatcher, task=task) == 1
    assert Assignment.objects.get(task=task, area=world.tree.grid).urged == 1
    with pytest.raises(PermissionDenied):
        services.urge_late(actor=world.worker, task=task)


def test_urge_late_reaches_the_unacknowledged_grids_the_progress_page_lists(world):
    """The page's button 催办全部超期/未签收 urges the grids listed under it: a task just
    issued and acknowledged by nobody has every grid urged (it urged none: only warned ones)."""
    task = issue(world)
    assert progress.late(task).count() == 2
    assert services.urge_late(actor=world.dispatcher, task=task) == 2
    assert sorted(Assignment.objects.filter(task=task).values_list("urged", flat=True)) == [1, 1]


def test_household_result_is_a_ledgers_visit(world, household):
    task = issue(world, result_kind=ResultKind.HOUSEHOLD)
    assignment = Assignment.objects.get(task=task, area=world.tree.grid)
    services.assignment_acknowledge(actor=world.worker, assignment=assignment, version=1)
    with pytest.raises(Exception) as err:
        services.assignment_complete(actor=world.worker, assignment=assignment, version=2)
    assert "result" in err.value.message_dict
    result = services.assignment_record(
        actor=world.worker, assignment=assignment, version=2, household=household, outcome=Outcome.CHECKED
    )
    assert result.visit.household == household and task.title in result.visit.findings
    with pytest.raises(Exception) as err:
        services.assignment_record(
            actor=world.worker, assignment=assignment, version=3, household=household, outcome=Outcome.CHECKED
        )
    assert "household" in err.value.message_dict
    services.assignment_complete(actor=world.worker, assignment=assignment, version=3)
    assert Assignment.objects.get(pk=assignment.pk).status == S.DONE


def test_completing_with_households_left_unrecorded_asks_for_the_reason_and_logs_it(world, household):
    """Two households in the grid's ledger, one recorded: completing without a word is
    refused with the number left out (nothing changes); with a reason the grid is done and
    the reason is on the assignment's log."""
    from ledgers import places
    from ledgers import services as ledgers
    from ledgers.choices import AddressKind

    room = places.address_create(
        actor=world.leader, parent=household.address.parent, kind=AddressKind.ROOM, name="302室"
    )
    ledgers.household_create(actor=world.worker, address=room)
    task = issue(world, result_kind=ResultKind.HOUSEHOLD)
    assignment = Assignment.objects.get(task=task, area=world.tree.grid)
    services.assignment_acknowledge(actor=world.worker, assignment=assignment, version=1)
    services.assignment_record(
        actor=world.worker, assignment=assignment, version=2, household=household, outcome=Outcome.CHECKED
    )
    with pytest.raises(Exception) as err:
        services.assignment_complete(actor=world.worker, assignment=assignment, version=3, result="  ")
    assert "尚有1户未登记" in err.value.message_dict["result"][0]
    assert Assignment.objects.get(pk=assignment.pk).status == AssignmentStatus.IN_PROGRESS
    services.assignment_complete(actor=world.worker, assignment=assignment, version=3, result="302室长期空置。")
    assert Assignment.objects.get(pk=assignment.pk).status == AssignmentStatus.DONE
    assert Log.objects.get(assignment=assignment, kind="complete").note == "302室长期空置。"
