"""API shapes of the catalogue. Limits are decimals in their own `TimeUnit`; dates are local ISO dates."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ningbo_grid import fields as strict
from ningbo_grid.fields import ModelSerializer
from personnel.choices import Department

from ..choices import Category, CloseLevel, Grade, ItemKind, ListLevel, TimeUnit
from ..models import HandlingRule, ItemExit, ServiceItemVersion


class RuleSerializer(ModelSerializer):
    class Meta:
        model = HandlingRule
        fields = [
            "grade",
            "accept_limit",
            "accept_unit",
            "complete_limit",
            "complete_unit",
            "warning_ratio",
            "close_level",
        ]


@extend_schema_field(
    {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {
                "code": {"type": "string"},
                "label": {"type": "string"},
                "type": {"type": "string", "enum": ["text", "number", "date", "single", "multiple"]},
                "required": {"type": "boolean"},
                "choices": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {"key": {"type": "string"}, "label": {"type": "string"}},
                    },
                },
            },
        },
    }
)
class AttributesField(serializers.JSONField):
    """Report fields (Open311-style attributes) of a version."""


class ItemSerializer(ModelSerializer):
    """A published item as in force today: its current version's content, rules and report fields."""

    code = strict.CharField(source="item.code")
    level = serializers.ChoiceField(source="item.level", choices=ListLevel.choices)
    district = serializers.SerializerMethodField()
    version = strict.IntegerField(source="number")
    category_label = strict.CharField(source="get_category_display")
    department_label = strict.CharField(source="get_department_display")
    attributes = AttributesField()
    rules = RuleSerializer(many=True)

    class Meta:
        model = ServiceItemVersion
        fields = [
            "code",
            "level",
            "district",
            "version",
            "name",
            "name_en",
            "category",
            "category_label",
            "kind",
            "description",
            "guidance",
            "department",
            "department_label",
            "supporting_units",
            "self_handle",
            "attributes",
            "effective_from",
            "effective_to",
            "rules",
        ]

    @extend_schema_field(strict.CharField(allow_null=True, help_text="district code; null for a city item"))
    def get_district(self, obj) -> str | None:
        return obj.item.district.code if obj.item.district_id else None


class VersionStateSerializer(ModelSerializer):
    """A version's place in the entry lifecycle (returned by the lifecycle actions)."""

    code = strict.CharField(source="item.code")

    class Meta:
        model = ServiceItemVersion
        fields = ["id", "code", "number", "name", "state", "effective_from", "effective_to"]


class ExitSerializer(ModelSerializer):
    code = strict.CharField(source="item.code")

    class Meta:
        model = ItemExit
        fields = ["id", "code", "state", "reasons", "effective_date"]


class RuleInputSerializer(serializers.Serializer):
    grade = serializers.ChoiceField(choices=Grade.choices)
    accept_limit = serializers.DecimalField(max_digits=6, decimal_places=2, required=False, allow_null=True)
    accept_unit = serializers.ChoiceField(choices=TimeUnit.choices, default=TimeUnit.WORKING_HOUR)
    complete_limit = serializers.DecimalField(max_digits=6, decimal_places=2, required=False, allow_null=True)
    complete_unit = serializers.ChoiceField(choices=TimeUnit.choices, default=TimeUnit.WORKING_DAY)
    warning_ratio = serializers.DecimalField(max_digits=3, decimal_places=2, default="0.75")
    close_level = serializers.ChoiceField(choices=CloseLevel.choices, default=CloseLevel.TOWNSHIP)


class ProposeSerializer(serializers.Serializer):
    """A proposal: `item_code` of an existing item for a new version, else a new item."""

    item_code = strict.CharField(required=False, allow_blank=True, default="")
    code = strict.CharField(required=False, allow_blank=True, default="")
    level = serializers.ChoiceField(choices=ListLevel.choices, default=ListLevel.CITY)
    district = strict.CharField(required=False, allow_blank=True, default="", help_text="district (county) code")
    name = strict.CharField(max_length=100)
    name_en = strict.CharField(max_length=200, required=False, allow_blank=True, default="")
    category = serializers.ChoiceField(choices=Category.choices)
    kind = serializers.ChoiceField(choices=ItemKind.choices, default=ItemKind.EVENT)
    description = strict.CharField(required=False, allow_blank=True, default="")
    guidance = strict.CharField(required=False, allow_blank=True, default="")
    department = serializers.ChoiceField(choices=Department.choices)
    supporting_units = strict.CharField(max_length=200, required=False, allow_blank=True, default="")
    self_handle = strict.BooleanField(default=False)
    attributes = AttributesField(required=False, default=list)
    rules = RuleInputSerializer(many=True, required=False, default=list)
    opinion = strict.CharField(required=False, allow_blank=True, default="")


class OpinionSerializer(serializers.Serializer):
    opinion = strict.CharField(required=False, allow_blank=True, default="")


class PublishSerializer(OpinionSerializer):
    effective_date = serializers.DateField()


class ReasonsSerializer(serializers.Serializer):
    reasons = strict.CharField()
