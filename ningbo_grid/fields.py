"""Serializer fields shared by every app's API: the contract's rules for values.

Absent values: an optional choice is stored as `""` (Django's blank for a CharField) but
an enum has no `""`: the API shows an absent choice as `null`, declared nullable in the
schema, and takes `null` (or no value) for it on input (`BlankAsNullChoiceField`).

Strict types: in a JSON body a value of the wrong JSON type is refused (400, code
`invalid`), never converted: a number where text is expected (`CharField`), a string or
a fraction where an integer is (`IntegerField`: `"4"` is refused), anything but `true`/
`false` where a boolean is (`BooleanField`). Form and multipart bodies carry only text,
so there the usual conversions apply. Date-times (`DateTimeField`), in any body: ISO 8601
with a zone (`Z` or `±hh:mm`), e.g. `2026-01-31T08:00:00+08:00`; a time without a zone
is refused (the same rule as the `updated_since` filters, `ningbo_grid.filters`).

`ModelSerializer` uses these fields for model fields too; serializers declare them from
here instead of `rest_framework.serializers`.
"""

from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.fields import empty

from .filters import OUT_OF_RANGE, TimeOutOfRange, parse_zoned_datetime


def from_json(field: serializers.Field) -> bool:
    """Whether `field`'s input came in a JSON body (typed), not a form (all text)."""
    return not isinstance(getattr(field.root, "initial_data", None), QueryDict)


class JsonTyped:
    """A field mixin: in a JSON body, a value whose JSON type is not `json_type` is
    refused (code `invalid`) before the field would convert it (`True` is no integer)."""

    json_type: type = str

    def to_internal_value(self, data):
        typed = isinstance(data, self.json_type) and (self.json_type is bool or not isinstance(data, bool))
        if not typed and from_json(self):
            self.fail("invalid")
        return super().to_internal_value(data)


class CharField(JsonTyped, serializers.CharField):
    """Text; in JSON only a string (DRF would turn `1e30` into `"1e+30"`)."""

    json_type = str


class IntegerField(JsonTyped, serializers.IntegerField):
    """An integer; in JSON only an integer number (not `"4"`, `4.0` or `true`)."""

    json_type = int


class BooleanField(JsonTyped, serializers.BooleanField):
    """`true`/`false`; in JSON only those (not `"yes"`, `1` or `"maybe"`)."""

    json_type = bool


class DateTimeField(serializers.DateTimeField):
    """An ISO 8601 date-time with a zone, in every body (see the module docstring)."""

    default_error_messages = {
        "naive": _("请输入带时区的 ISO 8601 时间，例如 2026-01-31T08:00:00+08:00。"),
        "out_of_range": OUT_OF_RANGE,
    }

    def to_internal_value(self, value):
        """The aware datetime in the current zone (Asia/Shanghai); errors `invalid` (not
        text), `naive` (not ISO 8601 with a zone), `out_of_range` (see `check_time_range`)."""
        if not isinstance(value, str):
            self.fail("invalid", format="ISO 8601")
        try:
            parsed = parse_zoned_datetime(value)
        except TimeOutOfRange:
            self.fail("out_of_range")
        except ValueError:
            self.fail("naive")
        return self.enforce_timezone(parsed)


class BlankAsNullChoiceField(serializers.ChoiceField):
    """A choice that may be absent: `null` in the API, `""` in the database.

    Built with `allow_blank=True` or `blank_as_null=True` (as `ModelSerializer` does for
    a blank model field, read-only ones included) it becomes nullable instead: `""` is
    rendered `null`; `null` and an omitted value are taken as `""`; the string `""`
    itself is refused (code `invalid_choice`), as it is no member of the enum. Otherwise
    it is a plain `ChoiceField`.
    """

    def __init__(self, *, blank_as_null: bool = False, **kwargs):
        self.blank_as_null = blank_as_null or bool(kwargs.pop("allow_blank", False))
        if self.blank_as_null:
            kwargs["allow_null"] = True
        super().__init__(**kwargs)

    def to_representation(self, value):
        if self.blank_as_null and value in ("", None):
            return None
        return super().to_representation(value)

    def run_validation(self, data=empty):
        value = super().run_validation(data)
        return "" if self.blank_as_null and value is None else value


#: DRF's fields and their strict counterparts above.
STRICT = {
    serializers.CharField: CharField,
    serializers.IntegerField: IntegerField,
    serializers.BooleanField: BooleanField,
    serializers.DateTimeField: DateTimeField,
}


class ModelSerializer(serializers.ModelSerializer):
    """The project's ModelSerializer: blank model choices are `BlankAsNullChoiceField`s,
    text, integer, boolean and date-time columns the strict fields above."""

    serializer_choice_field = BlankAsNullChoiceField
    serializer_field_mapping = {
        model_field: STRICT.get(field, field)
        for model_field, field in serializers.ModelSerializer.serializer_field_mapping.items()
    }

    def build_standard_field(self, field_name, model_field):
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        if issubclass(field_class, BlankAsNullChoiceField) and model_field.blank:
            # Not `allow_blank`: DRF drops that one from read-only fields.
            kwargs["blank_as_null"] = True
        return field_class, kwargs
