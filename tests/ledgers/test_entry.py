"""Phone forms adding a standard address and a unit: scoped, once per form, position and credit code checked."""

import pytest

from grids.boundaries import boundaries_import, read_features
from ledgers.models import Address, Unit
from ledgers.validators import uscc_check_char
from tests.grids.conftest import collection, family

pytestmark = pytest.mark.django_db

NEW = "/ledgers/addresses/new/"


def _key(client, url):
    return str(client.get(url).context["form"].initial["submission_key"])


def test_a_worker_adds_a_road_and_a_door_below_it_once_per_form(client, lw):
    client.force_login(lw.world.worker)
    page = client.get(NEW)
    assert list(page.context["form"].fields["area"].queryset) == [lw.micro]  # not the other grid's micro-grid
    data = {"area": lw.micro.pk, "kind": "road", "name": " 解放南路 ", "submission_key": _key(client, NEW)}
    first, again = client.post(NEW, data), client.post(NEW, data)  # a double tap
    road = Address.objects.get(name="解放南路")
    assert first.status_code == again.status_code == 302 and Address.objects.filter(name="解放南路").count() == 1
    assert road.code.startswith(lw.micro.code) and len(road.code) == len(lw.micro.code) + 6
    below = f"{NEW}?parent={road.pk}"
    assert [k for k, _label in client.get(below).context["form"].fields["kind"].choices] == ["door"]
    client.post(below, {"kind": "door", "name": "8号", "submission_key": _key(client, below)})
    door = Address.objects.get(parent=road)
    assert door.full_text == "解放南路8号" and door.code != road.code
    refused = client.post(below, {"kind": "room", "name": "101室", "submission_key": _key(client, below)})
    assert refused.status_code == 400 and "kind" in refused.context["form"].errors


def test_another_grids_address_is_not_found(client, lw):
    client.force_login(lw.world.worker)
    assert client.get(f"{NEW}?parent={lw.room2.pk}").status_code == 404
    assert client.get(f"/ledgers/units/new/?address={lw.room2.pk}").status_code == 404


def test_a_position_outside_the_drawn_micro_grid_is_refused(client, lw, tmp_path):
    boundaries_import(actor=None, features=read_features(collection(tmp_path, family(lw.world.tree))))
    client.force_login(lw.world.worker)
    data = {"area": lw.micro.pk, "kind": "road", "name": "药行街"}
    outside = client.post(NEW, data | {"latitude": "29.85", "longitude": "121.58", "submission_key": _key(client, NEW)})
    assert outside.status_code == 400
    assert "不在" in outside.context["form"].errors["latitude"][0]
    assert not Address.objects.filter(name="药行街").exists()
    half = client.post(NEW, data | {"latitude": "29.85", "submission_key": _key(client, NEW)})
    assert half.status_code == 400 and "latitude" in half.context["form"].errors
    inside = client.post(NEW, data | {"latitude": "29.85", "longitude": "121.52", "submission_key": _key(client, NEW)})
    assert inside.status_code == 302
    assert float(Address.objects.get(name="药行街").longitude) == 121.52


def test_a_unit_needs_a_valid_credit_code_and_is_filed_once(client, lw):
    url = f"/ledgers/units/new/?address={lw.room.pk}"
    client.force_login(lw.world.worker)
    good = "91330203MA2H12345" + uscc_check_char("91330203MA2H12345")
    bad = good[:-1] + ("1" if good[-1] != "1" else "2")
    data = {"name": "阿婆小吃店", "kind": "shop", "safety_class": "general", "uscc": bad}
    refused = client.post(url, data | {"submission_key": _key(client, url)})
    assert refused.status_code == 400 and "校验位" in refused.context["form"].errors["uscc"][0]
    data |= {"uscc": good.lower(), "submission_key": _key(client, url)}
    first, again = client.post(url, data), client.post(url, data)
    assert first.status_code == again.status_code == 302
    unit = Unit.objects.get()
    assert unit.uscc == good and unit.area == lw.micro and unit.address == lw.room
