"""Issuing a task (Art. 19): who may, on what basis, and the fan-out to every grid once."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from events.choices import MessageChannel
from events.messaging import Notification, OutboxMessage
from grids.choices import Level
from integrations.models import WebhookDelivery
from tasks import services
from tasks.choices import AssignmentStatus
from tasks.models import Assignment, Task
from tests.integrations.factories import make_subscription
from tests.scenario import make_area

from .conftest import issue

pytestmark = pytest.mark.django_db


def test_refused_without_item_or_consent(world):
    with pytest.raises(ValidationError) as err:
        issue(world, item=None)
    assert "第十九条" in str(err.value.message_dict["basis"])
    assert not Task.objects.exists() and not Assignment.objects.exists()


def test_department_needs_the_authoritys_consent(world, matter):
    # A department may not push even a listed matter without a consent of its own.
    with pytest.raises(ValidationError) as err:
        issue(world, actor=world.handler)
    assert "temporary_matter" in err.value.message_dict
    # Another department's consent is not this one's.
    with pytest.raises(ValidationError):
        issue(world, actor=world.handler2, temporary_matter=matter)
    task = issue(world, actor=world.handler, temporary_matter=matter)
    assert task.organisation == world.unit
    assert Assignment.objects.filter(task=task).count() == 2


def test_consent_covers_only_its_area_and_dates(world, matter):
    with pytest.raises(ValidationError) as err:  # the other district: outside the consent
        issue(world, actor=world.handler, temporary_matter=matter, areas=[world.tree.other_grid])
    assert "basis" in err.value.message_dict
    matter.end = matter.start
    matter.save()
    with pytest.raises(ValidationError) as err:
        issue(world, actor=world.handler, temporary_matter=matter)
    assert "basis" in err.value.message_dict


def test_outsider_and_other_township_refused(world):
    with pytest.raises(PermissionDenied):
        issue(world, actor=world.outsider)
    with pytest.raises(PermissionDenied):
        issue(world, actor=world.dispatcher2)


@pytest.mark.parametrize(
    "field,value",
    [("title", ""), ("instructions", " "), ("working_days", 0), ("working_days", "2"), ("areas", [])],
)
def test_bad_input_is_refused_and_changes_nothing(world, field, value):
    with pytest.raises(ValidationError) as err:
        issue(world, **{field: value})
    assert field in err.value.message_dict
    assert not Task.objects.exists()


def test_township_task_reaches_every_grid_exactly_once(world, settings):
    tree = world.tree
    settings.WEBHOOK_PRIVATE_HOSTS = ["127.0.0.1"]
    make_subscription(world, organisation=world.township_office)
    # Overlapping choices: the township, one of its villages and one of its grids.
    task = issue(world, areas=[tree.township, tree.village, tree.grid])
    rows = list(Assignment.objects.filter(task=task).values_list("area_id", "township_id", "status"))
    assert sorted(rows) == sorted(
        [(tree.grid.pk, tree.township.pk, AssignmentStatus.RECEIVED), (tree.grid2.pk, tree.township.pk, "received")]
    )
    # The grid staff (leader and full-time workers) are told once each; not the micro-grid's.
    told = set(Notification.objects.filter(title__contains=task.title).values_list("user_id", flat=True))
    assert told == {world.worker.pk, world.leader.pk, world.worker2.pk}
    assert WebhookDelivery.objects.filter(event_type="task.issued").count() == 1


def test_a_grid_drawn_later_gets_the_task_only_when_extended(world):
    task = issue(world)
    late = make_area(world.tree.village2, Level.GRID, "南门第一网格", suffix=1)
    assert not Assignment.objects.filter(task=task, area=late).exists()
    assert services.task_extend(actor=world.dispatcher, task=task) == 1
    assert services.task_extend(actor=world.dispatcher, task=task) == 0
    assert Assignment.objects.filter(task=task).count() == 3
    with pytest.raises(PermissionDenied):
        services.task_extend(actor=world.worker, task=task)


def _sent(user, channel, text):
    return OutboxMessage.objects.filter(user=user, channel=channel, subject__contains=text).count()


def test_grid_staff_are_told_through_every_channel_once_when_issued_extended_and_urged(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as kicks:
        task = issue(world)
    # The full-time worker (e-mail address and mobile) gets the inbox row, an e-mail and
    # an SMS, written with the task; the grid leader (no address, no mobile) the inbox row.
    assert Notification.objects.filter(user=world.worker, title__contains=task.title).count() == 1
    assert _sent(world.worker, MessageChannel.EMAIL, task.title) == 1
    assert _sent(world.worker, MessageChannel.SMS, task.title) == 1
    assert not OutboxMessage.objects.filter(user=world.leader).exists()
    assert kicks, "the delivery task is queued on commit"
    # Extending to a grid drawn later tells only its staff, never the others again.
    services.task_extend(actor=world.dispatcher, task=task)
    assert _sent(world.worker, MessageChannel.SMS, task.title) == 1
    # Urging tells the grid through every channel again.
    assignment = Assignment.objects.get(task=task, area=world.tree.grid)
    services.assignment_urge(actor=world.dispatcher, assignment=assignment, version=1)
    assert _sent(world.worker, MessageChannel.SMS, "催办") == 1
    assert _sent(world.worker, MessageChannel.EMAIL, "催办") == 1
    assert Notification.objects.filter(user=world.worker, title__contains="催办").count() == 1


def test_a_failed_issue_leaves_no_message(world, monkeypatch):
    def refuse(*args, **kwargs):
        raise RuntimeError("webhook store down")

    monkeypatch.setattr(services, "webhook_emit", refuse)
    with pytest.raises(RuntimeError):
        issue(world)
    assert not Notification.objects.exists() and not OutboxMessage.objects.exists()
