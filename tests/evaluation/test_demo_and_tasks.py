"""The demo seed and the rollup task."""

import io
import random

import pytest
import time_machine
from django.core.management import call_command

from evaluation import demo
from evaluation.models import DailyRollup, Period, RollupRun, Scheme, Score
from evaluation.tasks import rollup_refresh_recent
from tests.factories import make_tree

from .factories import NOW, T, build_record

pytestmark = pytest.mark.django_db


def seed():
    demo.seed(scale="demo", rng=random.Random(1), stdout=io.StringIO())


def test_the_demo_without_events_still_creates_frozen_schemes_and_runs_twice():
    make_tree()
    seed()
    seed()
    assert Scheme.objects.count() == 3
    assert set(Period.objects.values_list("state", flat=True)) == {"frozen"}
    assert Score.objects.filter(area__isnull=False).count() == 2  # the district's two townships


def test_the_demo_ranks_last_months_townships_and_fills_the_dashboard():
    r = build_record()
    with time_machine.travel(NOW):
        seed()
    scores = {s.label: s.rank for s in Score.objects.filter(area__isnull=False)}
    assert set(scores) == {"南门街道", "江厦街道"}
    assert Period.objects.filter(start="2026-05-01").count() == 3
    assert DailyRollup.objects.filter(area=r.tree.grid).exists()


def test_the_beat_task_refreshes_today_and_yesterday_and_the_command_rebuilds_history():
    r = build_record()
    with time_machine.travel(T(5, 4, 9)):
        assert rollup_refresh_recent() >= 1  # E1 reported on 5-3 (yesterday)
    run = RollupRun.objects.get()
    assert (str(run.date_from), str(run.date_to)) == ("2026-05-03", "2026-05-04")
    out = io.StringIO()
    call_command("rollup_rebuild", "--from", "2026-04-01", "--to", "2026-06-30", stdout=out)
    assert "rows" in out.getvalue()
    assert DailyRollup.objects.filter(area=r.tree.grid2).exists()
