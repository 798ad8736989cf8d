"""Who runs evaluation schemes, and for whom (Art. 22): the one table of evaluating organisations.

- An authority (网格化主管单位, `OrgKind.AUTHORITY`) evaluates townships, handling units and
  grid staff in its area (Art. 22 ¶1); its people act through `supervise_area` on its area.
- A township (乡镇人民政府（街道办事处）, `OrgKind.TOWNSHIP_OFFICE`) evaluates its own grid
  leaders, full-time workers and instructors (Art. 22 ¶2): staff schemes only, scoring the
  staff of grids in its own township; its people act through `manage_staff` on the
  township, the grant that runs the township's grid staff (docs/staff-office.md: the
  township office's dispatchers; the district authority's supervisors over it may act
  too). Its schemes stay within the city's rules (`within_rules_errors`).

Everything else in the app (scheme and period steps, the lists of schemes and periods)
asks this module, so an organisation kind gains or loses the right here only.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _

from personnel.choices import OrgKind
from personnel.models import Organisation
from personnel.roles import MANAGE_STAFF, SUPERVISE
from personnel.scope import authorize, covering_q, has_area_perm

from .choices import SubjectKind
from .models import Scheme

#: organisation kind → (the permission its people act through on its area, the subject kinds it may evaluate)
EVALUATORS: dict[str, tuple[str, frozenset[str]]] = {
    OrgKind.AUTHORITY: (SUPERVISE, frozenset(SubjectKind.values)),
    OrgKind.TOWNSHIP_OFFICE: (MANAGE_STAFF, frozenset({SubjectKind.STAFF})),
}

#: Scheme rules a township may only make stricter than the authority above it, and in which direction:
#: -1: at most the authority's value (hours allowed, bonus cap); +1: at least it (penalties).
STRICTER: dict[str, int] = {
    "late_report_hours": -1,
    "accept_hours": -1,
    "verify_hours": -1,
    "bonus_max": -1,
    "late_report_penalty": 1,
    "concealed_penalty": 1,
}


def may_run(user, organisation: Organisation) -> bool:
    """Whether `user` acts for `organisation` as an evaluator (False for kinds that do not evaluate)."""
    row = EVALUATORS.get(organisation.kind)
    return row is not None and has_area_perm(user, row[0], organisation.area)


def authorize_run(user, organisation: Organisation, message) -> None:
    """Raise PermissionDenied (`message`) unless `user` holds the evaluator's permission on
    `organisation`'s area (None = the system). For a kind that does not evaluate, the
    authority's permission is asked, and `subject_errors` then refuses the organisation."""
    perm = EVALUATORS.get(organisation.kind, EVALUATORS[OrgKind.AUTHORITY])[0]
    authorize(user, perm, organisation.area, message=message)


def runs_q(user, path: str) -> Q:
    """Filter on rows whose organisation at `path` (`""` for organisations themselves) `user` evaluates for."""
    prefix = f"{path}__" if path else ""
    condition = Q(pk__in=[])
    for kind, (perm, _kinds) in EVALUATORS.items():
        condition |= covering_q(user, perm, f"{prefix}area") & Q(**{f"{prefix}kind": kind})
    return condition


def evaluators_for(user):
    """Active organisations `user` may define schemes for (authorities, townships), by area code."""
    return Organisation.objects.filter(runs_q(user, ""), is_active=True).order_by("area__code", "name")


def subject_errors(organisation: Organisation, subject_kind: str) -> dict[str, list[str]]:
    """Field errors when `organisation` may not evaluate `subject_kind` (a township: its grid staff only)."""
    row = EVALUATORS.get(organisation.kind)
    if row is None:
        return {"authority": [_("考评方案须由网格化主管单位或乡镇（街道）制定。")]}
    if subject_kind in SubjectKind.values and subject_kind not in row[1]:
        return {"subject_kind": [_("乡镇（街道）只能考评本辖区的网格长、专职网格员和网格指导员。")]}
    return {}


def within_rules_errors(organisation: Organisation, rules: dict) -> dict[str, list[str]]:
    """Field errors where a township's staff scheme is laxer than the rules of the authority above it.

    "The city's rules" are the active staff schemes of the authorities whose area contains
    the township (the district's and the city's); each rule in `STRICTER` must be at
    least as strict as the strictest of them. `rules`: field → value (Decimal or number).
    No error for an authority's own scheme, or when no authority above has a staff scheme.
    """
    if organisation.kind != OrgKind.TOWNSHIP_OFFICE:
        return {}
    area = organisation.area
    above = Scheme.objects.filter(
        is_active=True,
        subject_kind=SubjectKind.STAFF,
        authority__kind=OrgKind.AUTHORITY,
        authority__area__tree_id=area.tree_id,
        authority__area__lft__lte=area.lft,
        authority__area__rght__gte=area.rght,
    )
    errors: dict[str, list[str]] = {}
    for field, direction in STRICTER.items():
        values = [getattr(s, field) for s in above]
        if not values or rules.get(field) is None:
            continue
        limit = min(values) if direction < 0 else max(values)
        value = rules[field]
        if (direction < 0 and value > limit) or (direction > 0 and value < limit):
            text = (
                _("不得宽于上级主管单位的考评规则（%(limit)s）。")
                if direction < 0
                else _("不得低于上级主管单位的考评规则（%(limit)s）。")
            )
            errors[field] = [text % {"limit": limit}]
    return errors
