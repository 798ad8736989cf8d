"""Regressions: 401 without credentials; every paging parameter honoured or refused, never ignored."""

import base64

import pytest
from rest_framework.test import APIClient

from integrations.services import webhook_emit
from tests.integrations.factories import make_client, make_subscription
from tests.scenario import make_world

SHAPE = {"detail", "errors", "request_id"}


@pytest.fixture
def scenario(db):
    return make_world()


def as_user(user):
    client = APIClient()
    client.force_login(user)
    return client


def error(response, status):
    assert response.status_code == status, response.content[:300]
    assert set(response.json()) >= SHAPE
    return response.json()


@pytest.mark.parametrize("url", ["/api/v1/grids/", "/api/v1/events/", "/api/v1/integrations/clients/"])
def test_no_credentials_is_401_with_a_challenge(scenario, url):
    response = APIClient().get(url)
    error(response, 401)
    assert response["WWW-Authenticate"] == 'Api-Key realm="api"'


def test_signed_in_without_the_right_stays_403(scenario):
    _client, key = make_client(scenario, scopes=["read"])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    response = api.get("/api/v1/integrations/clients/")  # keys may not manage keys
    error(response, 403)
    assert "WWW-Authenticate" not in response


def test_page_numbers_are_honoured_on_limit_offset_lists(scenario):
    api = as_user(scenario.superuser)
    everything = [row["code"] for row in api.get("/api/v1/grids/", {"limit": 200}).json()["results"]]
    assert len(everything) > 6
    page2 = api.get("/api/v1/grids/", {"limit": 3, "page": 2}).json()
    assert [row["code"] for row in page2["results"]] == everything[3:6]
    assert page2["count"] == len(everything)
    assert "page=" not in page2["next"] and "offset=6" in page2["next"]
    assert "page=" not in page2["previous"]
    assert [row["code"] for row in api.get(page2["next"]).json()["results"]] == everything[6:9]
    assert api.get("/api/v1/grids/", {"limit": 3, "page": 1}).json()["results"][0]["code"] == everything[0]


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ({"page": "abc"}, 400, "page"),
        ({"page": "0"}, 400, "page"),
        ({"page": "-1"}, 400, "page"),
        ({"page": "2", "offset": "0"}, 400, "page"),
        ({"page": "999999"}, 404, None),
        ({"limit": "abc"}, 400, "limit"),
        ({"limit": "0"}, 400, "limit"),
        ({"limit": "201"}, 400, "limit"),
        ({"offset": "-1"}, 400, "offset"),
        ({"offset": "99999999999999999999999"}, 400, "offset"),
    ],
)
def test_bad_page_limit_or_offset_is_a_json_error(scenario, query, status, field):
    body = error(as_user(scenario.superuser).get("/api/v1/grids/", query), status)
    if field:
        assert field in body["errors"]


def _cursor(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@pytest.mark.parametrize(
    "query",
    [
        {"page": "2"},  # a cursor list does not page by number: refused, not silently page 1
        {"page_size": "abc"},
        {"page_size": "0"},
        {"page_size": "100000"},
        {"cursor": "%%%"},
        {"cursor": "garbage"},
        {"cursor": _cursor("x=1")},
        {"cursor": _cursor("p=not-a-date")},  # a forged position that is not a timestamp
        {"cursor": _cursor("r=1&p=\x00")},
        {"cursor": _cursor("o=-5&p=x")},
    ],
)
@pytest.mark.parametrize("url", ["/api/v1/events/", "/api/v1/patrols/", "/api/v1/integrations/deliveries/"])
def test_bad_cursor_paging_is_400_not_ignored_or_500(scenario, url, query):
    body = error(as_user(scenario.superuser).get(url, query), 400)
    assert set(query) <= set(body["errors"])


def test_cursor_pages_still_follow(scenario):
    make_subscription(scenario)
    for _ in range(3):
        webhook_emit(event_type="event.overdue", organisation_ids=[scenario.unit.pk], payload={})
    api = as_user(scenario.supervisor)
    first = api.get("/api/v1/integrations/deliveries/", {"page_size": 2}).json()
    assert len(first["results"]) == 2 and first["next"]
    second = api.get(first["next"]).json()
    assert len(second["results"]) == 1
    assert not {r["id"] for r in first["results"]} & {r["id"] for r in second["results"]}


@pytest.mark.parametrize(
    ("url", "query"),
    [
        ("/api/v1/events/", {"source": "public_demand"}),  # not a filter of events: was the whole list
        ("/api/v1/events/", {"township": "330203001000", "status__in": "reported"}),
        ("/api/v1/grids/", {"levle": "grid"}),
        ("/api/v1/patrols/", {"area": "330203001001001"}),
        ("/api/v1/staff/", {"limit": "5", "sort": "name"}),
    ],
)
def test_unknown_list_parameters_are_400_not_ignored(scenario, url, query):
    body = error(as_user(scenario.superuser).get(url, query), 400)
    assert set(body["errors"]) == set(query) - {"limit"}


def test_known_filters_paging_and_format_still_pass(scenario):
    api = as_user(scenario.superuser)
    query = {"level": "grid", "within": scenario.tree.county.code, "limit": 5, "page": 1, "format": "json"}
    assert api.get("/api/v1/grids/", query).status_code == 200
    assert api.get("/api/v1/events/", {"status": "reported", "page_size": 5}).status_code == 200
    assert api.get(f"/api/v1/grids/{scenario.tree.grid.code}/", {"anything": "x"}).status_code == 200  # details ignore
