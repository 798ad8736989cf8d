"""Every state change of the catalogue: entry (准入), exit (退出), temporary matters (Art. 13, 19).

Each function takes keyword arguments only, the acting user as `actor`, runs in one
transaction, checks the actor's competence, changes the rows and writes one
`LifecycleStep` per step. Errors: `PermissionDenied` (wrong role, message in Chinese)
and `ValidationError` (wrong state or bad input; a dict of field → messages where a
field is at fault). Dates are local (Asia/Shanghai) calendar dates.

Entry: `item_propose` → `version_review` (the authority at the item's level,
`manage_catalog`) → `version_cosign` (the staffing office, `cosign_catalog`) →
`version_publish` (the authority, with an effective date); `version_reject` returns a
pending version with reasons, and the proposer revises by proposing again (a new
version). Exit: `item_exit_propose` → `item_exit_approve` (effective date) or
`item_exit_reject`. A published version is never edited.
"""

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grids.models import Area
from personnel.choices import OrgKind, PlatformRole
from personnel.models import Membership, Organisation
from personnel.scope import authorize, granted_nodes, has_area_perm

from .attributes import validate_attribute_schema
from .choices import (
    EVER_PUBLISHED,
    PENDING,
    CloseLevel,
    ExitState,
    Grade,
    ItemKind,
    ListLevel,
    Step,
    TimeUnit,
    VersionState,
)
from .models import HandlingRule, ItemExit, LifecycleStep, ServiceItem, ServiceItemVersion, TemporaryMatter
from .selectors import version_in_force

MANAGE = "manage_catalog"
COSIGN = "cosign_catalog"
CODE_RE = re.compile(r"^\d{2}-\d{3}$")
#: Content fields of a version, as accepted by `item_propose(content=...)`.
VERSION_FIELDS = (
    "name",
    "name_en",
    "category",
    "kind",
    "description",
    "guidance",
    "department",
    "supporting_units",
    "self_handle",
    "attributes",
)
RULE_FIELDS = ("accept_limit", "accept_unit", "complete_limit", "complete_unit", "warning_ratio", "close_level")
UNLISTED_MESSAGE = gettext_lazy(
    "未纳入清单管理的事项，未经网格化主管单位同意，不得要求网格服务管理人员办理（条例第十九条）。"
)


# --- helpers -------------------------------------------------------------------------


def level_node(level: str, district: Area | None) -> Area:
    """The node whose authority keeps a list: `district` for district items, else the city."""
    if level == ListLevel.DISTRICT:
        if district is None:
            raise ValidationError({"district": [_("区级事项须指定区（县、市）。")]})
        return district
    from grids.choices import Level

    city = Area.objects.filter(level=Level.CITY).order_by("code").first()
    if city is None:
        raise ValidationError(_("尚未建立市级区域，无法管理市级清单。"))
    return city


def _actor_organisation(actor: User | None, roles=(PlatformRole.CATALOG_ADMIN, PlatformRole.STAFFING_OFFICER)):
    """The organisation `actor` acts for: a current catalogue membership first, else any."""
    if actor is None:
        return None
    memberships = Membership.objects.current().filter(user_id=actor.pk).select_related("organisation")
    preferred = next((m for m in memberships if m.role in roles), None)
    chosen = preferred or next(iter(memberships), None)
    return chosen.organisation if chosen else None


def _department_org(actor: User | None, node: Area) -> Organisation | None:
    """A department organisation at `node` for which `actor` currently holds any role."""
    if actor is None or not actor.is_authenticated:
        return None
    membership = (
        Membership.objects.current()
        .filter(user_id=actor.pk, organisation__kind=OrgKind.DEPARTMENT, organisation__area=node)
        .select_related("organisation")
        .first()
    )
    return membership.organisation if membership else None


def can_propose(user, node: Area) -> bool:
    """Departments at the level and the authority itself may propose items (Art. 13, 14)."""
    return has_area_perm(user, MANAGE, node) or _department_org(user, node) is not None


def is_catalog_admin(user) -> bool:
    """Whether `user` holds `manage_catalog` on any node (city or a district)."""
    if user is None or not user.is_authenticated:
        return False
    return user.is_superuser or granted_nodes(user, MANAGE).exists()


def can_manage(user, item: ServiceItem) -> bool:
    return has_area_perm(user, MANAGE, item.level_node())


def can_cosign(user, item: ServiceItem) -> bool:
    return has_area_perm(user, COSIGN, item.level_node())


#: Longest opinion (意见) a lifecycle step keeps, in characters; longer is refused, never cut.
OPINION_MAX = 2000


def _log(
    *, item, step, actor: User | None, version=None, item_exit=None, opinion="", effective_date=None, organisation=None
):
    opinion = opinion or ""
    if "\x00" in opinion:
        raise ValidationError({"opinion": [_("不得包含空字符（NUL）。")]})
    if len(opinion) > OPINION_MAX:
        message = _("最多 %(limit)d 个字（现为 %(length)d 个）。") % {"limit": OPINION_MAX, "length": len(opinion)}
        raise ValidationError({"opinion": [message]})
    return LifecycleStep.objects.create(
        item=item,
        version=version,
        item_exit=item_exit,
        step=step,
        actor=actor,
        organisation=organisation or _actor_organisation(actor),
        opinion=opinion,
        effective_date=effective_date,
    )


def _lock_version(version: ServiceItemVersion) -> ServiceItemVersion:
    return (
        ServiceItemVersion.objects.select_for_update(of=("self",))
        .select_related("item", "item__district")
        .get(pk=version.pk)
    )


def _require_state(version: ServiceItemVersion, states, message: str) -> None:
    if version.state not in states:
        raise ValidationError({"state": [message % {"state": version.get_state_display()}]})


def _advance(
    version: ServiceItemVersion, state: str, step: str, actor: User | None, opinion: str = ""
) -> ServiceItemVersion:
    """Move a locked version to `state` and write its step row."""
    version.state = state
    version.save(update_fields=["state"])
    _log(item=version.item, version=version, step=step, actor=actor, opinion=opinion)
    return version


def _save_new_version(item: ServiceItem, version: ServiceItemVersion, rules: list[HandlingRule]) -> None:
    version.item = item
    version.save()
    for rule in rules:
        rule.version = version
        rule.save()


def _last_published(item: ServiceItem) -> ServiceItemVersion | None:
    return item.versions.filter(state__in=EVER_PUBLISHED).order_by("-effective_from", "-number").first()


def _live_exit(item: ServiceItem) -> ItemExit | None:
    return item.exits.filter(state__in=[ExitState.PROPOSED, ExitState.APPROVED, ExitState.RETIRED]).first()


def _check_effective_date(effective_date, item: ServiceItem, field_name: str) -> None:
    today = timezone.localdate()
    if not isinstance(effective_date, datetime.date):
        raise ValidationError({field_name: [_("请填写生效日期。")]})
    if effective_date < today:
        raise ValidationError({field_name: [_("生效日期不得早于今天。")]})
    last = _last_published(item)
    if last and last.effective_from and effective_date <= last.effective_from:
        raise ValidationError(
            {field_name: [_("须晚于现有版本的生效日期（%(date)s）。") % {"date": last.effective_from.isoformat()}]}
        )


# --- rules -----------------------------------------------------------------------------


def rules_from_general(kind: str, accept: Decimal | None, complete: Decimal | None, unit: str | None) -> list[dict]:
    """Handling rules for the four grades derived from the general grade's limits.

    `accept` is in working hours (natural hours when `unit` is natural_hour), `complete`
    in `unit`. Serious: same acceptance, 0.6 × completion; major: half of both;
    emergency: natural hours, at most 1 to accept and 24 to complete. Duty items get
    rules without limits. Warning point 75 %; closed by the township (general, serious)
    or the district (major, emergency).
    """
    close = {
        Grade.GENERAL: CloseLevel.TOWNSHIP,
        Grade.SERIOUS: CloseLevel.TOWNSHIP,
        Grade.MAJOR: CloseLevel.COUNTY,
        Grade.EMERGENCY: CloseLevel.COUNTY,
    }
    if kind == ItemKind.DUTY or accept is None or complete is None or not unit:
        return [
            {
                "grade": g,
                "accept_limit": None,
                "accept_unit": TimeUnit.WORKING_DAY,
                "complete_limit": None,
                "complete_unit": TimeUnit.WORKING_DAY,
                "warning_ratio": Decimal("0.75"),
                "close_level": close[Grade(g)],
            }
            for g in Grade.values
        ]
    accept, complete = Decimal(accept), Decimal(complete)
    accept_unit = TimeUnit.NATURAL_HOUR if unit == TimeUnit.NATURAL_HOUR else TimeUnit.WORKING_HOUR
    natural = unit == TimeUnit.NATURAL_HOUR
    limits = {
        Grade.GENERAL: (accept, accept_unit, complete, unit),
        Grade.SERIOUS: (accept, accept_unit, complete * Decimal("0.6"), unit),
        Grade.MAJOR: (accept / 2, accept_unit, complete / 2, unit),
        Grade.EMERGENCY: (
            min(Decimal(1), accept) if natural else Decimal(1),
            TimeUnit.NATURAL_HOUR,
            min(Decimal(24), complete) if natural else Decimal(24),
            TimeUnit.NATURAL_HOUR,
        ),
    }
    return [
        {
            "grade": g,
            "accept_limit": a.quantize(Decimal("0.01")),
            "accept_unit": au,
            "complete_limit": c.quantize(Decimal("0.01")),
            "complete_unit": cu,
            "warning_ratio": Decimal("0.75"),
            "close_level": close[g],
        }
        for g, (a, au, c, cu) in limits.items()
    ]


def _build_rules(kind: str, rules: list[dict], errors: dict) -> list[HandlingRule]:
    """Validate rule dicts (one per grade); errors keyed `<grade>_<field>`."""
    built, seen = [], set()
    for data in rules or []:
        grade = data.get("grade")
        if grade not in Grade.values or grade in seen:
            errors.setdefault("rules", []).append(_("等级无效或重复。"))
            continue
        seen.add(grade)
        rule = HandlingRule(grade=grade, **{k: data.get(k) for k in RULE_FIELDS if data.get(k) not in (None, "")})
        try:
            rule.full_clean(exclude=["version"])
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                errors.setdefault(f"{grade}_{name}", []).extend(messages)
            continue
        if kind == ItemKind.EVENT:
            for name in ("accept_limit", "complete_limit"):
                value = getattr(rule, name)
                if value is None or value <= 0:
                    errors.setdefault(f"{grade}_{name}", []).append(_("事件类事项须填写大于零的时限。"))
        if rule.warning_ratio is not None and not (0 < rule.warning_ratio < 1):
            errors.setdefault(f"{grade}_warning_ratio", []).append(_("预警点须在 0 与 1 之间（如 0.75）。"))
        built.append(rule)
    if kind == ItemKind.EVENT:
        for grade in Grade.values:
            if grade not in seen and f"{grade}_accept_limit" not in errors:
                errors.setdefault(f"{grade}_accept_limit", []).append(_("事件类事项须为每个等级设定时限。"))
    return built


# --- entry ---------------------------------------------------------------------------------


@transaction.atomic
def item_propose(
    *,
    actor: User | None,
    content: dict,
    rules: list[dict],
    item: ServiceItem | None = None,
    code: str = "",
    level: str = ListLevel.CITY,
    district: Area | None = None,
    opinion: str = "",
) -> ServiceItemVersion:
    """Propose a new item (`item=None`) or a new version of `item`; returns the proposed version.

    `content` holds `VERSION_FIELDS`; `rules` one dict per grade with `grade` and
    `RULE_FIELDS` (limits as decimals in their units, `warning_ratio` a fraction).
    A new item gets `code` (`CC-NNN`) or the next free number in its category; a
    district item needs `district` (a county-level node). Permitted to the authority
    at that level (`manage_catalog`) and to departments at that level (Art. 13, 14).
    Raises PermissionDenied, or ValidationError keyed by field (`<grade>_<field>` for rules).
    """
    if item is not None:
        item = ServiceItem.objects.select_for_update().get(pk=item.pk)
        level, district = item.level, item.district
    if level not in ListLevel.values:
        raise ValidationError({"level": [_("清单层级无效。")]})
    if level == ListLevel.CITY:
        district = None
    elif district is not None and district.level != "county":
        raise ValidationError({"district": [_("区级事项须指定区（县、市）级区域。")]})
    node = level_node(level, district)
    if _department_org(actor, node) is None:
        authorize(actor, MANAGE, node, message=_("只有本级网格化主管单位或职能部门可以提议清单事项。"))
    errors: dict[str, list[str]] = {}
    if item is not None:
        if item.versions.filter(state__in=PENDING).exists():
            raise ValidationError(_("该事项已有正在审核的版本，请待其发布或退回后再提议。"))
        if (live := _live_exit(item)) and live.state != ExitState.PROPOSED:
            raise ValidationError(_("该事项已批准退出，不能再提议新版本。"))
        number = (item.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    else:
        number = 1
        if code and not CODE_RE.match(code):
            errors["code"] = [_("事项编码格式为“类别两位-序号三位”，如 04-012。")]
        elif code and ServiceItem.objects.filter(code=code).exists():
            errors["code"] = [_("事项编码已存在。")]
    values = {k: content.get(k) for k in VERSION_FIELDS if content.get(k) is not None}
    try:
        values["attributes"] = validate_attribute_schema(values.get("attributes"))
    except ValidationError as exc:
        errors["attributes"] = exc.messages
        values["attributes"] = []
    version = ServiceItemVersion(
        number=number,
        state=VersionState.PROPOSED,
        proposed_by=actor,
        proposing_organisation=_department_org(actor, node) or _actor_organisation(actor),
        **values,
    )
    try:
        version.full_clean(exclude=["item"], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if code and not errors.get("code") and version.category and not code.startswith(f"{int(version.category):02d}-"):
        errors["code"] = [_("事项编码须以类别编号开头。")]
    built_rules = _build_rules(version.kind, rules, errors)
    if errors:
        raise ValidationError(errors)
    if item is None:
        if not code:
            prefix = f"{int(version.category):02d}-"
            taken = ServiceItem.objects.filter(code__startswith=prefix).values_list("code", flat=True)
            code = f"{prefix}{max([int(c[3:]) for c in taken] + [0]) + 1:03d}"
        item = ServiceItem.objects.create(code=code, level=level, district=district)
    _save_new_version(item, version, built_rules)
    _log(item=item, version=version, step=Step.PROPOSED, actor=actor, opinion=opinion)
    return version


@transaction.atomic
def version_review(*, actor: User | None, version: ServiceItemVersion, opinion: str = "") -> ServiceItemVersion:
    """The authority at the item's level reviews a proposed version (审核): proposed → reviewed."""
    version = _lock_version(version)
    authorize(actor, MANAGE, version.item.level_node(), message=_("只有本级网格化主管单位可以审核清单事项。"))
    _require_state(version, [VersionState.PROPOSED], _("只有已提议的版本可以审核（当前状态：%(state)s）。"))
    return _advance(version, VersionState.REVIEWED, Step.REVIEWED, actor, opinion)


@transaction.atomic
def version_cosign(*, actor: User | None, version: ServiceItemVersion, opinion: str = "") -> ServiceItemVersion:
    """The staffing office at the item's level co-signs a reviewed version (会签): reviewed → cosigned."""
    version = _lock_version(version)
    authorize(actor, COSIGN, version.item.level_node(), message=_("只有同级机构编制部门可以会签清单事项。"))
    _require_state(version, [VersionState.REVIEWED], _("只有主管单位已审核的版本可以会签（当前状态：%(state)s）。"))
    return _advance(version, VersionState.COSIGNED, Step.COSIGNED, actor, opinion)


@transaction.atomic
def version_publish(
    *, actor: User | None, version: ServiceItemVersion, effective_date: datetime.date, opinion: str = ""
) -> ServiceItemVersion:
    """The authority publishes a co-signed version, in force from `effective_date` (local date).

    `effective_date` must be today or later and after the previous version's; the
    previous version's `effective_to` becomes the day before, so the change takes effect
    by itself on that date (no task needed). Art. 13.
    """
    version = _lock_version(version)
    item = version.item
    authorize(actor, MANAGE, item.level_node(), message=_("只有本级网格化主管单位可以发布清单事项。"))
    _require_state(version, [VersionState.COSIGNED], _("只有机构编制已会签的版本可以发布（当前状态：%(state)s）。"))
    live_exit = _live_exit(item)
    if live_exit and live_exit.state != ExitState.PROPOSED:
        raise ValidationError(_("该事项已批准退出，不能发布新版本。"))
    _check_effective_date(effective_date, item, "effective_date")
    previous = item.versions.filter(state__in=EVER_PUBLISHED, effective_to__isnull=True).exclude(pk=version.pk)
    previous.update(effective_to=effective_date - datetime.timedelta(days=1))
    version.state = VersionState.PUBLISHED
    version.effective_from = effective_date
    version.effective_to = None
    version.save(update_fields=["state", "effective_from", "effective_to"])
    _log(item=item, version=version, step=Step.PUBLISHED, actor=actor, opinion=opinion, effective_date=effective_date)
    _refresh_item(item, timezone.localdate())
    return version


@transaction.atomic
def version_reject(*, actor: User | None, version: ServiceItemVersion, reasons: str) -> ServiceItemVersion:
    """Return a pending version with `reasons` (退回); the proposer revises by proposing again.

    The authority may reject at any pending step; the staffing office at co-signing.
    """
    version = _lock_version(version)
    item = version.item
    if not (version.state == VersionState.REVIEWED and can_cosign(actor, item)):
        authorize(actor, MANAGE, item.level_node(), message=_("只有本级网格化主管单位或会签的机构编制部门可以退回。"))
    _require_state(version, PENDING, _("只有审核中的版本可以退回（当前状态：%(state)s）。"))
    if not (reasons or "").strip():
        raise ValidationError({"reasons": [_("请填写退回理由。")]})
    return _advance(version, VersionState.REJECTED, Step.REJECTED, actor, reasons.strip())


# --- exit ------------------------------------------------------------------------------------


@transaction.atomic
def item_exit_propose(*, actor: User | None, item: ServiceItem, reasons: str) -> ItemExit:
    """Propose taking a published item off the list (退出), with `reasons`. Art. 13."""
    item = ServiceItem.objects.select_for_update(of=("self",)).select_related("district").get(pk=item.pk)
    if _department_org(actor, item.level_node()) is None:
        authorize(actor, MANAGE, item.level_node(), message=_("只有本级网格化主管单位或职能部门可以提议退出。"))
    if not item.versions.filter(state__in=EVER_PUBLISHED).exists():
        raise ValidationError(_("该事项尚未发布，无需退出；可退回其审核中的版本。"))
    if _live_exit(item):
        raise ValidationError(_("该事项已有退出申请或已退出。"))
    if not (reasons or "").strip():
        raise ValidationError({"reasons": [_("请填写退出理由。")]})
    item_exit = ItemExit.objects.create(item=item, reasons=reasons.strip(), proposed_by=actor)
    _log(item=item, item_exit=item_exit, step=Step.EXIT_PROPOSED, actor=actor, opinion=item_exit.reasons)
    return item_exit


def _lock_exit(item_exit: ItemExit) -> ItemExit:
    return (
        ItemExit.objects.select_for_update(of=("self",)).select_related("item", "item__district").get(pk=item_exit.pk)
    )


@transaction.atomic
def item_exit_approve(
    *, actor: User | None, item_exit: ItemExit, effective_date: datetime.date, opinion: str = ""
) -> ItemExit:
    """The authority approves an exit; from `effective_date` (local) the item is out of force.

    The last version's `effective_to` becomes the day before, so the item leaves the
    list by itself on that date; events already open on it continue. Art. 13.
    """
    item_exit = _lock_exit(item_exit)
    item = item_exit.item
    authorize(actor, MANAGE, item.level_node(), message=_("只有本级网格化主管单位可以批准退出。"))
    if item_exit.state != ExitState.PROPOSED:
        raise ValidationError({"state": [_("只有已提议的退出申请可以批准。")]})
    if item.versions.filter(state__in=PENDING).exists():
        raise ValidationError(_("该事项有正在审核的版本，请先发布或退回。"))
    _check_effective_date(effective_date, item, "effective_date")
    item.versions.filter(state__in=EVER_PUBLISHED, effective_to__isnull=True).update(
        effective_to=effective_date - datetime.timedelta(days=1)
    )
    item_exit.state = ExitState.APPROVED
    item_exit.effective_date = effective_date
    item_exit.save(update_fields=["state", "effective_date"])
    _log(
        item=item,
        item_exit=item_exit,
        step=Step.EXIT_APPROVED,
        actor=actor,
        opinion=opinion,
        effective_date=effective_date,
    )
    _refresh_item(item, timezone.localdate())
    return item_exit


@transaction.atomic
def item_exit_reject(*, actor: User | None, item_exit: ItemExit, reasons: str) -> ItemExit:
    """The authority returns an exit proposal with `reasons`; the item stays on the list."""
    item_exit = _lock_exit(item_exit)
    authorize(actor, MANAGE, item_exit.item.level_node(), message=_("只有本级网格化主管单位可以退回退出申请。"))
    if item_exit.state != ExitState.PROPOSED:
        raise ValidationError({"state": [_("只有已提议的退出申请可以退回。")]})
    if not (reasons or "").strip():
        raise ValidationError({"reasons": [_("请填写退回理由。")]})
    item_exit.state = ExitState.REJECTED
    item_exit.save(update_fields=["state"])
    _log(item=item_exit.item, item_exit=item_exit, step=Step.EXIT_REJECTED, actor=actor, opinion=reasons.strip())
    return item_exit


# --- dates -------------------------------------------------------------------------------------


def _refresh_item(item: ServiceItem, on: datetime.date) -> bool:
    """Bring `item`'s cached state up to date for `on`; returns whether anything changed."""
    changed = False
    current = version_in_force(item, on)
    if item.current_version_id != (current.pk if current else None):
        item.current_version = current
        item.save(update_fields=["current_version"])
        changed = True
    retired_exit = item.exits.filter(state=ExitState.APPROVED, effective_date__lte=on).first()
    if retired_exit:
        retired_exit.state = ExitState.RETIRED
        retired_exit.save(update_fields=["state"])
        changed = True
    ended = item.versions.filter(state=VersionState.PUBLISHED, effective_to__lt=on)
    if ended.exists():
        exit_done = item.exits.filter(state=ExitState.RETIRED).exists()
        for version in ended:
            last = exit_done and not item.versions.filter(
                state__in=EVER_PUBLISHED, effective_from__gt=version.effective_from
            )
            version.state = VersionState.RETIRED if last else VersionState.SUPERSEDED
            version.save(update_fields=["state"])
        changed = True
    return changed


def catalog_refresh(*, on: datetime.date | None = None) -> int:
    """Daily housekeeping: set `current_version`, mark superseded/retired versions and exits.

    Only caches what the dates already decide (the selectors never depend on it);
    idempotent. Returns the number of items changed. Run by the Celery beat task
    `catalog.tasks.refresh_catalogue` shortly after midnight.
    """
    on = on or timezone.localdate()
    changed = 0
    for item in ServiceItem.objects.all():
        with transaction.atomic():
            changed += _refresh_item(item, on)
    return changed


# --- Art. 19 -------------------------------------------------------------------------------------


@transaction.atomic
def temporary_matter_approve(
    *,
    actor: User,
    title: str,
    area: Area,
    start: datetime.date,
    end: datetime.date,
    description: str = "",
    requesting_organisation: Organisation | None = None,
) -> TemporaryMatter:
    """Record the authority's consent to a temporary unlisted matter within `area` (Art. 19).

    The actor must hold `manage_catalog` over `area`; `end` is required (inclusive).
    """
    authorize(actor, MANAGE, area, message=_("只有该区域的网格化主管单位可以同意临时事项。"))
    errors = {}
    if not (title or "").strip():
        errors["title"] = [_("请填写事项名称。")]
    if not start or not end or end < start:
        errors["end"] = [_("结束日期须不早于开始日期。")]
    if errors:
        raise ValidationError(errors)
    return TemporaryMatter.objects.create(
        title=title.strip(),
        description=description,
        area=area,
        start=start,
        end=end,
        requesting_organisation=requesting_organisation,
        approving_organisation=_actor_organisation(actor),
        approved_by=actor,
    )


def task_authorise(
    *,
    item_code: str | None = None,
    temporary_matter: TemporaryMatter | None = None,
    area: Area,
    on: datetime.date | None = None,
) -> ServiceItemVersion | TemporaryMatter:
    """Check that a task for grid staff in `area` on `on` is authorised (Art. 19, 30).

    Returns the in-force `ServiceItemVersion` of `item_code` when it applies in `area`
    (the city list or `area`'s district list), or `temporary_matter` when it covers
    `area` and `on`. Otherwise raises `ValidationError` with the Art. 19 message.
    Called by the events app when an event or task is created.
    """
    on = on or timezone.localdate()
    if item_code:
        from .selectors import items_in_force

        version = items_in_force(area=area, on=on).filter(item__code=item_code).first()
        if version is not None:
            return version
    if temporary_matter is not None and temporary_matter.applies(area, on):
        return temporary_matter
    raise ValidationError(UNLISTED_MESSAGE, code="unlisted")


# --- import ------------------------------------------------------------------------------------------


@dataclass
class ImportReport:
    """Result of `catalogue_import`: versions created, or errors as (row, column, message)."""

    created: list = field(default_factory=list)
    errors: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _district_by_code(code: str) -> Area | None:
    if not code:
        return None
    district = Area.objects.filter(code=code, level="county").first()
    if district is None:
        raise ValidationError({"district": [_("找不到区（县、市）编码“%(code)s”。") % {"code": code}]})
    return district


@transaction.atomic
def catalogue_import(*, actor: User | None, file) -> ImportReport:
    """Propose every row of an uploaded XLSX (layout `catalog.importing.COLUMNS`) — all or nothing.

    Each row is validated and proposed in its own savepoint (a row with an existing
    code proposes a new version of that item); if any row fails, everything is rolled
    back and the report lists `(row number, column header, message)` for every failure.
    Catalogue administrators only (`manage_catalog` at the city or the row's district).
    """
    from .importing import HEADERS, column_of, parse_row, read_xlsx

    authorize(actor, MANAGE, None, message=_("只有事项清单管理员可以批量导入。"))

    rows, header_errors = read_xlsx(file)
    report = ImportReport(errors=list(header_errors))
    if not rows and not header_errors:
        report.errors.append((2, "", _("表格中没有数据行。")))
    if report.errors:
        return report
    for number, raw in rows:
        try:
            with transaction.atomic():
                parsed = parse_row(raw)
                existing = ServiceItem.objects.filter(code=parsed["code"]).first() if parsed["code"] else None
                version = item_propose(
                    actor=actor,
                    content=parsed["content"],
                    rules=rules_from_general(parsed["content"]["kind"], *parsed["general"]),
                    item=existing,
                    code="" if existing else parsed["code"],
                    level=parsed["level"],
                    district=_district_by_code(parsed["district_code"]),
                    opinion=_("批量导入第%(row)d行") % {"row": number},
                )
                report.created.append(version)
        except (ValidationError, PermissionDenied) as exc:
            if isinstance(exc, PermissionDenied):
                report.errors.append((number, HEADERS["level"], str(exc)))
            elif hasattr(exc, "error_dict"):
                for key, messages in exc.message_dict.items():
                    for message in messages:
                        report.errors.append((number, "" if key == "__all__" else column_of(key), message))
            else:
                report.errors.extend((number, "", m) for m in exc.messages)
    if report.errors:
        transaction.set_rollback(True)
        report.created = []
    return report


@transaction.atomic
def catalogue_load(
    *, rows: list[dict], effective_date: datetime.date, actor: User | None = None
) -> list[ServiceItemVersion]:
    """Load rows (layout `catalog.importing.COLUMNS`) as published city items from `effective_date`.

    For the initial list (seed data, `manage.py import_catalogue`): the entry steps were
    taken outside the platform, so each item gets version 1, published directly, with
    one `published` step row. Rows whose code exists are skipped (safe to re-run).
    Raises `ValidationError` naming the code of the first bad row.
    """
    from .importing import parse_row

    loaded = []
    for raw in rows:
        parsed = parse_row(raw)
        code = parsed["code"]
        if not CODE_RE.match(code):
            raise ValidationError({"code": [_("事项编码“%(code)s”格式无效。") % {"code": code}]})
        if ServiceItem.objects.filter(code=code).exists():
            continue
        errors: dict = {}
        content = parsed["content"]
        rules = _build_rules(content["kind"], rules_from_general(content["kind"], *parsed["general"]), errors)
        version = ServiceItemVersion(
            number=1,
            state=VersionState.PUBLISHED,
            effective_from=effective_date,
            proposed_by=actor,
            **{k: v for k, v in content.items() if v is not None},
        )
        try:
            version.full_clean(exclude=["item"], validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            errors.update(exc.message_dict)
        if errors:
            raise ValidationError({code: [f"{k}: {', '.join(v)}" for k, v in errors.items()]})
        item = ServiceItem.objects.create(code=code, level=ListLevel.CITY)
        _save_new_version(item, version, rules)
        item.current_version = version if version.is_in_force() else None
        item.save(update_fields=["current_version"])
        _log(
            item=item,
            version=version,
            step=Step.PUBLISHED,
            actor=actor,
            opinion=_("初始清单导入"),
            effective_date=effective_date,
        )
        loaded.append(version)
    return loaded
