"""Errors an integrator can branch on: a stable `code` on every error, field codes beside
the field messages, the codes published in the schema, and `Accept-Language: en`
honoured by the API and Open311 (pages stay Chinese-first)."""

import pytest
from rest_framework.test import APIClient

from ningbo_grid.api import ERROR_CODES
from tests.integrations.factories import make_client

CLIENTS = "/api/v1/integrations/clients/"
WEBHOOKS = "/api/v1/integrations/webhooks/"


def error(response, status: int, code: str) -> dict:
    """The error body of `response`, which must have `status` and `code`."""
    assert response.status_code == status, response.content[:300]
    body = response.json()
    assert set(body) == {"detail", "code", "errors", "error_codes", "request_id"}
    assert body["code"] == code, body
    return body


def test_a_field_error_has_a_code_beside_each_message(api, scenario):
    body = error(
        api.post(CLIENTS, {"organisation": scenario.unit.pk, "scopes": ["admin"]}, format="json"), 400, "invalid"
    )
    assert set(body["errors"]) == set(body["error_codes"]) == {"name", "scopes"}
    assert body["error_codes"]["name"] == ["required"]
    assert len(body["errors"]["scopes"]) == len(body["error_codes"]["scopes"])
    assert body["errors"]["name"] != ["required"]  # the message is for people


def test_nested_field_errors_nest_their_codes_the_same_way(api, scenario):
    body = error(
        api.post(CLIENTS, {"name": "x", "organisation": scenario.unit.pk, "scopes": ["read", 7]}, format="json"),
        400,
        "invalid",
    )
    assert body["errors"]["scopes"].keys() == body["error_codes"]["scopes"].keys()


@pytest.mark.parametrize(
    ("how", "status", "code"),
    [
        ("anonymous", 401, "not_authenticated"),
        ("bad key", 401, "invalid_key"),
        ("unknown url", 404, "not_found"),
        ("unknown object", 404, "not_found"),
        ("wrong method", 405, "method_not_allowed"),
        ("not json", 415, "unsupported_media_type"),
        ("bad json", 400, "parse_error"),
        ("read-only key writes", 403, "permission_denied"),
    ],
)
def test_each_error_kind_has_its_code(scenario, how, status, code):
    client = APIClient()
    if how == "bad key":
        client.credentials(HTTP_AUTHORIZATION="Api-Key nope")
    elif how == "read-only key writes":
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {make_client(scenario, scopes=['read'])[1]}")
    elif how != "anonymous":
        client.force_login(scenario.supervisor)
    response = {
        "anonymous": lambda: client.get(WEBHOOKS),
        "bad key": lambda: client.get(WEBHOOKS),
        "unknown url": lambda: client.get("/api/v1/no-such-thing/"),
        "unknown object": lambda: client.get(f"{WEBHOOKS}999999/"),
        "wrong method": lambda: client.delete(WEBHOOKS),
        "not json": lambda: client.generic("POST", CLIENTS, "name=x", content_type="text/plain"),
        "bad json": lambda: client.generic("POST", CLIENTS, '{"name":', content_type="application/json"),
        "read-only key writes": lambda: client.post("/api/v1/events/", {}, format="json"),
    }[how]()
    error(response, status, code)


def test_throttled_and_too_large_have_their_codes(api, scenario, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    error(api.generic("POST", CLIENTS, "{}" + " " * 200, content_type="application/json"), 413, "payload_too_large")
    settings.API_THROTTLE_RATES = {"client": None, "user": "1/min", "anon": None, "auth_failure": None}
    api.get(WEBHOOKS)
    error(api.get(WEBHOOKS), 429, "throttled")


def test_the_schema_publishes_the_error_component_and_its_codes(client):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    component = schema["components"]["schemas"]["Error"]
    assert component["properties"]["code"]["enum"] == list(ERROR_CODES)
    assert set(component["required"]) == {"detail", "code", "errors", "error_codes", "request_id"}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            answers = operation["responses"]
            for status in ("400", "401", "403", "404", "default"):
                ref = answers[status]["content"]["application/json"]["schema"]["$ref"]
                assert ref == "#/components/schemas/Error", (method, path, status)


def test_accept_language_en_gives_english_messages_on_the_api(api, scenario):
    body = error(api.post(CLIENTS, {}, format="json", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9"), 400, "invalid")
    assert body["detail"] == "Invalid input."
    assert body["errors"]["name"] == ["This field is required."]
    response = api.get(f"{WEBHOOKS}999999/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["detail"] == "Not found."
    assert response["Content-Language"] == "en"
    assert "Accept-Language" in response["Vary"]


def test_without_accept_language_the_api_answers_in_chinese(api):
    body = error(api.post(CLIENTS, {}, format="json"), 400, "invalid")
    assert body["detail"] == "输入有误。"
    zh = error(api.post(CLIENTS, {}, format="json", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9"), 400, "invalid")
    assert zh["detail"] == "输入有误。"


def test_open311_honours_accept_language(db):
    response = APIClient().get("/open311/v2/requests/E0000000000.json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    description = response.json()[0]["description"]
    assert description.isascii(), description
    chinese = APIClient().get("/open311/v2/requests/E0000000000.json").json()[0]["description"]
    assert not chinese.isascii(), chinese


def test_pages_stay_chinese_first_whatever_the_browser_asks(client):
    assert '<html lang="zh-hans">' in client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_errors_made_outside_the_views_follow_accept_language_too(client):
    unknown = client.get("/api/v1/no-such-thing/", HTTP_ACCEPT_LANGUAGE="en")
    assert error(unknown, 404, "not_found")["detail"] == "No such endpoint."
    assert error(client.get("/api/v1/no-such-thing/"), 404, "not_found")["detail"] == "没有该接口。"
    nul = client.get("/api/v1/grids/", {"q": "a\x00"}, HTTP_ACCEPT_LANGUAGE="en")
    assert error(nul, 400, "parse_error")["detail"].isascii()
    open311 = client.get("/open311/v2/nothing.json", HTTP_ACCEPT_LANGUAGE="en")
    assert open311.status_code == 404
    assert open311.json()[0]["description"].isascii()


@pytest.mark.parametrize(("language", "expected"), [(None, "CSRF 校验失败"), ("en", "CSRF check failed")])
def test_a_session_write_without_the_csrf_token_is_refused_in_the_request_language(scenario, language, expected):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(scenario.supervisor)
    extra = {"HTTP_ACCEPT_LANGUAGE": language} if language else {}
    body = error(client.post(CLIENTS, {}, format="json", **extra), 403, "permission_denied")
    assert body["detail"].startswith(expected), body["detail"]
    assert "X-CSRFToken" in body["detail"]
