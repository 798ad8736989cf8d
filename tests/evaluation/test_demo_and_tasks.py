"""The demo seed and the rollup task."""

import datetime
import io
import random

import pytest
import time_machine
from django.core.management import call_command

from evaluation import demo
from evaluation.models import DailyRollup, Period, RollupRun, Scheme, Score
from evaluation.tasks import rollup_refresh_recent
from grids.choices import Level
from tests.scenario import make_area, make_tree

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


def test_the_demo_gives_every_township_last_months_events_through_the_services():
    from django.contrib.auth import get_user_model

    from events.models import Action, Event
    from personnel.scope import has_area_perm

    User = get_user_model()
    from personnel.models import Membership
    from tests.scenario import make_world

    with time_machine.travel(T(6, 10, 9)):
        world = make_world()
        make_area(world.tree.township2.get_children().first(), Level.GRID, "江厦第一网格")
        seed()
        events = Event.objects.filter(reported_at__gte=T(5, 1), reported_at__lt=T(6, 1))
        assert set(events.values_list("township", flat=True)) == {world.tree.township.pk, world.tree.township2.pk}
        # Built step by step: each event has its timeline.
        assert not events.exclude(pk__in=Action.objects.values("event_id")).exists()
        scores = Score.objects.filter(period__scheme__subject_kind="township", period__start="2026-05-01")
        assert {s.label: s.values["closure_rate"] is not None for s in scores} == {"南门街道": True, "江厦街道": True}
        # The history account's handler roles end today.
        assert not Membership.objects.current(on=datetime.date(2026, 6, 11)).filter(user__username="demo_history")
        count = events.count()
        seed()  # a second run adds nothing
        assert events.count() == count
        # Only the handler roles of today remain for the history account (no area grants).
        assert not has_area_perm(User.objects.get(username="demo_history"), "dispatch_event", world.tree.township)
    # A month later (make run seeds again) June gets its history too.
    with time_machine.travel(T(7, 10, 9)):
        seed()
    june = Event.objects.filter(reported_at__gte=T(6, 1), reported_at__lt=T(7, 1))
    assert set(june.values_list("township", flat=True)) >= {world.tree.township2.pk}
