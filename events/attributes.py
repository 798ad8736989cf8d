"""Validation of an event's report fields against its item version (Art. 17, 19).

Uses `catalog.attributes.validate_report_fields` when the catalogue provides it; until
then this module's own check, for the attribute shape documented on
`catalog.models.ServiceItemVersion.attributes`.
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from catalog.choices import AttributeType


def validate_attributes(version, data) -> dict:
    """Return the cleaned report fields or raise ValidationError({"attributes": [...]})."""
    try:
        from catalog.attributes import validate_report_fields
    except ImportError:
        return _validate(version, data)
    return validate_report_fields(version, data)


def _validate(version, data) -> dict:
    data = data or {}
    if not isinstance(data, dict):
        raise ValidationError({"attributes": [_("上报字段格式不正确。")]})
    specs = {a["code"]: a for a in (version.attributes or []) if isinstance(a, dict) and a.get("code")}
    errors, cleaned = [], {}
    for code in data:
        if code not in specs:
            errors.append(_("未知的上报字段：%(code)s。") % {"code": code})
    for code, spec in specs.items():
        label = spec.get("label") or code
        value = data.get(code)
        if value in (None, "", []):
            if spec.get("required"):
                errors.append(_("请填写“%(label)s”。") % {"label": label})
            continue
        kind = spec.get("type", AttributeType.TEXT)
        keys = {c.get("key") for c in spec.get("choices") or []}
        try:
            if kind == AttributeType.NUMBER:
                cleaned[code] = str(Decimal(str(value)))
            elif kind == AttributeType.DATE:
                cleaned[code] = datetime.date.fromisoformat(str(value)).isoformat()
            elif kind == AttributeType.SINGLE_CHOICE:
                if value not in keys:
                    raise ValueError
                cleaned[code] = value
            elif kind == AttributeType.MULTIPLE_CHOICE:
                if not isinstance(value, list) or not set(value) <= keys:
                    raise ValueError
                cleaned[code] = list(value)
            else:
                cleaned[code] = str(value)[:1000]
        except (ValueError, InvalidOperation, TypeError):
            errors.append(_("“%(label)s”的值不正确。") % {"label": label})
    if errors:
        raise ValidationError({"attributes": errors})
    return cleaned
