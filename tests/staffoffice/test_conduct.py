"""A complaint about a grid worker's conduct (Art. 10 ¶2, 27; issue #18 item 10): filed on
the public card, routed to the township's staff office only, on the person's record for
the township and the authorities, hidden from the grid's own staff."""

import time

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from events import public_demand, services
from events.models import Event
from personnel.models import Staff

pytestmark = pytest.mark.django_db


def _complain(client, world, about):
    data = {
        "kind": "conduct",
        "about": about,
        "item": world.item.code,
        "name": "李女士",
        "phone": "13912345678",
        "description": "网格员上门时态度粗暴。",
        "address": "",
        "website": "",
        "token": public_demand.make_token(time.time() - 10),
    }
    return client.post(reverse("public:demand", args=[world.tree.grid.code]), data)


def test_a_conduct_complaint_is_private_and_hidden_from_the_grids_staff(client, world):
    worker = Staff.objects.get(user=world.worker)
    form = client.get(reverse("public:demand", args=[world.tree.grid.code])).content.decode()
    assert f'value="{worker.pk}"' in form  # the card's people can be named
    assert _complain(client, world, worker.pk).status_code == 201
    event = Event.objects.get()
    assert event.about_staff == worker and event.source == "complaint" and event.public is False
    for user in (world.worker, world.leader, world.micro_leader, world.dispatcher2, world.other_supervisor):
        assert not Event.objects.restrict(user).filter(pk=event.pk).exists()
    for user in (world.dispatcher, world.supervisor):
        assert Event.objects.restrict(user).filter(pk=event.pk).exists()
    client.force_login(world.dispatcher)
    record = client.get(reverse("staffoffice:record", args=[worker.pk])).content.decode()
    assert event.number in record
    client.force_login(world.worker)
    assert event.number not in client.get(reverse("personnel:me")).content.decode()


def test_someone_not_serving_the_grid_cannot_be_named(client, world):
    elsewhere = Staff.objects.get(user=world.other_worker)
    response = _complain(client, world, elsewhere.pk)
    assert response.status_code == 400 and not Event.objects.exists()
    with pytest.raises(ValidationError):
        services.event_public_demand(
            area=world.tree.grid,
            item=world.item,
            description="态度差",
            contact_name="李女士",
            contact_phone="13912345678",
            about_staff=elsewhere,
        )


def test_it_goes_to_the_townships_staff_office_not_a_department(world):
    worker = Staff.objects.get(user=world.worker)
    event = services.event_public_demand(
        area=world.tree.grid,
        item=world.item,
        description="态度差",
        contact_name="李女士",
        contact_phone="13912345678",
        about_staff=worker,
    )
    event = services.event_accept(actor=world.dispatcher, event=event)
    with pytest.raises(ValidationError) as refused:
        services.event_dispatch(actor=world.dispatcher, event=event, lead_unit=world.unit)
    assert "lead_unit" in refused.value.message_dict
    with pytest.raises(ValidationError):
        services.event_dispatch(
            actor=world.dispatcher, event=event, lead_unit=world.township_office, co_units=[world.unit]
        )
    event = services.event_dispatch(actor=world.dispatcher, event=event, lead_unit=world.township_office)
    assert event.lead_unit == world.township_office
