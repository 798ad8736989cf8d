"""The catalogue services' shared parts: competence checks, the step log, date housekeeping (Art. 13)."""

import datetime
import re

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grids.models import Area
from personnel.choices import OrgKind, PlatformRole
from personnel.models import Membership, Organisation
from personnel.scope import granted_nodes, has_area_perm

from ..choices import (
    EVER_PUBLISHED,
    LIVE_EXIT,
    ExitState,
    ListLevel,
    VersionState,
)
from ..models import HandlingRule, ItemExit, LifecycleStep, ServiceItem, ServiceItemVersion
from ..selectors import version_in_force

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
    return item.exits.filter(state__in=LIVE_EXIT).first()


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
