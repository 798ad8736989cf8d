"""Changing a resident (transfer, departure, care tags) and an address (rename, merge) on the
phone pages and the API: scoped, once per form, refused when stale, sensitive tags kept out."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from rest_framework.test import APIClient

from ledgers import changes, places, services, visits
from ledgers.choices import AddressChangeKind, PersonStatus
from ledgers.models import Address, AddressChange, Dwelling, LedgerGrant, Person, PersonMove
from tests.ledgers.conftest import room_in

pytestmark = pytest.mark.django_db


def _form(client, url) -> dict:
    """The hidden fields of the form on `url` as first shown (submission key, version)."""
    form = client.get(url).context["form"]
    return {"submission_key": str(form.initial["submission_key"]), "version": form.initial["version"]}


def _api(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


@pytest.fixture
def other_room(lw):
    """A second room in the worker's own micro-grid (中山东路14号502室)."""
    return room_in(lw.world.worker, lw.micro, road="解放南路", door="14号", room="502室")


def test_a_worker_transfers_a_resident_to_another_room_once_keeping_one_record(client, lw, other_room):
    w, elder = lw.world, lw.elder
    client.force_login(w.worker)
    url = f"/ledgers/persons/{elder.pk}/transfer/"
    page = client.get(url, {"q": "502"})
    assert [a.full_text for a in page.context["found"]] == ["解放南路14号502室"]
    assert lw.room2 not in client.get(url, {"q": "102"}).context["found"]  # another grid's room: not offered
    data = _form(client, url) | {"residence": other_room.pk, "reason": "搬至子女家", "relation": ""}
    first, again = client.post(url, data), client.post(url, data)  # a double tap
    assert first.status_code == again.status_code == 302
    elder.refresh_from_db()
    assert elder.residence == other_room and elder.household is None and Person.objects.count() == 1
    assert PersonMove.objects.filter(person=elder).count() == 1
    history = client.get(f"/ledgers/persons/{elder.pk}/").content.decode()
    assert "中山东路12号301室 → 解放南路14号502室" in history and "搬至子女家" in history


def test_a_stale_transfer_form_is_refused_and_changes_nothing(client, lw, other_room):
    w, elder = lw.world, lw.elder
    client.force_login(w.worker)
    url = f"/ledgers/persons/{elder.pk}/transfer/"
    stale = _form(client, url)
    services.person_set_tags(actor=w.worker, person=elder, tags=[])  # someone else changed the person
    refused = client.post(url, stale | {"residence": other_room.pk, "reason": "搬家"})
    assert refused.status_code == 409 and "请刷新后重试" in refused.content.decode()
    elder.refresh_from_db()
    assert elder.residence == lw.room and not elder.moves.exists()


def test_another_grids_worker_gets_404_and_nothing_changes(client, lw, other_room):
    w, elder = lw.world, lw.elder
    client.force_login(w.worker2)
    for action in ("transfer", "leave", "tags"):
        assert client.get(f"/ledgers/persons/{elder.pk}/{action}/").status_code == 404
        assert client.post(f"/ledgers/persons/{elder.pk}/{action}/", {"version": 1}).status_code == 404
    assert client.get(f"/ledgers/addresses/{lw.room.pk}/merge/").status_code == 404
    api = _api(w.worker2)
    moved = api.post(
        f"/api/v1/ledgers/persons/{elder.pk}/transfer/",
        {"version": elder.version, "residence": lw.room2.pk, "reason": "x"},
        format="json",
    )
    renamed = api.post(f"/api/v1/ledgers/addresses/{lw.room.pk}/rename/", {"version": 1, "name": "9室"}, format="json")
    assert moved.status_code == renamed.status_code == 404
    elder.refresh_from_db()
    lw.room.refresh_from_db()
    assert elder.residence == lw.room and lw.room.name == "301室" and not PersonMove.objects.exists()


def test_departure_with_date_and_reason_then_the_page_shows_the_history(client, lw, clock):
    w, elder = lw.world, lw.elder
    client.force_login(w.worker)
    url = f"/ledgers/persons/{elder.pk}/leave/"
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    future = client.post(url, _form(client, url) | {"status": "deceased", "on": tomorrow, "reason": "病故"})
    assert future.status_code == 400 and future.context["form"].errors["on"] == ["日期不能晚于今天。"]
    missing = client.post(url, _form(client, url) | {"status": "gone", "on": "昨天"})
    assert missing.status_code == 400 and set(missing.context["form"].errors) == {"status", "on", "reason"}
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    done = client.post(url, _form(client, url) | {"status": "deceased", "on": yesterday, "reason": "病故"})
    assert done.status_code == 302
    elder.refresh_from_db()
    assert (elder.status, elder.left_on, elder.next_visit_due) == (PersonStatus.DECEASED, yesterday, None)
    page = client.get(f"/ledgers/persons/{elder.pk}/").content.decode()
    assert "死亡" in page and "病故" in page and 'id="person-changes"' not in page
    assert client.get(url).status_code == 404  # nothing more to change on a departed person


def test_tag_changes_keep_the_tags_the_worker_may_not_see(client, lw, clock):
    w, elder = lw.world, lw.elder
    services.person_set_tags(actor=w.worker, person=elder, tags=[lw.lonely, lw.parole])
    elder.refresh_from_db()
    client.force_login(w.worker)
    url = f"/ledgers/persons/{elder.pk}/tags/"
    page = client.get(url)
    assert list(page.context["form"].fields["tags"].queryset) == [lw.lonely]  # 社区矫正 not offered
    assert "社区矫正" not in page.content.decode()
    assert "社区矫正" not in client.get(f"/ledgers/persons/{elder.pk}/").content.decode()
    smuggled = client.post(url, _form(client, url) | {"tags": [lw.parole.pk], "on": timezone.localdate()})
    assert smuggled.status_code == 400 and "tags" in smuggled.context["form"].errors
    removed = client.post(url, _form(client, url) | {"on": timezone.localdate()})  # untick 独居老人
    assert removed.status_code == 302
    elder.refresh_from_db()
    assert set(elder.tags.all()) == {lw.parole}  # the restricted tag stays
    since = timezone.localtime(elder.created_at).date()
    assert elder.next_visit_due == since + datetime.timedelta(days=7)  # now from 社区矫正's frequency


def test_a_restricted_tag_is_refused_to_a_role_without_it_and_set_by_one_with_it(lw, clock):
    w, elder = lw.world, lw.elder
    api = _api(w.worker)
    url = f"/api/v1/ledgers/persons/{elder.pk}/tags/"
    refused = api.post(url, {"version": elder.version, "add": ["community-correction"]}, format="json")
    assert refused.status_code == 400 and refused.json()["error_codes"] == {"add": ["invalid"]}
    assert set(elder.tags.all()) == {lw.lonely}
    LedgerGrant.objects.create(organisation=w.township_office).tags.add(lw.parole)
    granted = _api(w.dispatcher).post(url, {"version": elder.version, "add": ["community-correction"]}, format="json")
    assert granted.status_code == 200 and set(granted.json()["tags"]) == {"community-correction", "lonely-elder"}
    assert granted.json()["version"] == elder.version + 1
    seen_by_worker = api.get(f"/api/v1/ledgers/persons/{elder.pk}/").json()
    assert seen_by_worker["tags"] == ["lonely-elder"]


def test_the_api_transfer_names_the_version_and_refuses_wrong_types(lw, other_room):
    w, elder = lw.world, lw.elder
    api, url = _api(w.worker), f"/api/v1/ledgers/persons/{elder.pk}/transfer/"
    body = {"residence": other_room.pk, "reason": "换房"}
    assert api.post(url, body, format="json").json()["code"] == "version_required"
    wrong = api.post(url, body | {"version": str(elder.version), "residence": str(other_room.pk)}, format="json")
    assert wrong.status_code == 400 and set(wrong.json()["errors"]) == {"version", "residence"}
    elsewhere = api.post(url, body | {"version": elder.version, "residence": lw.room2.pk}, format="json")
    assert elsewhere.status_code == 400 and elsewhere.json()["error_codes"] == {"residence": ["does_not_exist"]}
    moved = api.post(url, body | {"version": elder.version}, format="json")
    assert moved.status_code == 200 and moved.json()["residence"] == "解放南路14号502室"
    stale = api.post(url, {"version": elder.version, "residence": lw.room.pk, "reason": "回迁"}, format="json")
    assert (stale.status_code, stale.json()["code"]) == (409, "stale_version")
    assert Person.objects.count() == 1 and PersonMove.objects.count() == 1


def test_transfer_across_jurisdictions_is_done_by_the_receiving_grid(lw):
    """The receiving grid's staff act (person_transfer's rule): worker2 keeps room2."""
    person = services.person_transfer(
        actor=lw.world.worker2, person=lw.elder, residence=lw.room2, reason="投靠子女", version=lw.elder.version
    )
    assert person.area == lw.micro2 and Person.objects.count() == 1 and person.version == 3


def test_rename_follows_below_and_shows_in_the_address_history(client, lw):
    w = lw.world
    door = lw.room.parent
    client.force_login(w.worker)
    url = f"/ledgers/addresses/{door.pk}/rename/"
    data = _form(client, url) | {"name": " 12-1号 "}
    assert client.post(url, data).status_code == client.post(url, data).status_code == 302
    lw.room.refresh_from_db()
    assert lw.room.full_text == "中山东路12-1号301室" and lw.room.version == 2
    assert AddressChange.objects.filter(address=door, kind=AddressChangeKind.RENAME).count() == 1
    page = client.get(f"/ledgers/addresses/{door.pk}/").content.decode()
    assert "中山东路12号 → 中山东路12-1号" in page
    stale = client.post(url, data | {"submission_key": _form(client, url)["submission_key"], "name": "13号"})
    assert stale.status_code == 409
    api = _api(w.worker)
    renamed = api.post(f"/api/v1/ledgers/addresses/{door.pk}/rename/", {"version": 2, "name": "13号"}, format="json")
    assert renamed.status_code == 200 and renamed.json()["full_text"] == "中山东路13号"


def test_merge_moves_residents_households_and_the_dwelling_and_records_it(client, lw):
    w = lw.world
    client.force_login(w.worker)
    duplicate = places.address_create(actor=w.worker, parent=lw.room.parent, kind="room", name="301")
    household = services.household_create(actor=w.worker, address=duplicate)
    url = f"/ledgers/addresses/{duplicate.pk}/merge/"
    found = client.get(url, {"q": "301室"}).context["found"]
    assert found == [lw.room]
    data = _form(client, url) | {"into": lw.room.pk}
    assert client.post(url, data).status_code == 302
    duplicate.refresh_from_db()
    household.refresh_from_db()
    assert not duplicate.is_active and duplicate.successor == lw.room and household.address == lw.room
    assert Dwelling.objects.filter(address=lw.room).count() == 1 and not Dwelling.objects.filter(address=duplicate)
    assert AddressChange.objects.filter(kind=AddressChangeKind.MERGE, address__in=[duplicate, lw.room]).count() == 2
    assert "中山东路12号301 → 中山东路12号301室" in client.get(f"/ledgers/addresses/{lw.room.pk}/").content.decode()


def test_merge_service_moves_a_resident_and_bumps_their_version(lw, other_room):
    w = lw.world
    other = Address.objects.get(pk=other_room.pk)
    services.person_transfer(actor=w.worker, person=lw.elder, residence=other, reason="暂住")
    version = Person.objects.get(pk=lw.elder.pk).version
    places.address_merge(actor=w.worker, address=other, into=lw.room, version=other.version)
    elder = Person.objects.get(pk=lw.elder.pk)
    assert elder.residence == lw.room and elder.version == version + 1
    with pytest.raises(Exception, match="同一类型"):
        places.address_merge(actor=w.worker, address=lw.room, into=lw.room.parent)


def test_change_tags_refuses_the_same_tag_added_and_removed(lw, clock):
    with pytest.raises(Exception, match="同时"):
        changes.person_change_tags(
            actor=lw.world.worker, person=lw.elder, add=["lonely-elder"], remove=["lonely-elder"]
        )


def test_the_receiving_grid_takes_in_a_resident_by_exact_document_number(client, lw):
    from personnel.models import PersonalDataAccess
    from tests.ledgers.conftest import make_id

    client.force_login(lw.world.worker2)
    url = "/ledgers/transfer-in/"
    assert [a.pk for a in client.get(url).context["found"]] == [lw.room2.pk]  # only rooms worker2 keeps
    data = {"purpose": "办理迁入", "residence": lw.room2.pk, "reason": "投靠子女"}
    key = str(client.get(url).context["form"].initial["submission_key"])
    unknown = client.post(url, data | {"id_number": make_id(9, "19800101"), "submission_key": key})
    assert unknown.status_code == 400 and "本市没有此证件号码" in unknown.context["form"].errors["id_number"][0]
    taken = client.post(url, data | {"id_number": make_id(1, "19400312"), "submission_key": key})
    assert taken.status_code == 302 and taken["Location"] == f"/ledgers/persons/{lw.elder.pk}/"
    elder = Person.objects.get()
    assert elder.area == lw.micro2 and elder.residence == lw.room2 and elder.moves.count() == 1
    assert PersonalDataAccess.objects.filter(actor=lw.world.worker2, resident=elder, purpose="办理迁入").exists()
    assert client.get(f"/ledgers/persons/{elder.pk}/").status_code == 200


def test_api_departure_and_merge_check_their_inputs_and_api_keys_change_nothing(lw, clock):
    from integrations import services as integration_services
    from personnel.choices import OrgKind
    from personnel.models import Organisation

    w, elder = lw.world, lw.elder
    api = _api(w.worker)
    leave = f"/api/v1/ledgers/persons/{elder.pk}/leave/"
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    future = api.post(leave, {"version": elder.version, "status": "deceased", "on": tomorrow, "reason": "病故"})
    assert future.status_code == 400 and future.json()["errors"] == {"on": ["日期不能晚于今天。"]}
    civil = Organisation.objects.create(
        name="海曙区民政局", kind=OrgKind.DEPARTMENT, department="civil_affairs", area=w.tree.county
    )
    created = integration_services.api_client_create(
        actor=w.supervisor, organisation=civil, name="民政系统", scopes=["read", "handle"], role="dispatcher"
    )
    key_client = APIClient()
    key_client.credentials(HTTP_AUTHORIZATION=f"Api-Key {created.key}")
    today = timezone.localdate().isoformat()
    body = {"version": elder.version, "status": "moved_out", "on": today, "reason": "迁往杭州"}
    assert key_client.post(leave, body, format="json").status_code == 403
    gone = api.post(leave, body, format="json")
    assert gone.status_code == 200 and gone.json()["status"] == "moved_out"
    merge = f"/api/v1/ledgers/addresses/{lw.room.pk}/merge/"
    elsewhere = api.post(merge, {"version": lw.room.version, "into": lw.room2.pk}, format="json")
    assert elsewhere.status_code == 400 and elsewhere.json()["error_codes"] == {"into": ["does_not_exist"]}
    assert Address.objects.get(pk=lw.room.pk).is_active


def test_a_departure_date_before_birth_or_past_the_retention_period_is_refused(lw, clock, settings):
    """A departure cannot be undone and starts the anonymisation clock: a typo of a year
    (1900, or 2020 for 2026) would erase the resident's data at the next nightly run."""
    w, elder = lw.world, lw.elder  # born 1940-03-12
    settings.LEDGERS_RETENTION_DAYS = 365 * 3
    earliest = timezone.localdate() - datetime.timedelta(days=365 * 3)
    for on, words in ((datetime.date(1900, 1, 1), "出生日期"), (earliest - datetime.timedelta(days=1), "保留期限")):
        with pytest.raises(ValidationError) as refused:
            services.person_leave(actor=w.worker, person=elder, status="moved_out", on=on, version=elder.version)
        assert words in refused.value.message_dict["on"][0]
    elder.refresh_from_db()
    assert (elder.status, elder.left_on) == (PersonStatus.PRESENT, None)
    services.person_leave(actor=w.worker, person=elder, status="moved_out", on=earliest, version=elder.version)


def test_no_visit_after_a_departure_and_no_residence_on_a_road(lw, clock):
    w, elder = lw.world, lw.elder
    left = timezone.localdate() - datetime.timedelta(days=10)
    services.person_leave(actor=w.worker, person=elder, status="deceased", on=left, version=elder.version)
    elder.refresh_from_db()
    before = timezone.now() - datetime.timedelta(days=12)  # recorded late: allowed
    assert visits.visit_record(actor=w.worker, target=elder, visited_at=before).person_id == elder.pk
    with pytest.raises(ValidationError) as refused:
        visits.visit_record(actor=w.worker, target=elder, visited_at=timezone.now())
    assert "target" in refused.value.message_dict
    road = lw.room.parent.parent
    resident = Person.objects.exclude(pk=elder.pk).filter(status=PersonStatus.PRESENT).first() or elder
    api = _api(w.worker).post(
        f"/api/v1/ledgers/persons/{resident.pk}/transfer/",
        {"version": resident.version, "residence": road.pk, "reason": "暂住"},
        format="json",
    )
    assert api.status_code == 400 and "residence" in api.json()["errors"]
