"""A walk as the SeeClickFix open311-validator makes it (github.com/SeeClickFix/open311-validator,
tests/discovery.rb, services.rb, service_definition.rb, create.rb; lib/resource.rb builds
the URLs): discovery → services (JSON and XML) → service definitions → POST request →
token → requests (JSON and XML), with the validator's checks on each, following only the
URLs the answers give."""

import datetime
import re

from django.utils import timezone

from .conftest import xml

DISCOVERY_URL = "/open311/v2/discovery"
#: The validator passes its `jurisdiction_id` option on every call, blank when not given.
JURISDICTION = ""


def _iso(value: str) -> datetime.datetime:
    """Ruby's Time.iso8601: a full date-time with its zone."""
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d|Z)", value), value
    return datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))


def _discovery(client):
    assert DISCOVERY_URL.endswith("discovery")  # rule: url should end with "discovery"
    as_json = client.get(DISCOVERY_URL + ".json")
    as_xml = client.get(DISCOVERY_URL + ".xml")
    assert as_json["Content-Type"].startswith("application/json")
    doc, root = as_json.json(), xml(as_xml).find(".")
    assert root.tag == "discovery"
    assert doc["contact"].strip() and root.findtext("contact").strip()
    assert doc["key_service"].strip() and root.findtext("key_service").strip()
    assert _iso(doc["changeset"]) and _iso(root.findtext("changeset"))
    xml_endpoints = root.findall("endpoints/endpoint")
    assert xml_endpoints and isinstance(doc["endpoints"], list)
    endpoints = []
    for endpoint in doc["endpoints"]:
        endpoints.append((endpoint["url"], [f.split("/")[1] for f in endpoint["formats"]]))
        assert endpoint["specification"] and re.search(r"_v2$", endpoint["specification"], re.I)
        assert endpoint["type"] and endpoint["url"]
        assert _iso(endpoint["changeset"]) < timezone.now()
        assert "text/xml" in endpoint["formats"]
    for endpoint in xml_endpoints:
        formats = [f.text for f in endpoint.findall("formats/format")]
        assert len(formats) > 1 and "text/xml" in formats  # an array in XML
        assert endpoint.findtext("specification") and endpoint.findtext("url") and endpoint.findtext("type")
        assert _iso(endpoint.findtext("changeset")) < timezone.now()
    assert [(e.findtext("url"), None) for e in xml_endpoints] == [(url, None) for url, _f in endpoints]
    return endpoints


def _services(client, base, fmt):
    response = client.get(f"{base}/services.{fmt}?jurisdiction_id={JURISDICTION}")
    assert response.status_code == 200
    if fmt == "xml":
        return [{child.tag: child.text for child in s} for s in xml(response).findall("service")]
    return response.json()


def _definition(client, base, fmt, code):
    response = client.get(f"{base}/services/{code}.{fmt}?jurisdiction_id={JURISDICTION}")
    assert response.status_code == 200
    if fmt == "xml":
        root = xml(response)
        assert root.tag == "service_definition"
        return root.findtext("service_code"), [a.findtext("code") for a in root.findall("attributes/attribute")]
    body = response.json()
    return body["service_code"], [a["code"] for a in body["attributes"]]


def test_the_validators_walk(client, world, flood_item, key, clock):
    clock.move_to(datetime.datetime(2026, 12, 7, 9, 0, tzinfo=datetime.UTC))  # after the changeset
    endpoints = _discovery(client)
    created = []
    for base, formats in endpoints:
        assert not base.endswith("/")
        for fmt in formats:
            services = _services(client, base, fmt)
            assert services, "there should be at least one service"
            assert all(s["service_code"] for s in services)
            for service in services:
                if service["metadata"] in (True, "true"):
                    code, attributes = _definition(client, base, fmt, service["service_code"])
                    assert (code, attributes) == (service["service_code"], ["depth", "place"])
            # create.rb: api_key, jurisdiction_id, the first service, a location, email, description.
            response = client.post(
                f"{base}/requests.{fmt}",
                {
                    "api_key": key,
                    "jurisdiction_id": JURISDICTION,
                    "service_code": services[0]["service_code"],
                    "address_id": world.tree.grid.code,
                    "address_string": "尹江路与南门路口",
                    "email": "foo@bar.com",
                    "description": "I know",
                },
            )
            assert response.status_code == 201, response.content
            if fmt == "xml":
                request = xml(response).find("request")
                number, token = request.findtext("service_request_id"), request.findtext("token")
            else:
                number, token = response.json()[0]["service_request_id"], response.json()[0]["token"]
            assert number and token
            by_token = client.get(f"{base}/tokens/{token}.{fmt}?jurisdiction_id={JURISDICTION}")
            assert by_token.status_code == 200
            if fmt == "xml":
                assert xml(by_token).findtext("request/service_request_id") == number
            else:
                assert by_token.json()[0]["service_request_id"] == number
            created.append(number)
        listed_json = client.get(f"{base}/requests.json?jurisdiction_id={JURISDICTION}").json()
        listed_xml = xml(client.get(f"{base}/requests.xml?jurisdiction_id={JURISDICTION}"))
        assert {r["service_request_id"] for r in listed_json} == set(created)
        assert {r.findtext("service_request_id") for r in listed_xml.findall("request")} == set(created)
        for row in listed_json:
            assert row["status"] in ("open", "closed")
            assert _iso(row["requested_datetime"]) and _iso(row["updated_datetime"])
    assert len(created) == 2  # JSON and XML
