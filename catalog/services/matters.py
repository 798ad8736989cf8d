"""Temporary unlisted matters and the Art. 19 check of tasks for grid staff."""

import datetime

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grids.models import Area
from personnel.models import Organisation
from personnel.scope import authorize

from ..models import ServiceItemVersion, TemporaryMatter
from .core import (
    MANAGE,
    UNLISTED_MESSAGE,
    _actor_organisation,
)

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
        from ..selectors import items_in_force

        version = items_in_force(area=area, on=on).filter(item__code=item_code).first()
        if version is not None:
            return version
    if temporary_matter is not None and temporary_matter.applies(area, on):
        return temporary_matter
    raise ValidationError(UNLISTED_MESSAGE, code="unlisted")
