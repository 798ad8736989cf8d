"""Missed check-ins escalate to the township, then the district, exactly once each (Art. 18)."""

import datetime
import threading

import pytest
from django.db import connection

from emergency import services
from emergency.choices import RecordKind
from emergency.models import CheckIn, Record
from emergency.sweep import escalate_due
from events.messaging import Notification

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]
WINDOW = datetime.timedelta(minutes=240)  # level IV (settings.EMERGENCY_CHECKIN_MINUTES)


def _escalations(kind):
    return sorted(Record.objects.filter(kind=kind).values_list("checkin__area__code", flat=True))


def test_township_at_the_deadline_then_the_district_one_window_later(world, leader2, response, clock):
    grid = CheckIn.objects.get(response=response, area=world.tree.grid)
    services.checkin_acknowledge(actor=world.leader, checkin=grid, version=1)
    clock.shift(WINDOW - datetime.timedelta(minutes=1))
    assert escalate_due() == {"township": 0, "district": 0}
    clock.shift(datetime.timedelta(minutes=1))
    assert escalate_due() == {"township": 2, "district": 0}
    assert escalate_due() == {"township": 0, "district": 0}
    late = sorted([world.tree.grid2.code, world.tree.micro_grid.code])
    assert _escalations(RecordKind.ESCALATE_TOWNSHIP) == late
    told = Notification.objects.filter(user=world.dispatcher, kind="emergency", title__contains="未按时签到")
    assert told.count() == 1 and told.get().body == "、".join(late)
    assert not Notification.objects.filter(user=world.supervisor, title__contains="未按时签到").exists()
    clock.shift(WINDOW)
    assert escalate_due() == {"township": 0, "district": 2}
    assert escalate_due() == {"township": 0, "district": 0}
    assert _escalations(RecordKind.ESCALATE_DISTRICT) == late
    assert Notification.objects.filter(user=world.supervisor, title__contains="未按时签到").count() == 1


def test_a_late_sweep_escalates_to_both_and_an_ended_response_to_none(world, leader2, response, clock):
    clock.shift(WINDOW * 3)
    assert escalate_due() == {"township": 3, "district": 3}
    other = services.response_activate(
        actor=world.supervisor, area=world.tree.township, hazard="flood", level="I", title="防汛", instructions="巡查"
    )
    services.response_end(actor=world.supervisor, response=other, version=other.version)
    clock.shift(WINDOW * 3)
    assert escalate_due() == {"township": 0, "district": 0}


@pytest.mark.django_db(transaction=True)
def test_concurrent_sweeps_escalate_each_checkin_once(world, leader2, response, clock):
    clock.shift(WINDOW * 3)
    results, start = [], threading.Barrier(3)

    def run():
        try:
            start.wait()
            results.append(escalate_due())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(r["township"] for r in results) == 3
    assert sum(r["district"] for r in results) == 3
    assert Record.objects.filter(kind=RecordKind.ESCALATE_TOWNSHIP).count() == 3
    assert Record.objects.filter(kind=RecordKind.ESCALATE_DISTRICT).count() == 3
