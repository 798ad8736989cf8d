"""A small hand-built event record for the evaluation tests (rows created directly, no services).

All times are local (Asia/Shanghai) in May 2026 unless said otherwise; `NOW` is
2026-06-15 12:00, the moment open clocks are measured at. The values each indicator
must give on this record are worked out by hand in the tests.
"""

import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from catalog.choices import Category, Grade
from catalog.models import ServiceItem, ServiceItemVersion
from evaluation.indicators import Options, Span
from events.choices import ActionKind, DispatchRole, EventStatus, RejectReason, RequestKind, RequestState
from events.models import Action, Dispatch, Event, HandlingRequest, Patrol, Satisfaction
from events.positions import canonical_position
from personnel.choices import GridRole, OrgKind
from personnel.models import Assignment, Organisation, Staff
from tests.factories import UserFactory
from tests.scenario import grant, make_tree

SH = ZoneInfo("Asia/Shanghai")
MAY = Span(datetime.date(2026, 5, 1), datetime.date(2026, 5, 31))


def T(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime.datetime:
    """An aware local time in 2026."""
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=SH)


NOW = T(6, 15, 12)
OPTIONS = Options(late_report_hours=24, accept_hours=4, verify_hours=24, now=NOW)


def item(code: str = "04-001", grade_name: str = "纠纷") -> ServiceItem:
    it, _ = ServiceItem.objects.get_or_create(code=code)
    version, _ = ServiceItemVersion.objects.get_or_create(
        item=it,
        number=1,
        defaults={"name": grade_name, "category": Category.DISPUTES_AND_HAZARDS, "department": "justice"},
    )
    if it.current_version_id is None:
        it.current_version = version
        it.save(update_fields=["current_version"])
    return it


_numbers = iter(range(1, 100000))


def event(area, *, discovered, reported, item_code="04-001", grade=Grade.GENERAL, **fields) -> Event:
    """An event in `area` created directly; `fields` set any other column (status, times, counters)."""
    it = item(item_code)
    if fields.get("latitude") is not None and "wgs84_latitude" not in fields:  # as the report service does
        position = canonical_position(fields["latitude"], fields["longitude"], fields.get("datum", ""))
        fields["wgs84_latitude"], fields["wgs84_longitude"] = position
    return Event.objects.create(
        number=fields.pop("number", f"E2026{next(_numbers):06d}"),
        item=it,
        item_version=it.current_version,
        category=it.current_version.category,
        grade=grade,
        area=area,
        township=area.ancestor_at("township"),
        county=area.ancestor_at("county"),
        title=fields.pop("title", "测试事件"),
        description="d",
        discovered_at=discovered,
        reported_at=reported,
        **fields,
    )


def staff_user(area, role=GridRole.FULLTIME_WORKER, name="张网格", username=None):
    user = UserFactory(username=username) if username else UserFactory()
    staff = Staff.objects.create(user=user, name=name, work_id=f"W{user.pk:06d}")
    Assignment.objects.create(staff=staff, area=area, role=role, start=datetime.date(2026, 1, 1))
    return user


def build_record():
    """The record described in tests/evaluation/test_indicators.py; returns handles on every row."""
    tree = make_tree()
    r = SimpleNamespace(tree=tree)
    r.worker = staff_user(tree.grid, name="张网格")
    r.other = staff_user(tree.grid2, name="李网格")
    r.dispatcher = UserFactory()
    r.unit_a = Organisation.objects.create(name="海曙区住建局", kind=OrgKind.DEPARTMENT, area=tree.county)
    r.unit_b = Organisation.objects.create(name="海曙区司法局", kind=OrgKind.DEPARTMENT, area=tree.county)
    w = r.worker

    # Reported by the worker in May: E1..E5 (E5 in the micro-grid, at 23:30 on the last day).
    r.e1 = event(
        tree.grid,
        discovered=T(5, 3, 8),
        reported=T(5, 3, 10),
        reporter=w,
        self_handled=True,
        status=EventStatus.CLOSED,
        closed_at=T(5, 3, 12),
        result_at=T(5, 3, 11),
    )
    r.e2 = event(
        tree.grid,
        discovered=T(5, 4, 8),
        reported=T(5, 5, 14),
        reporter=w,
        status=EventStatus.REJECTED,
        reject_reason=RejectReason.INVALID,
    )
    r.e3 = event(
        tree.grid,
        discovered=T(5, 6, 9),
        reported=T(5, 6, 13),
        reporter=w,
        status=EventStatus.HANDLING,
        accepted_at=T(5, 6, 14),
        dispatched_at=T(5, 7, 9),
        lead_unit=r.unit_b,
        complete_due_at=T(5, 9, 9),
    )
    r.e4 = event(
        tree.grid,
        discovered=T(5, 10, 0),
        reported=T(5, 10, 10),
        reporter=w,
        status=EventStatus.CLOSED,
        accepted_at=T(5, 10, 16),
        dispatched_at=T(5, 10, 17),
        lead_unit=r.unit_b,
        rework_count=1,
        complete_due_at=T(5, 12, 17),
        result_at=T(5, 13, 9),
        closed_at=T(5, 13, 11),
    )
    r.e5 = event(tree.micro_grid, discovered=T(5, 31, 23), reported=T(5, 31, 23, 30), reporter=w)
    # Outside May: not counted.
    r.e_april = event(tree.grid, discovered=T(4, 30, 20), reported=T(4, 30, 23), reporter=w)
    r.e_june = event(tree.grid, discovered=T(6, 1, 0), reported=T(6, 1, 0, 10), reporter=w)
    # Another grid of the township (other reporter), and the sibling township.
    r.e8 = event(
        tree.grid2,
        discovered=T(5, 20, 7),
        reported=T(5, 20, 8),
        reporter=r.other,
        status=EventStatus.CLOSED,
        accepted_at=T(5, 20, 9),
        dispatched_at=T(5, 20, 10),
        lead_unit=r.unit_b,
        complete_due_at=T(5, 25, 10),
        result_at=T(5, 22, 10),
        closed_at=T(5, 23, 9),
    )
    sibling_grid = tree.township2.get_children().first()
    r.e7 = event(
        sibling_grid, discovered=T(5, 15, 8), reported=T(5, 15, 9), status=EventStatus.CLOSED, closed_at=T(5, 16, 9)
    )

    d = r.dispatcher
    r.d1 = Dispatch.objects.create(
        event=r.e3,
        unit=r.unit_a,
        dispatched_by=d,
        dispatched_at=T(5, 6, 15),
        accept_due_at=T(5, 6, 17),
        returned_at=T(5, 6, 18),
        return_reason="非本单位职责",
        active=False,
    )
    r.d2 = Dispatch.objects.create(
        event=r.e3,
        unit=r.unit_b,
        dispatched_by=d,
        dispatched_at=T(5, 7, 9),
        accept_due_at=T(5, 7, 11),
        signed_at=T(5, 7, 10),
        complete_due_at=T(5, 9, 9),
    )
    r.d3 = Dispatch.objects.create(
        event=r.e4,
        unit=r.unit_b,
        dispatched_by=d,
        dispatched_at=T(5, 10, 17),
        accept_due_at=T(5, 10, 19),
        signed_at=T(5, 11, 8),
        complete_due_at=T(5, 12, 17),
        completed_at=T(5, 13, 9),
        active=False,
    )
    r.d4 = Dispatch.objects.create(
        event=r.e4,
        unit=r.unit_a,
        role=DispatchRole.CO,
        dispatched_by=d,
        dispatched_at=T(5, 10, 17),
        returned_at=T(5, 10, 18),
        active=False,
    )
    r.d5 = Dispatch.objects.create(
        event=r.e8,
        unit=r.unit_b,
        dispatched_by=d,
        dispatched_at=T(5, 20, 10),
        accept_due_at=T(5, 20, 12),
        signed_at=T(5, 20, 11),
        complete_due_at=T(5, 25, 10),
        completed_at=T(5, 22, 10),
        active=False,
    )
    r.d_june = Dispatch.objects.create(
        event=r.e_june,
        unit=r.unit_b,
        dispatched_by=d,
        dispatched_at=T(6, 2, 9),
        accept_due_at=T(6, 2, 10),
        complete_due_at=T(6, 3, 9),
    )

    # Timeline: results fed back and the worker's verifications.
    def act(ev, kind, at, actor=None, name=""):
        return Action.objects.create(event=ev, kind=kind, at=at, actor=actor, actor_name=name)

    act(r.e1, ActionKind.SELF_HANDLE, T(5, 3, 11), w, "张网格")
    act(r.e1, ActionKind.SUBMIT_RESULT, T(5, 3, 11), w, "张网格")
    act(r.e1, ActionKind.VERIFY_PASS, T(5, 3, 12), w, "张网格")
    act(r.e4, ActionKind.ACCEPT, T(5, 10, 16), d, "王调度")
    act(r.e3, ActionKind.ACCEPT, T(5, 6, 14), d, "王调度")
    act(r.e3, ActionKind.RETURN, T(5, 6, 18), None, "赵住建")
    act(r.e4, ActionKind.SUBMIT_RESULT, T(5, 10, 20), None, "钱司法")
    act(r.e4, ActionKind.RESUME, T(5, 12, 9), d, "王调度")  # ends the suspension approved 5-11 12:00
    act(r.e4, ActionKind.VERIFY_FAIL, T(5, 12, 12), w, "张网格")
    act(r.e4, ActionKind.SUBMIT_RESULT, T(5, 13, 9), None, "钱司法")
    act(r.e4, ActionKind.VERIFY_PASS, T(5, 13, 10), w, "张网格")

    # Requests of unit B.
    HandlingRequest.objects.create(
        event=r.e3,
        dispatch=r.d2,
        kind=RequestKind.EXTENSION,
        reason="r",
        state=RequestState.APPROVED,
        requested_by=d,
        requested_at=T(5, 8, 9),
        decided_at=T(5, 8, 10),
    )
    HandlingRequest.objects.create(
        event=r.e4,
        dispatch=r.d3,
        kind=RequestKind.EXTENSION,
        reason="r",
        state=RequestState.REFUSED,
        requested_by=d,
        requested_at=T(5, 11, 9),
        decided_at=T(5, 11, 10),
    )
    HandlingRequest.objects.create(
        event=r.e4,
        dispatch=r.d3,
        kind=RequestKind.SUSPENSION,
        reason="r",
        state=RequestState.APPROVED,
        requested_by=d,
        requested_at=T(5, 11, 11),
        decided_at=T(5, 11, 12),
    )

    # Public satisfaction.
    Satisfaction.objects.create(event=r.e1, score=5, at=T(5, 3, 13))
    Satisfaction.objects.create(event=r.e4, score=2, at=T(5, 14, 9))
    Satisfaction.objects.create(event=r.e8, score=4, at=T(5, 23, 10))
    Satisfaction.objects.create(event=r.e_june, score=1, at=T(6, 2, 9))

    # Patrols of the worker.
    Patrol.objects.create(area=tree.grid, user=w, started_at=T(5, 2, 9), households_visited=30)
    Patrol.objects.create(area=tree.grid, user=w, started_at=T(5, 20, 9), households_visited=50)
    Patrol.objects.create(area=tree.grid, user=w, started_at=T(4, 28, 9), households_visited=99)
    return r


def viewer(area, *perms):
    """A user holding `perms` (default view_area) on `area`'s subtree."""
    user = UserFactory()
    for perm in perms or ("view_area",):
        grant(user, area, perm)
    return user


def with_authority(r):
    """Add 海曙区's authority and a supervisor (view + supervise the district) to record `r`."""
    r.authority = Organisation.objects.create(name="海曙区网格中心", kind=OrgKind.AUTHORITY, area=r.tree.county)
    r.supervisor = viewer(r.tree.county, "view_area", "supervise_area")
    return r


def scheme_period(r, name, kind, rules, day=datetime.date(2026, 5, 1), **rule_options):
    """A scheme of `r.authority` and its period containing `day`, created through the services."""
    from evaluation import services

    scheme = services.scheme_create(
        actor=r.supervisor, authority=r.authority, name=name, subject_kind=kind, indicators=rules, **rule_options
    )
    return scheme, services.period_open(actor=r.supervisor, scheme=scheme, day=day)
