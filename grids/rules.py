"""The rules an adjustment of the tree must follow, set by the city authority (Art. 7).

Art. 7: districts draw grids with their townships; "网格、微网格划分和调整的具体办法，由市
网格化主管单位制定" — the city's grid authority sets the rules for drawing and adjusting
grids and micro-grids. Two rules are enforced here:

- **Household range per grid type** (`HouseholdRule`): for each grid type (城市社区网格,
  农村网格, 专属网格) and level (网格, 微网格) the city sets a minimum and a maximum number
  of households (either may be left open). Ningbo's practice, seeded as each city's
  default by migration `grids.0007`: a grid 300–500 households, a micro-grid 30–50, for
  urban and rural grids; dedicated grids (a school, a market, an enterprise) are drawn
  round a unit, not households, so none is seeded for them. Creating, redrawing,
  splitting or merging a grid checks the households it ends with against the rule of
  its type and level (`households_checked`). Outside the range the adjustment is
  refused with a Chinese error naming the rule, unless the adjuster writes the reason
  for the exception: real places do not always fit the range (one large compound, an
  island village), so the regulation's practice is guidance that an accountable person
  may depart from in writing. The reason is recorded in the `AreaChange` history of
  every node it concerns, and the city sees it there. Households left empty (unknown)
  are not checked. `grids.services.MAX_HOUSEHOLDS` stays as the absolute sanity bound
  of any household figure (and of a rule's bounds), not as a rule.
- **Effective date** (`effective_date_checked`): adjustments apply when saved, so a date
  after today is refused (scheduling an adjustment for a later day is not offered); today
  or an earlier day (recording an adjustment decided before) is accepted.

Who sets the household rules: a holder of `adjust_area` on the city node itself (the
city authority's supervisors; a province's cover its cities), never a district's or a
township's. Each change bumps the rule's `version` (a change names the version it was
read at) and writes one `AreaChange` (kind `rule`) on the city node with before/after.
"""

import datetime

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from personnel.roles import ADJUST, VIEW
from personnel.scope import area_reach, authorize, has_area_perm

from .choices import GRID_LEVELS, ChangeKind, GridType, Level, Status
from .models import Area, AreaChange, HouseholdRule

#: The absolute sanity bound of any household figure: no grid holds more (a typo guard).
MAX_HOUSEHOLDS = 100_000

FUTURE_DATE = gettext_lazy("生效日期不能晚于今天：调整保存后立即生效，不能预约以后生效。")
STALE_RULE = gettext_lazy("该户数规则已被他人修改，请刷新后重试。")
NOT_CITY_AUTHORITY = gettext_lazy("只有市网格化主管单位可以设置网格户数规则。")


def households_value(value) -> int | None:
    """A household figure as given: None for None/"", else an int in 0..MAX_HOUSEHOLDS.
    Raises ValidationError (no key) for anything else (a bool or a string is refused)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(_("户数必须是整数。"))
    if value < 0 or value > MAX_HOUSEHOLDS:
        raise ValidationError(_("户数应在 0 到 %(max)s 之间。") % {"max": MAX_HOUSEHOLDS})
    return value


def effective_date_checked(value: datetime.date | None) -> datetime.date:
    """The date an adjustment takes effect: `value`, or today (local) when None.

    Raises ValidationError (`effective_date`, code `future_date`) for a date after today,
    (code `invalid`) for anything but a `datetime.date`. Art. 7, 9.
    """
    today = timezone.localdate()
    if value is None:
        return today
    if not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
        raise ValidationError({"effective_date": ValidationError(_("生效日期无效。"), code="invalid")})
    if value > today:
        raise ValidationError({"effective_date": ValidationError(FUTURE_DATE, code="future_date")})
    return value


def rule_for(node: Area, grid_type: str, level: str) -> HouseholdRule | None:
    """The household rule of `grid_type` at `level` of the city whose subtree holds `node`
    (saved; for a node being created pass its parent). One query; None without a rule."""
    return (
        HouseholdRule.objects.filter(
            grid_type=grid_type,
            level=level,
            city__tree_id=node.tree_id,
            city__lft__lte=node.lft,
            city__rght__gte=node.rght,
        )
        .order_by("pk")
        .first()
    )


def describe(rule: HouseholdRule) -> str:
    """The rule in words: "城市社区网格：300–500 户" (an open side as 不少于/不超过)."""
    low, high = rule.min_households, rule.max_households
    if low is not None and high is not None:
        bounds = _("%(low)s–%(high)s 户") % {"low": low, "high": high}
    elif low is not None:
        bounds = _("不少于 %(low)s 户") % {"low": low}
    elif high is not None:
        bounds = _("不超过 %(high)s 户") % {"high": high}
    else:
        bounds = _("不限")
    kind = (
        GridType(rule.grid_type).label
        if rule.level == Level.GRID
        else _("%(type)s的微网格") % {"type": GridType(rule.grid_type).label}
    )
    return f"{kind}：{bounds}"


def households_checked(
    *, within: Area, grid_type: str, level: str, counts: list[tuple[str, int | None]], reason: str, field: str
) -> str:
    """Check the households `counts` ([(name, households)]) of grids of `grid_type` at
    `level` under `within` (a saved node inside the city) against the city's rule.

    Returns "" when every count fits (or is None, or there is no rule), else the note to
    record: the rule and `reason`. Raises ValidationError keyed `field` (code
    `household_rule`) when a count is outside the rule and `reason` is blank. At most one
    query (none when every count is None). Art. 7.
    """
    if all(households is None for _name, households in counts):
        return ""
    rule = rule_for(within, grid_type, level)
    if rule is None:
        return ""
    low, high = rule.min_households, rule.max_households
    outside = [
        (name, households)
        for name, households in counts
        if households is not None
        and ((low is not None and households < low) or (high is not None and households > high))
    ]
    if not outside:
        return ""
    found = "、".join(_("%(name)s %(n)s 户") % {"name": name, "n": n} for name, n in outside)
    reason = (reason or "").strip()
    if not reason:
        message = _("不符合市网格化主管单位的户数规则（%(rule)s）：%(found)s。确需突破的，请填写理由。") % {
            "rule": describe(rule),
            "found": found,
        }
        raise ValidationError({field: ValidationError(message, code="household_rule")})
    return _("突破户数规则（%(rule)s；%(found)s），理由：%(reason)s") % {
        "rule": describe(rule),
        "found": found,
        "reason": reason,
    }


def rule_cities(user) -> list[Area]:
    """The active cities whose household rules `user` may read: those overlapping their
    `view_area` reach (a district's or township's staff read their city's rules). Two queries."""
    reach = area_reach(user, VIEW)
    cities = Area.objects.filter(level=Level.CITY, status=Status.ACTIVE).order_by("code")
    return [city for city in cities if reach.overlaps(city.tree_id, city.lft, city.rght)]


def rule_city(user, code: str) -> Area | None:
    """The city with `code` among `rule_cities(user)`, or None (unknown or out of reach)."""
    return next((city for city in rule_cities(user) if city.code == code), None)


def city_rules(city: Area) -> list[HouseholdRule]:
    """Every (grid type, level) pair of `city`'s household rules, in a fixed order: the
    saved rows, or an unsaved open rule (version 0) where the city has set none. One query."""
    saved = {(r.grid_type, r.level): r for r in city.household_rules.all()}
    return [
        saved.get((grid_type, level)) or HouseholdRule(city=city, grid_type=grid_type, level=level, version=0)
        for grid_type in GridType.values
        for level in GRID_LEVELS
    ]


def can_set_rules(user, city: Area) -> bool:
    """Whether `user` may change `city`'s household rules (`adjust_area` on the city node)."""
    return city.level == Level.CITY and has_area_perm(user, ADJUST, city)


def rule_set(
    *,
    actor: User | None,
    city: Area,
    grid_type: str,
    level: str,
    min_households: int | None,
    max_households: int | None,
    version: int,
) -> HouseholdRule:
    """Set `city`'s household range for `grid_type` grids at `level` (Art. 7 具体办法).

    `min_households` / `max_households`: inclusive, None for an open side, each
    0..MAX_HOUSEHOLDS and min ≤ max. `version`: the rule's version as read (0 for a
    rule never set). Writes one `AreaChange` (kind `rule`, on the city, effective
    today) with the rule's before/after; the same values again change nothing. Raises
    PermissionDenied without `adjust_area` on the city node; ValidationError keyed
    `city`, `grid_type`, `level`, `min_households`, `max_households`, `version` (code
    `stale_version` when someone changed the rule since `version`). Returns the rule.
    """
    if city.level != Level.CITY:
        raise ValidationError({"city": _("户数规则由市设置。")})
    authorize(actor, ADJUST, city, message=NOT_CITY_AUTHORITY)
    errors = {}
    if grid_type not in GridType.values:
        errors["grid_type"] = [_("网格类型无效。")]
    if level not in GRID_LEVELS:
        errors["level"] = [_("层级应为网格或微网格。")]
    for field, value in (("min_households", min_households), ("max_households", max_households)):
        try:
            households_value(value)
        except ValidationError as exc:
            errors[field] = exc.messages
    if not errors and None not in (min_households, max_households) and min_households > max_households:
        errors["max_households"] = [_("最多户数不能少于最少户数。")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        rule = (
            HouseholdRule.objects.select_for_update().filter(city=city, grid_type=grid_type, level=level).first()
        ) or HouseholdRule(city=city, grid_type=grid_type, level=level, version=0)
        if version != rule.version:
            raise ValidationError({"version": ValidationError(STALE_RULE, code="stale_version")})
        was = describe(rule)
        before = {"min_households": rule.min_households, "max_households": rule.max_households}
        after = {"min_households": min_households, "max_households": max_households}
        if before == after:
            return rule
        rule.min_households, rule.max_households = min_households, max_households
        rule.version += 1
        try:
            with transaction.atomic():
                rule.save()
        except IntegrityError:  # another first setting of the same rule committed meanwhile
            raise ValidationError({"version": ValidationError(STALE_RULE, code="stale_version")}) from None
        label = {"grid_type": grid_type, "level": level}
        AreaChange.objects.create(
            area=city,
            kind=ChangeKind.RULE,
            actor=actor,
            effective_date=timezone.localdate(),
            before=before | label,
            after=after | label,
            note=f"{was} → {describe(rule)}",
        )
    return rule
