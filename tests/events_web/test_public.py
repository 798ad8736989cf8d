"""The public demand form (anti-automation, rate limit) and the tracking page."""

import time

import pytest
from django.urls import reverse

from events import public_demand, services
from events.choices import EventStatus, Source
from events.models import Event

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


def test_demand_is_filed_without_any_account_or_grant(client, world, django_user_model):
    from personnel.models import AreaGrant

    users, grants = django_user_model.objects.count(), AreaGrant.objects.count()
    for _ in range(2):
        assert client.post(_url(world), _form(world)).status_code == 201
    assert (django_user_model.objects.count(), AreaGrant.objects.count()) == (users, grants)
    event = Event.objects.first()
    assert event.reporter is None
    report = event.actions.get()
    assert report.actor is None and report.actor_name == "公众"
    # The township's dispatcher sees it in the queue, as before.
    client.force_login(world.dispatcher)
    assert event.number in client.get(reverse("events:queue")).content.decode()


def test_the_service_itself_limits_what_the_public_may_file(world):
    from django.core.exceptions import ValidationError

    from events.exceptions import NotFound
    from tests.scenario import make_item

    kwargs = {"description": "路灯不亮", "contact_name": "王先生", "contact_phone": "13912345678"}
    event = services.event_public_demand(area=world.tree.grid, item=world.item, complaint=True, **kwargs)
    assert event.source == Source.COMPLAINT and event.title == "投诉：路灯不亮"
    assert event.status == EventStatus.REPORTED
    with pytest.raises(NotFound):  # not a grid: no public card there
        services.event_public_demand(area=world.tree.township, item=world.item, **kwargs)
    retired = world.tree.grid2
    retired.status = "retired"
    retired.save(update_fields=["status"])
    with pytest.raises(NotFound):
        services.event_public_demand(area=retired, item=world.item, **kwargs)
    draft = make_item("04-002", state="draft")
    with pytest.raises(ValidationError) as exc:
        services.event_public_demand(area=world.tree.grid, item=draft, **kwargs)
    assert "item" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.event_public_demand(area=world.tree.grid, item=world.item, **{**kwargs, "contact_phone": " "})
    assert "contact_phone" in exc.value.message_dict
    assert Event.objects.count() == 1


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


def test_behind_the_declared_proxy_each_visitor_has_their_own_allowance(client, world, settings):
    """NUM_PROXIES=1 (production behind its HTTPS proxy): visitors are told apart by the
    address the proxy appends, not by the proxy's own address (one allowance for a city)."""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    for _ in range(public_demand.RATE_LIMIT):
        response = client.post(_url(world), _form(world), HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy)
        assert response.status_code == 201
    # a forged first entry does not give the same visitor a new allowance
    response = client.post(_url(world), _form(world), HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7", **proxy)
    assert response.status_code == 429
    response = client.post(_url(world), _form(world), HTTP_X_FORWARDED_FOR="198.51.100.9", **proxy)
    assert response.status_code == 201


def test_tracking_page_shows_steps_but_no_personal_data(client, world):
    client.post(_url(world), _form(world))
    event = Event.objects.get()
    services.event_accept(actor=world.dispatcher, event=event, text="内部意见：联系王丽娟")
    response = client.get(reverse("public:track"), {"code": event.tracking_code.lower()})
    assert response.status_code == 302
    html = client.get(response.url).content.decode()
    assert "受理" in html and str(EventStatus.ACCEPTED.label) in html
    for secret in ("13912345678", "王先生", "内部意见", world.dispatcher.username):
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
