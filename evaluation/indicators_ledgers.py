"""The ledger indicators (一标三实 visits, Art. 15(2), 22): visits done, care targets overdue, coverage.

Registered into `evaluation.indicators.REGISTRY` (imported by the app's `ready`), so
schemes can weigh them like the event indicators. Two sources:

- "visits" (`ledgers.Visit`): visits made in the span, by the person (`visitor`) or in
  the area subtree (grouped by the visit's copied `township_id` for townships);
- "care_targets" (`ledgers.Person`, present, with a visiting duty `next_visit_due`):
  a snapshot, not a span count. A care target is overdue when its due date is before
  the *measuring day*: the day after the span's last day, or today (local, from
  `Options.now`) while the span is still running. Past periods are measured against
  the due dates as they stand now (a person visited late since then no longer counts):
  scorecards are computed, and frozen, at the period's end.
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grids.choices import Level
from grids.models import Area
from ledgers.choices import PersonStatus
from ledgers.models import Person, Visit

from .indicators import AREA, HELP, SOURCES, STAFF, Measure, Options, Span, _range, indicator, pct


def _township_group(area: Area) -> str | None:
    """Ledger rows copy their township (`township_id`): townships group by it, other areas go one by one."""
    return "township_id" if area.level == Level.TOWNSHIP else None


SOURCES["visits"] = (
    Visit,
    {
        AREA: (lambda a: _range("area", a), _township_group),
        STAFF: (lambda u: Q(visitor=u), lambda u: "visitor_id"),
    },
)
SOURCES["care_targets"] = (Person, {AREA: (lambda a: _range("area", a), _township_group)})


def measuring_day(span: Span, opt: Options) -> datetime.date:
    """The local date overdue care targets are counted on: the day after `span`, or today if sooner."""
    today = timezone.localdate(opt.now)
    return min(span.end + datetime.timedelta(days=1), today)


TARGETS = Q(status=PersonStatus.PRESENT, next_visit_due__isnull=False)


@indicator("ledger_visits", _("走访台账次数"), _("次"), higher_better=True, kinds={STAFF, AREA}, source="visits")
def ledger_visits(span, opt):
    """Visits (走访) to households, persons and units recorded in the ledgers, made in the span (Art. 15(2))."""
    return Measure(span.q("visited_at"), {"n": Count("id")}, lambda a: a["n"] or 0)


@indicator(
    "care_targets_overdue", _("逾期未走访人数"), _("人"), higher_better=False, kinds={AREA}, source="care_targets"
)
def care_targets_overdue(span, opt):
    """Care targets (present persons with a visiting duty) whose visit was due before the measuring day."""
    day = measuring_day(span, opt)
    return Measure(TARGETS, {"n": Count("id", filter=Q(next_visit_due__lt=day))}, lambda a: a["n"] or 0)


@indicator("care_visit_coverage", _("重点对象走访覆盖率"), "%", higher_better=True, kinds={AREA}, source="care_targets")
def care_visit_coverage(span, opt):
    """Share of care targets not overdue on the measuring day (visited within their tags' frequency)."""
    day = measuring_day(span, opt)
    return Measure(
        TARGETS,
        {"n": Count("id"), "late": Count("id", filter=Q(next_visit_due__lt=day))},
        lambda a: pct((a["n"] or 0) - (a["late"] or 0), a["n"]),
    )


HELP.update(
    {
        "ledger_visits": _("考评期内在台账中登记的入户、走访人员和单位的次数（条例第十五条）。"),
        "care_targets_overdue": _("考评期末（或今天）已超过走访周期仍未走访的重点对象人数。"),
        "care_visit_coverage": _("重点对象中在走访周期内已走访（未逾期）的比例。"),
    }
)
