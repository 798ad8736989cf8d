"""Demo scorecards and dashboards (runs after the events demo).

For 海曙区's grid authority: one default monthly scheme per subject kind, last full
month's period computed and frozen, and the rollups rebuilt, so the district
supervisor sees last month's township ranking and a filled dashboard. The demo grid
staff (gridworker, gridleader) get last month's patrol rounds (through
`events.services.patrol_log`) so household coverage is measured too.

The events demo fills one grid of one street; so that every township of the district
has figures to rank, `_history` adds last month's events in each other township
through the same services and plans (`events.demo`), taken by one non-login account
(`demo_history`, 历史记录（演示）) whose grants and handler roles end today. Works
(with empty figures) when there are no events or no catalogue.
"""

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone
from guardian.shortcuts import assign_perm

from events import demo as events_demo
from events import services as event_services
from events.models import Event, Patrol
from events.workcalendar import is_workday
from grids.choices import Level
from grids.models import Area
from personnel import roles
from personnel.choices import Department, OrgKind, PlatformRole
from personnel.models import Assignment, Membership, Organisation
from personnel.services import grants_sync

from . import indicators as ind
from . import services
from .defaults import DEFAULT_INDICATORS, DEFAULT_NAMES
from .models import Scheme
from .rollups import rollup_rebuild

HAISHU = "330203000000"
PATROLLERS = ("gridworker", "gridleader")


def _patrols(span, rng, stdout) -> None:
    """Three rounds a week in last month for each demo grid staff member, unless they already patrolled then."""
    tz = timezone.get_current_timezone()
    for user in get_user_model().objects.filter(username__in=PATROLLERS).order_by("username"):
        if Patrol.objects.filter(user=user, started_at__range=span.bounds).exists():
            continue
        grid = (
            Assignment.objects.current()
            .filter(staff__user=user, area__level=Level.GRID)
            .values_list("area", flat=True)
            .first()
        )
        if grid is None:
            continue
        day, rounds = span.start, 0
        while day <= span.end:
            if day.weekday() in (0, 2, 4) and is_workday(day):
                start = datetime.datetime.combine(day, datetime.time(9, rng.randint(0, 50)), tzinfo=tz)
                event_services.patrol_log(
                    actor=user,
                    area=grid,
                    started_at=start,
                    ended_at=start + datetime.timedelta(minutes=rng.randint(60, 150)),
                    households_visited=rng.randint(15, 45),
                    notes="入户走访、巡查楼道和沿街商铺",
                )
                rounds += 1
            day += datetime.timedelta(days=1)
        stdout.write(f"evaluation: {rounds} patrol rounds of {user.username} in {span.start:%Y-%m}")


HISTORY_USER = "demo_history"
HISTORY_PER_TOWNSHIP = 8


def _history_actor(district, units):
    """The account that takes every step of the history events (no password; its roles end today)."""
    user, created = get_user_model().objects.get_or_create(
        username=HISTORY_USER, defaults={"first_name": "历史记录（演示）", "is_active": True}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    today = timezone.localdate()
    for perm in (roles.VIEW, roles.REPORT, roles.SELF_HANDLE, roles.VERIFY, roles.DISPATCH, roles.SUPERVISE):
        assign_perm(f"grids.{perm}", user, district)
    for unit in units:
        Membership.objects.update_or_create(
            user=user, organisation=unit, role=PlatformRole.HANDLER, defaults={"start": today, "end": today}
        )
    return user


def _history(district, span, rng, stdout) -> None:
    """Last month's events in every township of the district that has none then (see module docstring)."""
    lo, hi = span.bounds
    towns = [
        t
        for t in Area.objects.within(district).filter(level=Level.TOWNSHIP, status="active").order_by("code")
        if not Event.objects.filter(township=t, reported_at__gte=lo, reported_at__lt=hi).exists()
    ]
    units = list(
        Organisation.objects.filter(area=district, kind=OrgKind.DEPARTMENT, is_active=True).order_by("name")[:6]
    )
    if not towns or not units:
        return
    probe = Area.objects.within(district).filter(level=Level.GRID, status="active").order_by("code").first()
    items = events_demo.reportable_items(probe) if probe else []
    if not items:
        return
    actor = _history_actor(district, units)
    users = dict.fromkeys(events_demo.DEMO_USERS, actor)
    made = 0
    for town in towns:
        grids = list(Area.objects.within(town).filter(level=Level.GRID, status="active").order_by("code")[:3])
        if not grids:
            continue
        plans = rng.sample(events_demo.PLAN, HISTORY_PER_TOWNSHIP)
        for plan in plans:
            day = span.start + datetime.timedelta(days=rng.randint(0, (span.end - span.start).days))
            t = events_demo._working_moment(rng, day)
            if t >= hi or t >= timezone.now():
                continue
            events_demo._run(
                plan, rng=rng, users=users, grid=rng.choice(grids), unit=rng.choice(units), items=items, t=t, micro=None
            )
            made += 1
    grants_sync(user=actor)  # the area grants given above go at once; the handler roles end today
    stdout.write(f"evaluation: {made} history events in {len(towns)} townships in {span.start:%Y-%m}")


def seed(*, scale, rng, stdout) -> None:
    district = Area.objects.filter(code=HAISHU).first()
    if district is None:
        stdout.write("evaluation: 海曙区 not in the tree, no scorecards")
        return
    authority = Organisation.objects.filter(area=district, kind=OrgKind.AUTHORITY).order_by("pk").first()
    if authority is None:
        authority, _ = Organisation.objects.get_or_create(
            area=district,
            name="海曙区网格化服务管理中心",
            defaults={"kind": OrgKind.AUTHORITY, "department": Department.GRID_AUTHORITY},
        )
    span = ind.last_full("month", timezone.localdate())
    _patrols(span, rng, stdout)
    _history(district, span, rng, stdout)
    for kind, rows in DEFAULT_INDICATORS.items():
        name = str(DEFAULT_NAMES[kind])
        scheme = Scheme.objects.filter(authority=authority, name=name, is_active=True).first()
        if scheme is None:
            scheme = services.scheme_create(
                actor=None, authority=authority, name=name, subject_kind=kind, indicators=rows
            )
        period = services.period_open(actor=None, scheme=scheme, day=span.start)
        if not period.is_frozen:
            services.period_freeze(actor=None, period=period)
        stdout.write(f"evaluation: {name} {span.start:%Y-%m} — {period.scores.count()} scores, frozen")
    run = rollup_rebuild()
    stdout.write(f"evaluation: rollups {run.date_from}…{run.date_to}, {run.rows} rows")
