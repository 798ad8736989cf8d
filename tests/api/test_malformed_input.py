"""The malformed-input battery: every bad request is a 4xx in the JSON error shape."""

import json

import pytest

from integrations.services import webhook_emit
from tests.integrations.factories import make_subscription

CLIENTS = "/api/v1/integrations/clients/"
DELIVERIES = "/api/v1/integrations/deliveries/"
SHAPE = {"detail", "errors", "request_id"}


def good(scenario, **overrides):
    return {"name": "城管系统", "organisation": scenario.unit.pk, "scopes": ["read"], **overrides}


def post_raw(api, body: bytes | str, content_type="application/json"):
    return api.generic("POST", CLIENTS, body, content_type=content_type)


def assert_error(response, status):
    assert response.status_code == status, response.content[:300]
    body = response.json()
    assert set(body) >= SHAPE
    assert body["request_id"] == response.headers["X-Request-ID"]
    return body


def test_bad_json_is_400(api):
    assert_error(post_raw(api, '{"name": "x",'), 400)


@pytest.mark.parametrize(
    ("field", "value"),
    [("scopes", "read"), ("scopes", ["admin"]), ("organisation", "abc"), ("organisation", [1]), ("name", {"a": 1})],
)
def test_wrong_types_are_400_with_field_messages(api, scenario, field, value):
    body = assert_error(api.post(CLIENTS, good(scenario, **{field: value}), format="json"), 400)
    assert field in body["errors"]


def test_nul_in_a_string_field_is_400(api, scenario):
    body = assert_error(api.post(CLIENTS, good(scenario, name="a\x00b"), format="json"), 400)
    assert "name" in body["errors"] or body["code"] == "parse_error"


def test_nul_nested_anywhere_in_json_is_400(api, scenario):
    assert_error(post_raw(api, json.dumps({**good(scenario), "extra": {"k\u0000": ["\u0000"]}})), 400)


def test_ten_thousand_character_string_is_400(api, scenario):
    body = assert_error(api.post(CLIENTS, good(scenario, name="长" * 10_000), format="json"), 400)
    assert "name" in body["errors"]


def test_three_megabyte_body_is_413(api, scenario):
    big = json.dumps(good(scenario, name="x" * (3 * 1024 * 1024)))
    assert_error(post_raw(api, big), 413)


def test_multipart_without_boundary_is_400_even_where_no_view_answers(api, client):
    assert_error(post_raw(api, '{"name": "x"}', content_type="multipart/form-data"), 400)
    nowhere = api.generic("POST", "/api/v1/nowhere/", b"{}", content_type="multipart/form-data")
    assert_error(nowhere, 400)
    page = client.generic("POST", "/integrations/clients/", b"{}", content_type="multipart/form-data")
    assert page.status_code == 400


def test_unknown_content_type_is_415(api):
    assert_error(post_raw(api, "name=x", content_type="application/x-unknown"), 415)


def test_nul_in_query_string_is_400(api):
    assert_error(api.get(DELIVERIES, {"status": "pending\x00"}), 400)
    assert_error(api.get(DELIVERIES + "?event_type=%00"), 400)


def test_nul_in_path_is_400(api):
    assert_error(api.get(CLIENTS + "1%00/"), 400)


def test_unknown_api_url_is_json_404(api):
    assert_error(api.get("/api/v1/no-such-thing/"), 404)


def test_wrong_method_is_json_405(api):
    body = assert_error(api.delete(CLIENTS), 405)
    assert body["code"] == "method_not_allowed"


def test_non_numeric_id_is_404(api):
    assert_error(api.get(CLIENTS + "abc/"), 404)


@pytest.mark.parametrize(
    "query",
    [
        {"updated_since": "yesterday"},
        {"updated_since": "2026-01-01T08:00:00"},  # no zone
        {"within": "999999999999"},
        {"within": "x" * 10_000},
        {"status": "nonsense"},
        {"cursor": "garbage"},
    ],
)
def test_bad_filters_and_cursors_are_400(api, scenario, query):
    body = assert_error(api.get(DELIVERIES, query), 400)
    assert set(query) <= set(body["errors"])


def test_filters_work_when_valid(api, scenario):
    make_subscription(scenario)
    make_subscription(scenario, scenario.other_unit)
    webhook_emit(event_type="event.overdue", organisation_ids=[scenario.unit.pk, scenario.other_unit.pk], payload={})
    rows = api.get(DELIVERIES, {"within": scenario.tree.county.code, "updated_since": "2000-01-01T00:00:00Z"})
    assert len(rows.json()["results"]) == 1
    assert api.get(DELIVERIES, {"updated_since": "2999-01-01T00:00:00+08:00"}).json()["results"] == []


def test_html_pages_answer_4xx_not_500_to_malformed_input(scenario, client):
    client.force_login(scenario.supervisor)
    assert client.get("/integrations/clients/?q=%00").status_code == 400
    page = client.post("/integrations/clients/", {"name": "a\x00b", "organisation": scenario.unit.pk, "scopes": "x"})
    assert page.status_code == 200  # the form, with its errors
    assert client.post("/integrations/clients/", {"name": "x" * 3_000_000}).status_code == 400


@pytest.mark.parametrize("depth", [40, 5_000, 100_000])
def test_absurdly_nested_json_is_400(api, depth):
    body = '{"name": ' + '{"a": ' * depth + "1" + "}" * depth + "}"
    assert_error(post_raw(api, body), 400)  # was RecursionError: a 500


def test_ordinary_nesting_still_parses(api, scenario):
    nested = good(scenario, name={"a": {"b": [[1]]}})
    assert api.post(CLIENTS, nested, format="json").status_code == 400  # a field error, not a parse error
    assert api.post(CLIENTS, good(scenario), format="json").status_code == 201
