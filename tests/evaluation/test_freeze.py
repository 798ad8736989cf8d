"""Automatic freezing of closed periods (Art. 22): the beat task, its grace on the working-day calendar."""

import datetime
import logging
from decimal import Decimal

import pytest
import time_machine

from evaluation import services
from evaluation.choices import PeriodKind, PeriodState, SubjectKind
from evaluation.models import Period, RecomputeLog, Score
from evaluation.tasks import freeze_closed_periods
from events.choices import EventStatus
from ningbo_grid.celery import app

from .factories import T, build_record, scheme_period, with_authority

pytestmark = pytest.mark.django_db

RULES = [
    {"code": "events_reported", "weight": 40, "floor": 0, "target": 10},
    {"code": "closure_rate", "weight": 60, "floor": 0, "target": 100},
]


@pytest.fixture
def r():
    r = with_authority(build_record())
    r.scheme, r.period = scheme_period(r, "乡镇考评", SubjectKind.TOWNSHIP, RULES)
    return r


def state(period):
    period.refresh_from_db()
    return period.state


def test_may_freezes_at_the_end_of_the_third_working_day_of_june_once(r, caplog):
    # June 2026: Mon 1, Tue 2, Wed 3 are working days → May freezes at 6-3 17:30.
    assert services.freeze_moment(r.period) == T(6, 3, 17, 30)
    with time_machine.travel(T(6, 3, 17, 29)):
        assert freeze_closed_periods() == 0
    assert state(r.period) == PeriodState.OPEN
    caplog.set_level(logging.INFO, logger="evaluation.services")
    with time_machine.travel(T(6, 3, 17, 45)):
        assert freeze_closed_periods() == 1
        assert freeze_closed_periods() == 0  # idempotent
    r.period.refresh_from_db()
    assert r.period.state == PeriodState.FROZEN and r.period.frozen_by is None
    assert r.period.frozen_at is not None
    assert f"froze period {r.period.pk}" in caplog.text
    # Frozen with final scores: 南门街道 24 + 36 − 1 (late report) = 59.
    assert Score.objects.get(period=r.period, area=r.tree.township).total == Decimal("59.00")
    # A later correction of the record does not change the frozen score; only an explained recomputation does.
    r.e3.status = EventStatus.CLOSED
    r.e3.save()
    with time_machine.travel(T(6, 20, 9)):
        freeze_closed_periods()
    assert Score.objects.get(period=r.period, area=r.tree.township).total == Decimal("59.00")
    services.period_recompute(actor=r.supervisor, period=r.period, reason="E3 结案补录")
    assert RecomputeLog.objects.get().was_frozen
    assert Score.objects.get(period=r.period, area=r.tree.township).total == Decimal("71.00")


def test_the_task_opens_last_months_quarters_and_years_periods_when_they_end(r):
    quarterly = services.scheme_create(
        actor=r.supervisor,
        authority=r.authority,
        name="季度考评",
        subject_kind=SubjectKind.TOWNSHIP,
        indicators=RULES,
        period_kind=PeriodKind.QUARTER,
    )
    with time_machine.travel(T(6, 10, 9)):
        freeze_closed_periods()
    # June 10: May frozen; the monthly scheme got no June period (June has not ended); the
    # quarterly one got Q1 (ended in March, grace long past) and froze it.
    assert set(Period.objects.filter(scheme=r.scheme).values_list("start", "state")) == {
        (datetime.date(2026, 5, 1), "frozen")
    }
    assert set(Period.objects.filter(scheme=quarterly).values_list("start", "state")) == {
        (datetime.date(2026, 1, 1), "frozen")
    }
    # Q2 ends 6-30; July 1–3 (Wed–Fri) are working days → Q2 freezes at 7-3 17:30.
    with time_machine.travel(T(7, 3, 9)):
        freeze_closed_periods()
    q2 = Period.objects.get(scheme=quarterly, start=datetime.date(2026, 4, 1))
    assert q2.state == PeriodState.OPEN and Period.objects.get(scheme=r.scheme, start="2026-06-01").state == "open"
    with time_machine.travel(T(7, 3, 18)):
        assert freeze_closed_periods() == 2  # June and Q2
    assert state(q2) == PeriodState.FROZEN


def test_the_grace_follows_holidays_and_make_up_days_and_is_a_setting(r, settings):
    september = services.period_open(actor=r.supervisor, scheme=r.scheme, day=datetime.date(2026, 9, 1))
    # National Day: 10-1…10-7 off; 10-8 (Thu), 10-9 (Fri), 10-10 (Sat, a make-up working day).
    assert services.freeze_moment(september) == T(10, 10, 17, 30)
    settings.EVALUATION_FREEZE_GRACE_DAYS = 0
    assert services.freeze_moment(september) == T(10, 1, 0, 0)
    assert services.freeze_moment(r.period) == T(6, 1)


def test_inactive_schemes_get_no_new_periods_and_the_beat_schedules_the_task(r):
    r.scheme.is_active = False
    r.scheme.save()
    r.period.delete()
    with time_machine.travel(T(7, 10, 9)):
        assert freeze_closed_periods() == 0
    assert not Period.objects.exists()
    schedule = app.conf.beat_schedule
    assert any(entry["task"] == "evaluation.freeze_closed_periods" for entry in schedule.values())
