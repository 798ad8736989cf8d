"""The ledgers' write API: PATCH a dwelling with the version read, POST a household once per
Idempotency-Key; scoped; strict types; department keys read only."""

import pytest

from integrations import services as integration_services
from ledgers import services
from ledgers.models import Dwelling, Household, LedgerGrant
from personnel.choices import OrgKind
from personnel.models import Organisation
from tests.ledgers.conftest import make_id

pytestmark = pytest.mark.django_db

DWELLINGS = "/api/v1/ledgers/dwellings/"
HOUSEHOLDS = "/api/v1/ledgers/households/"


def _patch(client, pk: int, body):
    return client.patch(f"{DWELLINGS}{pk}/", body, content_type="application/json")


def test_a_worker_edits_a_dwelling_with_the_version_read(client, lw):
    tenant = services.person_register(
        actor=lw.world.worker,
        name="李租客",
        id_number=make_id(41, "19900101"),
        registration="migrant",
        residence=lw.room,
    )
    client.force_login(lw.world.worker)
    pk = lw.room.dwelling.pk
    assert client.get(f"{DWELLINGS}{pk}/").json()["version"] == 1
    body = {
        "version": 1,
        "use": "rented",
        "floor_area": 56.5,
        "owner": lw.elder.pk,
        "tenants": [tenant.pk],
        "rental_registered_on": "2026-03-01",
        "rental_ends_on": "2027-02-28",
    }
    saved = _patch(client, pk, body)
    assert saved.status_code == 200, saved.json()
    assert {k: saved.json()[k] for k in ("use", "floor_area", "owner", "tenants", "version")} == {
        "use": "rented",
        "floor_area": "56.50",
        "owner": lw.elder.pk,
        "tenants": [tenant.pk],
        "version": 2,
    }
    stale = _patch(client, pk, {"version": 1, "use": "vacant"})
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"
    assert "中山东路12号301室" in stale.json()["detail"]
    missing = _patch(client, pk, {"use": "vacant"})
    assert missing.status_code == 428 and missing.json()["code"] == "version_required"
    cleared = _patch(client, pk, {"version": 2, "owner": None, "tenants": []})
    assert cleared.status_code == 200 and (cleared.json()["owner"], cleared.json()["tenants"]) == (None, [])
    assert Dwelling.objects.get(pk=pk).use == "rented"


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"version": "1", "use": "vacant"}, "version", "invalid"),
        ({"version": 1, "owner": "5"}, "owner", "invalid"),
        ({"version": 1, "tenants": "5"}, "tenants", "not_a_list"),
        ({"version": 1, "floor_area": -3}, "floor_area", "min_value"),
        ({"version": 1, "floor_area": True}, "floor_area", "invalid"),
        ({"version": 1, "use": "palace"}, "use", "invalid_choice"),
        ({"version": 1, "rental_registered_on": 20260301}, "rental_registered_on", "invalid"),
        (
            {"version": 1, "rental_registered_on": "2026-03-01", "rental_ends_on": "2026-01-01"},
            "rental_ends_on",
            "before_start",
        ),
        ({"version": 1, "owner": 999_999}, "owner", "does_not_exist"),
    ],
)
def test_bad_dwelling_input_is_a_400_with_field_codes_and_saves_nothing(client, lw, body, field, code):
    client.force_login(lw.world.worker)
    refused = _patch(client, lw.room.dwelling.pk, body)
    assert refused.status_code == 400
    assert refused.json()["code"] == "invalid" and refused.json()["error_codes"][field] == [code]
    assert Dwelling.objects.get(pk=lw.room.dwelling.pk).version == 1


def test_a_tenant_outside_the_workers_reach_is_refused(client, lw):
    outsider = services.person_register(
        actor=lw.world.worker2, name="赵外人", id_number=make_id(51), registration="registered", residence=lw.room2
    )
    client.force_login(lw.world.worker)
    refused = _patch(client, lw.room.dwelling.pk, {"version": 1, "tenants": [outsider.pk]})
    assert refused.status_code == 400 and refused.json()["error_codes"]["tenants"] == ["does_not_exist"]
    assert refused.json()["errors"]["tenants"] == [f"人员 {outsider.pk} 不存在或不在您的辖区内。"]
    assert not Dwelling.objects.get(pk=lw.room.dwelling.pk).tenants.exists()


def test_another_grids_worker_gets_404_and_a_viewer_403(client, lw):
    client.force_login(lw.world.worker2)
    assert _patch(client, lw.room.dwelling.pk, {"version": 1, "use": "vacant"}).status_code == 404
    assert client.post(HOUSEHOLDS, {"address": lw.room.code}, content_type="application/json").status_code == 400
    client.force_login(lw.world.supervisor)  # sees the county's ledgers, keeps none
    assert _patch(client, lw.room.dwelling.pk, {"version": 1, "use": "vacant"}).status_code == 403
    assert client.post(HOUSEHOLDS, {"address": lw.room.code}, content_type="application/json").status_code == 403
    assert Dwelling.objects.get(pk=lw.room.dwelling.pk).use == "owner"
    assert Household.objects.filter(address=lw.room).count() == 1


def test_a_household_is_created_once_per_idempotency_key(client, lw):
    client.force_login(lw.world.worker)
    body = {"address": lw.room.code}
    first = client.post(HOUSEHOLDS, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="hh-1")
    again = client.post(HOUSEHOLDS, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="hh-1")
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert again["Idempotent-Replayed"] == "true"
    assert first.json()["address"]["code"] == lw.room.code and first.json()["members"] == []
    assert Household.objects.filter(address=lw.room).count() == 2  # the fixture's and this one
    door = client.post(HOUSEHOLDS, {"address": lw.room.parent.code}, content_type="application/json")
    assert door.status_code == 400 and door.json()["error_codes"] == {"address": ["kind"]}
    typed = client.post(HOUSEHOLDS, {"address": 1}, content_type="application/json")
    assert typed.status_code == 400 and typed.json()["error_codes"] == {"address": ["invalid"]}


def test_a_department_key_may_read_but_not_write(lw):
    from rest_framework.test import APIClient

    civil = Organisation.objects.create(
        name="海曙区民政局", kind=OrgKind.DEPARTMENT, department="civil_affairs", area=lw.world.tree.county
    )
    LedgerGrant.objects.create(organisation=civil, fields=["name"])
    created = integration_services.api_client_create(
        actor=lw.world.supervisor, organisation=civil, name="民政系统", scopes=["read", "report", "handle"]
    )
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {created.key}")
    pk = lw.room.dwelling.pk
    assert api.patch(f"{DWELLINGS}{pk}/", {"version": 1, "use": "vacant"}, format="json").status_code == 403
    assert api.post(HOUSEHOLDS, {"address": lw.room.code}, format="json").status_code == 403
    assert Dwelling.objects.get(pk=pk).use == "owner" and Household.objects.filter(address=lw.room).count() == 1
