"""A user's change of a person's care tags (关爱标签, Art. 12(2), 15(2)), within what they may see.

`ledgers.services.person_set_tags` sets a person's whole tag set; a user only sees some
tags (`ledgers.privacy.visible_tags`: restricted public-safety tags only for organisations
granted them), so their change adds and removes among those and keeps the others as
they are: a worker who cannot see 社区矫正 can neither set it nor, by saving a form, erase it.
"""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from . import privacy, services
from .models import CareTag, Person


def person_change_tags(
    *,
    actor,
    person: Person,
    add=(),
    remove=(),
    on: datetime.date | None = None,
    version: int | None = None,
) -> Person:
    """Add the care tags `add` and remove `remove` (CareTag objects or codes) of `person`.

    Only active tags `actor` may see are accepted; any other (unknown, retired or not
    visible to them: the same message, naming nothing) is a ValidationError on `add` /
    `remove`, as is a tag in both. `on`: the local date of the change (default today; not
    after today), the `since` of the added tags. Tags the actor may not see are kept.
    `next_visit_due` is recomputed (`services.refresh_due`). Returns the person (version
    bumped). Raises ValidationError, PermissionDenied (no `keep_ledgers` on the person's
    micro-grid), StaleVersion (`version`, the person's version the actor read).
    """
    visible = privacy.visible_tags(actor).filter(is_active=True)
    errors: dict[str, list] = {}
    chosen: dict[str, set[int]] = {}
    for field, given in (("add", add), ("remove", remove)):
        codes = {t.code if isinstance(t, CareTag) else t for t in given}
        found = dict(visible.filter(code__in=[c for c in codes if isinstance(c, str)]).values_list("code", "pk"))
        if set(found) != codes:
            errors[field] = [_("标签无效：%(codes)s") % {"codes": "、".join(sorted(map(str, codes - set(found))))}]
        chosen[field] = set(found.values())
    if not errors and chosen["add"] & chosen["remove"]:
        errors["remove"] = [_("同一标签不能同时添加和移除。")]
    on = on or timezone.localdate()
    if on > timezone.localdate():
        errors["on"] = [_("日期不能晚于今天。")]
    if errors:
        raise ValidationError(errors)
    have = set(person.tags.values_list("pk", flat=True))
    tags = list(CareTag.objects.filter(pk__in=(have | chosen["add"]) - chosen["remove"]))
    return services.person_set_tags(actor=actor, person=person, tags=tags, on=on, version=version)
