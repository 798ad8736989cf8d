"""A small world for event tests: the shared two-district tree, a catalogue item with
rules for every grade, organisations and one user per role (grants as personnel.roles)."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from guardian.shortcuts import assign_perm

from catalog.choices import Category, CloseLevel, Grade, ListLevel, TimeUnit, VersionState
from catalog.models import HandlingRule, ServiceItem, ServiceItemVersion
from personnel.choices import GridRole, OrgKind, PlatformRole
from personnel.models import Assignment, Membership, Organisation, Staff
from personnel.roles import ROLE_PERMISSIONS
from tests.factories import Tree, UserFactory, make_tree

START = datetime.date(2020, 1, 1)
_work_ids = iter(range(1, 10**6))


def grant(user, area, role):
    """Give `user` the area permissions of `role` on `area` (as personnel would)."""
    for perm in ROLE_PERMISSIONS[role]:
        assign_perm(f"grids.{perm}", user, area)


def grid_user(area, role, username=None, email="", mobile=""):
    user = UserFactory(username=username, email=email) if username else UserFactory(email=email)
    staff = Staff.objects.create(user=user, name=user.username, work_id=f"W{next(_work_ids):06d}", mobile=mobile)
    Assignment.objects.create(staff=staff, area=area, role=role, start=START)
    grant(user, area, role)
    return user


def member(org, role, username=None, email=""):
    user = UserFactory(username=username, email=email) if username else UserFactory(email=email)
    Membership.objects.create(user=user, organisation=org, role=role, start=START)
    grant(user, org.area, role)
    return user


def make_item(
    code="04-001",
    *,
    level=ListLevel.CITY,
    district=None,
    self_handle=True,
    attributes=None,
    state=VersionState.PUBLISHED,
    effective_from=START,
    effective_to=None,
    close_level=CloseLevel.GRID,
):
    item = ServiceItem.objects.create(code=code, level=level, district=district)
    version = ServiceItemVersion.objects.create(
        item=item,
        number=1,
        name=f"事项{code}",
        category=Category.DISPUTES_AND_HAZARDS,
        department="law_enforcement",
        self_handle=self_handle,
        attributes=attributes or [],
        state=state,
        effective_from=effective_from,
        effective_to=effective_to,
    )
    limits = {
        Grade.GENERAL: (Decimal(2), TimeUnit.WORKING_HOUR, Decimal(3), TimeUnit.WORKING_DAY),
        Grade.SERIOUS: (Decimal(2), TimeUnit.WORKING_HOUR, Decimal(2), TimeUnit.WORKING_DAY),
        Grade.MAJOR: (Decimal(1), TimeUnit.WORKING_HOUR, Decimal(1), TimeUnit.WORKING_DAY),
        Grade.EMERGENCY: (Decimal(1), TimeUnit.NATURAL_HOUR, Decimal(4), TimeUnit.NATURAL_HOUR),
    }
    for grade, (al, au, cl, cu) in limits.items():
        HandlingRule.objects.create(
            version=version,
            grade=grade,
            accept_limit=al,
            accept_unit=au,
            complete_limit=cl,
            complete_unit=cu,
            warning_ratio=Decimal("0.75"),
            close_level=close_level if grade == Grade.GENERAL else CloseLevel.TOWNSHIP,
        )
    if state == VersionState.PUBLISHED:
        item.current_version = version
        item.save()
    return item


@dataclass
class World:
    tree: Tree
    item: ServiceItem
    township_office: Organisation
    authority: Organisation
    unit: Organisation
    unit2: Organisation
    other_unit: Organisation
    worker: object
    leader: object
    worker2: object
    micro_leader: object
    dispatcher: object
    dispatcher2: object
    supervisor: object
    handler: object
    handler2: object
    other_handler: object
    other_worker: object
    outsider: object

    def report(self, actor=None, **kw):
        from events.services import event_report

        kw.setdefault("area", self.tree.grid)
        kw.setdefault("item", self.item)
        kw.setdefault("title", "楼道堆放杂物")
        kw.setdefault("description", "3 号楼楼道堆放大量纸箱，存在消防隐患。")
        kw.setdefault("discovered_at", timezone.now() - datetime.timedelta(hours=1))
        return event_report(actor=actor or self.worker, **kw)


def make_world() -> World:
    tree = make_tree()
    office = Organisation.objects.create(name="南门街道办事处", kind=OrgKind.TOWNSHIP_OFFICE, area=tree.township)
    office2 = Organisation.objects.create(name="江厦街道办事处", kind=OrgKind.TOWNSHIP_OFFICE, area=tree.township2)
    authority = Organisation.objects.create(
        name="海曙区网格化主管单位", kind=OrgKind.AUTHORITY, department="grid_authority", area=tree.county
    )
    unit = Organisation.objects.create(
        name="海曙区综合行政执法局", kind=OrgKind.DEPARTMENT, department="law_enforcement", area=tree.county
    )
    unit2 = Organisation.objects.create(
        name="海曙区住建局", kind=OrgKind.DEPARTMENT, department="housing", area=tree.county
    )
    other_unit = Organisation.objects.create(name="江北区司法局", kind=OrgKind.DEPARTMENT, area=tree.county2)
    return World(
        tree=tree,
        item=make_item(),
        township_office=office,
        authority=authority,
        unit=unit,
        unit2=unit2,
        other_unit=other_unit,
        worker=grid_user(tree.grid, GridRole.FULLTIME_WORKER, email="worker@example.org", mobile="13800000001"),
        leader=grid_user(tree.grid, GridRole.GRID_LEADER),
        worker2=grid_user(tree.grid2, GridRole.FULLTIME_WORKER),
        micro_leader=grid_user(tree.micro_grid, GridRole.MICRO_GRID_LEADER),
        dispatcher=member(office, PlatformRole.DISPATCHER, email="dispatcher@example.org"),
        dispatcher2=member(office2, PlatformRole.DISPATCHER),
        supervisor=member(authority, PlatformRole.SUPERVISOR),
        handler=member(unit, PlatformRole.HANDLER, email="handler@example.org"),
        handler2=member(unit2, PlatformRole.HANDLER),
        other_handler=member(other_unit, PlatformRole.HANDLER),
        other_worker=grid_user(tree.other_grid, GridRole.FULLTIME_WORKER),
        outsider=UserFactory(),
    )
