"""The ledgers' phase of the scale generator (bench/ledgers.py) on a tiny city, on PostgreSQL."""

import io
from datetime import UTC, datetime

import pytest
from django.db import connection

from bench import ledgers
from grids.models import Area
from ledgers import rollups
from ledgers.models import Household, Person, RollupMark
from ledgers.stats import area_statistics
from ledgers.validators import id_facts
from personnel.validators import id_check_digit

END = datetime(2025, 6, 30, 16, 0, tzinfo=UTC)
#: Every ledger table's rows in key order, ciphertexts left out (each encryption draws a
#: fresh nonce); their keyed hashes stay in.
FINGERPRINT = " || ".join(
    f"(SELECT md5(string_agg(t::text, '|' ORDER BY t.{key})) FROM (SELECT {cols} FROM {table}) t)"  # noqa: S608 - constants
    for table, key, cols in [
        ("ledgers_address", "id", "*"),
        ("ledgers_dwelling", "address_id", "address_id, use"),
        ("ledgers_household", "id", "id, address_id, head_id, area_id, township_id"),
        (
            "ledgers_person",
            "id",
            "id, name, id_number_hash, sex, birth_date, mobile_hash, registration, residence_id, household_id,"
            " relation, area_id, township_id, last_visited_at, next_visit_due",
        ),
        ("ledgers_persontag", "person_id", "person_id, tag_id, since"),
        ("ledgers_unit", "id", "*"),
        ("ledgers_visit", "id", "*"),
    ]
)


def fingerprint() -> str:
    with connection.cursor() as cur:
        cur.execute("SELECT " + FINGERPRINT)
        return cur.fetchone()[0]


def generator(jobs: int):
    from bench.generate import Generator

    return Generator(events=20, seed=3, end=END, jobs=jobs, districts=1, persons=1500, rollup_days=0, out=io.StringIO())


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_same_seed_gives_the_same_readable_ledgers_whatever_the_jobs_and_keeps_the_events():
    counts = generator(jobs=1).run()
    assert counts["persons"] == Person.objects.count() == 15 * 97
    first = fingerprint()
    residents_are_readable_by_the_platform_with_valid_unique_ids()
    events = counts["event"]
    again = generator(jobs=2).run_ledgers()  # replaces the ledgers only, in two worker processes
    assert again["persons"] == counts["persons"]
    # The ledger statistics' rollups are counted at the end, the load's marks spent.
    assert again["ledger rollup grids"] == counts["ledger rollup grids"] > 0 and not RollupMark.objects.exists()
    township = Area.objects.get(pk=Person.objects.values_list("township_id", flat=True).first())
    assert rollups.statistics_for(township)["residents_by_sex"] == area_statistics(township)["residents_by_sex"]
    assert fingerprint() == first
    with connection.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM events_event")
        assert cur.fetchone()[0] == events


def residents_are_readable_by_the_platform_with_valid_unique_ids():
    people = list(Person.objects.order_by("id"))
    numbers = [p.id_number for p in people]  # decrypted by the model's field
    assert len(set(numbers)) == len(numbers)
    for person in people:
        assert id_check_digit(person.id_number[:17]) == person.id_number[17]
        assert id_facts(person.id_number) == (person.sex, person.birth_date)
    head = Household.objects.select_related("head").first().head
    assert head.relation == "head" and head.household_id is not None
    # The indexes and constraints dropped for the load are back.
    with connection.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM pg_indexes WHERE indexname = 'person_one_doc'")
        assert cur.fetchone()[0] == 1


def test_slices_cover_every_micro_grid_once():
    plan = ledgers.Plan(
        seed=1,
        micros=[(i, "", 0, i) for i in range(1003)],
        visits=0,
        end_s=0,
        worker=1,
        tag_days=[],
        copiers={},
        connect=None,
    )
    for jobs in (1, 2, 3):
        slices = plan.slices(jobs)
        assert [i for s in slices for i in s] == list(range(1003))
        assert len(slices) >= 4 * jobs and max(len(s) for s in slices) <= ledgers.SLICE_MAX
