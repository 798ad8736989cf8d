"""Within /open311/v2/ every error is GeoReport's (Issue 13.6): `[{"code", "description"}]`
in JSON, `<errors><error>` in `text/xml` for an `.xml` URL, whoever answers (a view, the
URL resolver, the method check, the CSRF check, the request guards, a crash)."""

import pytest
from django.test import Client
from django.views.csrf import csrf_failure

from ningbo_grid.middleware import ApiErrorMiddleware

from .conftest import BASE, errors, xml


@pytest.mark.parametrize(
    "path",
    [
        "/open311/v2//services.xml",  # a client that joined a trailing-slash URL
        "/open311/v2/nothing.xml",
        "/open311/v2/requests/E20250101000001.xml",
    ],
)
def test_not_found_in_xml(client, db, path):
    response = client.get(path)
    assert response.status_code == 404
    assert errors(response)[0][0] == 404
    assert xml(response).find("error/description").text


@pytest.mark.parametrize(
    "path",
    ["/open311/v2/nothing.json", "/open311/v2/discovery", "/open311/v2/services.csv", "/open311/v2/services.html"],
)
def test_not_found_in_json(client, db, path):
    response = client.get(path)
    assert response.status_code == 404
    assert errors(response)[0][0] == 404


@pytest.mark.parametrize(
    "method,path,allowed",
    [
        ("delete", "requests.json", "GET, POST"),
        ("put", "requests.xml", "GET, POST"),
        ("post", "services.xml", "GET"),  # no CSRF 403 first: GeoReport uses no cookies
        ("post", "discovery.json", "GET"),
        ("patch", "tokens/AAAAAAAAAAAA.xml", "GET"),
    ],
)
def test_wrong_method_is_405_with_allow(db, method, path, allowed):
    client = Client(enforce_csrf_checks=True)
    response = getattr(client, method)(BASE + path)
    assert response.status_code == 405
    assert response["Allow"] == allowed
    assert errors(response)[0][0] == 405


@pytest.mark.parametrize("path,fmt", [("/open311/v2/requests.xml", "text/xml"), ("/open311/v2/requests.json", "json")])
def test_a_csrf_refusal_is_converted(rf, path, fmt):
    """Any HTML error reaching the middleware (here the CSRF failure page) becomes GeoReport's."""
    request = rf.post(path)
    request.request_id = "t"
    response = ApiErrorMiddleware(lambda r: csrf_failure(r, reason="CSRF cookie not set."))(request)
    assert response.status_code == 403
    assert fmt in response["Content-Type"]
    assert errors(response)[0][0] == 403


def test_a_crash_is_a_georeport_500_and_logged(client, db, monkeypatch, caplog):
    def boom(version):
        raise RuntimeError("bug")

    monkeypatch.setattr("events.open311.views.mapping.service", boom)
    from tests.scenario import make_item

    make_item()
    for fmt in ("json", "xml"):
        response = client.get(BASE + f"services.{fmt}")
        assert response.status_code == 500
        assert errors(response)[0][0] == 500
        assert "bug" not in response.content.decode()  # no internals
    assert any("unhandled error on /open311/v2/services" in r.getMessage() for r in caplog.records)


def test_malformed_requests_are_georeport_400_and_413(client, db, settings):
    response = client.get(BASE + "requests.xml?start_date=%00")
    assert response.status_code == 400
    assert errors(response)[0][0] == 400
    broken = client.generic("POST", BASE + "requests.json", b"x", content_type="multipart/form-data")  # no boundary
    assert broken.status_code == 400
    assert errors(broken)[0][0] == 400
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10
    big = client.post(BASE + "requests.xml", {"description": "x" * 100})
    assert big.status_code == 413
    assert errors(big)[0][0] == 413


def test_every_xml_answer_is_text_xml(client, world, key):
    for path in ("discovery.xml", "services.xml", "requests.xml", "tokens/AAAAAAAAAAAA.xml", "nope.xml"):
        assert client.get(BASE + path)["Content-Type"] == "text/xml; charset=utf-8", path
    posted = client.post(BASE + "requests.xml", {"api_key": key})
    assert posted["Content-Type"] == "text/xml; charset=utf-8"


def test_other_api_paths_keep_the_platform_shape(client, db):
    response = client.get("/api/v1/nothing/")
    assert response.status_code == 404
    assert set(response.json()) >= {"detail", "errors", "request_id"}


def test_request_ids_still_come_back(client, db):
    response = client.get("/open311/v2/nothing.json", HTTP_X_REQUEST_ID="abc-123")
    assert response["X-Request-ID"] == "abc-123"


def test_discovery_url_has_no_trailing_slash(client, db):
    """Issue 13.5: the validator appends "/services.xml" to the endpoint's URL."""
    for fmt in ("json", "xml"):
        response = client.get(BASE + f"discovery.{fmt}")
        url = (
            response.json()["endpoints"][0]["url"]
            if fmt == "json"
            else xml(response).findtext("endpoints/endpoint/url")
        )
        assert url == "http://testserver/open311/v2"
        assert client.get(url + f"/services.{fmt}").status_code == 200
