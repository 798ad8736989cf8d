"""The citizen's contact on the event page (Art. 10, 19; PIPL): masked for those who may see
it, revealed on a stated purpose to those who act on the event, every reveal logged."""

import pytest
from django.urls import reverse

from events import services
from events.choices import Source
from personnel.choices import AccessedField, PlatformRole
from personnel.models import PersonalDataAccess
from tests.scenario import member

pytestmark = pytest.mark.django_db

NAME, PHONE = "王小明", "13912345678"


def _demand(world, **kw):
    """A public demand entered by the township's dispatcher, dispatched to the unit (lead)."""
    ev = world.report(actor=world.dispatcher, source=Source.PUBLIC_DEMAND, contact_name=NAME, contact_phone=PHONE)
    ev = services.event_accept(actor=world.dispatcher, event=ev)
    return services.event_dispatch(actor=world.dispatcher, event=ev, lead_unit=world.unit, **kw)


def _reveal(client, event, purpose="回访诉求人核实现场情况"):
    return client.post(reverse("events:contact", args=[event.number]), {"purpose": purpose})


def test_dispatcher_sees_the_contact_masked_with_a_reveal_form(client, world):
    ev = _demand(world)
    client.force_login(world.dispatcher)
    html = client.get(reverse("events:detail", args=[ev.number])).content.decode()
    assert 'id="contact"' in html and "王**" in html and "139****5678" in html
    assert NAME not in html and PHONE not in html
    assert reverse("events:contact", args=[ev.number]) in html and 'name="purpose"' in html


def test_grid_worker_sees_the_masked_form_only(client, world):
    ev = _demand(world)
    client.force_login(world.worker)
    html = client.get(reverse("events:detail", args=[ev.number])).content.decode()
    assert "139****5678" in html and PHONE not in html
    assert reverse("events:contact", args=[ev.number]) not in html


def test_staff_reports_and_viewers_who_do_not_act_show_no_contact(client, world):
    staff_report = world.report()
    client.force_login(world.dispatcher)
    assert 'id="contact"' not in client.get(reverse("events:detail", args=[staff_report.number])).content.decode()
    # Sees the district's events (view_area) but neither acts on them nor works the grid.
    catalog_admin = member(world.authority, PlatformRole.CATALOG_ADMIN)
    ev = _demand(world)
    client.force_login(catalog_admin)
    page = client.get(reverse("events:detail", args=[ev.number]))
    assert page.status_code == 200 and 'id="contact"' not in page.content.decode()


def test_reveal_shows_the_clear_values_once_and_logs_one_row_without_them(client, world):
    ev = _demand(world)
    client.force_login(world.dispatcher)
    response = _reveal(client, ev)
    html = response.content.decode()
    assert response.status_code == 200
    assert NAME in html and PHONE in html
    assert "no-store" in response["Cache-Control"]
    log = PersonalDataAccess.objects.get()
    assert (log.actor, log.event, log.staff, log.field) == (world.dispatcher, ev, None, AccessedField.CONTACT)
    assert log.purpose == "回访诉求人核实现场情况"
    row = " ".join(str(v) for v in PersonalDataAccess.objects.values().get().values())
    assert PHONE not in row and NAME not in row and PHONE not in str(log)
    assert PHONE not in str(dict(client.session)) and PHONE not in response.get("Location", "")
    # The detail page stays masked afterwards.
    assert PHONE not in client.get(reverse("events:detail", args=[ev.number])).content.decode()


def test_lead_and_co_handling_units_may_reveal(client, world):
    ev = _demand(world, co_units=[world.unit2])
    for user in (world.handler, world.handler2, world.supervisor):
        client.force_login(user)
        assert _reveal(client, ev).status_code == 200
    assert PersonalDataAccess.objects.filter(event=ev).count() == 3


def test_empty_purpose_is_an_error_next_to_the_field_and_not_logged(client, world):
    ev = _demand(world)
    client.force_login(world.dispatcher)
    response = _reveal(client, ev, purpose="")
    html = response.content.decode()
    assert response.status_code == 400
    assert "请说明查看事由。" in html and "is-invalid" in html and PHONE not in html
    kept = _reveal(client, ev, purpose="x" * 201)
    assert kept.status_code == 400 and "查看事由不超过200字。" in kept.content.decode()
    assert 'value="' + "x" * 201 + '"' in kept.content.decode()
    assert not PersonalDataAccess.objects.exists()


def test_grid_worker_cannot_reveal_and_outsiders_get_404(client, world):
    ev = _demand(world)
    client.force_login(world.worker)
    assert _reveal(client, ev).status_code == 403
    client.force_login(world.outsider)
    assert _reveal(client, ev).status_code == 404
    client.force_login(world.dispatcher2)
    assert _reveal(client, ev).status_code == 404
    assert not PersonalDataAccess.objects.exists()


def test_a_returned_unit_no_longer_reveals(client, world):
    ev = _demand(world)
    services.event_return(actor=world.handler, event=ev, reason="不属于本单位职责")
    client.force_login(world.handler)
    assert _reveal(client, ev).status_code == 403
    html = client.get(reverse("events:detail", args=[ev.number])).content.decode()
    assert "139****5678" in html and reverse("events:contact", args=[ev.number]) not in html
