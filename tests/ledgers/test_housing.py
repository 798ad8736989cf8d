"""Actual housing and households on a worker's phone: edit a dwelling with the version read,
start a household once per form; scoped to the worker's grids; bad input refused in Chinese."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from events.exceptions import StaleVersion
from ledgers import places, services
from ledgers.models import Dwelling, Household, Person
from personnel.masking import mask_id_number
from tests.ledgers.conftest import make_id

pytestmark = pytest.mark.django_db


def _tenant(lw, serial: int = 41, name: str = "李租客", residence=None) -> Person:
    return services.person_register(
        actor=lw.world.worker,
        name=name,
        id_number=make_id(serial, "19900101"),
        registration="migrant",
        residence=residence or lw.room,
    )


def _outsider(lw) -> Person:
    """A resident of the sibling grid (worker2's), outside the worker's reach."""
    return services.person_register(
        actor=lw.world.worker2, name="赵外人", id_number=make_id(51), registration="registered", residence=lw.room2
    )


# --- the service ------------------------------------------------------------------------------


def test_an_edit_names_the_version_it_read_and_a_stale_one_changes_nothing(lw):
    dwelling, tenant = lw.room.dwelling, _tenant(lw)
    saved = places.dwelling_update(
        actor=lw.world.worker,
        dwelling=dwelling,
        version=1,
        use="rented",
        floor_area=Decimal("56.50"),
        owner=lw.elder,
        tenants=[tenant],
        rental_registered_on=datetime.date(2026, 3, 1),
        rental_ends_on=datetime.date(2027, 2, 28),
    )
    assert saved.version == 2 and list(saved.tenants.all()) == [tenant]
    with pytest.raises(StaleVersion, match="中山东路12号301室：该实有房屋已被他人处理或更新"):
        places.dwelling_update(actor=lw.world.worker, dwelling=dwelling, version=1, use="vacant")
    fresh = Dwelling.objects.get(pk=dwelling.pk)
    assert (fresh.use, fresh.floor_area, fresh.owner, fresh.version) == ("rented", Decimal("56.50"), lw.elder, 2)


def test_bad_housing_input_is_refused_with_codes_and_nothing_saved(lw):
    dwelling, outsider = lw.room.dwelling, _outsider(lw)
    with pytest.raises(ValidationError) as refused:
        places.dwelling_update(
            actor=lw.world.worker,
            dwelling=dwelling,
            version=1,
            use="rented",
            floor_area=Decimal("-3"),
            owner=outsider,
            tenants=[outsider],
            rental_registered_on=datetime.date(2026, 3, 1),
            rental_ends_on=datetime.date(2026, 2, 1),
        )
    codes = {field: [e.code for e in errors] for field, errors in refused.value.error_dict.items()}
    assert codes == {
        "floor_area": ["min_value"],
        "rental_ends_on": ["before_start"],
        "owner": ["out_of_scope"],
        "tenants": ["out_of_scope"],
    }
    with pytest.raises(ValidationError) as refused:
        places.dwelling_update(actor=lw.world.worker, dwelling=dwelling, version=1, use="palace")
    assert refused.value.error_dict["use"][0].code == "invalid_choice"
    fresh = Dwelling.objects.get(pk=dwelling.pk)
    assert (fresh.use, fresh.floor_area, fresh.version, fresh.tenants.count()) == ("owner", None, 1, 0)


def test_another_grids_worker_may_not_edit_a_dwelling_or_start_a_household(lw):
    with pytest.raises(PermissionDenied):
        places.dwelling_update(actor=lw.world.worker2, dwelling=lw.room.dwelling, version=1, use="vacant")
    with pytest.raises(PermissionDenied):
        services.household_create(actor=lw.world.worker2, address=lw.room)
    assert Dwelling.objects.get(pk=lw.room.dwelling.pk).use == "owner"


def test_a_household_lives_at_a_room_or_a_village_house(lw):
    with pytest.raises(ValidationError) as refused:
        services.household_create(actor=lw.world.worker, address=lw.room.parent)  # a door number
    assert refused.value.error_dict["address"][0].code == "kind"


# --- the pages --------------------------------------------------------------------------------


def _form(client, url) -> dict:
    initial = client.get(url).context["form"].initial
    return {"submission_key": str(initial["submission_key"]), "version": initial["version"]}


def test_a_worker_edits_the_dwelling_from_the_household_page(client, lw):
    tenant = _tenant(lw)
    client.force_login(lw.world.worker)
    household = client.get(f"/ledgers/households/{lw.household.pk}/").content.decode()
    url = f"/ledgers/dwellings/{lw.room.dwelling.pk}/"
    assert f'href="{url}"' in household
    page = client.get(url)
    offered = dict(page.context["form"].fields["tenants"].choices)
    masked = mask_id_number(tenant.id_number)
    assert {str(v) for v in offered.values()} == {
        f"李租客 · {masked}",
        f"王阿婆 · {mask_id_number(lw.elder.id_number)}",
    }
    text = page.content.decode()
    assert tenant.id_number not in text and masked in text
    data = _form(client, url) | {
        "use": "rented",
        "floor_area": "56.5",
        "owner": lw.elder.pk,
        "tenants": [tenant.pk],
        "rental_registered_on": "2026-03-01",
        "rental_ends_on": "2027-02-28",
    }
    first, again = client.post(url, data), client.post(url, data)  # a double tap: saved once, no clash
    assert (
        first.status_code == again.status_code == 302 and first["Location"] == f"/ledgers/households/{lw.household.pk}/"
    )
    dwelling = Dwelling.objects.get(pk=lw.room.dwelling.pk)
    assert (dwelling.use, dwelling.floor_area, dwelling.owner, dwelling.version) == (
        "rented",
        Decimal("56.50"),
        lw.elder,
        2,
    )
    shown = client.get(f"/ledgers/households/{lw.household.pk}/").content.decode()
    assert "出租" in shown and f"李租客 · {masked}" in shown and tenant.id_number not in shown


def test_bad_input_on_the_page_is_shown_in_chinese_and_saves_nothing(client, lw):
    outsider = _outsider(lw)
    client.force_login(lw.world.worker)
    url = f"/ledgers/dwellings/{lw.room.dwelling.pk}/"
    data = _form(client, url) | {"use": "rented", "floor_area": "-5", "tenants": [outsider.pk]}
    page = client.post(url, data)
    errors = page.context["form"].errors
    assert page.status_code == 400
    assert "0.01" in errors["floor_area"][0] and errors["tenants"] == ["所选人员不存在或不在您的辖区内。"]
    data = _form(client, url) | {"use": "rented", "rental_registered_on": "2026-03-01", "rental_ends_on": "2026-01-01"}
    page = client.post(url, data)
    assert page.status_code == 400
    assert page.context["form"].errors["rental_ends_on"] == ["租赁到期日期不能早于租赁登记日期。"]
    dwelling = Dwelling.objects.get(pk=lw.room.dwelling.pk)
    assert (dwelling.use, dwelling.version, dwelling.tenants.count()) == ("owner", 1, 0)


def test_two_workers_editing_at_once_the_second_is_told_and_overwrites_nothing(client, lw):
    url = f"/ledgers/dwellings/{lw.room.dwelling.pk}/"
    client.force_login(lw.world.worker)
    mine = _form(client, url)
    places.dwelling_update(actor=lw.world.leader, dwelling=lw.room.dwelling, version=1, use="commercial")
    page = client.post(url, mine | {"use": "vacant", "floor_area": "40"})
    assert page.status_code == 409
    assert "中山东路12号301室：该实有房屋已被他人处理或更新，请刷新后重试。" in page.content.decode()
    assert page.context["form"].initial["use"] == "commercial" and page.context["form"].initial["version"] == 2
    dwelling = Dwelling.objects.get(pk=lw.room.dwelling.pk)
    assert (dwelling.use, dwelling.floor_area) == ("commercial", None)


def test_another_grids_dwelling_is_not_found(client, lw):
    client.force_login(lw.world.worker2)
    url = f"/ledgers/dwellings/{lw.room.dwelling.pk}/"
    assert client.get(url).status_code == 404
    assert client.post(url, {"version": 1, "use": "vacant"}).status_code == 404
    assert Dwelling.objects.get(pk=lw.room.dwelling.pk).use == "owner"


def test_a_worker_starts_a_household_once_and_goes_on_to_its_head(client, lw):
    client.force_login(lw.world.worker)
    found = client.get("/ledgers/households/new/?q=301").context["found"]
    assert list(found) == [lw.room]
    assert list(client.get("/ledgers/households/new/?q=102").context["found"]) == []  # the other grid's room
    url = f"/ledgers/households/new/?address={lw.room.pk}"
    page = client.get(url)
    assert page.context["others"] == 1
    data = {"submission_key": str(page.context["form"].initial["submission_key"])}
    first, again = client.post(url, data), client.post(url, data)  # a double tap
    assert Household.objects.filter(address=lw.room).count() == 2  # the fixture's and this one
    new = Household.objects.filter(address=lw.room).latest("pk")
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"] == f"/ledgers/households/{new.pk}/person/"
    assert client.get(f"/ledgers/households/new/?address={lw.room2.pk}").status_code == 404


def test_after_adding_a_room_the_worker_can_start_a_household_there(client, lw):
    client.force_login(lw.world.worker)
    url = f"/ledgers/addresses/new/?parent={lw.room.parent_id}"
    key = str(client.get(url).context["form"].initial["submission_key"])
    added = client.post(url, {"kind": "room", "name": "302室", "submission_key": key})
    assert added.status_code == 302 and added["Location"] == url  # back to the door, not below the room
    room = lw.room.parent.children.get(name="302室")
    assert f'href="/ledgers/households/new/?address={room.pk}"' in client.get(url).content.decode()
    start = client.get(f"/ledgers/households/new/?address={room.pk}").content.decode()
    assert f'href="/ledgers/dwellings/{room.dwelling.pk}/"' in start
