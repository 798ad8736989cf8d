"""The citizen's contact in the events API (Art. 10, 19; PIPL): masked in one event's
detail, in clear only through the logged `POST /events/{number}/contact/`."""

import pytest

from events import services
from events.choices import Source
from integrations.services import api_client_create
from personnel.choices import AccessedField, GridRole, PlatformRole
from personnel.models import PersonalDataAccess
from tests.factories import UserFactory
from tests.scenario import grid_user

from .conftest import api_as

pytestmark = pytest.mark.django_db

NAME, PHONE = "王小明", "13912345678"
PURPOSE = {"purpose": "回访诉求人核实现场情况"}


def _demand(world):
    ev = world.report(actor=world.dispatcher, source=Source.PUBLIC_DEMAND, contact_name=NAME, contact_phone=PHONE)
    ev = services.event_accept(actor=world.dispatcher, event=ev)
    return services.event_dispatch(actor=world.dispatcher, event=ev, lead_unit=world.unit)


def _url(ev):
    return f"/api/v1/events/{ev.number}/contact/"


def test_detail_shows_the_contact_masked_and_the_list_not_at_all(world):
    ev = _demand(world)
    api = api_as(world.dispatcher)
    detail = api.get(f"/api/v1/events/{ev.number}/")
    assert detail.status_code == 200
    assert detail.json()["contact"] == {"name": "王**", "phone": "139****5678", "can_reveal": True}
    listed = api.get("/api/v1/events/")
    assert [row["number"] for row in listed.json()["results"]] == [ev.number]
    assert "contact" not in listed.json()["results"][0]
    for response in (detail, listed):
        assert PHONE not in response.content.decode() and NAME not in response.content.decode()


def test_grid_worker_sees_it_masked_without_reveal_and_staff_reports_have_none(world):
    ev = _demand(world)
    worker = api_as(world.worker)
    assert worker.get(f"/api/v1/events/{ev.number}/").json()["contact"]["can_reveal"] is False
    staff_report = world.report()
    assert worker.get(f"/api/v1/events/{staff_report.number}/").json()["contact"] is None
    # Another grid's worker in the same township does not see the event at all.
    assert api_as(world.worker2).get(f"/api/v1/events/{ev.number}/").status_code == 404


def test_reveal_returns_the_clear_values_and_logs_exactly_one_row_without_them(world):
    ev = _demand(world)
    response = api_as(world.dispatcher).post(_url(ev), PURPOSE, format="json")
    assert response.status_code == 200, response.json()
    assert response.json() == {"contact_name": NAME, "contact_phone": PHONE}
    assert response["Cache-Control"] == "no-store"
    log = PersonalDataAccess.objects.get()
    assert (log.actor, log.event_id, log.staff_id, log.field) == (world.dispatcher, ev.pk, None, AccessedField.CONTACT)
    assert log.purpose == PURPOSE["purpose"]
    assert PHONE not in str(PersonalDataAccess.objects.values().get())


def test_handler_of_the_unit_reveals_other_units_get_404(world):
    ev = _demand(world)
    assert api_as(world.handler).post(_url(ev), PURPOSE, format="json").status_code == 200
    assert api_as(world.other_handler).post(_url(ev), PURPOSE, format="json").status_code == 404
    assert PersonalDataAccess.objects.count() == 1


def test_grid_worker_403_outsider_404_bad_purpose_400_and_nothing_logged(world):
    ev = _demand(world)
    assert api_as(world.worker).post(_url(ev), PURPOSE, format="json").status_code == 403
    assert api_as(world.outsider).post(_url(ev), PURPOSE, format="json").status_code == 404
    dispatcher = api_as(world.dispatcher)
    for bad in ({}, {"purpose": ""}, {"purpose": " x "}, {"purpose": "x" * 201}):
        response = dispatcher.post(_url(ev), bad, format="json")
        assert response.status_code == 400, bad
        assert list(response.json()["errors"]) == ["purpose"], response.json()
    assert dispatcher.post(_url(ev), {"purpose": "回访\x00"}, format="json").status_code == 400
    staff_report = world.report()
    assert dispatcher.post(_url(staff_report), PURPOSE, format="json").status_code == 404
    assert not PersonalDataAccess.objects.exists()


def test_service_refuses_a_blank_purpose_after_the_role_check(world):
    ev = _demand(world)
    from django.core.exceptions import ValidationError

    from events.exceptions import NotFound, PermissionDenied

    with pytest.raises(ValidationError) as exc:
        services.event_contact_unmask(actor=world.dispatcher, event=ev, purpose="  ")
    assert exc.value.message_dict == {"purpose": ["请说明查看事由。"]}
    with pytest.raises(PermissionDenied):
        services.event_contact_unmask(actor=world.leader, event=ev, purpose="")
    with pytest.raises(NotFound):
        services.event_contact_unmask(actor=UserFactory(), event=ev.pk, purpose="回访")
    assert not PersonalDataAccess.objects.exists()


def test_api_key_needs_the_handle_scope(world):
    ev = _demand(world)
    admin = UserFactory(is_superuser=True, is_staff=True)

    def key(scopes):
        created = api_client_create(
            actor=admin, organisation=world.unit, name="执法系统", scopes=scopes, role=PlatformRole.HANDLER
        )
        return created.key

    assert api_as(key=key(["read"])).post(_url(ev), PURPOSE, format="json").status_code == 403
    handle = api_as(key=key(["read", "handle"])).post(_url(ev), PURPOSE, format="json")
    assert handle.status_code == 200 and handle.json()["contact_phone"] == PHONE
    assert PersonalDataAccess.objects.count() == 1


def test_timeline_masks_a_corrected_contact(world):
    ev = _demand(world)
    services.event_correct(
        actor=world.dispatcher, event=ev, changes={"contact_phone": "13700001111"}, text="诉求人更正号码"
    )
    timeline = api_as(world.dispatcher).get(f"/api/v1/events/{ev.number}/timeline/")
    body = timeline.content.decode()
    assert timeline.status_code == 200 and PHONE not in body and "13700001111" not in body
    change = timeline.json()[-1]["data"]["changes"]["contact_phone"]
    assert change == {"old": "139****5678", "new": "137****1111"}


def test_a_micro_grid_leader_of_the_grid_sees_the_masked_contact(world):
    ev = world.report(
        actor=world.dispatcher,
        area=world.tree.micro_grid,
        source=Source.COMPLAINT,
        contact_name=NAME,
        contact_phone=PHONE,
    )
    leader = grid_user(world.tree.micro_grid, GridRole.PARTTIME_WORKER)
    contact = api_as(leader).get(f"/api/v1/events/{ev.number}/").json()["contact"]
    assert contact == {"name": "王**", "phone": "139****5678", "can_reveal": False}
