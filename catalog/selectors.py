"""Reads of the catalogue: what is in force on a date, for the public and for the events app.

In force is decided by dates alone (`ServiceItemVersionQuerySet.in_force`), so a
publication or an exit takes effect on its date without any task having run (Art. 13).
Dates are local (Asia/Shanghai) calendar dates; `on=None` means today.
"""

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from grids.models import Area

from .choices import ListLevel, Step
from .models import LifecycleStep, ServiceItem, ServiceItemVersion


def version_in_force(item: ServiceItem, on=None) -> ServiceItemVersion | None:
    """The version of `item` in force on `on`, or None (not yet published, or exited)."""
    on = on or timezone.localdate()
    return item.versions.in_force(on).order_by("-effective_from").first()


def items_in_force(area: Area | None = None, on=None) -> QuerySet:
    """In-force versions (one per item) on `on`, ordered by item code.

    With `area`, only the items that apply there: the city list plus the list of the
    district `area` lies in (Art. 13); without it, every list. Rules and items are
    prefetched.
    """
    on = on or timezone.localdate()
    qs = ServiceItemVersion.objects.in_force(on)
    if area is not None:
        district = area.ancestor_at("county")
        qs = qs.filter(Q(item__level=ListLevel.CITY) | Q(item__level=ListLevel.DISTRICT, item__district=district))
    return (
        qs.select_related("item", "item__district").prefetch_related("rules").order_by("item__code", "-effective_from")
    )


def public_changes() -> QuerySet:
    """The public change log (Art. 13 向社会公布): publications and approved exits, newest first."""
    return (
        LifecycleStep.objects.filter(step__in=[Step.PUBLISHED, Step.EXIT_APPROVED])
        .select_related("item", "item__district", "version")
        .order_by("-effective_date", "-at", "-pk")
    )


def districts() -> QuerySet:
    """Active district (county-level) nodes, for the public page's district selector."""
    return Area.objects.filter(level="county", status="active").order_by("code")


def item_status(item: ServiceItem, on=None) -> str:
    """A one-phrase state of `item` on `on` for the admin list (Chinese).

    Reads prefetched `versions` and `exits` when present.
    """
    on = on or timezone.localdate()
    versions = list(item.versions.all())
    exits = list(item.exits.all())
    if any(e.state in ("approved", "retired") and e.effective_date and e.effective_date <= on for e in exits):
        return _("已退出")
    parts = []
    if any(v.is_in_force(on) for v in versions):
        parts.append(_("在用"))
    elif any(v.state == "published" and v.effective_from and v.effective_from > on for v in versions):
        parts.append(_("待生效"))
    if any(v.state in ("proposed", "reviewed", "cosigned") for v in versions):
        parts.append(_("有版本审核中"))
    if any(e.state == "proposed" for e in exits):
        parts.append(_("退出申请中"))
    if any(e.state == "approved" for e in exits):
        parts.append(_("已批准退出"))
    return "，".join(parts) or _("未发布")
