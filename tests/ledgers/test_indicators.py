"""The ledger indicators in evaluation (Art. 22): visits done, care targets overdue, coverage."""

import datetime

import pytest
from django.utils import timezone

from evaluation import indicators as ind
from evaluation.indicators import Span, Subject, compute, compute_many
from ledgers import services, visits
from tests.events.conftest import MONDAY_9

from .conftest import make_id

pytestmark = pytest.mark.django_db

JUNE = Span(datetime.date(2025, 6, 1), datetime.date(2025, 6, 30))
JULY = Span(datetime.date(2025, 7, 1), datetime.date(2025, 7, 31))


@pytest.fixture
def record(lw, clock):
    """王阿婆 (grid 1) and 赵大爷 (grid 2), both due 7-09; on 7-19 the worker visits 王阿婆 only."""
    w = lw.world
    services.person_register(
        actor=w.worker2,
        name="赵大爷",
        id_number=make_id(7, "19360505"),
        registration="registered",
        residence=lw.room2,
        tags=[lw.lonely],
    )
    clock.move_to(MONDAY_9 + datetime.timedelta(days=40))  # 2025-07-19
    visits.visit_record(actor=w.worker, target=lw.household, visited_at=timezone.now(), findings="身体尚好")
    return lw


def value(code, span, subject):
    return compute(code, span, subject, ind.Options(now=timezone.now()))


def test_visits_done_count_for_the_worker_and_the_area(record):
    w, tree = record.world, record.world.tree
    assert value("ledger_visits", JULY, Subject.staff(w.worker)) == 1
    assert value("ledger_visits", JULY, Subject.staff(w.worker2)) == 0
    assert value("ledger_visits", JUNE, Subject.staff(w.worker)) == 0
    assert value("ledger_visits", JULY, Subject.area(tree.grid)) == 1
    assert value("ledger_visits", JULY, Subject.area(tree.grid2)) == 0
    towns = compute_many("ledger_visits", JULY, [Subject.area(tree.township), Subject.area(tree.township2)])
    assert list(towns.values()) == [1, 0]


def test_overdue_care_targets_and_coverage_per_grid_and_township(record):
    tree = record.world.tree
    # 7-19: 赵大爷 (due 7-09) is overdue in grid 2; 王阿婆 was visited, next due 8-18.
    assert value("care_targets_overdue", JULY, Subject.area(tree.grid2)) == 1
    assert value("care_targets_overdue", JULY, Subject.area(tree.grid)) == 0
    assert value("care_visit_coverage", JULY, Subject.area(tree.grid)) == 100.0
    assert value("care_visit_coverage", JULY, Subject.area(tree.grid2)) == 0.0
    towns = compute_many(
        "care_visit_coverage",
        JULY,
        [Subject.area(tree.township), Subject.area(tree.township2)],
        ind.Options(now=timezone.now()),
    )
    assert list(towns.values()) == [50.0, None]  # no care targets in the sibling township
    # Counted on 7-01 for June: nobody was due yet.
    assert value("care_targets_overdue", JUNE, Subject.area(tree.township)) == 0


def test_the_ledger_indicators_are_offered_to_schemes_with_their_help():
    for code in ("ledger_visits", "care_targets_overdue", "care_visit_coverage"):
        assert ind.indicator_help(code) != str(ind.REGISTRY[code].name)
    assert not ind.REGISTRY["care_visit_coverage"].applies_to(ind.STAFF)
