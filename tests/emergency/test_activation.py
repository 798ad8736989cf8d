"""Activation (Art. 18): every grid and micro-grid of the area, each leader exactly once."""

import pytest
from django.core.exceptions import ValidationError

from emergency import services
from emergency.choices import CheckInStatus, RecordKind
from emergency.models import CheckIn, Record
from events.choices import MessageChannel
from events.messaging import Notification, OutboxMessage
from integrations.models import WebhookDelivery
from tests.integrations.factories import make_subscription

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def test_every_grid_and_micro_grid_of_the_district_gets_one_checkin(world, leader2, response):
    rows = {c.area_id: c for c in CheckIn.objects.filter(response=response)}
    tree = world.tree
    assert set(rows) == {tree.grid.pk, tree.grid2.pk, tree.micro_grid.pk}  # not the other district's grid
    assert rows[tree.grid.pk].leader == world.leader
    assert rows[tree.grid2.pk].leader == leader2
    assert rows[tree.micro_grid.pk].leader == world.micro_leader
    assert {c.township_id for c in rows.values()} == {tree.township.pk}
    assert all(c.status == CheckInStatus.PENDING for c in rows.values())
    due = response.activated_at + services.window("IV")
    assert {c.due_at for c in rows.values()} == {due}


def test_each_leader_is_notified_exactly_once_through_every_channel(world, leader2, response):
    for leader in (world.leader, leader2, world.micro_leader):
        inbox = Notification.objects.filter(user=leader, kind="emergency")
        assert inbox.count() == 1
        assert "请立即签到" in inbox.get().title
    assert OutboxMessage.objects.filter(user=leader2, channel=MessageChannel.SMS).count() == 1
    assert Notification.objects.filter(user=world.dispatcher, kind="emergency").count() == 1
    assert not Notification.objects.filter(user=world.other_worker).exists()
    # Inserting again (a retried activation's statement) writes nothing twice.
    assert services._insert_checkins(response) == []
    assert CheckIn.objects.filter(response=response).count() == 3


def test_departments_of_the_district_get_the_webhook(world, leader2, settings):
    settings.WEBHOOK_PRIVATE_HOSTS = ["127.0.0.1"]
    make_subscription(world, event_types=["emergency.response_changed"])
    response = services.response_activate(
        actor=world.supervisor, area=world.tree.township, hazard="flood", level="III", title="防汛", instructions="巡查"
    )
    delivery = WebhookDelivery.objects.get(event_type="emergency.response_changed")
    assert delivery.payload["data"]["id"] == response.pk
    assert delivery.payload["data"]["step"] == RecordKind.ACTIVATE
    make_subscription(world, event_types=["emergency.checkin_reported"])
    checkin = services.checkin_acknowledge(
        actor=world.leader, checkin=CheckIn.objects.get(response=response, area=world.tree.grid), version=1
    )
    services.checkin_report(actor=world.leader, checkin=checkin, version=2, on_duty=2, to_transfer=9)
    report = WebhookDelivery.objects.get(event_type="emergency.checkin_reported")
    assert report.payload["data"]["area"] == world.tree.grid.code and report.payload["data"]["to_transfer"] == 9


def test_only_a_district_or_township_and_only_its_authority(world):
    with pytest.raises(ValidationError) as caught:
        services.response_activate(
            actor=world.supervisor, area=world.tree.grid, hazard="typhoon", level="I", title="x", instructions="y"
        )
    assert "area" in caught.value.message_dict
    from events.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.response_activate(
            actor=world.dispatcher, area=world.tree.township, hazard="typhoon", level="I", title="x", instructions="y"
        )
    assert not Record.objects.exists()


def test_a_second_active_response_for_the_same_hazard_above_or_below_is_refused(world, leader2, response):
    """The district has an active typhoon response: a township's typhoon response (or the
    district's again) is refused naming it; another hazard, or after it ended, is not."""
    from emergency.models import Response

    def activate(area, hazard="typhoon"):
        return services.response_activate(
            actor=world.superuser, area=area, hazard=hazard, level="III", title="再次启动", instructions="x"
        )

    for area in (world.tree.county, world.tree.township):
        with pytest.raises(ValidationError) as refused:
            activate(area)
        assert "台风“梅花”防御" in refused.value.message_dict["area"][0]
        assert refused.value.error_dict["area"][0].code == "active_response"
    assert Response.objects.count() == 1 and CheckIn.objects.count() == 3
    flood = activate(world.tree.township, "flood")
    with pytest.raises(ValidationError, match="再次启动"):
        activate(world.tree.county, "flood")  # the township's flood response lies below the district
    services.response_end(actor=world.supervisor, response=response, version=1)
    assert activate(world.tree.township).pk not in (response.pk, flood.pk)
