"""The ledgers' services: scope, one person one record, transfer, grid adjustment, masking, erasure."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from grids import services as grid_services
from ledgers import places, privacy, services
from ledgers.choices import AddressKind, PersonStatus, Registration
from ledgers.models import AddressChange, LedgerGrant, Person
from personnel.choices import AccessedField
from personnel.models import PersonalDataAccess
from tests.ledgers.conftest import make_id, room_in

pytestmark = pytest.mark.django_db


def test_address_codes_extend_the_micro_grid_code_and_are_never_reused(lw):
    road = lw.room.parent.parent
    assert road.code.startswith(lw.micro.code) and len(road.code) == 24
    assert lw.room.full_text == "中山东路12号301室"
    extra = places.address_create(actor=lw.world.worker, parent=lw.room.parent, kind=AddressKind.ROOM, name="３０２室")
    assert extra.name == "302室"  # full-width digits normalised
    code = extra.code
    extra.dwelling.delete()
    extra.delete()  # even a deleted address's code is not issued again
    again = places.address_create(actor=lw.world.worker, parent=lw.room.parent, kind=AddressKind.ROOM, name="302室")
    assert again.code > code


def test_a_room_cannot_hang_on_a_road(lw):
    with pytest.raises(ValidationError) as err:
        places.address_create(actor=lw.world.worker, parent=lw.room.parent.parent, kind=AddressKind.ROOM, name="1室")
    assert "parent" in err.value.message_dict


def test_a_worker_sees_and_keeps_only_their_grid(lw):
    w = lw.world
    stranger = services.person_register(
        actor=w.worker2, name="李四", id_number=make_id(2), registration=Registration.MIGRANT, residence=lw.room2
    )
    assert list(Person.objects.restrict(w.worker)) == [lw.elder]
    assert set(Person.objects.restrict(w.dispatcher)) == {lw.elder, stranger}
    assert not Person.objects.restrict(w.other_worker).exists()
    with pytest.raises(PermissionDenied):
        services.person_register(
            actor=w.worker, name="赵五", id_number=make_id(3), registration=Registration.MIGRANT, residence=lw.room2
        )


def test_a_second_record_for_the_same_id_is_refused_city_wide(lw):
    with pytest.raises(ValidationError) as err:
        services.person_register(
            actor=lw.world.worker2,
            name="王阿婆",
            id_number=make_id(1, "19400312").lower(),
            registration=Registration.REGISTERED,
            residence=lw.room2,
        )
    assert "id_number" in err.value.message_dict and "王" not in str(err.value)
    assert Person.objects.count() == 1


def test_id_gives_sex_and_birth_date_and_a_bad_check_digit_is_refused(lw):
    assert lw.elder.birth_date == datetime.date(1940, 3, 12) and lw.elder.sex == "M"
    bad = make_id(9)[:-1] + ("0" if make_id(9)[-1] != "0" else "1")
    with pytest.raises(ValidationError):
        services.person_register(
            actor=lw.world.worker, name="甲", id_number=bad, registration="registered", residence=lw.room
        )


def test_transfer_between_grids_keeps_one_record_with_history(lw):
    w = lw.world
    found = privacy.person_search_id(actor=w.worker2, id_number=make_id(1, "19400312"), purpose="办理迁入")
    assert found is None  # not in worker2's grid yet: not found, and logged
    person = services.person_transfer(actor=w.worker2, person=lw.elder, residence=lw.room2, reason="投靠子女")
    assert person.area == lw.micro2 and Person.objects.count() == 1
    assert list(Person.objects.restrict(w.worker)) == [] and list(Person.objects.restrict(w.worker2)) == [person]
    move = person.moves.get()
    assert (move.from_area, move.to_area) == (lw.micro, lw.micro2)
    lw.household.refresh_from_db()
    assert lw.household.head is None
    assert PersonalDataAccess.objects.filter(field=AccessedField.ID_SEARCH, actor=w.worker2).count() == 1


def test_a_grid_merge_moves_its_addresses_and_records_it(lw):
    w = lw.world
    survivor = grid_services.area_merge(actor=w.supervisor, areas=[w.tree.grid, w.tree.grid2], into=w.tree.grid2)
    lw.elder.refresh_from_db()
    new_micro = lw.elder.area
    assert new_micro != lw.micro and new_micro.parent == survivor
    assert lw.room.__class__.objects.get(pk=lw.room.pk).area == new_micro
    assert AddressChange.objects.filter(address=lw.room, kind="move").exists()


def test_a_grid_split_moves_each_micro_grids_addresses_to_its_copy_under_its_part(lw):
    w = lw.world
    parts = grid_services.area_split(
        actor=w.supervisor,
        area=w.tree.grid2,
        parts=[{"name": "尹江岸第二网格东"}, {"name": "尹江岸第二网格西"}],
        micro_grid_parts={lw.micro2.code: 1},
    )
    room2 = lw.room2.__class__.objects.select_related("area").get(pk=lw.room2.pk)
    assert (room2.area.parent, room2.area.name, room2.township_id) == (parts[1], lw.micro2.name, w.tree.township.pk)
    move = AddressChange.objects.get(address=room2, kind="move")
    assert (move.before, move.after) == (lw.micro2.code, room2.area.code)
    assert lw.room.__class__.objects.get(pk=lw.room.pk).area == lw.micro  # the other grid's address stays


def test_retiring_a_micro_grid_into_another_moves_its_addresses(lw):
    w = lw.world
    grid_services.area_retire(actor=w.supervisor, area=lw.micro2, successor=lw.micro)
    assert lw.room2.__class__.objects.get(pk=lw.room2.pk).area == lw.micro
    assert AddressChange.objects.filter(address=lw.room2, kind="move", after=lw.micro.code).exists()


def test_reveal_needs_the_right_and_a_purpose_and_is_logged(lw):
    w = lw.world
    assert privacy.masked(lw.elder, "id_number") == "330203**********" + make_id(1, "19400312")[-4:]
    with pytest.raises(PermissionDenied):
        privacy.person_reveal(actor=w.worker, person=lw.elder, field="mobile", purpose="核实")
    with pytest.raises(ValidationError):
        privacy.person_reveal(actor=w.leader, person=lw.elder, field="mobile", purpose="")
    assert privacy.person_reveal(actor=w.leader, person=lw.elder, field="mobile", purpose="走访联系") == "13912345678"
    log = PersonalDataAccess.objects.get(resident=lw.elder)
    assert (log.actor, log.field, log.purpose) == (w.leader, "mobile", "走访联系")


def test_restricted_tags_only_for_granted_organisations(lw):
    w = lw.world
    services.person_set_tags(actor=w.worker, person=lw.elder, tags=[lw.lonely, lw.parole])
    assert set(privacy.visible_tags(w.worker)) == {lw.lonely}
    grant = LedgerGrant.objects.create(organisation=w.township_office)
    grant.tags.add(lw.parole)
    assert set(privacy.visible_tags(w.dispatcher)) == {lw.lonely, lw.parole}


def test_moved_out_persons_are_anonymised_after_the_retention_period(lw, settings):
    settings.LEDGERS_RETENTION_DAYS = 30
    w = lw.world
    today = timezone.localdate()
    services.person_leave(actor=w.worker, person=lw.elder, status=PersonStatus.MOVED_OUT, on=today)
    assert privacy.anonymise_due() == 0
    later = timezone.now() + datetime.timedelta(days=31)
    assert privacy.anonymise_due(now=later) == 1
    lw.elder.refresh_from_db()
    assert lw.elder.name == privacy.ANONYMISED_NAME and lw.elder.id_number == "" and lw.elder.mobile == ""
    assert lw.elder.id_number_hash == "" and not lw.elder.tags.exists()
    assert privacy.anonymise_due(now=later) == 0


def test_units_need_a_valid_credit_code(lw):
    w = lw.world
    shop = room_in(w.worker, lw.micro, road="解放南路", door="8号", room="101室")
    with pytest.raises(ValidationError) as err:
        services.unit_register(actor=w.worker, name="小吃店", kind="shop", address=shop, uscc="91330203MA2GQ1234X")
    assert "uscc" in err.value.message_dict
    unit = services.unit_register(
        actor=w.worker, name="小吃店", kind="shop", address=shop, uscc="91330203MA2GQ1234" + _check("91330203MA2GQ1234")
    )
    assert unit.township == w.tree.township


def _check(first17):
    from ledgers.validators import uscc_check_char

    return uscc_check_char(first17)
