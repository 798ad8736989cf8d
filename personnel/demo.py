"""Demo data of the personnel app: organisations, grid staff and the demo logins.

Runs after `grids.demo` (`manage.py seed_demo`), which draws grids and micro-grids under
海曙区 (330203000000). Deterministic for a given `rng`; a second run adds nothing
(organisations by name per area, staff only for grids that have no assignment yet,
logins by username). Grid staff are bulk-created: their assignments follow the rules of
`personnel.services.validate_assignment` by construction (one leader per grid, each
micro-grid led by a part-time worker of its grid).
"""

import datetime
import os
import time

from django.contrib.auth import get_user_model
from django.utils import timezone

from grids.choices import Level, Status, VillageKind
from grids.models import Area

from . import services
from .choices import Department, GridRole, OrgKind, PlatformRole, Specialty, StaffSource, TrainingTier
from .models import (
    Assignment,
    Membership,
    Organisation,
    ServiceTeam,
    Staff,
    TeamMember,
    Training,
    TrainingSession,
    WorkStation,
)
from .validators import id_check_digit

CITY_CODE = "330200000000"
DEMO_DISTRICT_CODE = "330203000000"  # 海曙区
DEFAULT_PASSWORD = "grid-demo-2026"  # noqa: S105 -- the documented demo password, demo data only

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国红玲斌波宁海燕晨阳慧颖浩然欣怡俊凯婷雪峰"

#: City departments of Art. 4 (plus those the catalogue names): department → name.
CITY_DEPARTMENTS = {
    Department.CIVIL_AFFAIRS: "宁波市民政局",
    Department.AGRICULTURE: "宁波市农业农村局",
    Department.FINANCE: "宁波市财政局",
    Department.HUMAN_RESOURCES: "宁波市人力资源和社会保障局",
    Department.PUBLIC_SECURITY: "宁波市公安局",
    Department.STAFFING: "宁波市机构编制委员会办公室",
    Department.PETITIONS: "宁波市信访局",
    Department.JUSTICE: "宁波市司法局",
    Department.EMERGENCY: "宁波市应急管理局",
    Department.FIRE: "宁波市消防救援支队",
    Department.EDUCATION: "宁波市教育局",
    Department.ECOLOGY: "宁波市生态环境局",
    Department.HEALTH: "宁波市卫生健康委员会",
    Department.LAW_ENFORCEMENT: "宁波市综合行政执法局",
    Department.BIG_DATA: "宁波市大数据发展管理局",
    Department.HOUSING: "宁波市住房和城乡建设局",
    Department.NATURAL_RESOURCES: "宁波市自然资源和规划局",
    Department.MARKET_REGULATION: "宁波市市场监督管理局",
}

#: District departments, as a name pattern on the district's name (e.g. 海曙区司法局).
DISTRICT_DEPARTMENTS = {
    Department.CIVIL_AFFAIRS: "{d}民政局",
    Department.AGRICULTURE: "{d}农业农村局",
    Department.FINANCE: "{d}财政局",
    Department.HUMAN_RESOURCES: "{d}人力资源和社会保障局",
    Department.PUBLIC_SECURITY: "宁波市公安局{s}分局",
    Department.STAFFING: "{d}机构编制委员会办公室",
    Department.PETITIONS: "{d}信访局",
    Department.JUSTICE: "{d}司法局",
    Department.EMERGENCY: "{d}应急管理局",
    Department.FIRE: "{d}消防救援大队",
    Department.EDUCATION: "{d}教育局",
    Department.ECOLOGY: "宁波市生态环境局{s}分局",
    Department.HEALTH: "{d}卫生健康局",
    Department.LAW_ENFORCEMENT: "{d}综合行政执法局",
    Department.BIG_DATA: "{d}大数据发展管理中心",
    Department.HOUSING: "{d}住房和城乡建设局",
    Department.NATURAL_RESOURCES: "宁波市自然资源和规划局{s}分局",
    Department.MARKET_REGULATION: "{d}市场监督管理局",
}

#: Mass organisations (Art. 20) of the demo district.
MASS_ORGANISATIONS = ["{d}总工会", "共青团{d}委员会", "{d}妇女联合会", "{d}志愿者协会"]

#: Demo logins: username → (Chinese full name, what they are).
LOGINS = {
    "gridworker": "周晓燕",
    "gridleader": "陈建国",
    "dispatcher": "王丽娟",
    "handler": "李振华",
    "supervisor": "张海宁",
    "catalogadmin": "刘文博",
    "staffing": "徐静怡",
    "calendaradmin": "孙雅琴",
    "lawyer": "郑振宇",
    "admin": "系统管理员",
}

PARTTIME_SOURCES = [
    StaffSource.PARTY_MEMBER,
    StaffSource.RESIDENT_REPRESENTATIVE,
    StaffSource.GROUP_LEADER,
    StaffSource.BUILDING_HEAD,
    StaffSource.VOLUNTEER,
]


class SeedError(RuntimeError):
    """The demo cannot run (e.g. the grids' demo has not drawn 海曙区's grids)."""


def _person(rng, district_code: str) -> dict:
    """A deterministic fake person: name, valid-format mobile, valid-check-digit ID number, work phone."""
    name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
    mobile = f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
    birth = datetime.date(1965, 1, 1) + datetime.timedelta(days=rng.randrange(35 * 365))
    first17 = f"{district_code[:6]}{birth:%Y%m%d}{rng.randrange(1000):03d}"
    return {
        "name": name,
        "mobile": mobile,
        "id_number": first17 + id_check_digit(first17),
        "work_phone": f"0574-8{rng.randrange(10**7):07d}",
    }


def _committee_name(village: Area) -> str:
    name = village.name
    if name.endswith("委会") or name.endswith("委员会"):
        return name
    if name.endswith("社区"):
        return f"{name}居民委员会"
    if name.endswith("村"):
        return f"{name}村民委员会"
    return f"{name}村（居）民委员会"


def _township_office_name(township: Area) -> str:
    return f"{township.name}办事处" if township.name.endswith("街道") else f"{township.name}人民政府"


def _ensure_orgs(specs: list[tuple[Area, str, str, str]]) -> int:
    """Bulk-create the (area, name, kind, department) organisations that do not exist yet."""
    existing = set(Organisation.objects.values_list("area_id", "name"))
    new = [
        Organisation(area=area, name=name, kind=kind, department=dept)
        for area, name, kind, dept in specs
        if (area.pk, name) not in existing
    ]
    Organisation.objects.bulk_create(new)
    return len(new)


def _organisations(city: Area, districts: list[Area], demo_district: Area) -> int:
    """Authorities, township offices and committees for `districts`; departments for the city and the demo district."""
    specs: list[tuple[Area, str, str, str]] = [
        (city, "宁波市网格化主管单位", OrgKind.AUTHORITY, Department.GRID_AUTHORITY)
    ]
    specs += [(city, name, OrgKind.DEPARTMENT, dept) for dept, name in CITY_DEPARTMENTS.items()]
    short = demo_district.name.removesuffix("区")
    specs += [
        (demo_district, pattern.format(d=demo_district.name, s=short), OrgKind.DEPARTMENT, dept)
        for dept, pattern in DISTRICT_DEPARTMENTS.items()
    ]
    specs += [
        (demo_district, pattern.format(d=demo_district.name), OrgKind.MASS_ORGANISATION, Department.OTHER)
        for pattern in MASS_ORGANISATIONS
    ]
    for district in districts:
        specs.append((district, f"{district.name}网格化主管单位", OrgKind.AUTHORITY, Department.GRID_AUTHORITY))
        for township in Area.objects.within(district).filter(level=Level.TOWNSHIP).order_by("code"):
            specs.append((township, _township_office_name(township), OrgKind.TOWNSHIP_OFFICE, ""))
        for village in Area.objects.within(district).filter(level=Level.VILLAGE).order_by("code"):
            specs.append((village, _committee_name(village), OrgKind.VILLAGE_COMMITTEE, ""))
    return _ensure_orgs(specs)


def _grid_staff(grids: list[Area], rng, today: datetime.date) -> int:
    """Bulk-create a leader, a full-time worker, an instructor and one part-time worker per
    micro-grid (who leads it) for each grid in `grids` that has no assignment yet."""
    staffed = set(Assignment.objects.filter(area__in=grids).values_list("area_id", flat=True))
    grids = [g for g in grids if g.pk not in staffed]
    if not grids:
        return 0
    micro = {}
    for m in Area.objects.filter(parent__in=grids, level=Level.MICRO_GRID).order_by("code"):
        micro.setdefault(m.parent_id, []).append(m)
    committees = {
        o.area_id: o for o in Organisation.objects.filter(kind=OrgKind.VILLAGE_COMMITTEE, area__level=Level.VILLAGE)
    }
    offices = {
        o.area_id: o for o in Organisation.objects.filter(kind=OrgKind.TOWNSHIP_OFFICE, area__level=Level.TOWNSHIP)
    }
    villages = {a.pk: a for a in Area.objects.filter(pk__in={g.parent_id for g in grids})}

    plan: list[tuple[Staff, list[tuple[Area, str, datetime.date]]]] = []
    for grid in grids:
        village = villages[grid.parent_id]
        committee = committees.get(village.pk)
        office = offices.get(village.parent_id)
        rural = village.village_kind == VillageKind.RURAL
        start = datetime.date(2024, 1, 1) + datetime.timedelta(days=rng.randrange(365))

        def person(source, org, duties, grid=grid):
            return Staff(source=source, organisation=org, duties=duties, **_person(rng, grid.code))

        plan.append(
            (
                person(StaffSource.VILLAGE_CADRE if rural else StaffSource.COMMUNITY_WORKER, committee, "统筹网格工作"),
                [(grid, GridRole.GRID_LEADER, start)],
            )
        )
        plan.append(
            (
                person(StaffSource.TOWNSHIP_RECRUIT, committee, "巡查走访、信息采集、事件上报"),
                [(grid, GridRole.FULLTIME_WORKER, start)],
            )
        )
        plan.append(
            (person(StaffSource.GOVERNMENT_CADRE, office, "指导督促网格工作"), [(grid, GridRole.INSTRUCTOR, start)])
        )
        for m in micro.get(grid.pk, []):
            leader = person(rng.choice(PARTTIME_SOURCES), committee, "协助网格工作，负责微网格")
            lapsed = rng.random() < 0.1
            leader.insurance_until = datetime.date(today.year - (1 if lapsed else -1), 12, 31)
            plan.append((leader, [(grid, GridRole.PARTTIME_WORKER, start), (m, GridRole.MICRO_GRID_LEADER, start)]))

    by_district: dict[str, list[Staff]] = {}
    for staff, roles in plan:
        by_district.setdefault(roles[0][0].code[:6], []).append(staff)
    for district_code, members in by_district.items():
        ids = services.work_ids_issue(district_code=district_code, year=today.year, count=len(members))
        for staff, work_id in zip(members, ids, strict=True):
            staff.work_id = work_id
    Staff.objects.bulk_create([s for s, _ in plan], batch_size=2000)
    Assignment.objects.bulk_create(
        [Assignment(staff=s, area=a, role=r, start=st) for s, roles in plan for a, r, st in roles], batch_size=2000
    )
    return len(plan)


def _demo_grid(district: Area) -> Area:
    """The first grid (by code) of the first urban community of `district` that has grids."""
    grid = (
        Area.objects.within(district)
        .filter(level=Level.GRID, status=Status.ACTIVE, parent__village_kind=VillageKind.URBAN)
        .order_by("parent__code", "code")
        .first()
    )
    return grid or Area.objects.within(district).filter(level=Level.GRID).order_by("code").first()


def _login(username: str, password: str, *, superuser: bool = False):
    """Get or create a demo login. The password is set when the login is created only
    (hashing costs seconds; a second `seed_demo` leaves a changed password alone)."""
    user, created = get_user_model().objects.get_or_create(username=username)
    user.first_name = LOGINS[username]
    user.is_active = True
    user.is_staff = superuser
    user.is_superuser = superuser
    if created:
        user.set_password(password)
    user.save()
    return user


def _logins(district: Area, grid: Area, today: datetime.date) -> dict:
    """Create the demo logins, tie them to their staff records and organisations, sync their grants."""
    password = os.environ.get("DEMO_PASSWORD") or DEFAULT_PASSWORD
    users = {name: _login(name, password, superuser=name == "admin") for name in LOGINS}
    on_grid = Assignment.objects.current().filter(area=grid).select_related("staff").order_by("start", "pk")
    for username, role in (("gridworker", GridRole.FULLTIME_WORKER), ("gridleader", GridRole.GRID_LEADER)):
        if on_grid.filter(role=role, staff__user=users[username]).exists():
            continue  # tied on an earlier run; the staff office may have added colleagues since
        first = on_grid.filter(role=role, staff__user__isnull=True).first()
        if first is None:
            continue
        staff = first.staff
        Staff.objects.filter(user=users[username]).exclude(pk=staff.pk).update(user=None)
        staff.user, staff.name = users[username], LOGINS[username]
        staff.save(update_fields=["user", "name"])
    township = grid.ancestor_at(Level.TOWNSHIP)
    memberships = {
        "dispatcher": (Organisation.objects.get(area=township, kind=OrgKind.TOWNSHIP_OFFICE), PlatformRole.DISPATCHER),
        "handler": (
            Organisation.objects.get(area=district, kind=OrgKind.DEPARTMENT, department=Department.JUSTICE),
            PlatformRole.HANDLER,
        ),
        "supervisor": (Organisation.objects.get(area=district, kind=OrgKind.AUTHORITY), PlatformRole.SUPERVISOR),
        "catalogadmin": (
            Organisation.objects.get(area__code=CITY_CODE, kind=OrgKind.AUTHORITY),
            PlatformRole.CATALOG_ADMIN,
        ),
        "staffing": (
            Organisation.objects.get(area__code=CITY_CODE, department=Department.STAFFING),
            PlatformRole.STAFFING_OFFICER,
        ),
        "calendaradmin": (
            Organisation.objects.get(area__code=CITY_CODE, kind=OrgKind.AUTHORITY),
            PlatformRole.CALENDAR_ADMIN,
        ),
    }
    for username, (org, role) in memberships.items():
        user = users[username]
        if not Membership.objects.current().filter(user=user, organisation=org, role=role).exists():
            services.membership_start(actor=None, user=user, organisation=org, role=role, start=today)
        if not Staff.objects.filter(user=user).exists():
            services.staff_create(actor=None, name=LOGINS[username], organisation=org, user=user, **_fixed(username))
    for user in users.values():
        services.grants_sync(user=user)
    return users


def _fixed(username: str) -> dict:
    """Stable fake contact data for a login's staff record."""
    n = sum(map(ord, username)) % 10_000
    first17 = f"330203198{n % 10}0{1 + n % 9}1{n % 10}{n % 1000:03d}"
    return {
        "mobile": f"1390574{n:04d}",
        "id_number": first17 + id_check_digit(first17),
        "work_phone": f"0574-8718{n:04d}",
        "source": StaffSource.GOVERNMENT_CADRE,
    }


def _extras(grid: Area, rng, users: dict) -> None:
    """A service team, a work station and trainings for the demo grid (Art. 20, 21, 24, 25).

    The team's lawyer has the `lawyer` login (`users`: username → User), so a member can
    be invited onto an event (only members with a login can)."""
    village = grid.parent
    committee = Organisation.objects.filter(area=village, kind=OrgKind.VILLAGE_COMMITTEE).first()
    team, created = ServiceTeam.objects.get_or_create(
        name=f"{village.name}网格服务团队", area=village, defaults={"organisation": committee}
    )
    if created:
        duties = {
            Specialty.LAWYER: "每周三下午驻村法律咨询",
            Specialty.MEDIATOR: "调解邻里、家庭纠纷",
            Specialty.POLICE_OFFICER: "社区警务、治安隐患排查",
            Specialty.PSYCHOLOGIST: "每月一次心理疏导服务",
        }
        for specialty, duty in duties.items():
            TeamMember.objects.create(team=team, name=_person(rng, grid.code)["name"], specialty=specialty, duties=duty)
    lawyer = Staff.objects.filter(user=users["lawyer"]).first() or services.staff_create(
        actor=None,
        name=LOGINS["lawyer"],
        area=grid,
        user=users["lawyer"],
        **{**_fixed("lawyer"), "source": StaffSource.VOLUNTEER},
    )
    TeamMember.objects.get_or_create(
        team=team,
        staff=lawyer,
        defaults={"specialty": Specialty.LAWYER, "duties": "法律顾问，受邀参与涉法事件处置"},
    )
    WorkStation.objects.get_or_create(
        area=grid,
        name=f"{grid.name}工作室",
        defaults={
            "address": f"{village.name}党群服务中心",
            "opening_hours": "周一至周五 8:30–17:00",
            "phone": "0574-87000000",
        },
    )
    district = grid.ancestor_at(Level.COUNTY)
    session, created = TrainingSession.objects.get_or_create(
        title="网格员岗前培训",
        area=district,
        date=datetime.date(2025, 3, 15),
        defaults={"tier": TrainingTier.DISTRICT, "hours": 16},
    )
    if created:  # the grid's seeded staff, once: not those the staff office adds later
        staff = Staff.objects.filter(assignments__area=grid).distinct()
        Training.objects.bulk_create([Training(session=session, staff=s) for s in staff])


def seed(*, scale: str, rng, stdout) -> None:
    """Seed organisations, staff for every grid and the demo logins (see module docstring).

    `scale="demo"`: 海曙区 only (its departments, offices, committees, grids' staff).
    `scale="ningbo"`: also the authorities, township offices, committees and grid staff
    of every district (bulk inserts). Raises SeedError if 海曙区 has no grids yet.
    """
    started = time.monotonic()
    today = timezone.localdate()
    city = Area.objects.filter(code=CITY_CODE).first()
    district = Area.objects.filter(code=DEMO_DISTRICT_CODE).first()
    if city is None or district is None or not Area.objects.within(district).filter(level=Level.GRID).exists():
        raise SeedError("personnel demo: no grids under 海曙区 (330203000000); run the grids demo first")
    districts = [district]
    if scale == "ningbo":
        districts = list(Area.objects.filter(level=Level.COUNTY).order_by("code"))
    orgs = _organisations(city, districts, district)
    grids = [
        g
        for d in districts
        for g in Area.objects.within(d).filter(level=Level.GRID, status=Status.ACTIVE).order_by("code")
    ]
    staff = _grid_staff(grids, rng, today)
    grid = _demo_grid(district)
    users = _logins(district, grid, today)
    _extras(grid, rng, users)
    stdout.write(
        f"personnel: {orgs} organisations and {staff} grid staff added for {len(grids)} grids; "
        f"logins {', '.join(LOGINS)} ({time.monotonic() - started:.1f}s)\n"
    )
