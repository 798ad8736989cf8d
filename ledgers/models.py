"""The 一标三实 ledgers (Art. 12(2)): standard addresses, actual housing, population and units.

Every record lies in exactly one micro-grid (`area`, a `grids.Area` of level
`micro_grid`) and carries its township (`township`, denormalised) so that the city's
millions of rows are scoped by `personnel.scope.Reach` on their own indexed column.
Reads that depend on who asks go through each queryset's `restrict(user)`; writes
through `ledgers.services`. ID numbers and mobiles are `ningbo_grid.crypto`
`EncryptedField`s with a keyed hash for exact look-up: never stored in clear.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from grids.models import Area
from ningbo_grid.crypto import BlindIndexField, EncryptedField
from personnel import scope
from personnel.validators import normalise_id_number

from .choices import (
    AddressChangeKind,
    AddressKind,
    DocType,
    DwellingUse,
    PersonStatus,
    Registration,
    Relation,
    SafetyClass,
    Sensitivity,
    Sex,
    UnitKind,
)

VIEW = "view_area"


def _strip(value: str) -> str:
    return (value or "").strip()


class ScopedQuerySet(models.QuerySet):
    """Rows whose micro-grid lies within the user's reach for `perm` (one condition, no join
    for township and county grants: they filter on the row's own `township_id`)."""

    def restrict(self, user, perm: str = VIEW):
        return self.filter(scope.area_reach(user, perm).q(area="area", township="township"))


class Located(models.Model):
    """The micro-grid (and its township) a ledger row lies in."""

    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("微网格"))
    township = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("乡镇（街道）"))

    class Meta:
        abstract = True


class AddressCounter(models.Model):
    """The last sequence number issued for addresses under one micro-grid code; only grows,
    so an address code is never issued twice (like `personnel.WorkIdCounter`)."""

    prefix = models.CharField(max_length=18, unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.prefix} {self.last}"


class Address(Located):
    """A standard address segment (标准地址): road, door number, building, entrance, room …

    `code` is the micro-grid's 18-digit code where it was created plus a 6-digit
    sequence (24 digits), never reused, and kept when a grid adjustment moves the address
    to another micro-grid (the move is recorded in `AddressChange`). `full_text` is the
    normalised whole address (parent's text + this segment). `latitude`/`longitude` are
    optional WGS-84 decimal degrees. `version` grows with every rename or merge touching
    it: a change names the version it read (a stale form is refused, never applied twice).
    """

    code = models.CharField(_("地址编码"), max_length=24, unique=True)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("上级地址")
    )
    kind = models.CharField(_("类型"), max_length=10, choices=AddressKind.choices)
    name = models.CharField(_("名称"), max_length=60)
    full_text = models.CharField(_("标准地址"), max_length=300, db_index=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    is_active = models.BooleanField(_("有效"), default=True)
    successor = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("合并至")
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("标准地址")
        verbose_name_plural = _("标准地址")
        ordering = ["code"]
        indexes = [
            models.Index(fields=["area", "kind"]),
            models.Index(fields=["township", "full_text"]),
            # the nearest address to a position (ledgers.selectors.nearest_address)
            models.Index(fields=["latitude", "longitude"], name="ledgers_address_position"),
        ]

    def __str__(self) -> str:
        return self.full_text


class AddressChange(models.Model):
    """One change of an address (Art. 9 history): created, renamed, moved by a grid adjustment,
    merged, retired. `at` aware (UTC); `actor` empty for system moves."""

    address = models.ForeignKey(Address, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(_("变更类型"), max_length=10, choices=AddressChangeKind.choices)
    before = models.CharField(_("变更前"), max_length=300, blank=True)
    after = models.CharField(_("变更后"), max_length=300, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    at = models.DateTimeField(_("时间"))
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("地址变更记录")
        verbose_name_plural = _("地址变更记录")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.address_id} {self.kind}"


class CareTag(models.Model):
    """A city-configured care tag (关爱标签, e.g. 独居老人, 低保, 社区矫正).

    `visit_every_days`: the most days between two visits to a person carrying it (empty:
    no visiting duty). `sensitivity` decides who sees it (see `Sensitivity`;
    `restricted` tags only by organisations holding a `LedgerGrant` naming it).
    """

    code = models.SlugField(_("代码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=30)
    visit_every_days = models.PositiveIntegerField(_("走访频次（天）"), null=True, blank=True)
    sensitivity = models.CharField(
        _("敏感级别"), max_length=12, choices=Sensitivity.choices, default=Sensitivity.NORMAL
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("关爱标签")
        verbose_name_plural = _("关爱标签")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class LedgerGrant(models.Model):
    """What an organisation's users and API keys may read beyond scope (Art. 11 sharing).

    `tags`: restricted care tags its users may see; for its API keys, the only tags they
    see, and only persons carrying one of them. `fields`: the person fields its API keys
    read (`ledgers.api.serializers.GRANTABLE_FIELDS`).
    """

    organisation = models.OneToOneField(
        "personnel.Organisation", on_delete=models.CASCADE, related_name="ledger_grant", verbose_name=_("单位")
    )
    tags = models.ManyToManyField(CareTag, blank=True, verbose_name=_("可见标签"))
    fields = models.JSONField(_("可读字段"), default=list, blank=True)

    class Meta:
        verbose_name = _("台账共享授权")
        verbose_name_plural = _("台账共享授权")

    def __str__(self) -> str:
        return str(self.organisation)


class DwellingQuerySet(models.QuerySet):
    def restrict(self, user, perm: str = VIEW):
        """Dwellings whose address lies within the user's reach (as `ScopedQuerySet`)."""
        return self.filter(scope.area_reach(user, perm).q(area="address__area", township="address__township"))


class Dwelling(models.Model):
    """Actual housing (实有房屋) on one room address: use, floor area (m²), owner, tenants and
    rental registration dates (local dates). `version` (from 1) grows with each edit
    (`ledgers.places.dwelling_update`): an edit names the version it read."""

    address = models.OneToOneField(Address, on_delete=models.PROTECT, related_name="dwelling", verbose_name=_("地址"))
    use = models.CharField(_("房屋用途"), max_length=12, choices=DwellingUse.choices, default=DwellingUse.OWNER)
    floor_area = models.DecimalField(_("建筑面积（㎡）"), max_digits=8, decimal_places=2, null=True, blank=True)
    owner = models.ForeignKey(
        "Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="owned", verbose_name=_("产权人")
    )
    tenants = models.ManyToManyField("Person", blank=True, related_name="rented", verbose_name=_("承租人"))
    rental_registered_on = models.DateField(_("租赁登记日期"), null=True, blank=True)
    rental_ends_on = models.DateField(_("租赁到期日期"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = DwellingQuerySet.as_manager()

    class Meta:
        verbose_name = _("实有房屋")
        verbose_name_plural = _("实有房屋")

    def __str__(self) -> str:
        return self.address.full_text


class Household(Located):
    """A household (家庭/户) at an address; `head` is a member whose relation is head."""

    address = models.ForeignKey(Address, on_delete=models.PROTECT, related_name="households", verbose_name=_("住址"))
    head = models.ForeignKey(
        "Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("户主")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("家庭")
        verbose_name_plural = _("家庭")
        ordering = ["address__code"]

    def __str__(self) -> str:
        return str(self.address)


class Person(Located):
    """One actual resident (实有人口): one record city-wide, whatever grid they live in.

    `id_number` (resident ID normalised upper-case; other documents as given) and
    `mobile` are encrypted (`ningbo_grid.crypto`); `id_number_hash` is unique among
    non-empty values, so a second record for the same document is refused by the
    database as well as by `ledgers.services.person_register`. `sex`/`birth_date` come
    from a resident ID. `residence` is the room address lived in (its micro-grid is
    `area`). Moving between grids is `person_transfer` (a `PersonMove`), never a new
    record. `next_visit_due` (local date) is kept by the services from the care tags'
    frequencies and the last visit; empty when no tag asks for visits.
    `anonymised_at` set once a moved-out or deceased person's data were erased.
    `version` grows with every transfer, departure, tag change or move of their address:
    a change names the version it read (`ledgers.services`: 409 `stale_version` if stale).
    """

    name = models.CharField(_("姓名"), max_length=50)
    doc_type = models.CharField(_("证件类型"), max_length=20, choices=DocType.choices, default=DocType.RESIDENT_ID)
    id_number = EncryptedField(_("证件号码"), hash_field="id_number_hash", normalise=normalise_id_number)
    id_number_hash = BlindIndexField()
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    mobile = EncryptedField(_("手机号码"), hash_field="mobile_hash", normalise=_strip)
    mobile_hash = BlindIndexField()
    registration = models.CharField(_("户籍类别"), max_length=12, choices=Registration.choices)
    residence = models.ForeignKey(
        Address, on_delete=models.PROTECT, null=True, blank=True, related_name="residents", verbose_name=_("居住地址")
    )
    household = models.ForeignKey(
        Household, on_delete=models.SET_NULL, null=True, blank=True, related_name="members", verbose_name=_("家庭")
    )
    relation = models.CharField(_("与户主关系"), max_length=12, choices=Relation.choices, blank=True)
    tags = models.ManyToManyField(CareTag, through="PersonTag", blank=True, related_name="persons")
    status = models.CharField(_("状态"), max_length=10, choices=PersonStatus.choices, default=PersonStatus.PRESENT)
    left_on = models.DateField(_("迁出/死亡日期"), null=True, blank=True)
    anonymised_at = models.DateTimeField(_("匿名化时间"), null=True, blank=True)
    last_visited_at = models.DateTimeField(_("最近走访"), null=True, blank=True)
    next_visit_due = models.DateField(_("下次走访截止"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("实有人口")
        verbose_name_plural = _("实有人口")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["id_number_hash"], condition=~Q(id_number_hash=""), name="person_one_doc"),
        ]
        indexes = [
            models.Index(fields=["area", "name"]),
            models.Index(fields=["township", "name"]),
            models.Index(
                fields=["area", "next_visit_due"], condition=Q(next_visit_due__isnull=False), name="person_visit_due"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PersonTag(models.Model):
    """A care tag on a person since a local date."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE)
    tag = models.ForeignKey(CareTag, on_delete=models.PROTECT)
    since = models.DateField(_("标注日期"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "tag"], name="person_tag_once")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.tag_id}"


class PersonMove(models.Model):
    """A person's move between addresses or grids (迁入迁出), kept as history; `at` aware."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="moves")
    from_area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", null=True)
    to_area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", null=True)
    from_residence = models.ForeignKey(Address, on_delete=models.PROTECT, related_name="+", null=True)
    to_residence = models.ForeignKey(Address, on_delete=models.PROTECT, related_name="+", null=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True)
    at = models.DateTimeField(_("时间"))
    reason = models.CharField(_("原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("人口迁移记录")
        verbose_name_plural = _("人口迁移记录")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.person_id} {self.at:%Y-%m-%d}"


class Unit(Located):
    """An actual unit (实有单位): enterprise, shop or organisation; not a handling unit.

    `uscc` is the 18-character unified social credit code (GB 32100, check character
    validated), unique when given. `contact_phone` is encrypted.
    """

    uscc = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    name = models.CharField(_("单位名称"), max_length=120)
    kind = models.CharField(_("单位类型"), max_length=14, choices=UnitKind.choices)
    address = models.ForeignKey(Address, on_delete=models.PROTECT, related_name="units", verbose_name=_("地址"))
    legal_representative = models.CharField(_("法定代表人/负责人"), max_length=50, blank=True)
    contact_phone = EncryptedField(_("联系电话"), hash_field="contact_phone_hash", normalise=_strip)
    contact_phone_hash = BlindIndexField()
    staff_count = models.PositiveIntegerField(_("从业人数"), null=True, blank=True)
    safety_class = models.CharField(
        _("消防安全类别"), max_length=12, choices=SafetyClass.choices, default=SafetyClass.GENERAL
    )
    last_visited_at = models.DateTimeField(_("最近走访"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("实有单位")
        verbose_name_plural = _("实有单位")
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["uscc"], condition=~Q(uscc=""), name="unit_one_uscc")]
        indexes = [models.Index(fields=["area", "name"])]

    def __str__(self) -> str:
        return self.name


class Visit(Located):
    """A visit (走访, Art. 15(2)) to a household, a person or a unit (exactly one).

    `visited_at` aware; `findings` what was found, `follow_up` what is to be done;
    `event` the grid event a finding became (`ledgers.services.visit_to_event`);
    `patrol` the patrol round it belongs to, if any.
    """

    household = models.ForeignKey(Household, on_delete=models.PROTECT, null=True, blank=True, related_name="visits")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True, related_name="visits")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="visits")
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="ledger_visits", verbose_name=_("走访人")
    )
    visited_at = models.DateTimeField(_("走访时间"))
    findings = models.TextField(_("发现情况"), blank=True)
    follow_up = models.TextField(_("跟进事项"), blank=True)
    photo = models.ImageField(_("照片"), upload_to="visits/%Y/%m/", blank=True)
    patrol = models.ForeignKey("events.Patrol", on_delete=models.SET_NULL, null=True, blank=True, related_name="visits")
    event = models.ForeignKey(
        "events.Event", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("转事件")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("走访记录")
        verbose_name_plural = _("走访记录")
        ordering = ["-visited_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(household__isnull=False, person__isnull=True, unit__isnull=True)
                | Q(household__isnull=True, person__isnull=False, unit__isnull=True)
                | Q(household__isnull=True, person__isnull=True, unit__isnull=False),
                name="visit_one_target",
            )
        ]
        indexes = [models.Index(fields=["visitor", "-visited_at"]), models.Index(fields=["area", "-visited_at"])]

    def __str__(self) -> str:
        return f"{self.visited_at:%Y-%m-%d} {self.target}"

    @property
    def target(self):
        return self.household or self.person or self.unit


class LedgerRollup(models.Model):
    """The ledger figures (`ledgers.stats.summed`) of a grid, or of a township (its grids'
    rows added up), as counted on local date `on`; `computed_at` (aware) is when they were
    counted (for a township: its oldest grid row). What township, village, district and city
    statistics sum (`ledgers.rollups`); refreshed per grid when `RollupMark` names it."""

    area = models.OneToOneField(Area, on_delete=models.CASCADE, related_name="+", verbose_name=_("区域"))
    on = models.DateField(_("统计日期"))
    computed_at = models.DateTimeField(_("计算时间"))
    figures = models.JSONField(_("统计数据"), default=dict)

    class Meta:
        verbose_name = _("台账统计汇总")
        verbose_name_plural = _("台账统计汇总")

    def __str__(self) -> str:
        return f"{self.area_id} {self.on}"


class RollupMark(models.Model):
    """A micro-grid whose ledger rows changed since its grid's `LedgerRollup` was counted.

    Written by database triggers (migration 0004) in the same transaction as any insert,
    update or delete of a resident, household, unit, visit, address or dwelling (old and
    new micro-grid of a moved row), whatever code wrote it: services, imports, grid
    adjustments. `ledgers.rollups.rollup_refresh` recounts those grids and deletes the
    marks it read. Not unique: one row per micro-grid per writing statement.
    """

    id = models.BigAutoField(primary_key=True)
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+", verbose_name=_("微网格"))

    class Meta:
        verbose_name = _("台账统计待更新")
        verbose_name_plural = _("台账统计待更新")

    def __str__(self) -> str:
        return str(self.area_id)
