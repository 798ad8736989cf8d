"""`events.notify.record_set` (set-based inbox and outbox rows for a task's or an
emergency's recipients, Art. 18, 19) runs on both databases the platform serves from:
PostgreSQL (CI, production) and SQLite (`make run`'s demo). Its SQL once used
PostgreSQL-only casts (`%s::bigint`, `AS r(uid)`), so on `make run` issuing a task or
activating an emergency response was a 500."""

import datetime

import pytest
from django.contrib.auth import get_user_model

from events import notify
from events.choices import MessageChannel, MessageStatus
from events.messaging import Notification, OutboxMessage
from personnel.choices import GridRole
from tests.scenario import grid_user, make_tree

pytestmark = pytest.mark.django_db


def _leaders():
    tree = make_tree()
    reachable = grid_user(tree.grid, GridRole.GRID_LEADER, email="lead@example.org", mobile="13800001234")
    silent = grid_user(tree.grid2, GridRole.GRID_LEADER)
    return reachable, silent


def test_every_recipient_gets_one_inbox_row_and_the_reachable_one_email_and_sms():
    reachable, silent = _leaders()
    users = get_user_model().objects.filter(pk__in=[reachable.pk, silent.pk]).values_list("pk", flat=True)
    message = notify.Message(set(), None, "urge", "新任务：台风前入户排查", "请于两个工作日内完成。", urgent=True)

    notify.record_set(users, message, cause="task:1@1")

    inbox = Notification.objects.order_by("user_id")
    assert [(n.user_id, n.title, n.body) for n in inbox] == [
        (reachable.pk, "新任务：台风前入户排查", "请于两个工作日内完成。"),
        (silent.pk, "新任务：台风前入户排查", "请于两个工作日内完成。"),
    ]
    assert all(isinstance(n.created_at, datetime.datetime) for n in inbox)
    outbox = OutboxMessage.objects.order_by("channel")
    assert [(m.key, m.user_id, m.channel, m.status) for m in outbox] == [
        (f"task:1@1/0:email:{reachable.pk}", reachable.pk, MessageChannel.EMAIL, MessageStatus.PENDING),
        (f"task:1@1/0:sms:{reachable.pk}", reachable.pk, MessageChannel.SMS, MessageStatus.PENDING),
    ]


def test_the_same_cause_again_queues_no_second_email_or_sms():
    reachable, _silent = _leaders()
    users = get_user_model().objects.filter(pk=reachable.pk).values_list("pk", flat=True)
    message = notify.Message(set(), None, "urge", "应急响应启动", urgent=True)

    notify.record_set(users, message, cause="emergency:7")
    notify.record_set(users, message, cause="emergency:7")

    assert OutboxMessage.objects.count() == 2
