"""The public demand form (anti-automation, rate limit) and the tracking page."""

import time

import pytest
from django.urls import reverse

from events import services
from events.choices import EventStatus, Source
from events.models import Event
from ningbo_grid import public_demand

pytestmark = pytest.mark.django_db


def _form(world, **over):
    data = {
        "kind": "demand",
        "item": world.item.code,
        "name": "王先生",
        "phone": "13912345678",
        "description": "小区路灯不亮已经一周。",
        "address": "3号楼",
        "website": "",
        "token": public_demand.make_token(time.time() - 10),
    }
    data.update(over)
    return data


def _url(world):
    return reverse("public:demand", args=[world.tree.grid.code])


def test_grid_card_links_to_the_demand_form(client, world):
    html = client.get(reverse("public:grid-card", args=[world.tree.grid.code])).content.decode()
    assert _url(world) in html


def test_demand_creates_an_event_and_shows_the_tracking_code(client, world):
    response = client.post(_url(world), _form(world))
    assert response.status_code == 201
    event = Event.objects.get()
    assert event.source == Source.PUBLIC_DEMAND and event.contact_phone == "13912345678"
    assert event.area == world.tree.grid
    assert event.tracking_code in response.content.decode()


def test_other_item_falls_back_to_a_listed_item(client, world):
    response = client.post(_url(world), _form(world, item="other", kind="complaint"))
    assert response.status_code == 201
    event = Event.objects.get()
    assert event.item == world.item and event.source == Source.COMPLAINT


def test_bad_phone_is_refused_next_to_the_field_keeping_input(client, world):
    response = client.post(_url(world), _form(world, phone="12345"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "id_phone_error" in html and "小区路灯不亮已经一周。" in html
    assert not Event.objects.exists()


def test_honeypot_is_refused(client, world):
    response = client.post(_url(world), _form(world, website="http://spam.example"))
    assert response.status_code == 400 and not Event.objects.exists()


def test_too_fast_submission_is_refused(client, world):
    response = client.post(_url(world), _form(world, token=public_demand.make_token(time.time())))
    assert response.status_code == 400 and "提交过快" in response.content.decode()
    assert not Event.objects.exists()


def test_forged_token_is_refused(client, world):
    response = client.post(_url(world), _form(world, token="forged"))
    assert response.status_code == 400 and not Event.objects.exists()


def test_rate_limit_per_ip(client, world):
    for _ in range(public_demand.RATE_LIMIT):
        assert client.post(_url(world), _form(world)).status_code == 201
    response = client.post(_url(world), _form(world))
    assert response.status_code == 429
    assert "提交过于频繁" in response.content.decode()
    assert Event.objects.count() == public_demand.RATE_LIMIT


def test_tracking_page_shows_steps_but_no_personal_data(client, world):
    client.post(_url(world), _form(world))
    event = Event.objects.get()
    services.event_accept(actor=world.dispatcher, event=event, text="内部意见：联系王丽娟")
    response = client.get(reverse("public:track"), {"code": event.tracking_code.lower()})
    assert response.status_code == 302
    html = client.get(response.url).content.decode()
    assert "受理" in html and str(EventStatus.ACCEPTED.label) in html
    for secret in ("13912345678", "王先生", "内部意见", world.dispatcher.username, "public-intake"):
        assert secret not in html


def test_unknown_tracking_code(client, world):
    response = client.get(reverse("public:track"), {"code": "ABCDEFGHJKLM"})
    assert response.status_code == 200 and "没有找到" in response.content.decode()
    assert client.get(reverse("public:track-status", args=["ABCDEFGHJKLM"])).status_code == 404


def test_closed_event_can_be_rated_once_through_the_tracking_page(client, world):
    client.post(_url(world), _form(world))
    event = Event.objects.get()
    Event.objects.filter(pk=event.pk).update(status=EventStatus.CLOSED)
    url = reverse("public:track-status", args=[event.tracking_code])
    assert "rate-form" in client.get(url).content.decode()
    assert client.post(url, {"score": "5", "comment": "很满意"}).status_code == 302
    assert event.satisfaction.score == 5
    html = client.get(url).content.decode()
    assert "rate-form" not in html and "感谢您的评价" in html
