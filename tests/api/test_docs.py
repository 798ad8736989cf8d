"""The OpenAPI schema and the offline Swagger UI / ReDoc pages."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

pytestmark = pytest.mark.django_db


def test_schema_describes_the_api_key_scheme(client):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    scheme = schema["components"]["securitySchemes"]["ApiKey"]
    assert scheme == {"type": "apiKey", "in": "header", "name": "Authorization", "description": scheme["description"]}
    assert "/api/v1/integrations/clients/" in schema["paths"]


@pytest.mark.parametrize("url", ["/api/v1/docs/", "/api/v1/redoc/"])
def test_docs_pages_load_with_no_external_url(url, settings):
    settings.WHITENOISE_USE_FINDERS = True
    client = Client()  # a new client, so WhiteNoise starts with the settings above
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    urls = re.findall(r"""(?:src|href)=["']([^"']+)["']""", html) + re.findall(r"""https?://[^\s"'<>]+""", html)
    external = [u for u in urls if u.startswith(("http://", "https://", "//")) and "testserver" not in u]
    assert external == []
    assert "<script>" not in html or url.endswith("redoc/")  # Swagger: no inline script
    static = [u for u in urls if u.startswith("/static/")]
    assert static, "the page uses the bundled sidecar files"
    for path in static:
        assert finders.find(path.removeprefix("/static/").split("?")[0]), path
        served = client.get(path)
        assert served.status_code == 200, path

    if url == "/api/v1/docs/":
        script = client.get(url, {"script": ""})
        assert script.status_code == 200
        assert "/api/v1/schema/" in script.content.decode()


def test_redoc_runs_the_offline_guard_first_and_no_inline_script(client):
    """ReDoc's sidebar logo comes from cdn.redoc.ly: js/redoc-offline.js, loaded before the
    bundle, swaps any external image for a blank one (checked in a browser by
    tests/e2e/test_tap_targets.py)."""
    html = client.get("/api/v1/redoc/").content.decode()
    assert html.index("js/redoc-offline.js") < html.index("redoc.standalone.js")
    assert "<script>" not in html
