"""Grid service teams (网格服务团队, Art. 20): reads and every change of teams and their members.

A team (lawyers, mediators, police officers, psychologists, volunteers …) serves an area
(a district, township, village or grid) and everything under it. The township and the
authorities manage the teams of their area: `dispatch_event` on the team's area
(`MANAGE_TEAMS`: a township's dispatchers' office, the district and city authorities'
supervisors), in the browser (`personnel.team_views`) and over the API
(`/api/v1/teams/`). Everyone who sees the area sees its teams; the public sees names,
specialties and duties on the grid card (`public_members`), never a phone number.

Services take keyword-only arguments and the acting user (`actor`; None for the system),
run in one transaction, and raise `PermissionDenied` or `ValidationError` (field →
Chinese messages), changing nothing when they raise.
"""

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grids.choices import Level
from grids.models import Area

from .choices import Specialty
from .models import Organisation, ServiceTeam, Staff, TeamMember
from .roles import DISPATCH, VIEW
from .scope import authorize, covering_q, granted_nodes, has_area_perm

#: The permission that manages the teams of an area (on the team's area or above).
MANAGE_TEAMS = DISPATCH
NOT_MANAGER = gettext_lazy("只有该区域的乡镇（街道）或网格化主管单位可以管理服务团队。")
#: Levels a team may serve (not the city as a whole, not a micro-grid).
TEAM_LEVELS = (Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE, Level.GRID)
TEAM_FIELDS = ("name", "area", "organisation", "is_active")
MEMBER_FIELDS = ("staff", "name", "specialty", "duties", "work_phone", "is_active")


# --- reads -----------------------------------------------------------------------------


def teams_for(user) -> QuerySet:
    """Teams `user` may see: those serving an area within their `view_area` reach, and those
    serving a node above it (a village's team serves its grids' staff); by area code and name.
    Two queries (the user's nodes, then the teams)."""
    nodes = list(granted_nodes(user, VIEW)) if user is not None and user.is_authenticated else []
    above = Area.objects.get_queryset_ancestors(Area.objects.filter(pk__in=[n.pk for n in nodes])) if nodes else None
    condition = covering_q(user, VIEW, "area")
    if above is not None:
        condition |= Q(area__in=above)
    return ServiceTeam.objects.filter(condition).select_related("area", "organisation").order_by("area__code", "name")


def may_manage(user, team_or_area) -> bool:
    """Whether `user` manages teams at `team_or_area` (a `ServiceTeam` or an `Area`)."""
    area = team_or_area.area if isinstance(team_or_area, ServiceTeam) else team_or_area
    return has_area_perm(user, MANAGE_TEAMS, area)


def _serving(area: Area, prefix: str = "") -> Q:
    """Rows whose team (at `prefix`) serves `area`: the team's area is `area` or one of its ancestors."""
    p = f"{prefix}area__"
    return Q(**{f"{p}tree_id": area.tree_id, f"{p}lft__lte": area.lft, f"{p}rght__gte": area.rght})


def public_members(area: Area) -> list[TeamMember]:
    """Active members of the active teams serving `area` (its own or an ancestor's), for the grid card.

    Each with `team` loaded; ordered by team area depth (nearest team last), team name,
    specialty. Only names, specialties and duties are meant to be shown. One query.
    """
    return list(
        TeamMember.objects.filter(is_active=True, team__is_active=True)
        .filter(_serving(area, "team__"))
        .select_related("team", "team__area", "staff")
        .order_by("team__area__depth", "team__name", "specialty", "pk")
    )


def invitable_members(area: Area) -> QuerySet:
    """Members who may be invited onto an event in `area`: active, in an active team serving
    it, with a platform login (the invitation reaches them through the outbox)."""
    return (
        TeamMember.objects.filter(is_active=True, team__is_active=True, staff__user__isnull=False)
        .filter(_serving(area, "team__"))
        .select_related("team", "staff__user")
        .order_by("team__name", "specialty", "pk")
    )


def team_with_members(team: ServiceTeam) -> ServiceTeam:
    """`team` with `members` prefetched (active first), for the team page and the API."""
    members = TeamMember.objects.select_related("staff").order_by("-is_active", "specialty", "pk")
    return ServiceTeam.objects.prefetch_related(Prefetch("members", queryset=members)).get(pk=team.pk)


# --- changes ---------------------------------------------------------------------------


def _clean_team(fields: dict) -> dict:
    errors: dict[str, list[str]] = {}
    name = (fields.get("name") or "").strip()
    if "name" in fields and not name:
        errors["name"] = [_("请填写团队名称。")]
    area = fields.get("area")
    if area is not None and (area.level not in TEAM_LEVELS or not area.is_active):
        errors["area"] = [_("服务区域须为在用的区（县、市）、乡镇（街道）、村（社区）或网格。")]
    org = fields.get("organisation")
    if (
        org is not None
        and area is not None
        and not (org.is_active and org.area.is_ancestor_of(area, include_self=True))
    ):
        errors["organisation"] = [_("牵头单位须为服务区域或其上级的在用单位。")]
    if errors:
        raise ValidationError(errors)
    return {**fields, "name": name} if "name" in fields else fields


@transaction.atomic
def team_create(*, actor: User | None, name: str, area: Area, organisation: Organisation | None = None) -> ServiceTeam:
    """Create a team serving `area` (Art. 20), optionally led by `organisation`.

    `area`: an active county, township, village or grid node within the actor's
    `MANAGE_TEAMS` reach; `organisation`: active, at `area` or above it. Raises
    PermissionDenied, ValidationError (`name`, `area`, `organisation`).
    """
    authorize(actor, MANAGE_TEAMS, area, message=NOT_MANAGER)
    fields = _clean_team({"name": name, "area": area, "organisation": organisation})
    return ServiceTeam.objects.create(**fields)


@transaction.atomic
def team_update(*, actor: User | None, team: ServiceTeam, **fields) -> ServiceTeam:
    """Change a team's `TEAM_FIELDS`; moving it to another area needs the right there too.

    `is_active=False` retires the team (off the card and the invitation picker). Raises
    PermissionDenied, ValidationError.
    """
    team = ServiceTeam.objects.select_for_update().select_related("area").get(pk=team.pk)
    authorize(actor, MANAGE_TEAMS, team.area, message=NOT_MANAGER)
    unknown = set(fields) - set(TEAM_FIELDS)
    if unknown:
        raise ValidationError({"fields": [_("不可修改：%s") % ", ".join(sorted(unknown))]})
    if "area" in fields:
        authorize(actor, MANAGE_TEAMS, fields["area"], message=NOT_MANAGER)
    fields = _clean_team({"area": team.area, "organisation": team.organisation, **fields})
    for key, value in fields.items():
        setattr(team, key, value)
    team.save()
    return team


def _clean_member(fields: dict) -> dict:
    errors: dict[str, list[str]] = {}
    staff: Staff | None = fields.get("staff")
    name = (fields.get("name") or "").strip()
    if staff is None and not name:
        errors["name"] = [_("请填写姓名，或选择平台人员。")]
    if staff is not None and not staff.is_active:
        errors["staff"] = [_("该人员已停用。")]
    if fields.get("specialty") not in Specialty.values:
        errors["specialty"] = [_("请选择专业身份。")]
    for key, limit in (("duties", 200), ("work_phone", 30), ("name", 50)):
        value = fields.get(key) or ""
        if "\x00" in value:
            errors[key] = [_("不得包含空字符（NUL）。")]
        elif len(value.strip()) > limit:
            errors[key] = [_("最多 %(limit)d 个字。") % {"limit": limit}]
    if errors:
        raise ValidationError(errors)
    return {
        **fields,
        "name": "" if staff is not None else name,
        "duties": (fields.get("duties") or "").strip(),
        "work_phone": (fields.get("work_phone") or "").strip(),
    }


@transaction.atomic
def member_add(
    *,
    actor: User | None,
    team: ServiceTeam,
    specialty: str,
    staff: Staff | None = None,
    name: str = "",
    duties: str = "",
    work_phone: str = "",
) -> TeamMember:
    """Add a member to `team`: a platform staff record (`staff`; invitable onto events when it
    has a login) or just a `name`, with a `specialty` (`Specialty`) and public `duties`
    (at most 200 characters). `work_phone` is kept for staff use, never published.
    Raises PermissionDenied, ValidationError (`name`, `staff`, `specialty`, `duties` …).
    """
    team = ServiceTeam.objects.select_for_update().select_related("area").get(pk=team.pk)
    authorize(actor, MANAGE_TEAMS, team.area, message=NOT_MANAGER)
    fields = _clean_member(
        {"staff": staff, "name": name, "specialty": specialty, "duties": duties, "work_phone": work_phone},
    )
    if staff is not None and team.members.filter(staff=staff, is_active=True).exists():
        raise ValidationError({"staff": [_("该人员已在本团队中。")]})
    return TeamMember.objects.create(team=team, **fields)


@transaction.atomic
def member_update(*, actor: User | None, member: TeamMember, **fields) -> TeamMember:
    """Change a member's `MEMBER_FIELDS`; `is_active=False` takes them out of the team
    (off the card and the invitation picker; past invitations stay). Raises as `member_add`."""
    member = TeamMember.objects.select_for_update().select_related("team__area").get(pk=member.pk)
    authorize(actor, MANAGE_TEAMS, member.team.area, message=NOT_MANAGER)
    unknown = set(fields) - set(MEMBER_FIELDS)
    if unknown:
        raise ValidationError({"fields": [_("不可修改：%s") % ", ".join(sorted(unknown))]})
    current = {name: getattr(member, name) for name in MEMBER_FIELDS}
    if member.staff_id is None and not fields.get("name"):
        current["name"] = member.name
    cleaned = _clean_member(current | fields)
    for key in MEMBER_FIELDS:
        setattr(member, key, cleaned[key])
    member.save()
    return member
