"""Report fields of an item (like Open311 service attributes) and their validation.

A version's `attributes` is a list of
`{"code": str, "label": str, "type": AttributeType, "required": bool,
"choices": [{"key": str, "label": str}]}`; `choices` only for single/multiple.
The catalogue checks the schema when a version is proposed
(`validate_attribute_schema`); the events app checks each report against it
(`validate_report_fields`).
"""

import datetime
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .choices import AttributeType

_CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_CHOICE_TYPES = (AttributeType.SINGLE_CHOICE, AttributeType.MULTIPLE_CHOICE)


def validate_attribute_schema(attributes) -> list[dict]:
    """Check and normalise a version's report-field definitions; returns the cleaned list.

    Raises `ValidationError` (message list, in Chinese) naming the field at fault.
    """
    if attributes in (None, ""):
        return []
    if not isinstance(attributes, list):
        raise ValidationError(_("上报字段须为列表。"))
    cleaned, seen, errors = [], set(), []
    for i, attr in enumerate(attributes, start=1):
        if not isinstance(attr, dict):
            errors.append(_("第%(n)d个字段须为对象。") % {"n": i})
            continue
        code = str(attr.get("code", "")).strip()
        label = str(attr.get("label", "")).strip()
        kind = attr.get("type")
        if not _CODE.match(code):
            errors.append(_("第%(n)d个字段的代码须为小写字母开头的字母、数字或下划线。") % {"n": i})
        elif code in seen:
            errors.append(_("字段代码“%(code)s”重复。") % {"code": code})
        seen.add(code)
        if not label:
            errors.append(_("第%(n)d个字段缺少名称。") % {"n": i})
        if kind not in AttributeType.values:
            errors.append(_("第%(n)d个字段的类型无效。") % {"n": i})
        item = {"code": code, "label": label, "type": kind, "required": bool(attr.get("required", False))}
        if kind in _CHOICE_TYPES:
            choices = attr.get("choices") or []
            keys = [str(c.get("key", "")).strip() for c in choices if isinstance(c, dict)]
            if not keys or len(keys) != len(choices) or not all(keys) or len(set(keys)) != len(keys):
                errors.append(_("第%(n)d个字段须有不重复的选项（key 与 label）。") % {"n": i})
            item["choices"] = [
                {"key": str(c.get("key", "")).strip(), "label": str(c.get("label", "")).strip() or str(c.get("key"))}
                for c in choices
                if isinstance(c, dict)
            ]
        cleaned.append(item)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _clean_value(attr: dict, value):
    kind = attr["type"]
    if kind == AttributeType.TEXT:
        if not isinstance(value, str | int | float):
            raise ValidationError(_("须为文本。"))
        return str(value).strip()
    if kind == AttributeType.NUMBER:
        if isinstance(value, bool):
            raise ValidationError(_("须为数字。"))
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise ValidationError(_("须为数字。")) from None
        if not number.is_finite():
            raise ValidationError(_("须为数字。"))
        return int(number) if number == number.to_integral_value() else float(number)
    if kind == AttributeType.DATE:
        try:
            return datetime.date.fromisoformat(str(value).strip()).isoformat()
        except ValueError:
            raise ValidationError(_("须为日期（YYYY-MM-DD）。")) from None
    keys = {c["key"] for c in attr.get("choices", [])}
    if kind == AttributeType.SINGLE_CHOICE:
        if not isinstance(value, str) or value not in keys:
            raise ValidationError(_("须为以下选项之一：%(keys)s。") % {"keys": "、".join(sorted(keys))})
        return value
    values = value if isinstance(value, list) else [value]
    if not all(isinstance(v, str) and v in keys for v in values):
        raise ValidationError(_("只能从以下选项中选择：%(keys)s。") % {"keys": "、".join(sorted(keys))})
    return list(dict.fromkeys(values))


def validate_report_fields(version, data: dict | None) -> dict:
    """Check a report's field values against `version.attributes`; return cleaned values.

    `data` maps field codes to values: text → str; number → int/float (strings of
    digits accepted); date → ISO `YYYY-MM-DD` string; single → one choice key;
    multiple → list of keys. Empty values (None, "", []) count as missing; unknown
    codes are refused. Returns `{code: cleaned}` for the fields given.
    Raises `ValidationError({code: [message]})` with every field's problem at once.
    """
    data = data or {}
    if not isinstance(data, dict):
        raise ValidationError({"attributes": [_("上报字段须为对象。")]})
    errors: dict[str, list[str]] = {}
    cleaned: dict = {}
    known = {a["code"]: a for a in version.attributes or []}
    for code in data:
        if code not in known:
            errors[code] = [_("该事项没有此字段。")]
    for code, attr in known.items():
        value = data.get(code)
        if value is None or value == "" or value == []:
            if attr.get("required"):
                errors[code] = [_("“%(label)s”为必填项。") % {"label": attr["label"]}]
            continue
        try:
            cleaned[code] = _clean_value(attr, value)
        except ValidationError as exc:
            errors[code] = [f"{attr['label']}：{m}" for m in exc.messages]
    if errors:
        raise ValidationError(errors)
    return cleaned


def display_report_fields(version, values: dict | None) -> list[tuple[str, str]]:
    """An event's report field values as people read them: `[(label, text)]`.

    In the order of `version.attributes` (the item version the event was reported
    under): each field's label, and for choices the choice's label instead of its key
    (several choices joined with the language's list separator). A value whose code the
    version does not define (data from before a schema change) shows under its code.
    """
    values = values or {}
    known = {a["code"]: a for a in (version.attributes if version else None) or []}
    order = [code for code in known if code in values] + [code for code in values if code not in known]
    shown = []
    for code in order:
        attr, value = known.get(code, {}), values[code]
        labels = {c["key"]: c["label"] for c in attr.get("choices", [])}
        items = value if isinstance(value, list) else [value]
        text = _("、").join(str(labels.get(v, v)) if isinstance(v, str) else str(v) for v in items)
        shown.append((attr.get("label") or code, text))
    return shown
