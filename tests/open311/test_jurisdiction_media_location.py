"""`jurisdiction_id` (Issue 13.8), `media_url` and locating by `lat`/`long` (Issue 13.9).

media_url: the photo taken with the report, to anyone, but only while the request is
published (the same rule as the request itself), never photos of later steps."""

import pytest
from django.test import Client

from events.models import Event
from events.services import event_accept, event_dispatch, event_publish, event_sign, event_submit_result

from .conftest import BASE, errors, png, xml

OURS = "ningbo.gov.cn"


@pytest.mark.parametrize("path", ["discovery.json", "services.xml", "requests.json", "services/04-001.json"])
def test_an_unknown_jurisdiction_is_404_ours_and_none_are_fine(client, world, path):
    unknown = client.get(BASE + path, {"jurisdiction_id": "city.gov"})
    assert unknown.status_code == 404
    assert "jurisdiction_id" in errors(unknown)[0][1]
    assert client.get(BASE + path, {"jurisdiction_id": OURS}).status_code == 200
    assert client.get(BASE + path, {"jurisdiction_id": ""}).status_code == 200  # the validator's blank
    assert client.get(BASE + path).status_code == 200


def test_a_post_to_an_unknown_jurisdiction_files_nothing(client, world, key):
    data = {"api_key": key, "service_code": "04-001", "address_id": world.tree.grid.code, "description": "x"}
    assert client.post(BASE + "requests.xml", {**data, "jurisdiction_id": "city.gov"}).status_code == 404
    assert not Event.objects.exists()
    assert client.post(BASE + "requests.xml", {**data, "jurisdiction_id": OURS}).status_code == 201


def test_the_jurisdiction_is_a_setting(client, world, settings):
    settings.OPEN311_JURISDICTION_ID = "nb.example"
    assert client.get(BASE + "services.json", {"jurisdiction_id": "nb.example"}).status_code == 200
    assert client.get(BASE + "services.json", {"jurisdiction_id": OURS}).status_code == 404


def test_no_grid_and_no_position_is_a_clear_400(client, world, key):
    # A position alone is placed by the locate index (tests/open311/test_locate_position.py).
    only_text = client.post(
        BASE + "requests.json",
        {"api_key": key, "service_code": "04-001", "address_string": "尹江路 1 号", "description": "路灯不亮"},
    )
    assert only_text.status_code == 400 and "address_id" in errors(only_text)[0][1]
    half = client.post(
        BASE + "requests.json",
        {
            "api_key": key,
            "service_code": "04-001",
            "lat": "29.8",
            "address_id": world.tree.grid.code,
            "description": "x",
        },
    )
    assert half.status_code == 400 and "lat 和 long" in errors(half)[0][1]
    assert not Event.objects.exists()


def test_a_media_url_to_fetch_is_refused_not_dropped(client, world, key):
    response = client.post(
        BASE + "requests.json",
        {
            "api_key": key,
            "service_code": "04-001",
            "address_id": world.tree.grid.code,
            "description": "x",
            "media_url": "http://10.0.0.1/photo.jpg",
        },
    )
    assert response.status_code == 400
    assert "media_url" in errors(response)[0][1]
    assert not Event.objects.exists()


def _media_url(number, fmt="json"):
    response = Client().get(BASE + f"requests/{number}.{fmt}")
    if fmt == "xml":
        return xml(response).findtext("request/media_url")
    return response.json()[0]["media_url"]


def test_media_url_serves_the_report_photo_of_a_published_request(world, media):
    event = world.report(title="路面塌陷", attachments=[png()])
    assert Client().get(BASE + f"requests/{event.number}/media").status_code == 404  # staff report: internal
    event = event_publish(actor=world.dispatcher, event=event, public=True)
    url = _media_url(event.number)
    assert url == f"http://testserver/open311/v2/requests/{event.number}/media"
    assert _media_url(event.number, "xml") == url
    anyone = Client()
    photo = anyone.get(url)
    assert photo.status_code == 200
    assert photo["Content-Type"] == "image/png"
    assert photo["Cache-Control"] == "public, no-cache"
    body = b"".join(photo.streaming_content)
    assert body == event.attachments.get().file.open("rb").read()
    assert anyone.get(url, HTTP_IF_NONE_MATCH=photo["ETag"]).status_code == 304
    listed = {r["service_request_id"]: r for r in anyone.get(BASE + "requests.json").json()}
    assert listed[event.number]["media_url"] == url

    event_publish(actor=world.dispatcher, event=event, public=False)
    assert anyone.get(url).status_code == 404  # withdrawn at once
    assert anyone.get(url, HTTP_IF_NONE_MATCH=photo["ETag"]).status_code == 404


def test_only_report_photos_are_published(world, media):
    event = world.report(actor=world.dispatcher, source="public_demand", title="树木倒伏")
    assert _media_url(event.number) is None  # no photo: null
    event = event_accept(actor=world.dispatcher, event=event)
    event = event_dispatch(actor=world.dispatcher, event=event, lead_unit=world.unit)
    event = event_sign(actor=world.handler, event=event)
    event_submit_result(actor=world.handler, event=event, text="已清理", attachments=[png("result.png")])
    assert Event.objects.get(pk=event.pk).attachments.count() == 1
    assert _media_url(event.number) is None
    assert Client().get(BASE + f"requests/{event.number}/media").status_code == 404
