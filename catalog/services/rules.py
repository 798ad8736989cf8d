"""Handling rules per grade (time limits, warning point, closing level) of a catalogue item (Art. 13, 18)."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ..choices import (
    CloseLevel,
    Grade,
    ItemKind,
    TimeUnit,
)
from ..models import HandlingRule
from .core import (
    RULE_FIELDS,
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
