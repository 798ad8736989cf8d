"""Serializer fields shared by every app's API: the contract's rules for absent values.

An optional choice is stored as `""` (Django's blank for a CharField) but an enum has no
`""`: the API shows an absent choice as `null`, declared nullable in the schema, and takes
`null` (or no value) for it on input. `ModelSerializer` below uses it for every model
choice field that may be blank, so a new blank choice cannot break the schema.
"""

from rest_framework import serializers
from rest_framework.fields import empty


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


class ModelSerializer(serializers.ModelSerializer):
    """The project's ModelSerializer: blank model choices are `BlankAsNullChoiceField`s."""

    serializer_choice_field = BlankAsNullChoiceField

    def build_standard_field(self, field_name, model_field):
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        if issubclass(field_class, BlankAsNullChoiceField) and model_field.blank:
            # Not `allow_blank`: DRF drops that one from read-only fields.
            kwargs["blank_as_null"] = True
        return field_class, kwargs
