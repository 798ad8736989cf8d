"""The scale generator on a tiny run: one district, 200 events, on PostgreSQL."""

import io
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.models import Count

from bench.copyload import Copier, MissingColumn, enc
from events.models import Action, Event
from grids.verify import tree_problems

END = datetime(2025, 6, 30, 16, 0, tzinfo=UTC)


def scalar(sql: str, params=()):
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchone()[0]


@pytest.fixture
def generated():
    from bench.generate import Generator

    out = io.StringIO()
    counts = Generator(events=200, seed=7, end=END, jobs=1, districts=1, out=out).run()
    return counts, out.getvalue()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_tiny_run_loads_the_events_and_reports_its_phases(generated):
    counts, output = generated
    assert Event.objects.count() == counts["event"] == 200
    assert "[events]" in output and "[indexes]" in output
    statuses = dict(Event.objects.values_list("status").annotate(n=Count("id")))
    assert statuses["closed"] > 150  # most events over two years are closed
    assert scalar("SELECT COUNT(*) FROM events_event WHERE area_id NOT IN (SELECT id FROM grids_area)") == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_generated_staff_contacts_are_stored_encrypted_and_found_by_their_index(generated):
    """As the platform stores them: a grid leader's pages (which read their assignment's
    staff record) open, and the mobile number's blind index finds its owner."""
    from ningbo_grid.crypto import keyed_hash
    from personnel.models import Staff

    staff = Staff.objects.exclude(user=None).first()
    assert staff.mobile.isdigit() and len(staff.mobile) == 11
    assert scalar("SELECT mobile FROM personnel_staff WHERE id = %s", [staff.pk]) != staff.mobile
    assert Staff.objects.filter(mobile_hash=keyed_hash(staff.mobile)).get() == staff


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_closed_events_have_four_to_eight_timeline_rows(generated):
    per_event = scalar(
        "SELECT array[MIN(n), MAX(n)] FROM (SELECT COUNT(*) n FROM events_action a"
        " JOIN events_event e ON e.id = a.event_id WHERE e.status = 'closed' GROUP BY e.id) x"
    )
    assert 4 <= per_event[0] <= per_event[1] <= 8
    assert Action.objects.filter(kind="report").count() == 200


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_tree_is_a_valid_nested_set(generated):
    n = scalar("SELECT COUNT(*) FROM grids_area")
    assert n > 1000
    # lft/rght are 2n distinct numbers from 1 (with a gap after each township); the root spans them all.
    assert (
        scalar("SELECT COUNT(DISTINCT v) FROM (SELECT lft v FROM grids_area UNION ALL SELECT rght FROM grids_area) x")
        == 2 * n
    )
    assert scalar("SELECT MIN(lft) = 1 AND MAX(rght) = (SELECT rght FROM grids_area WHERE depth = 0) FROM grids_area")
    # Every child nests inside its parent, one level deeper.
    assert (
        scalar(
            "SELECT COUNT(*) FROM grids_area c JOIN grids_area p ON p.id = c.parent_id"
            " WHERE NOT (c.lft > p.lft AND c.rght < p.rght AND c.depth = p.depth + 1 AND c.tree_id = p.tree_id)"
        )
        == 0
    )
    # From the township down a subtree's width counts its nodes (the gaps lie above).
    assert (
        scalar(
            "SELECT COUNT(*) FROM grids_area p WHERE (p.rght - p.lft + 1) / 2 <>"
            " (SELECT COUNT(*) FROM grids_area d WHERE d.lft BETWEEN p.lft AND p.rght)"
            " AND p.level IN ('township', 'village', 'grid')"
        )
        == 0
    )
    assert tree_problems()[1] == []
    # Codes: a grid's code is its village's plus 3 digits (Art. 9).
    assert (
        scalar(
            "SELECT COUNT(*) FROM grids_area c JOIN grids_area p ON p.id = c.parent_id"
            " WHERE c.level IN ('grid', 'micro_grid') AND c.code <> p.code || right(c.code, 3)"
        )
        == 0
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_events_carry_the_township_and_district_of_their_grid(generated):
    wrong = scalar(
        "SELECT COUNT(*) FROM events_event e JOIN grids_area a ON a.id = e.area_id"
        " JOIN grids_area t ON t.id = e.township_id JOIN grids_area c ON c.id = e.county_id"
        " WHERE NOT (t.level = 'township' AND c.level = 'county' AND a.lft BETWEEN t.lft AND t.rght"
        " AND t.lft BETWEEN c.lft AND c.rght)"
    )
    assert wrong == 0


def test_copier_fills_columns_with_model_defaults_and_refuses_missing_ones():
    required = [
        f.attname
        for f in Event._meta.concrete_fields
        if not f.null
        and not f.has_default()
        and not getattr(f, "auto_now", False)
        and not f.auto_created
        and not getattr(f, "auto_now_add", False)
    ]
    copier = Copier(Event, required, END)
    # A column the generator does not provide gets the model's default (grade "general").
    grade = copier.columns.index("grade") - len(required)
    assert copier.suffix.split("\t")[1:][grade] == "general"
    with pytest.raises(MissingColumn, match="item_id"):
        Copier(Event, ["id", "number"], END)  # item is NOT NULL with no default


def test_enc_writes_copy_text_format():
    assert enc(None) == r"\N"
    assert enc("a\tb\nc\\") == "a\\tb\\nc\\\\"
    assert enc({"k": "值"}) == '{"k": "值"}'
    assert enc(True) == "t"
