"""Catalogue API: anonymous read of the published list, filters, and lifecycle actions by role."""

import datetime

import pytest
from rest_framework.test import APIClient

from catalog.models import ItemExit, ServiceItemVersion

from .conftest import TODAY, propose, publish_district, publish_new

pytestmark = pytest.mark.django_db
ITEMS = "/api/v1/catalog/items/"


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def published(people, tree, today):
    a = publish_new(people, TODAY, content={"attributes": [{"code": "n", "label": "人数", "type": "number"}]})
    b = publish_new(people, TODAY, content={"category": 6, "name": "助老", "department": "health", "kind": "duty"})
    c = publish_district(people, tree, TODAY, content={"name": "区级事项"})
    propose(people.city_admin, content={"name": "审核中"})
    return a, b, c


def codes(response):
    return [row["code"] for row in response.json()["results"]]


def test_anonymous_users_read_the_published_list_with_rules_and_attributes(api, published):
    response = api.get(ITEMS)
    assert response.status_code == 200
    assert codes(response) == ["04-001", "04-002", "06-001"]
    first = response.json()["results"][0]
    assert len(first["rules"]) == 4 and first["attributes"][0]["code"] == "n"
    assert first["effective_from"] == "2026-11-30" and first["department_label"] == "民政"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"category": 6}, ["06-001"]),
        ({"department": "health"}, ["06-001"]),
        ({"kind": "duty"}, ["06-001"]),
        ({"level": "district"}, ["04-002"]),
        ({"district": "330205000000"}, ["04-001", "06-001"]),
        ({"district": "330203000000"}, ["04-001", "04-002", "06-001"]),
    ],
)
def test_filters(api, published, params, expected):
    assert codes(api.get(ITEMS, params)) == expected


def test_detail_by_code_and_404_for_an_item_not_in_force(api, published):
    assert api.get(f"{ITEMS}04-001/").json()["name"] == "邻里纠纷"
    assert api.get(f"{ITEMS}04-003/").status_code == 404


def test_anonymous_users_cannot_act(api, published):
    response = api.post(f"{ITEMS}propose/", {}, format="json")
    assert response.status_code == 401 and response["WWW-Authenticate"].startswith("Api-Key")


def test_the_whole_entry_and_exit_path_through_the_api(api, people, published):
    api.force_authenticate(people.city_admin)
    body = {"name": "新事项", "category": 5, "department": "emergency", "kind": "duty", "rules": []}
    response = api.post(f"{ITEMS}propose/", body, format="json")
    assert response.status_code == 201, response.json()
    vid = response.json()["id"]
    assert api.post(f"/api/v1/catalog/versions/{vid}/review/", {"opinion": "同意"}).json()["state"] == "reviewed"
    assert api.post(f"/api/v1/catalog/versions/{vid}/cosign/", {}).status_code == 403
    api.force_authenticate(people.city_staffing)
    assert api.post(f"/api/v1/catalog/versions/{vid}/cosign/", {}).json()["state"] == "cosigned"
    assert api.post(f"/api/v1/catalog/versions/{vid}/publish/", {"effective_date": "2026-12-01"}).status_code == 403
    api.force_authenticate(people.city_admin)
    response = api.post(f"/api/v1/catalog/versions/{vid}/publish/", {"effective_date": "2026-12-01"})
    assert response.json()["state"] == "published" and response.json()["effective_from"] == "2026-12-01"
    response = api.post(f"{ITEMS}04-001/exit-propose/", {"reasons": "职能调整"})
    assert response.status_code == 201
    eid = response.json()["id"]
    response = api.post(f"/api/v1/catalog/exits/{eid}/approve/", {"effective_date": "2026-12-31"})
    assert response.status_code == 400 and "state" in response.json()["errors"]  # not co-signed yet
    assert api.post(f"/api/v1/catalog/exits/{eid}/cosign/", {}).status_code == 403
    api.force_authenticate(people.city_staffing)
    assert api.post(f"/api/v1/catalog/exits/{eid}/cosign/", {"opinion": "会签"}).json()["state"] == "cosigned"
    assert api.post(f"/api/v1/catalog/exits/{eid}/approve/", {"effective_date": "2026-12-31"}).status_code == 403
    api.force_authenticate(people.city_admin)
    response = api.post(f"/api/v1/catalog/exits/{eid}/approve/", {"effective_date": "2026-12-31"})
    assert response.json()["state"] == "approved"
    assert ItemExit.objects.get(pk=eid).effective_date == datetime.date(2026, 12, 31)


def test_bad_input_gives_400_with_field_messages_and_changes_nothing(api, people, published):
    api.force_authenticate(people.city_admin)
    before = ServiceItemVersion.objects.count()
    response = api.post(f"{ITEMS}propose/", {"name": "x", "category": 4, "department": "civil_affairs"}, format="json")
    assert response.status_code == 400
    assert "general_accept_limit" in response.json()["errors"]
    pending = ServiceItemVersion.objects.get(name="审核中")
    response = api.post(f"/api/v1/catalog/versions/{pending.pk}/reject/", {})
    assert response.status_code == 400 and "reasons" in response.json()["errors"]
    response = api.post(f"/api/v1/catalog/versions/{pending.pk}/cosign/", {})
    assert response.status_code == 403
    api.force_authenticate(people.city_staffing)
    response = api.post(f"/api/v1/catalog/versions/{pending.pk}/cosign/", {})
    assert response.status_code == 400 and "state" in response.json()["errors"]
    assert ServiceItemVersion.objects.count() == before


def test_district_versions_are_hidden_from_other_districts(api, people, tree, published):
    version = propose(people.district_admin, item=published[2].item)
    api.force_authenticate(people.other_admin)
    assert api.post(f"/api/v1/catalog/versions/{version.pk}/review/", {}).status_code == 404
    api.force_authenticate(people.district_admin)
    assert api.post(f"/api/v1/catalog/versions/{version.pk}/review/", {}).status_code == 200


@pytest.mark.parametrize(
    ("url", "body"),
    [
        ("/api/v1/catalog/versions/999999/publish/", {}),
        ("/api/v1/catalog/versions/999999/publish/", {"effective_date": "2026-12-01"}),
        ("/api/v1/catalog/versions/999999/reject/", {}),
        ("/api/v1/catalog/versions/999999/review/", {}),
        ("/api/v1/catalog/exits/999999/approve/", {}),
        ("/api/v1/catalog/exits/999999/cosign/", {}),
        ("/api/v1/catalog/exits/999999/reject/", {}),
        ("/api/v1/catalog/items/09-999/exit-propose/", {}),
    ],
)
def test_an_unknown_object_in_the_url_is_404_whatever_the_body(api, people, url, body):
    api.force_authenticate(people.city_admin)
    response = api.post(url, body, format="json")
    assert response.status_code == 404, response.content[:200]
    assert set(response.json()) >= {"detail", "errors", "request_id"}


def test_an_unknown_item_code_in_the_body_is_400_on_the_field(api, people, published):
    api.force_authenticate(people.city_admin)
    body = {"item_code": "09-999", "name": "x", "category": 4, "department": "civil_affairs"}
    response = api.post(f"{ITEMS}propose/", body, format="json")
    assert response.status_code == 400
    assert "item_code" in response.json()["errors"]
