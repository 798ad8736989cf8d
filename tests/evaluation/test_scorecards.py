"""Scorecards (Art. 22): weights, linear scoring, bonus and penalties, ranking, freezing, recomputation."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from evaluation import scoring, services
from evaluation.choices import AdjustmentKind, PeriodState, SubjectKind
from evaluation.defaults import DEFAULT_INDICATORS
from evaluation.models import Score
from evaluation.scoring import linear_points, rank
from events.choices import EventStatus
from personnel.choices import OrgKind
from personnel.models import Organisation
from tests.factories import UserFactory
from tests.scenario import grant

from .factories import NOW, build_record, scheme_period, with_authority

pytestmark = pytest.mark.django_db

TOWNSHIP_RULES = [
    {"code": "events_reported", "weight": 40, "floor": 0, "target": 10},
    {"code": "closure_rate", "weight": 60, "floor": 0, "target": 100},
]


def test_linear_points_both_directions_and_missing_values():
    # 20 points from 60 % to 95 %: 80 % earns 20 × 20/35 = 11.43.
    assert linear_points(80, weight=Decimal(20), floor=60, target=95, missing_ratio=Decimal("0.5")) == Decimal("11.43")
    assert linear_points(50, weight=Decimal(20), floor=60, target=95, missing_ratio=Decimal("0.5")) == Decimal("0.00")
    assert linear_points(99, weight=Decimal(20), floor=60, target=95, missing_ratio=Decimal("0.5")) == Decimal("20.00")
    # Lower is better: 0 points at 24 h, 10 at 2 h; 13.5 h earns 10 × 10.5/22 = 4.77.
    assert linear_points(13.5, weight=Decimal(10), floor=24, target=2, missing_ratio=Decimal(1)) == Decimal("4.77")
    # Nothing measured: weight × missing ratio.
    assert linear_points(None, weight=Decimal(10), floor=0, target=1, missing_ratio=Decimal("0.5")) == Decimal("5.00")


def test_ranking_shares_places_on_ties():
    assert rank([("a", Decimal(5)), ("b", Decimal(9)), ("c", Decimal(5)), ("d", Decimal(1))]) == {
        "b": 1,
        "a": 2,
        "c": 2,
        "d": 4,
    }


@pytest.fixture
def r():
    r = with_authority(build_record())
    r.scheme, r.period = scheme_period(
        r,
        "乡镇考评",
        SubjectKind.TOWNSHIP,
        TOWNSHIP_RULES,
        day=datetime.date(2026, 5, 9),
        late_report_penalty=Decimal(1),
        concealed_penalty=Decimal(2),
        bonus_max=Decimal(10),
    )
    return r


def totals(period):
    return {s.label: (s.total, s.rank) for s in Score.objects.filter(period=period)}


def test_weights_penalties_and_ranking_of_townships_in_a_district(r):
    services.period_compute(actor=r.supervisor, period=r.period, now=NOW)
    # 南门街道: 6 reports → 40 × 6/10 = 24; closure 3/5 = 60 % → 60 × 0.6 = 36; one late report (E2) −1 → 59.
    # 江厦街道: 1 report → 4; closure 100 % → 60 → 64. The other district's township is not a peer.
    assert totals(r.period) == {"南门街道": (Decimal("59.00"), 2), "江厦街道": (Decimal("64.00"), 1)}
    town = Score.objects.get(period=r.period, area=r.tree.township)
    assert town.values == {"events_reported": 6, "closure_rate": 60.0}
    assert town.points == {"events_reported": "24.00", "closure_rate": "36.00"}
    assert town.peer_group == "海曙区"

    # Bonuses 6 + 7 are capped at 10; a concealed report found later costs 2: 59 + 10 − 2 = 67.
    key = f"area:{r.tree.township.pk}"
    for points in (6, 7):
        services.adjustment_add(
            actor=r.supervisor,
            period=r.period,
            subject_key=key,
            kind=AdjustmentKind.BONUS,
            points=points,
            reason="表彰",
        )
    services.adjustment_add(
        actor=r.supervisor,
        period=r.period,
        subject_key=key,
        kind=AdjustmentKind.CONCEALED,
        reason="瞒报",
        event_number="X1",
    )
    services.period_compute(actor=r.supervisor, period=r.period, now=NOW)
    assert totals(r.period)["南门街道"] == (Decimal("67.00"), 1)
    town = Score.objects.get(period=r.period, area=r.tree.township)
    assert (town.bonus, town.penalty) == (Decimal("10.00"), Decimal("3.00"))


def test_a_frozen_period_keeps_its_scores_until_an_explained_recomputation(r):
    services.period_freeze(actor=r.supervisor, period=r.period, now=NOW)
    r.period.refresh_from_db()
    assert r.period.state == PeriodState.FROZEN

    # E3 is closed later: live closure would be 4/5, but the frozen score stays at 59.
    r.e3.status = EventStatus.CLOSED
    r.e3.save()
    assert totals(r.period)["南门街道"] == (Decimal("59.00"), 2)
    with pytest.raises(ValidationError):
        services.period_compute(actor=r.supervisor, period=r.period)

    outsider = UserFactory()
    grant(outsider, r.tree.county, "view_area")
    with pytest.raises(PermissionDenied):
        services.period_recompute(actor=outsider, period=r.period, reason="想改")
    with pytest.raises(ValidationError):
        services.period_recompute(actor=r.supervisor, period=r.period, reason=" ")

    log = services.period_recompute(actor=r.supervisor, period=r.period, reason="E3 结案信息补录", now=NOW)
    # Now 24 + 60 × 0.8 − 1 = 71; the log keeps the previous 59 and who did it.
    assert totals(r.period)["南门街道"] == (Decimal("71.00"), 1)
    assert log.actor == r.supervisor and log.was_frozen
    assert {row["label"]: row["total"] for row in log.previous} == {"南门街道": "59.00", "江厦街道": "64.00"}
    r.period.refresh_from_db()
    assert r.period.state == PeriodState.FROZEN


def test_scheme_validation_and_authority(r):
    with pytest.raises(ValidationError) as exc:
        services.scheme_create(
            actor=r.supervisor,
            authority=r.authority,
            name="坏方案",
            subject_kind=SubjectKind.TOWNSHIP,
            indicators=[
                {"code": "nope", "weight": 1, "floor": 0, "target": 1},
                {"code": "signed_on_time", "weight": 1, "floor": 0, "target": 1},
                {"code": "closure_rate", "weight": 0, "floor": 0, "target": 1},
            ],
        )
    assert len(exc.value.message_dict["indicators"]) == 3
    township_user = UserFactory()
    grant(township_user, r.tree.township, "supervise_area")
    with pytest.raises(PermissionDenied):
        services.scheme_create(
            actor=township_user, authority=r.authority, name="越权", subject_kind="township", indicators=TOWNSHIP_RULES
        )
    services.scheme_update(actor=r.supervisor, scheme=r.scheme, bonus_max=Decimal(5), indicators=TOWNSHIP_RULES[:1])
    assert list(r.scheme.indicators.values_list("code", flat=True)) == ["events_reported"]


def test_staff_are_ranked_within_their_township_and_satisfaction_counts(r):
    assert "satisfaction_avg" in {row["code"] for row in DEFAULT_INDICATORS[SubjectKind.STAFF]}
    rules = [
        {"code": "events_reported", "weight": 50, "floor": 0, "target": 10},
        {"code": "satisfaction_avg", "weight": 50, "floor": 3, "target": 5},
    ]
    _scheme, period = scheme_period(r, "人员考评", SubjectKind.STAFF, rules)
    services.period_compute(actor=r.supervisor, period=period, now=NOW)
    # 张网格: 5 reports → 25; satisfaction 3.5 → 50 × 0.25 = 12.5; one late report −1 → 36.5.
    # 李网格: 1 report → 5; satisfaction 4 (E8) → 25 → 30.
    scores = {s.label: s for s in Score.objects.filter(period=period)}
    assert scores["张网格"].total == Decimal("36.50") and scores["张网格"].rank == 1
    assert scores["李网格"].total == Decimal("30.00") and scores["李网格"].rank == 2
    assert {s.peer_group for s in scores.values()} == {"南门街道"}


def test_units_are_ranked_among_units_of_their_level(r):
    rules = [{"code": "signed_on_time", "weight": 100, "floor": 0, "target": 100}]
    _scheme, period = scheme_period(r, "单位考评", SubjectKind.UNIT, rules)
    services.period_compute(actor=r.supervisor, period=period, now=NOW)
    # B signed 2/3 on time → 66.67; A 0/1 → 0.
    scores = {s.label: (s.total, s.rank, s.peer_group) for s in Score.objects.filter(period=period)}
    assert scores == {
        "海曙区司法局": (Decimal("66.67"), 1, "区（县、市）"),
        "海曙区住建局": (Decimal("0.00"), 2, "区（县、市）"),
    }


def test_a_unit_with_nothing_dispatched_is_listed_unranked_after_the_ranked_units(r):
    idle = Organisation.objects.create(name="海曙区水利局", kind=OrgKind.DEPARTMENT, area=r.tree.county)
    _scheme, period = scheme_period(r, "单位考评", SubjectKind.UNIT, DEFAULT_INDICATORS[SubjectKind.UNIT])
    services.period_compute(actor=r.supervisor, period=period, now=NOW)
    scores = list(Score.objects.filter(period=period))  # the model's ordering
    # Nothing dispatched: no value for any indicator, so no rank — although weight × missing_ratio
    # on every indicator (55 here) would have put it above the units that worked.
    empty = Score.objects.get(period=period, organisation=idle)
    assert set(empty.values.values()) == {None}
    assert empty.rank is None and empty.total == Decimal("55.00")
    ranked = [s for s in scores if s.rank is not None]
    assert all(s.total < empty.total for s in ranked)
    assert sorted(s.rank for s in ranked) == list(range(1, len(ranked) + 1)) == [1, 2]
    assert [s.label for s in scores][-1] == "海曙区水利局"
    assert [s.rank for s in scores] == [1, 2, None]


def test_no_data_subjects_follow_the_ranked_ones_by_label_and_stay_so_in_the_snapshot(r):
    for name in ("海曙区水利局", "海曙区交通局"):
        Organisation.objects.create(name=name, kind=OrgKind.DEPARTMENT, area=r.tree.county)
    rules = [{"code": "signed_on_time", "weight": 100, "floor": 0, "target": 100}]
    _scheme, period = scheme_period(r, "单位考评", SubjectKind.UNIT, rules)
    services.period_freeze(actor=r.supervisor, period=period, now=NOW)
    expected = [("海曙区司法局", 1), ("海曙区住建局", 2), ("海曙区交通局", None), ("海曙区水利局", None)]
    assert [(s.label, s.rank) for s in Score.objects.filter(period=period)] == expected
    log = services.period_recompute(actor=r.supervisor, period=period, reason="核对", now=NOW)
    assert [(row["label"], row["rank"]) for row in log.previous] == expected
    # Partial data keeps missing_ratio and its rank: only a subject with no value at all is unranked.
    assert scoring.has_data({"a": None, "b": 0}) and not scoring.has_data({"a": None, "b": None})
