"""Strict inputs: a value of the wrong type is refused (400 with field codes), never
converted; one date-time rule (a zone required); a filter naming an area outside the
caller's jurisdiction is a 400 on that parameter, never a silent empty list."""

import pytest
from rest_framework.test import APIClient

from catalog.choices import AttributeType
from tests.events.conftest import clock, world  # noqa: F401  (shared fixtures)
from tests.scenario import make_item

FIELDS = [
    {"code": "depth", "label": "积水深度（厘米）", "type": AttributeType.NUMBER, "required": False},
    {"code": "note", "label": "备注", "type": AttributeType.TEXT, "required": False},
]


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture
def item(world):  # noqa: F811
    return make_item("04-002", attributes=FIELDS)


def report(world, item, **changes):  # noqa: F811
    body = {
        "area": world.tree.grid.code,
        "item": item.code,
        "title": "积水",
        "description": "路口积水。",
        "discovered_at": "2025-06-09T08:30:00+08:00",
        **changes,
    }
    return api_as(world.worker).post("/api/v1/events/", body, format="json")


def field_codes(response, field: str):
    assert response.status_code == 400, response.content[:300]
    return response.json()["error_codes"][field]


def test_a_good_report_passes(world, item):  # noqa: F811
    response = report(world, item, attributes={"depth": 12, "note": "东侧"}, contact_phone="0574-8765 4321")
    assert response.status_code == 201, response.json()
    assert response.json()["datum"] is None


@pytest.mark.parametrize(
    ("field", "value"),
    [("title", 10**30), ("title", 12.5), ("title", True), ("title", ["积水"]), ("external_ref", 7)],
)
def test_a_number_where_text_is_expected_is_refused(world, item, field, value):  # noqa: F811
    assert field_codes(report(world, item, **{field: value}), field) == ["invalid"]


@pytest.mark.parametrize(
    ("attributes", "wrong"),
    [
        ({"note": 10**30}, "note"),
        ({"depth": "12"}, "depth"),
        ({"depth": 10**30}, "depth"),
        ({"depth": True}, "depth"),
    ],
)
def test_report_fields_of_the_wrong_json_type_are_refused(world, item, attributes, wrong):  # noqa: F811
    response = report(world, item, attributes=attributes)
    assert list(field_codes(response, "attributes")) == [wrong]


def test_a_phone_of_letters_is_refused(world, item):  # noqa: F811
    assert field_codes(report(world, item, contact_phone="abc"), "contact_phone") == ["invalid_phone"]


@pytest.mark.parametrize("when", ["2025-06-09T08:30:00", "2025-06-09", "2025-06-09 08:30", 1749429000])
def test_a_time_without_a_zone_is_refused(world, item, when):  # noqa: F811
    assert field_codes(report(world, item, discovered_at=when), "discovered_at")


def test_datum_takes_null_not_an_empty_string(world, item):  # noqa: F811
    assert report(world, item, datum=None).status_code == 201
    assert field_codes(report(world, item, datum=""), "datum") == ["invalid_choice"]


@pytest.mark.parametrize("version", ["4", 4.0, True, "1"])
def test_a_version_that_is_not_an_integer_is_refused(world, version):  # noqa: F811
    ev = world.report()
    api = api_as(world.dispatcher)
    response = api.post(f"/api/v1/events/{ev.number}/accept/", {"version": version}, format="json")
    assert field_codes(response, "version") == ["invalid"]
    ev.refresh_from_db()
    assert ev.accepted_at is None


def test_a_form_body_still_carries_its_numbers_as_text(world):  # noqa: F811
    ev = world.report()
    response = api_as(world.dispatcher).post(f"/api/v1/events/{ev.number}/accept/", {"version": str(ev.version)})
    assert response.status_code == 200, response.json()


@pytest.mark.parametrize("value", ["maybe", "yes", "2", "TRUEISH"])
def test_a_boolean_filter_takes_only_true_false_1_0(world, value):  # noqa: F811
    api = api_as(world.dispatcher)
    assert field_codes(api.get("/api/v1/events/", {"overdue": value}), "overdue") == ["invalid"]
    assert field_codes(api.get("/api/v1/staff/", {"active": value}), "active") == ["invalid"]
    for good in ("true", "false", "1", "0", "True"):
        assert api.get("/api/v1/events/", {"overdue": good}).status_code == 200


LISTS_WITH_AREA_FILTERS = [
    ("/api/v1/events/", "within"),
    ("/api/v1/grids/", "within"),
    ("/api/v1/organisations/", "within"),
    ("/api/v1/organisations/", "area"),
    ("/api/v1/staff/", "within"),
    ("/api/v1/staff/", "area"),
]


@pytest.mark.parametrize(("url", "parameter"), LISTS_WITH_AREA_FILTERS)
def test_an_area_outside_the_jurisdiction_is_refused_not_an_empty_list(world, url, parameter):  # noqa: F811
    api = api_as(world.dispatcher)  # the 南门 township's dispatcher
    other_street = world.tree.township2.code
    assert field_codes(api.get(url, {parameter: other_street}), parameter) == ["out_of_scope"]
    assert field_codes(api.get(url, {parameter: "330299999999"}), parameter) == ["unknown"]
    assert api.get(url, {parameter: world.tree.township.code}).status_code == 200
    # An ancestor of the jurisdiction may be named: it overlaps it.
    assert api.get(url, {parameter: world.tree.county.code}).status_code == 200


def test_a_handler_may_name_the_area_of_its_unit(world):  # noqa: F811
    api = api_as(world.handler)  # of a county department: no area grant
    assert api.get("/api/v1/events/", {"within": world.tree.county.code}).status_code == 200
    assert field_codes(api.get("/api/v1/events/", {"within": world.tree.county2.code}), "within") == ["out_of_scope"]
