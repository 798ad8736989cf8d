"""Exit of an item from the list (退出): propose, co-sign (staffing office), approve, reject (Art. 13)."""

import datetime

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from personnel.scope import authorize, has_area_perm

from ..choices import (
    EVER_PUBLISHED,
    PENDING,
    PENDING_EXIT,
    ExitState,
    Step,
)
from ..models import ItemExit, ServiceItem
from .core import (
    COSIGN,
    MANAGE,
    _check_effective_date,
    _department_org,
    _live_exit,
    _log,
    _refresh_item,
)

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
def item_exit_cosign(*, actor: User | None, item_exit: ItemExit, opinion: str = "") -> ItemExit:
    """The staffing office at the item's level co-signs a proposed exit (会签): proposed → cosigned.

    As for entry (Art. 13: the authority adjusts the list together with the staffing
    office), the authority may approve an exit only once co-signed. `opinion` at most
    `OPINION_MAX` characters. Raises PermissionDenied (no `cosign_catalog` at the
    item's level) or ValidationError (`state` when not proposed; `opinion`).
    """
    item_exit = _lock_exit(item_exit)
    authorize(actor, COSIGN, item_exit.item.level_node(), message=_("只有同级机构编制部门可以会签退出申请。"))
    if item_exit.state != ExitState.PROPOSED:
        raise ValidationError({"state": [_("只有已提议的退出申请可以会签。")]})
    item_exit.state = ExitState.COSIGNED
    item_exit.save(update_fields=["state"])
    _log(item=item_exit.item, item_exit=item_exit, step=Step.EXIT_COSIGNED, actor=actor, opinion=opinion)
    return item_exit


@transaction.atomic
def item_exit_approve(
    *, actor: User | None, item_exit: ItemExit, effective_date: datetime.date, opinion: str = ""
) -> ItemExit:
    """The authority approves a co-signed exit; from `effective_date` (local) the item is out of force.

    Only after the staffing office's co-signature (`item_exit_cosign`), as for entry.
    The last version's `effective_to` becomes the day before, so the item leaves the
    list by itself on that date; events already open on it continue. Art. 13.
    Raises PermissionDenied (not the authority at the item's level) or ValidationError
    (`state` when not co-signed; `effective_date`).
    """
    item_exit = _lock_exit(item_exit)
    item = item_exit.item
    authorize(actor, MANAGE, item.level_node(), message=_("只有本级网格化主管单位可以批准退出。"))
    if item_exit.state != ExitState.COSIGNED:
        raise ValidationError({"state": [_("只有机构编制已会签的退出申请可以批准。")]})
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
    """Return an exit proposal with `reasons`; the item stays on the list.

    The authority may return it before approval (proposed or co-signed); the staffing
    office while co-signing (proposed), as for entry. Raises PermissionDenied or
    ValidationError (`state`, `reasons`).
    """
    item_exit = _lock_exit(item_exit)
    node = item_exit.item.level_node()
    if not (item_exit.state == ExitState.PROPOSED and has_area_perm(actor, COSIGN, node)):
        authorize(actor, MANAGE, node, message=_("只有本级网格化主管单位或会签的机构编制部门可以退回退出申请。"))
    if item_exit.state not in PENDING_EXIT:
        raise ValidationError({"state": [_("只有尚未批准的退出申请可以退回。")]})
    if not (reasons or "").strip():
        raise ValidationError({"reasons": [_("请填写退回理由。")]})
    item_exit.state = ExitState.REJECTED
    item_exit.save(update_fields=["state"])
    _log(item=item_exit.item, item_exit=item_exit, step=Step.EXIT_REJECTED, actor=actor, opinion=reasons.strip())
    return item_exit
