"""Open311 (no login) publishes only what the public itself reported, or what a dispatcher
or supervisor marked public (Issue 12.7). The mark is a step on the event page and over
the API, written to the timeline, and can be taken back; existing rows are set by a data
migration."""

import importlib

import pytest
from django.apps import apps
from django.test import Client

from events.choices import ActionKind, Source
from events.models import Event
from events.services import event_public_demand, event_publish
from tests.events_api.conftest import api_as

from .conftest import BASE

#: What a grid worker wrote about a care target: never public by default.
CARE_TITLE = "独居老人需帮扶"
CARE_ADDRESS = "3 号楼 9 幢附近"


def listed(client=None) -> set[str]:
    """Numbers in the public list, read as anyone (no login)."""
    client = client or Client()
    return {r["service_request_id"] for r in client.get(BASE + "requests.json").json()}


def care_report(world):
    return world.report(title=CARE_TITLE, address=CARE_ADDRESS, description="独居老人王某行动不便，需定期上门。")


def demand(world, **kwargs):
    kwargs.setdefault("description", "小区路灯不亮")
    return event_public_demand(
        area=world.tree.grid, item=world.item, contact_name="王小明", contact_phone="13900000000", **kwargs
    )


def test_staff_reports_are_not_published_anywhere_in_open311(world):
    staff = care_report(world)
    patrol_like = world.report(title="巡查发现", source=Source.EXTERNAL, actor=world.dispatcher)
    anyone = Client()
    assert listed(anyone) == set()
    for fmt in ("json", "xml"):
        body = anyone.get(BASE + f"requests.{fmt}").content.decode()
        assert CARE_TITLE not in body and "9 幢" not in body
        assert anyone.get(BASE + f"requests/{staff.number}.{fmt}").status_code == 404
        assert anyone.get(BASE + f"tokens/{staff.tracking_code}.{fmt}").status_code == 404
    by_id = anyone.get(BASE + "requests.json", {"service_request_id": f"{staff.number},{patrol_like.number}"})
    assert by_id.json() == []
    assert not staff.public and not patrol_like.public


def test_a_demand_typed_in_by_grid_staff_stays_internal(world):
    """Only a public card, a dispatcher or a system key files a demand as the public's."""
    typed = world.report(source=Source.PUBLIC_DEMAND, title=CARE_TITLE)
    assert not typed.public
    assert listed() == set()


def test_what_the_public_reported_is_published(client, world, key):
    card = demand(world)
    complaint = demand(world, complaint=True, description="夜间施工扰民")
    hotline = world.report(actor=world.dispatcher, source=Source.PUBLIC_DEMAND, title="热线来电：井盖缺失")
    posted = client.post(
        BASE + "requests.json",
        {"api_key": key, "service_code": world.item.code, "address_id": world.tree.grid.code, "description": "积水"},
    ).json()[0]["service_request_id"]
    care_report(world)
    assert listed() == {card.number, complaint.number, hotline.number, posted}
    # The report row says how it started.
    assert card.actions.get(kind=ActionKind.REPORT).data["public"] is True


def test_dispatcher_publishes_and_unpublishes_on_the_event_page(client, world):
    event = care_report(world)
    client.force_login(world.dispatcher)
    page = client.get(f"/events/{event.number}/").content.decode()
    assert 'id="step-publish"' in page and 'id="step-unpublish"' not in page
    response = client.post(
        f"/events/{event.number}/steps/publish/", {"publish-version": event.version, "publish-text": "经核实可公开"}
    )
    assert response.status_code == 302
    assert listed() == {event.number}
    published = event.actions.get(kind=ActionKind.PUBLISH)
    assert (published.actor, published.text) == (world.dispatcher, "经核实可公开")

    page = client.get(f"/events/{event.number}/").content.decode()
    assert 'id="step-unpublish"' in page and 'id="step-publish"' not in page
    assert "已公开（Open311）" in page
    event.refresh_from_db()
    response = client.post(
        f"/events/{event.number}/steps/unpublish/", {"unpublish-version": event.version, "unpublish-text": "含住址"}
    )
    assert response.status_code == 302
    assert listed() == set()
    assert list(event.actions.values_list("kind", flat=True)) == [
        ActionKind.REPORT,
        ActionKind.PUBLISH,
        ActionKind.UNPUBLISH,
    ]


def test_grid_staff_cannot_publish_and_see_no_button(client, world):
    event = care_report(world)
    client.force_login(world.worker)
    assert 'id="step-publish"' not in client.get(f"/events/{event.number}/").content.decode()
    response = client.post(f"/events/{event.number}/steps/publish/", {"publish-version": event.version})
    assert response.status_code == 403
    assert listed() == set()


def test_publish_over_the_api(world):
    event = care_report(world)
    url = f"/api/v1/events/{event.number}/public/"
    read = {"version": event.version}
    assert api_as(world.worker).post(url, {"public": True, **read}, format="json").status_code == 403
    assert api_as(world.dispatcher2).post(url, {"public": True, **read}, format="json").status_code == 404
    assert api_as(world.supervisor).post(url, {"public": "maybe", **read}, format="json").status_code == 400
    assert api_as(world.supervisor).post(url, {"public": True}, format="json").status_code == 428  # no version

    response = api_as(world.supervisor).post(url, {"public": True, "version": event.version}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["public"] is True
    assert listed() == {event.number}
    now = api_as(world.supervisor).get(f"/api/v1/events/{event.number}/").json()["version"]
    again = api_as(world.supervisor).post(url, {"public": True, "version": now}, format="json")
    assert again.status_code == 409  # already public: nothing to record
    stale = api_as(world.dispatcher).post(url, {"public": False, "version": event.version}, format="json")
    assert stale.status_code == 409  # the caller read the event before it was published

    fresh = api_as(world.dispatcher).get(f"/api/v1/events/{event.number}/").json()
    response = api_as(world.dispatcher).post(url, {"public": False, "version": fresh["version"]}, format="json")
    assert response.status_code == 200 and response.json()["public"] is False
    assert listed() == set()
    timeline = api_as(world.dispatcher).get(f"/api/v1/events/{event.number}/timeline/").json()
    assert [row["kind"] for row in timeline] == ["report", "publish", "unpublish"]


def test_a_citizens_demand_can_be_taken_off_and_its_token_stops_answering(world):
    event = demand(world, description="我家住 3 幢 502，电话 13900000000，楼上漏水")
    assert listed() == {event.number}
    event_publish(actor=world.dispatcher, event=event, public=False, text="含个人信息")
    assert listed() == set()
    assert Client().get(BASE + f"tokens/{event.tracking_code}.json").status_code == 404


@pytest.mark.parametrize("value", ["true", 1, None])
def test_the_service_takes_a_boolean_only(world, value):
    from django.core.exceptions import ValidationError

    event = care_report(world)
    with pytest.raises(ValidationError):
        event_publish(actor=world.dispatcher, event=event, public=value)
    assert not Event.objects.get(pk=event.pk).public


def test_the_data_migration_publishes_existing_public_reports_only(world):
    staff = care_report(world)
    card = demand(world)
    complaint = demand(world, complaint=True)
    hotline = world.report(actor=world.dispatcher, source=Source.PUBLIC_DEMAND)
    external = world.report(actor=world.dispatcher, source=Source.EXTERNAL)
    Event.objects.update(public=False)  # every row as the new column left it (0005)
    migration = importlib.import_module("events.migrations.0007_event_public_from_source")
    migration.publish_public_reports(apps, None)
    public = set(Event.objects.filter(public=True).values_list("pk", flat=True))
    assert public == {card.pk, complaint.pk, hotline.pk}
    assert staff.pk not in public and external.pk not in public
