"""The events list's lean read path (issue #20): rows from values() equal to the
serializer's, at most 4 queries a page, the caller's reach read once a request."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events import services
from events.api.serializers import EventSerializer
from events.api.views import EVENT_ROWS
from events.choices import Datum, Source
from events.models import Event
from personnel import scope
from tests.events_api.conftest import api_as

pytestmark = pytest.mark.django_db


def _events(world):
    """Events in several states: reported with a position and fields, dispatched, a public demand."""
    plain = world.report(
        latitude=Decimal("29.87"), longitude=Decimal("121.55"), datum=Datum.WGS84, address="中山西路 1 号"
    )
    demand = world.report(actor=world.dispatcher, source=Source.PUBLIC_DEMAND, contact_name="王小明")
    dispatched = services.event_dispatch(
        actor=world.dispatcher,
        event=services.event_accept(actor=world.dispatcher, event=world.report()),
        lead_unit=world.unit,
    )
    return [plain, demand, dispatched]


def test_values_rows_are_exactly_what_the_serializer_gives(world):
    made = _events(world)
    queryset = Event.objects.filter(pk__in=[e.pk for e in made]).order_by("-reported_at", "-id")
    expected = EventSerializer(queryset, many=True).data
    assert EVENT_ROWS.page(EVENT_ROWS.values(queryset)) == [dict(row) for row in expected]
    assert {row["lead_unit_name"] for row in expected} == {None, world.unit.name}  # both kinds compared


def test_the_list_answers_the_serializers_json_and_no_contact(world):
    made = _events(world)
    response = api_as(world.dispatcher).get("/api/v1/events/", {"within": world.tree.township.code})
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["number"] for row in rows] == [e.number for e in reversed(made)]
    for row, event in zip(rows, reversed(made), strict=True):
        assert row == _as_json(EventSerializer(Event.objects.get(pk=event.pk)).data)
    assert "王小明" not in response.content.decode()


def _as_json(data):
    import json

    from rest_framework.renderers import JSONRenderer

    return json.loads(JSONRenderer().render(data))


@pytest.mark.parametrize(
    "who, params",
    [
        ("dispatcher", {"within": "township", "status": ["reported", "dispatched"], "page_size": 100}),
        ("dispatcher", {}),
        ("handler", {"lead_unit": "unit", "status": ["dispatched", "handling"]}),
        ("supervisor", {"within": "county", "item": "04-001"}),
    ],
)
def test_a_list_page_costs_at_most_four_queries(world, django_assert_max_num_queries, who, params):
    _events(world)
    values = {"township": world.tree.township.code, "county": world.tree.county.code, "unit": world.unit.pk}
    params = {k: values.get(v, v) if isinstance(v, str) else v for k, v in params.items()}
    api = api_as(getattr(world, who))
    api.get("/api/v1/events/", params)  # the session in the cache, as after sign-in
    with django_assert_max_num_queries(4):  # user with its TOTP devices, reach, `within` node, page
        response = api.get("/api/v1/events/", params)
    assert response.status_code == 200
    assert response.json()["results"]


def test_a_grant_revoked_between_two_requests_is_honoured_by_the_next(world):
    from personnel.models import AreaGrant

    event = world.report()
    api = api_as(world.dispatcher)
    assert [row["number"] for row in api.get("/api/v1/events/").json()["results"]] == [event.number]
    AreaGrant.objects.filter(user=world.dispatcher).delete()
    assert api.get("/api/v1/events/").json()["results"] == []


def test_the_reach_is_read_once_per_request_and_afresh_outside_one(world):
    with CaptureQueriesContext(connection) as outside:
        scope.caller_reach(world.dispatcher)
        scope.caller_reach(world.dispatcher)
    assert len(outside) == 2
    with scope.request_cache(), CaptureQueriesContext(connection) as inside:
        first = scope.caller_reach(world.dispatcher)
        assert scope.caller_reach(world.dispatcher) is first
    assert len(inside) == 1
    assert first.townships == (world.tree.township.pk,) and first.units == ()
    assert scope.caller_reach(world.handler).units == (world.unit.pk,)


def test_a_grant_given_by_a_post_is_seen_by_the_next_read_of_the_same_request(world):
    """Writes are not cached: a POST reads the grants each time."""
    from personnel.middleware import ReachCacheMiddleware
    from tests.scenario import grant

    def view(request):
        before = scope.caller_reach(world.outsider).townships
        grant(world.outsider, world.tree.township, "view_area")
        return before, scope.caller_reach(world.outsider).townships

    class Request:
        method = "POST"

    before, after = ReachCacheMiddleware(view)(Request())
    assert before == () and after == (world.tree.township.pk,)


def test_discovered_and_reported_times_render_in_shanghai_time(world):
    ev = world.report(discovered_at=datetime.datetime(2025, 6, 9, 0, 30, tzinfo=datetime.UTC))
    (row,) = EVENT_ROWS.page(EVENT_ROWS.values(Event.objects.filter(pk=ev.pk)))
    assert row["discovered_at"] == "2025-06-09T08:30:00+08:00"


def test_several_states_list_the_events_in_any_of_them(world):
    made = _events(world)
    status = {e.number: Event.objects.get(pk=e.pk).status for e in made}
    api = api_as(world.dispatcher)
    for chosen in (["dispatched", "closed"], ["reported", "dispatched"], ["closed"]):
        rows = api.get("/api/v1/events/", {"status": chosen}).json()["results"]
        assert {row["number"] for row in rows} == {number for number, s in status.items() if s in chosen}


def test_filter_messages_follow_each_requests_language(world):
    """The filter form is built once per language: a Chinese request does not leave the
    next English one its Chinese messages, nor the other way round."""
    api = api_as(world.dispatcher)
    for language, text in [("zh-CN", "请输入"), ("en", "Enter a whole number"), ("zh-CN", "请输入")]:
        response = api.get("/api/v1/events/", {"lead_unit": 2**70}, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 400
        assert text in response.json()["errors"]["lead_unit"][0]
