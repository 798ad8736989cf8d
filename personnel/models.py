"""Organisations, grid staff, their roles and the object grants that scope them.

Every user acts for an organisation over a jurisdiction (a node of the area tree).
Grid roles (`Assignment`) sit on grid nodes; platform roles (`Membership`) on an
organisation, whose `area` is its jurisdiction. Both are turned into django-guardian
object permissions on tree nodes (`AreaGrant`), which `personnel.scope` reads so that a
grant on a node covers its whole subtree.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from guardian.models import UserObjectPermissionBase

from grids.models import Area

from .choices import Department, GridRole, OrgKind, PlatformRole, StaffSource


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


class Staff(models.Model):
    """A grid service staff member or platform user's personal record (Art. 8, 16).

    `mobile` and `id_number` are personal data: shown masked unless the viewer holds
    `view_personal_data` and states a purpose (see `personnel.services.staff_unmask`).
    `work_phone` is the deliberately public number printed on the grid card (Art. 10).
    `work_id` is the work ID card number issued by the system (Art. 16), never reused.
    `insurance_until` is the last day of accident insurance cover (Art. 23).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="staff"
    )
    name = models.CharField(_("姓名"), max_length=50)
    mobile = models.CharField(_("手机号码"), max_length=11, blank=True)
    id_number = models.CharField(_("身份证号码"), max_length=18, blank=True)
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
