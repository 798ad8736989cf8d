"""The one scenario builder of the suite: `make_world()` and the helpers it is made of.

On `make_tree()` (built without services, codes in the unified format: a city with two
districts, 海曙区 `county` with its townships, villages, grids and a micro-grid, and
江北区 `county2` with `other_grid`): a catalogue item in force with rules for every
grade, the organisations that act on events, and one user per role, each with the
grants `personnel.roles` gives that role on its node. The users the generic contract
checks (tests/api/mixins.py, tests/ui/test_view_contracts.py) speak of:

- in scope: `leader`/`worker` (the grid's own staff), `dispatcher` (the township),
  `supervisor` and `catalog_admin` (the district authority), `handler` (a district
  department);
- outsiders: `other_supervisor`, `other_worker`, `other_handler` (roles in the other
  district only: its rows are theirs, ours are a 404 to them), and `outsider`, signed
  in with no grant and no role at all;
- `superuser`.

`grant()` is the one way a test gives grants by hand (a role's permissions or single
codenames); `grid_user()`/`member()` make a user with a staff record or membership.
`make_staffed_grid()` staffs a grid for the public card (current and former staff, and
personal data that must never show), on the same tree. `make_province()` puts that
tree's city under a province beside a second city (province-level scope).
"""

import datetime
import itertools
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import Permission
from django.utils import timezone

from catalog.choices import Category, CloseLevel, Grade, ListLevel, TimeUnit, VersionState
from catalog.models import HandlingRule, ItemExit, ServiceItem, ServiceItemVersion
from evaluation.choices import SubjectKind
from evaluation.models import Period, Scheme
from events.services import event_report
from grids.choices import GridType, Level, VillageKind
from grids.models import Area
from grids.treebuild import bulk_insert
from integrations import services as integrations_services
from personnel.choices import GridRole, OrgKind, PlatformRole
from personnel.models import AreaGrant, Assignment, Membership, Organisation, Staff
from personnel.roles import ROLE_PERMISSIONS
from tests.factories import UserFactory

_counter = itertools.count(1)
_numbers = itertools.count(1)


def make_area(parent: Area | None, level: str, name: str | None = None, suffix: int | None = None, **fields) -> Area:
    """Create one node under `parent` with a code in the unified format for `level`."""
    n = suffix or next(_counter)
    if level == Level.CITY:
        code = "330200000000"
    elif level == Level.COUNTY:
        code = f"3302{n:02d}000000"
    elif level == Level.TOWNSHIP:
        code = parent.code[:6] + f"{n:03d}000"
    elif level == Level.VILLAGE:
        code = parent.code[:9] + f"{n:03d}"
    else:
        code = parent.code + f"{n:03d}"
    if level == Level.VILLAGE:
        fields.setdefault("village_kind", VillageKind.URBAN)
    if level in (Level.GRID, Level.MICRO_GRID):
        fields.setdefault("grid_type", GridType.URBAN)
        fields.setdefault("households", 400 if level == Level.GRID else 50)
    return Area.objects.create(parent=parent, level=level, code=code, name=name or f"{level}-{code}", **fields)


@dataclass
class Tree:
    """Handles on the nodes of `make_tree()`; `*2` nodes are the siblings / other district."""

    city: Area
    county: Area
    county2: Area
    township: Area
    township2: Area
    village: Area
    village2: Area
    grid: Area
    grid2: Area
    micro_grid: Area
    other_grid: Area  # a grid in the other district

    def refresh(self) -> "Tree":
        for name in self.__dataclass_fields__:
            getattr(self, name).refresh_from_db()
        return self


def make_tree() -> Tree:
    """A small two-district tree (see module docstring); returns fresh handles."""
    city = make_area(None, Level.CITY, "宁波市")
    county = make_area(city, Level.COUNTY, "海曙区", suffix=3)
    county2 = make_area(city, Level.COUNTY, "江北区", suffix=5)
    township = make_area(county, Level.TOWNSHIP, "南门街道", suffix=1)
    township2 = make_area(county, Level.TOWNSHIP, "江厦街道", suffix=2)
    village = make_area(township, Level.VILLAGE, "尹江岸社区", suffix=1)
    village2 = make_area(township, Level.VILLAGE, "南门社区", suffix=2)
    grid = make_area(village, Level.GRID, "尹江岸第一网格", suffix=1)
    grid2 = make_area(village, Level.GRID, "尹江岸第二网格", suffix=2)
    micro_grid = make_area(grid, Level.MICRO_GRID, "尹江岸第一网格1号微网格", suffix=1)
    other_township = make_area(county2, Level.TOWNSHIP, "中马街道", suffix=1)
    other_village = make_area(other_township, Level.VILLAGE, "中马社区", suffix=1)
    other_grid = make_area(other_village, Level.GRID, "中马第一网格", suffix=1)
    make_area(township2, Level.VILLAGE, "江厦社区", suffix=1)
    return Tree(
        city=city,
        county=county,
        county2=county2,
        township=township,
        township2=township2,
        village=village,
        village2=village2,
        grid=grid,
        grid2=grid2,
        micro_grid=micro_grid,
        other_grid=other_grid,
    ).refresh()


@dataclass
class Province:
    """`make_province()`: `make_tree()`'s Ningbo placed under 浙江省 beside 杭州市's one branch."""

    province: Area
    hangzhou: Area
    hangzhou_village: Area
    tree: Tree


def make_province() -> Province:
    """A province tree: 浙江省 → 宁波市 (all of `make_tree()`) and 杭州市 → 上城区 → 湖滨街道 →
    东坡路社区, placed as a province import places them (`grids.treebuild.bulk_insert`:
    Ningbo's city re-parented, numbers spaced after each township)."""
    tree = make_tree()
    province = Area(code="330000000000", name="浙江省", level=Level.PROVINCE)
    city = Area(code="330100000000", name="杭州市", level=Level.CITY, parent=province)
    county = Area(code="330102000000", name="上城区", level=Level.COUNTY, parent=city)
    township = Area(code="330102001000", name="湖滨街道", level=Level.TOWNSHIP, parent=county)
    village = Area(
        code="330102001001", name="东坡路社区", level=Level.VILLAGE, parent=township, village_kind=VillageKind.URBAN
    )
    bulk_insert([province, city, county, township, village], reparent={tree.city.code: province.code})
    return Province(
        province=Area.objects.get(pk=province.pk),
        hangzhou=Area.objects.get(pk=city.pk),
        hangzhou_village=Area.objects.get(pk=village.pk),
        tree=tree.refresh(),
    )


START = datetime.date(2020, 1, 1)
_work_ids = iter(range(1, 10**6))


def grant(user, area, *roles_or_codenames: str) -> None:
    """Give `user` grants on `area` (covering its subtree), as `personnel.services.grants_sync` would.

    Each argument is a role (`personnel.roles.ROLE_PERMISSIONS`: all its permissions)
    or a single `grids.Area` codename (e.g. "view_area"). Granting twice is harmless.
    """
    codenames: set[str] = set()
    for name in roles_or_codenames:
        codenames |= ROLE_PERMISSIONS.get(name, {name})
    for permission in Permission.objects.filter(content_type__app_label="grids", codename__in=codenames):
        AreaGrant.objects.get_or_create(user=user, permission=permission, content_object=area)
    missing = codenames - set(Permission.objects.filter(codename__in=codenames).values_list("codename", flat=True))
    assert not missing, f"unknown role or permission: {sorted(missing)}"


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
    catalog_admin: object
    handler: object
    handler2: object
    other_handler: object
    other_worker: object
    other_authority: Organisation
    other_supervisor: object
    outsider: object
    superuser: object

    def report(self, actor=None, **kw):
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
    other_authority = Organisation.objects.create(
        name="江北区网格化主管单位", kind=OrgKind.AUTHORITY, department="grid_authority", area=tree.county2
    )
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
        catalog_admin=member(authority, PlatformRole.CATALOG_ADMIN),
        handler=member(unit, PlatformRole.HANDLER, email="handler@example.org"),
        handler2=member(unit2, PlatformRole.HANDLER),
        other_handler=member(other_unit, PlatformRole.HANDLER),
        other_worker=grid_user(tree.other_grid, GridRole.FULLTIME_WORKER),
        other_authority=other_authority,
        other_supervisor=member(other_authority, PlatformRole.SUPERVISOR),
        outsider=UserFactory(),
        superuser=UserFactory(username="root", is_superuser=True, is_staff=True),
    )


# --- rows in and out of the supervisor's district (the contract checks' `make_rows`) ----
#
# Each takes `(world, n, in_scope)` and returns `n` new rows: in scope, the supervisor's
# (and catalogue administrator's) district 海曙区; out of scope, the other district.
# Names carry a unique number ending in 号, so a page showing one never contains another.


def make_staff(world, n, in_scope):
    """Staff with a part-time role on `grid2`, or on the other district's grid."""
    area = world.tree.grid2 if in_scope else world.tree.other_grid
    rows = []
    for _ in range(n):
        number = next(_numbers)
        staff = Staff.objects.create(name=f"测试人员{number}号", work_id=f"T{number:07d}")
        Assignment.objects.create(staff=staff, area=area, role=GridRole.PARTTIME_WORKER, start=START)
        rows.append(staff)
    return rows


def make_teams(world, n, in_scope):
    """Service teams serving the village of `grid`, or the other district's grid (Art. 20)."""
    from personnel.models import ServiceTeam

    area = world.tree.village if in_scope else world.tree.other_grid
    return [ServiceTeam.objects.create(name=f"测试服务团队{next(_numbers)}号", area=area) for _ in range(n)]


def make_district_items(world, n, in_scope):
    """Published district catalogue items of 海曙区, or of 江北区."""
    district = world.tree.county if in_scope else world.tree.county2
    return [make_item(f"05-{next(_numbers):03d}", level=ListLevel.DISTRICT, district=district) for _ in range(n)]


def make_item_exits(world, n, in_scope):
    """Exit proposals of new district items (see `make_district_items`)."""
    return [ItemExit.objects.create(item=item, reasons="职责调整") for item in make_district_items(world, n, in_scope)]


def make_periods(world, n, in_scope):
    """Open evaluation periods, each of a scheme of its own, of the district authority or the other one."""
    authority = world.authority if in_scope else world.other_authority
    rows = []
    for _ in range(n):
        scheme = Scheme.objects.create(
            authority=authority, name=f"测试方案{next(_numbers)}号", subject_kind=SubjectKind.TOWNSHIP
        )
        rows.append(
            Period.objects.create(scheme=scheme, start=datetime.date(2026, 10, 1), end=datetime.date(2026, 10, 31))
        )
    return rows


def make_events(world, n, in_scope):
    """Events reported by the grid's worker on `grid`, or by the other district's worker."""
    grid, worker = (world.tree.grid, world.worker) if in_scope else (world.tree.other_grid, world.other_worker)
    found = timezone.now() - datetime.timedelta(hours=1)
    return [
        event_report(
            actor=worker,
            area=grid,
            item=world.item,
            title=f"测试事件{next(_numbers)}号",
            description="描述",
            discovered_at=found,
        )
        for _ in range(n)
    ]


def make_api_clients(world, n, in_scope):
    """API clients of the district department `unit`, or of the other district's."""
    organisation = world.unit if in_scope else world.other_unit
    return [
        integrations_services.api_client_create(
            actor=world.superuser, organisation=organisation, name=f"测试系统{next(_numbers)}号", scopes=["read"]
        ).client
        for _ in range(n)
    ]


def make_responses(world, n, in_scope):
    """Emergency responses for the supervisor's district, or for the other district: the
    last active, the earlier ones ended (one typhoon response may be active per area)."""
    from django.utils import timezone

    from emergency.choices import ResponseStatus
    from emergency.models import Response
    from emergency.services import response_activate

    actor, area = (world.supervisor, world.tree.county) if in_scope else (world.other_supervisor, world.tree.county2)
    rows = []
    for _ in range(n):
        Response.objects.filter(area=area, status=ResponseStatus.ACTIVE).update(
            status=ResponseStatus.ENDED, ended_at=timezone.now()
        )
        rows.append(
            response_activate(
                actor=actor,
                area=area,
                hazard="typhoon",
                level="IV",
                title=f"测试响应{next(_numbers)}号",
                instructions="x",
            )
        )
    return rows


# --- a staffed grid for the public card -------------------------------------------------

#: Personal data that must never appear on a public page.
LEADER_MOBILE = "13900001111"
LEADER_ID_NUMBER = "330203198001011234"


@dataclass
class StaffedGrid:
    tree: Tree
    grid: Area
    worker_user: object  # the full-time worker's login ("gridworker")
    dispatcher_user: object  # a township dispatcher with no grid role


def _staff(name: str, work_id: str, **fields) -> Staff:
    return Staff.objects.create(name=name, work_id=work_id, **fields)


def make_staffed_grid() -> StaffedGrid:
    """`tree.grid` with a current leader, full-time worker and instructor, plus people who
    must NOT be on its card: a worker who left yesterday and a part-time worker."""
    tree = make_tree()
    today = timezone.localdate()
    long_ago = today - datetime.timedelta(days=400)
    Area.objects.filter(pk=tree.township.pk).update(supervision_phone="0574-87150000")
    Area.objects.filter(pk=tree.grid.pk).update(area_description="尹江路以东、望春桥以南，共12个小区。")
    grid = Area.objects.get(pk=tree.grid.pk)

    worker_user = UserFactory(username="gridworker", first_name="李专职")
    leader = _staff(
        "张网格长",
        "NB0001",
        work_phone="0574-87001111",
        mobile=LEADER_MOBILE,
        id_number=LEADER_ID_NUMBER,
        duties="统筹本网格服务管理工作",
    )
    worker = _staff("李专职", "NB0002", user=worker_user, work_phone="0574-87002222", mobile="13900002222")
    instructor = _staff("王指导", "NB0003", work_phone="0574-87003333", duties="指导、督促网格工作")
    former = _staff("赵离任", "NB0004", work_phone="0574-87004444")
    parttime = _staff("钱兼职", "NB0005", work_phone="0574-87005555")
    for staff, role, end in [
        (leader, GridRole.GRID_LEADER, None),
        (worker, GridRole.FULLTIME_WORKER, None),
        (instructor, GridRole.INSTRUCTOR, None),
        (former, GridRole.FULLTIME_WORKER, today - datetime.timedelta(days=1)),
        (parttime, GridRole.PARTTIME_WORKER, None),
    ]:
        Assignment.objects.create(staff=staff, area=grid, role=role, start=long_ago, end=end)

    office = Organisation.objects.create(name="南门街道办事处", kind=OrgKind.TOWNSHIP_OFFICE, area=tree.township)
    dispatcher_user = UserFactory(username="dispatcher")
    Membership.objects.create(user=dispatcher_user, organisation=office, role=PlatformRole.DISPATCHER, start=long_ago)
    return StaffedGrid(tree=tree, grid=grid, worker_user=worker_user, dispatcher_user=dispatcher_user)


def make_team_member(area, *, name="周律师", specialty="lawyer", duties="每周三下午法律咨询", mobile="13900009999"):
    """A service team serving `area` (Art. 20) with one member who has a platform login
    (invitable onto events) and a private mobile number that must never show on the card."""
    from personnel.models import ServiceTeam, TeamMember

    user = UserFactory(email=f"team{next(_counter)}@example.org")
    staff = _staff(name, f"T{next(_work_ids):06d}", user=user, mobile=mobile, work_phone="0574-87009999")
    team = ServiceTeam.objects.create(name=f"{area.name}服务团队", area=area)
    return TeamMember.objects.create(team=team, staff=staff, specialty=specialty, duties=duties)
