"""Organisations, grid staff, their roles and the object grants that scope them.

Every user acts for an organisation over a jurisdiction (a node of the area tree).
Grid roles (`Assignment`) sit on grid nodes; platform roles (`Membership`) on an
organisation, whose `area` is its jurisdiction. Both are turned into django-guardian
object permissions on tree nodes (`AreaGrant`), which `personnel.reach` (imported here)
and `personnel.scope` (which imports this module) read so that a grant on a node covers
its whole subtree.
"""

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from guardian.models import UserObjectPermissionBase

from grids.models import Area
from ningbo_grid.crypto import BlindIndexField, EncryptedField

from .choices import (
    AccessedField,
    Department,
    GridRole,
    OrgKind,
    PersonalField,
    PlatformRole,
    Specialty,
    StaffSource,
    TrainingTier,
    WorkingPattern,
)
from .reach import covering_q, reaches_nothing
from .validators import normalise_id_number, normalise_mobile, validate_id_number, validate_mobile

#: `restrict(user, action)` actions and the Area permission each one needs.
ACTION_PERMS = {"view": "view_area", "change": "change_area"}


def _action_perm(action: str) -> str:
    """Map a `restrict` action ("view", "change") or an Area codename to the codename."""
    return ACTION_PERMS.get(action, action)


class OrganisationQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view") -> "OrganisationQuerySet":
        """Organisations the user may see (or act on): one query whatever the grants.

        In reach: organisations whose jurisdiction lies within the user's reach for the
        action's permission (`personnel.scope`), plus, for "view", the user's own units
        (current memberships of any role, the organisation of their staff record), so a
        handler (who holds no area grant) still sees their own department.
        """
        perm = _action_perm(action)
        q = covering_q(user, perm, "area")
        if action == "view" and not reaches_nothing(user) and not user.is_superuser:
            own_units = Membership.objects.current().filter(user_id=user.pk).values("organisation_id")
            own_org = Staff.objects.filter(user_id=user.pk, organisation__isnull=False).values("organisation_id")
            q |= Q(pk__in=own_units) | Q(pk__in=own_org)
        return self.filter(q)


class Organisation(models.Model):
    """An authority, township office, village committee, department or mass organisation.

    `area` is its jurisdiction (Art. 4, 5): the city or a district for an authority and
    city/district departments, a township for a township office or township-level
    department, a village for a committee. `department` names the line of work of a
    handling unit (Art. 4); it is `grid_authority` for authorities.
    """

    name = models.CharField(_("名称"), max_length=120)
    kind = models.CharField(_("类型"), max_length=20, choices=OrgKind.choices, db_index=True)
    department = models.CharField(_("部门"), max_length=24, choices=Department.choices, blank=True, db_index=True)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="organisations", verbose_name=_("辖区"))
    phone = models.CharField(_("办公电话"), max_length=30, blank=True)
    is_active = models.BooleanField(_("有效"), default=True)
    working_pattern = models.CharField(
        _("工作时间"),
        max_length=16,
        choices=WorkingPattern.choices,
        default=WorkingPattern.CALENDAR,
        help_text=_("派遣给本单位的事件按此计算签收、办结时限。"),
    )

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("组织")
        verbose_name_plural = _("组织")
        ordering = ["area__code", "kind", "name"]
        constraints = [models.UniqueConstraint(fields=["area", "name"], name="org_unique_name_in_area")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_handling_unit(self) -> bool:
        """Departments, township offices and committees may receive dispatched events (Art. 17)."""
        return self.kind in (OrgKind.DEPARTMENT, OrgKind.TOWNSHIP_OFFICE, OrgKind.VILLAGE_COMMITTEE)


class StaffQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view") -> "StaffQuerySet":
        """Staff records within the user's reach: one query however many grants they hold.

        A staff member is in reach for `action` ("view" → `view_area`, "change" →
        `change_area`, or any Area permission codename such as `view_personal_data`) when
        one of their assignments, current or past, sits on a node within the user's
        reach, or their organisation's jurisdiction does. For "view" a user also sees
        their own record and, as a handler, the staff of their own organisation (handlers
        hold no area grant; see `personnel.scope`).
        """
        perm = _action_perm(action)
        if reaches_nothing(user):
            return self.none()
        if user.is_superuser:
            return self.all()
        on_assignment = Assignment.objects.filter(staff_id=OuterRef("pk")).filter(covering_q(user, perm, "area"))
        q = Q(Exists(on_assignment)) | covering_q(user, perm, "organisation__area")
        if action == "view":
            q |= Q(user_id=user.pk) | Q(organisation_id__in=Membership.objects.unit_ids(user, PlatformRole.HANDLER))
        return self.filter(q)

    def holding(self, role: str, on=None) -> "StaffQuerySet":
        """Staff with a current assignment of grid `role` (on local date `on`, default today)."""
        return self.filter(Exists(Assignment.objects.current(on).filter(staff_id=OuterRef("pk"), role=role)))


class Staff(models.Model):
    """A grid service staff member or platform user's personal record (Art. 8, 16).

    `mobile` and `id_number` are personal data: encrypted at rest (SM4-GCM,
    `ningbo_grid.crypto`) with a keyed hash each for exact look-up (a person registered
    twice), shown masked unless the viewer holds `view_personal_data` and states a
    purpose (see `personnel.services.staff_unmask`).
    `work_phone` is the deliberately public number printed on the grid card (Art. 10).
    `work_id` is the work ID card number issued by the system (Art. 16), never reused.
    `insurance_until` is the last day of accident insurance cover (Art. 23).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="staff"
    )
    name = models.CharField(_("姓名"), max_length=50)
    mobile = EncryptedField(
        _("手机号码"), hash_field="mobile_hash", normalise=normalise_mobile, validators=[validate_mobile]
    )
    mobile_hash = BlindIndexField()
    id_number = EncryptedField(
        _("身份证号码"), hash_field="id_number_hash", normalise=normalise_id_number, validators=[validate_id_number]
    )
    id_number_hash = BlindIndexField()
    work_id = models.CharField(_("工作证件编号"), max_length=20, unique=True)
    work_phone = models.CharField(_("工作电话（公开）"), max_length=30, blank=True)
    source = models.CharField(_("人员来源"), max_length=30, choices=StaffSource.choices, blank=True)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="staff", verbose_name=_("所属单位")
    )
    duties = models.TextField(_("工作职责"), blank=True)
    insurance_until = models.DateField(_("意外险到期日"), null=True, blank=True)
    is_active = models.BooleanField(_("在岗"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = StaffQuerySet.as_manager()

    class Meta:
        verbose_name = _("网格服务管理人员")
        verbose_name_plural = _("网格服务管理人员")
        ordering = ["work_id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.work_id}）"


class AssignmentQuerySet(models.QuerySet):
    def current(self, on=None) -> "AssignmentQuerySet":
        """Assignments in force on date `on` (local date; default today)."""
        from django.utils import timezone

        on = on or timezone.localdate()
        return self.filter(Q(start__lte=on), Q(end__isnull=True) | Q(end__gte=on))


class Assignment(models.Model):
    """A staff member's role on a grid or micro-grid node, from `start` to `end` (Art. 8, 15).

    Dates are local calendar dates, both inclusive; `end` empty means open-ended. Rows
    are kept after they end, so a grid's past staff stay visible. A grid has at most one
    open grid-leader assignment (database constraint).
    """

    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("人员"))
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("网格"))
    role = models.CharField(_("角色"), max_length=20, choices=GridRole.choices)
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"), null=True, blank=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("网格任职")
        verbose_name_plural = _("网格任职")
        ordering = ["area__code", "role", "-start"]
        constraints = [
            models.UniqueConstraint(
                fields=["area"],
                condition=Q(role=GridRole.GRID_LEADER, end__isnull=True),
                name="one_open_grid_leader_per_grid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.staff.name} {self.get_role_display()} {self.area.name}"


class MembershipQuerySet(models.QuerySet):
    def current(self, on=None) -> "MembershipQuerySet":
        from django.utils import timezone

        on = on or timezone.localdate()
        return self.filter(Q(start__lte=on), Q(end__isnull=True) | Q(end__gte=on))

    def unit_ids(self, user, role: str) -> "MembershipQuerySet":
        """Ids of the organisations for which `user` currently holds platform `role` (a values queryset)."""
        if reaches_nothing(user):
            return self.none().values("organisation_id")
        return self.current().filter(user_id=user.pk, role=role).values("organisation_id")


class Membership(models.Model):
    """A user's platform role for an organisation (dispatcher, handler, supervisor …).

    The role's reach is the organisation's `area` subtree, except for handlers, who see
    what is dispatched to their organisation. Dates as for `Assignment`.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("组织")
    )
    role = models.CharField(_("角色"), max_length=20, choices=PlatformRole.choices)
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"), null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("平台角色")
        verbose_name_plural = _("平台角色")
        ordering = ["organisation__name", "role"]

    def __str__(self) -> str:
        return f"{self.user} {self.get_role_display()} {self.organisation}"


class AreaGrant(UserObjectPermissionBase):
    """A django-guardian object permission of a user on an area node (direct foreign key).

    Maintained by `personnel.services.grants_sync` from current assignments and
    memberships; never edited by hand. A grant on a node covers its subtree.
    """

    content_object = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="grants")

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("辖区授权")
        verbose_name_plural = _("辖区授权")


class WorkIdCounter(models.Model):
    """The last sequence number issued per work-ID prefix (Art. 16).

    Work IDs are `NB` + the district's 6-digit code + the year + a 5-digit sequence.
    The counter only ever grows (`personnel.services.work_ids_issue` bumps it under a row
    lock), so a number is never issued twice, even after a staff record is deleted.
    """

    prefix = models.CharField(max_length=16, unique=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("工作证件编号序列")
        verbose_name_plural = _("工作证件编号序列")

    def __str__(self) -> str:
        return f"{self.prefix} {self.last}"


class TrainingSession(models.Model):
    """A training session (Art. 21 分级培训) organised at one level, with its attendees.

    `area` is the organiser's node and matches `tier`: the city for a city-level session,
    a district for a district-level one, a township for a township-level one
    (`personnel.records.training_session_create` checks it). `date` is the local
    (Beijing) calendar date it was held; `hours` clock hours. Who attended: `Training` rows.
    """

    title = models.CharField(_("培训名称"), max_length=200)
    tier = models.CharField(_("培训层级"), max_length=10, choices=TrainingTier.choices)
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="training_sessions", verbose_name=_("组织辖区")
    )
    date = models.DateField(_("培训日期"))
    hours = models.DecimalField(_("学时（小时）"), max_digits=5, decimal_places=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("培训班次")
        verbose_name_plural = _("培训班次")
        ordering = ["-date", "id"]

    def __str__(self) -> str:
        return f"{self.date} {self.title}"


class Training(models.Model):
    """One staff member's attendance of a training session (Art. 21): their training record."""

    session = models.ForeignKey(
        TrainingSession, on_delete=models.CASCADE, related_name="attendances", verbose_name=_("培训班次")
    )
    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="trainings", verbose_name=_("人员"))

    class Meta:
        verbose_name = _("培训记录")
        verbose_name_plural = _("培训记录")
        ordering = ["-session__date", "id"]
        constraints = [models.UniqueConstraint(fields=["session", "staff"], name="training_once_per_session")]

    def __str__(self) -> str:
        return f"{self.staff.name} {self.session.title}"


class Commendation(models.Model):
    """A commendation (褒奖) given to a staff member (Art. 25), by whom and when (local date).

    `is_public`: also shown on the public grid card while the person serves there.
    """

    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="commendations", verbose_name=_("人员"))
    title = models.CharField(_("荣誉名称"), max_length=200)
    awarded_by = models.CharField(_("授予单位"), max_length=120)
    date = models.DateField(_("授予日期"))
    note = models.TextField(_("说明"), blank=True)
    is_public = models.BooleanField(_("在网格公示卡上公开"), default=False)

    class Meta:
        verbose_name = _("褒奖记录")
        verbose_name_plural = _("褒奖记录")
        ordering = ["-date", "id"]

    def __str__(self) -> str:
        return f"{self.staff.name} {self.title}"


class ServiceTeam(models.Model):
    """A grid service team (网格服务团队, Art. 20) serving an area, optionally led by an organisation."""

    name = models.CharField(_("团队名称"), max_length=120)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="service_teams", verbose_name=_("服务区域"))
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="service_teams",
        verbose_name=_("牵头单位"),
    )
    is_active = models.BooleanField(_("有效"), default=True)

    class Meta:
        verbose_name = _("网格服务团队")
        verbose_name_plural = _("网格服务团队")
        ordering = ["area__code", "name"]

    def __str__(self) -> str:
        return self.name


class TeamMember(models.Model):
    """A member of a service team: a staff record or just a name, with a specialty (Art. 20).

    `duties` is public (the grid card shows names, specialties and duties, never a
    phone number). A member with a staff record that has a platform login may be invited
    onto an event (`events` step `invite`). Members leave a team by `is_active=False`
    (their invitations stay on the events' timelines); written by `personnel.teams`.
    """

    team = models.ForeignKey(ServiceTeam, on_delete=models.CASCADE, related_name="members", verbose_name=_("团队"))
    staff = models.ForeignKey(
        Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="team_memberships", verbose_name=_("人员")
    )
    name = models.CharField(_("姓名"), max_length=50, blank=True, help_text=_("非平台人员填写姓名。"))
    specialty = models.CharField(_("专业身份"), max_length=24, choices=Specialty.choices)
    work_phone = models.CharField(_("工作电话"), max_length=30, blank=True)
    duties = models.CharField(_("服务职责"), max_length=200, blank=True, help_text=_("在网格公示卡上公开。"))
    is_active = models.BooleanField(_("在队"), default=True)

    class Meta:
        verbose_name = _("团队成员")
        verbose_name_plural = _("团队成员")
        ordering = ["team", "specialty", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(staff__isnull=False) | ~Q(name=""), name="team_member_staff_or_name"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.staff.name if self.staff_id else self.name


class PersonalDataAccess(models.Model):
    """One unmasking of personal data (Art. 10, 16, 19; PIPL): who, whose, what, when, why; never the value.

    The subject is either a staff member (`staff`: their mobile or ID number, written by
    `personnel.services.staff_unmask`) or the citizen behind a demand or complaint
    (`event`: its contact name and phone, written by
    `events.services.event_contact_unmask`); exactly one of the two is set, and the
    field matches it (database constraint). Or a resident of the ledgers (`resident`,
    `ledgers.services`: a reveal of their ID number or mobile, an exact-ID search, which
    may find no one, or an export of personal data, whose `purpose` says what was
    exported). Read-only in the admin.
    `at` is an aware datetime (stored UTC).
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="personal_data_accesses",
        verbose_name=_("查看人"),
    )
    staff = models.ForeignKey(
        Staff,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="data_accesses",
        verbose_name=_("被查看人员"),
    )
    event = models.ForeignKey(
        "events.Event",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contact_accesses",
        verbose_name=_("诉求事件"),
    )
    resident = models.ForeignKey(
        "ledgers.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="data_accesses",
        verbose_name=_("被查看居民"),
    )
    field = models.CharField(_("字段"), max_length=12, choices=AccessedField.choices)
    purpose = models.CharField(_("查看事由"), max_length=200)
    at = models.DateTimeField(_("查看时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("个人信息查看记录")
        verbose_name_plural = _("个人信息查看记录")
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(staff__isnull=False, event__isnull=True, field__in=PersonalField.values)
                    | Q(staff__isnull=True, event__isnull=False, field=AccessedField.CONTACT)
                    # a resident (ledgers): a reveal, or an ID search / export (subject may be none)
                    | Q(
                        staff__isnull=True,
                        event__isnull=True,
                        field__in=[*PersonalField.values, AccessedField.ID_SEARCH, AccessedField.EXPORT],
                    )
                ),
                name="personal_data_access_one_subject",
            ),
        ]

    def __str__(self) -> str:
        if self.staff_id:
            subject = self.staff.name
        elif self.event_id:
            subject = self.event.number
        else:
            subject = self.resident.name if self.resident_id else ""
        return f"{self.actor} {subject} {self.get_field_display()}"


class WorkStation(models.Model):
    """A grid work station (工作站（室）, Art. 24): where the grid's staff can be found.

    Shown on the public grid card (`grids.public`): name, address, opening hours and the
    station's public phone.
    """

    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="work_stations", verbose_name=_("网格"))
    name = models.CharField(_("名称"), max_length=120)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    opening_hours = models.CharField(_("开放时间"), max_length=100, blank=True)
    phone = models.CharField(_("联系电话（公开）"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("网格工作站")
        verbose_name_plural = _("网格工作站")
        ordering = ["area__code", "name"]

    def __str__(self) -> str:
        return self.name
