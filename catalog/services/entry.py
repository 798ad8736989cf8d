"""Entry of an item or a new version (准入): propose, review, co-sign, publish, reject (Art. 13, 14)."""

import datetime

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from grids.models import Area
from personnel.scope import authorize

from ..attributes import validate_attribute_schema
from ..choices import (
    EVER_PUBLISHED,
    PENDING,
    PENDING_EXIT,
    ListLevel,
    Step,
    VersionState,
)
from ..models import ServiceItem, ServiceItemVersion
from .core import (
    CODE_RE,
    COSIGN,
    MANAGE,
    VERSION_FIELDS,
    _actor_organisation,
    _advance,
    _check_effective_date,
    _department_org,
    _live_exit,
    _lock_version,
    _log,
    _refresh_item,
    _require_state,
    _save_new_version,
    can_cosign,
    level_node,
)
from .rules import _build_rules

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
        if (live := _live_exit(item)) and live.state not in PENDING_EXIT:
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
    if live_exit and live_exit.state not in PENDING_EXIT:
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
