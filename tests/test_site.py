"""Site-wide behaviour: the home page, the health check, request ids, languages."""

import pytest

pytestmark = pytest.mark.django_db


def test_home_page_answers_in_chinese_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "网格化服务管理平台" in response.content.decode()
    assert response.headers["Content-Language"] == "zh-hans"


def test_healthz_reports_database_ok(client):
    response = client.get("/healthz")
    assert response.json() == {"status": "ok"}


def test_request_id_is_echoed_or_made(client):
    assert client.get("/healthz", HTTP_X_REQUEST_ID="abc-123").headers["X-Request-ID"] == "abc-123"
    made = client.get("/healthz", HTTP_X_REQUEST_ID="bad\x00id").headers["X-Request-ID"]
    assert made != "bad\x00id"
    assert len(made) == 32
