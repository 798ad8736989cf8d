"""Imported rows are stored as a save would store them, through COPY (PostgreSQL) or bulk_create."""

import pytest
from django.db import connection

from ledgers import bulkwrite, importing, privacy, services
from ledgers.models import Person

from .conftest import make_id

pytestmark = pytest.mark.django_db

HEADER = ["姓名", "证件号码", "户籍类别", "手机号码", "居住地址编码", "与户主关系", "关爱标签"]


@pytest.fixture(params=["copy", "bulk_create"])
def path(request, monkeypatch):
    """Both write paths: PostgreSQL's COPY, and the `bulk_create` other databases take."""
    if request.param == "copy" and connection.vendor != "postgresql":
        pytest.skip("COPY needs PostgreSQL")
    if request.param == "bulk_create":
        monkeypatch.setattr(bulkwrite, "connections", {"default": _NotPostgres()})
    return request.param


class _NotPostgres:
    """The default connection seen as another vendor (so `insert` takes the bulk_create path)."""

    vendor = "other"


def test_imported_rows_are_encrypted_linked_and_found_by_exact_id(lw, path):
    w = lw.world
    new_room = lw.room2
    header_rows = [
        (
            2,
            {
                "name": "陈一",
                "id_number": make_id(21),
                "registration": "户籍人口",
                "mobile": "13800002222",
                "address": new_room.code,
                "relation": "户主",
                "tags": "独居老人",
            },
        ),
        (
            3,
            {
                "name": "陈二",
                "id_number": make_id(22),
                "registration": "流动人口",
                "address": new_room.code,
                "relation": "子女",
            },
        ),
    ]
    report = importing.import_persons(actor=w.worker2, rows=header_rows)
    assert report.created == 2 and report.errors == []
    head = Person.objects.get(name="陈一")
    # Encrypted at rest: the raw column holds none of the ID's digits run, nor the mobile.
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, mobile FROM ledgers_person WHERE id = %s", [head.pk])
        raw_id, raw_mobile = cursor.fetchone()
    assert make_id(21)[6:14] not in raw_id and "13800002222" not in raw_mobile
    assert head.id_number == make_id(21) and head.birth_date.isoformat() == "1950-01-01"
    assert list(head.tags.values_list("name", flat=True)) == ["独居老人"] and head.next_visit_due is not None
    assert head.household.head_id == head.pk and head.household.members.count() == 2
    found = privacy.person_search_id(actor=w.worker2, id_number=make_id(21), purpose="核对")
    assert found.pk == head.pk
    # The keys handed out stay the table's: a later save gets a fresh one.
    later = services.person_register(
        actor=w.worker2, name="陈三", id_number=make_id(23), registration="registered", residence=new_room
    )
    assert later.pk > max(Person.objects.exclude(pk=later.pk).values_list("pk", flat=True))


def test_imported_units_keep_their_phone_encrypted_and_refuse_a_bad_code(lw, path):
    from ledgers.models import Unit
    from ledgers.validators import uscc_check_char

    good = "91330203MA2H12345" + uscc_check_char("91330203MA2H12345")
    base = {"kind": "个体工商户/门店", "address": lw.room.code, "contact_phone": "057487654321", "staff_count": 3}
    rows = [
        (2, base | {"name": "阿婆小吃店", "uscc": good}),
        (3, base | {"name": "重复的店", "uscc": good}),  # the same code again in the file
        (4, base | {"name": "错码的店", "uscc": good[:-1] + ("1" if good[-1] != "1" else "2")}),
    ]
    report = importing.import_units(actor=lw.world.worker, rows=rows)
    assert report.created == 1 and [(line, column) for line, column, _m in report.errors] == [
        (3, "统一社会信用代码"),
        (4, "统一社会信用代码"),
    ]
    unit = Unit.objects.get()
    with connection.cursor() as cursor:
        cursor.execute("SELECT contact_phone FROM ledgers_unit WHERE id = %s", [unit.pk])
        assert "87654321" not in cursor.fetchone()[0]
    assert unit.contact_phone == "057487654321" and unit.staff_count == 3 and unit.created_at is not None
