"""Open311 GeoReport v2 at /open311/v2/: the spec's fields in JSON and XML, a round trip
by API key, and errors in the spec's format."""

import datetime

import pytest

from events.choices import Source
from events.models import Event
from events.services import event_accept, event_reject
from integrations.services import api_client_create
from tests.factories import UserFactory
from tests.scenario import make_item

from .conftest import BASE
from .conftest import xml as _xml

SERVICE_FIELDS = {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
REQUEST_FIELDS = {
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
}


def test_discovery_lists_the_endpoint_in_both_formats(client, db):
    body = client.get(BASE + "discovery.json").json()
    assert body["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"
    # No trailing slash: clients (the SeeClickFix validator) append "/services.xml" to it.
    assert body["endpoints"][0]["url"] == "http://testserver/open311/v2"
    assert client.get(body["endpoints"][0]["url"] + "/services.xml").status_code == 200
    root = _xml(client.get(BASE + "discovery.xml"))
    assert root.tag == "discovery"
    assert [f.text for f in root.find("endpoints/endpoint/formats")] == ["application/json", "text/xml"]


def test_services_are_the_in_force_items(client, world, flood_item):
    make_item("04-009", state="draft")  # not published: not a service
    body = client.get(BASE + "services.json").json()
    by_code = {s["service_code"]: s for s in body}
    assert set(by_code) == {world.item.code, flood_item.code}
    assert set(by_code["04-002"]) == SERVICE_FIELDS
    assert by_code["04-002"]["metadata"] is True and by_code[world.item.code]["metadata"] is False
    assert by_code["04-002"]["type"] == "realtime"
    assert by_code["04-002"]["service_name"] == "事项04-002"
    assert by_code["04-002"]["group"] == "排查、报送、化解、处置矛盾纠纷、安全风险隐患"
    root = _xml(client.get(BASE + "services.xml"))
    assert root.tag == "services"
    codes = {s.findtext("service_code") for s in root.findall("service")}
    assert codes == set(by_code)
    assert root.find("service[service_code='04-002']/metadata").text == "true"


def test_service_definition_maps_attributes(client, flood_item):
    body = client.get(BASE + "services/04-002.json").json()
    assert body["service_code"] == "04-002"
    depth, place = body["attributes"]
    assert depth == {
        "variable": True,
        "code": "depth",
        "datatype": "number",
        "required": True,
        "datatype_description": "a decimal number",
        "order": 1,
        "description": "积水深度（厘米）",
        "values": [],
    }
    assert place["datatype"] == "singlevaluelist"
    assert place["values"] == [{"key": "road", "name": "道路"}, {"key": "yard", "name": "小区"}]
    root = _xml(client.get(BASE + "services/04-002.xml"))
    assert root.tag == "service_definition"
    values = root.findall("attributes/attribute[code='place']/values/value")
    assert [(v.findtext("key"), v.findtext("name")) for v in values] == [("road", "道路"), ("yard", "小区")]
    missing = client.get(BASE + "services/99-999.xml")
    assert missing.status_code == 404
    assert _xml(missing).find("error/code").text == "404"


def test_round_trip_post_then_read_by_token_and_by_id(client, world, flood_item, key):
    response = client.post(
        BASE + "requests.json",
        {
            "api_key": key,
            "service_code": "04-002",
            "address_id": world.tree.grid.code,
            "address_string": "尹江路与南门路口",
            "lat": "29.867",
            "long": "121.544",
            "description": "路口积水严重\n车辆无法通行",
            "attribute[depth]": "35",
            "attribute[place]": "road",
            "first_name": "小明",
            "last_name": "王",
            "phone": "13900000000",
        },
    )
    assert response.status_code == 201, response.content
    (created,) = response.json()
    assert set(created) == {"service_request_id", "token", "service_notice", "account_id"}
    event = Event.objects.get(number=created["service_request_id"])
    assert event.source == Source.PUBLIC_DEMAND
    assert event.attributes == {"depth": 35, "place": "road"}
    assert event.contact_name == "王 小明"

    by_token = client.get(BASE + f"tokens/{created['token']}.json").json()
    assert by_token == [{"service_request_id": event.number, "token": created["token"]}]
    (read,) = client.get(BASE + f"requests/{event.number}.json").json()
    assert set(read) == REQUEST_FIELDS
    assert read["status"] == "open"
    assert read["service_code"] == "04-002"
    assert read["description"] == "路口积水严重"
    assert read["lat"] == 29.867 and read["long"] == 121.544
    assert read["requested_datetime"].endswith("+08:00")
    assert "13900000000" not in str(read) and "小明" not in str(read)  # contact data stays internal
    root = _xml(client.get(BASE + f"requests/{event.number}.xml"))
    assert root.tag == "service_requests"
    assert root.findtext("request/service_request_id") == event.number
    assert root.findtext("request/status") == "open"


def test_post_without_a_grid_asks_for_address_id(client, world, key):
    response = client.post(
        BASE + "requests.xml",
        {"api_key": key, "service_code": world.item.code, "lat": "29.8", "long": "121.5", "description": "x"},
    )
    assert response.status_code == 400
    errors = _xml(response)
    assert errors.tag == "errors"
    assert any("address_id" in e.findtext("description") for e in errors.findall("error"))
    assert not Event.objects.exists()


@pytest.mark.parametrize(
    "data,status",
    [
        ({"service_code": "04-001", "description": "x", "address_id": "GRID"}, 403),  # no key
        ({"api_key": "nonsense", "service_code": "04-001", "description": "x", "address_id": "GRID"}, 403),
        ({"api_key": "KEY", "service_code": "nope", "description": "x", "address_id": "GRID"}, 404),  # spec: 404
        ({"api_key": "KEY", "service_code": "", "description": "x", "address_id": "GRID"}, 400),
        ({"api_key": "KEY", "service_code": "04-001", "description": "", "address_id": "GRID"}, 400),
        ({"api_key": "KEY", "service_code": "04-001", "description": "x", "address_id": "GRID", "lat": "north"}, 400),
        (
            {
                "api_key": "KEY",
                "service_code": "04-002",
                "description": "x",
                "address_id": "GRID",
                "attribute[depth]": "deep",
            },
            400,
        ),
        ({"api_key": "KEY", "service_code": "04-001", "description": "x", "address_id": "OTHER"}, 403),  # not my grid
        # Refused, not cut to fit the column (nor a 500 on PostgreSQL): address, phone, name, device id, NUL.
        *[
            ({"api_key": "KEY", "service_code": "04-001", "description": "x", "address_id": "GRID", **extra}, 400)
            for extra in (
                {"address_string": "路" * 201},
                {"phone": "1" * 21},
                {"last_name": "王" * 51},
                {"device_id": "d" * 65},
                {"description": "x\x00y"},
                {"description": "x" * 5001},
            )
        ],
    ],
)
def test_malformed_or_unauthorised_posts_are_4xx_in_the_spec_format(client, world, flood_item, key, data, status):
    placeholders = {"KEY": key, "GRID": world.tree.grid.code, "OTHER": world.tree.other_grid.code}
    response = client.post(BASE + "requests.json", {k: placeholders.get(v, v) for k, v in data.items()})
    assert response.status_code == status, response.content
    assert response.json()[0]["code"] == status
    assert response.json()[0]["description"]
    assert not Event.objects.exists()


def test_read_only_key_cannot_post(client, world):
    root = UserFactory(is_superuser=True, is_staff=True)
    read_key = api_client_create(actor=root, organisation=world.unit, name="只读", scopes=["read"]).key
    response = client.post(
        BASE + "requests.json",
        {"api_key": read_key, "service_code": world.item.code, "address_id": world.tree.grid.code, "description": "x"},
    )
    assert response.status_code == 403


def test_request_list_filters_and_statuses(client, world, clock):
    demand = {"actor": world.dispatcher, "source": Source.PUBLIC_DEMAND}  # a hotline call: published
    old = world.report(title="旧事件", **demand)
    clock.move_to(datetime.datetime(2025, 10, 1, 9, 0, tzinfo=datetime.UTC))
    open_ev = world.report(title="进行中", **demand)
    event_accept(actor=world.dispatcher, event=open_ev)
    rejected = world.report(title="无效", **demand)
    event_reject(actor=world.dispatcher, event=rejected, reason="invalid")

    numbers = lambda params: [r["service_request_id"] for r in client.get(BASE + "requests.json", params).json()]  # noqa: E731
    assert set(numbers({})) == {open_ev.number, rejected.number}  # the last 90 days by default
    assert numbers({"status": "closed"}) == [rejected.number]
    assert numbers({"status": "open"}) == [open_ev.number]
    assert numbers({"service_request_id": f"{old.number},{rejected.number}"}) == [rejected.number, old.number]
    assert numbers({"start_date": "2025-06-01T00:00:00+08:00", "end_date": "2025-06-30T00:00:00Z"}) == [old.number]
    assert numbers({"service_code": "99-999"}) == []
    by_id = {r["service_request_id"]: r for r in client.get(BASE + "requests.json").json()}
    assert by_id[open_ev.number]["status_notes"] == "受理"
    assert by_id[rejected.number]["status_notes"] == "不予受理：无效事件"
    assert by_id[rejected.number]["expected_datetime"] is None
    for bad in ({"status": "pending"}, {"start_date": "yesterday"}, {"end_date": "2025-06-30T00:00:00"}):
        response = client.get(BASE + "requests.xml", bad)
        assert response.status_code == 400, bad
        assert _xml(response).find("error/code").text == "400"


def test_unknown_request_and_token_are_404(client, world):
    assert client.get(BASE + "requests/E20250101000001.json").status_code == 404
    response = client.get(BASE + "tokens/AAAAAAAAAAAA.xml")
    assert response.status_code == 404
    assert _xml(response).tag == "errors"
    assert client.get(BASE + "requests.csv").status_code == 404
    assert client.delete(BASE + "requests.json").status_code == 405


def test_a_request_with_a_mobile_gets_the_citizens_sms_as_a_public_demand(client, world, key, settings):
    """Open311 POSTs are public demands: a mobile in their free-text `phone` (with +86,
    blanks or dashes) is told of acceptance, result and closure like the public form's
    (events.notify.citizen_enqueue); a landline or no phone gets no SMS row."""
    from events.messaging import OutboxMessage
    from events.services import event_dispatch, event_sign, event_submit_result, event_verify
    from events.tasks import outbox_deliver
    from tests.events_web.test_citizens_informed import RecordingSms

    settings.SMS_BACKEND = "tests.events_web.test_citizens_informed.RecordingSms"
    RecordingSms.sent = []
    body = {"api_key": key, "service_code": world.item.code, "address_id": world.tree.grid.code}
    events = []
    for phone in ("+86 139-0000-0001", "0574-87001234", ""):
        created = client.post(BASE + "requests.json", {**body, "description": "路灯不亮", "phone": phone})
        assert created.status_code == 201, created.content
        events.append(Event.objects.get(number=created.json()[0]["service_request_id"]))
    for ev in events:
        event_accept(actor=world.dispatcher, event=ev.pk)
        event_dispatch(actor=world.dispatcher, event=ev.pk, lead_unit=world.unit)
        event_sign(actor=world.handler, event=ev.pk)
        event_submit_result(actor=world.handler, event=ev.pk, text="已处理")
        event_verify(actor=world.worker, event=ev.pk, passed=True)
    mobile, landline, none = events
    texts = list(OutboxMessage.objects.filter(citizen_event=mobile).order_by("id").values_list("subject", flat=True))
    assert [t[:6] for t in texts] == ["您的诉求已受", "您的诉求已有", "您的诉求已办"]
    assert all(mobile.tracking_code in t for t in texts)
    assert not OutboxMessage.objects.filter(citizen_event__in=[landline, none]).exists()
    outbox_deliver()
    assert [phone for phone, _ in RecordingSms.sent] == ["13900000001"] * 3
