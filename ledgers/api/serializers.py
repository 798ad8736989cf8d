"""Serializers of the ledgers' API: personal data masked; API keys see only granted fields and tags."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from grids.models import Area
from ningbo_grid import fields as strict
from ningbo_grid.filters import AreaCodeField
from personnel import scope
from personnel.choices import PersonalField
from personnel.masking import mask_id_number, mask_mobile

from ..choices import DwellingUse
from ..models import Address, CareTag, Dwelling, Household, Person, Unit, Visit

#: Person fields a department's `LedgerGrant.fields` may name for its API keys (always with `id`).
GRANTABLE_FIELDS = (
    "name",
    "doc_type",
    "id_number",
    "mobile",
    "sex",
    "birth_date",
    "registration",
    "residence",
    "household",
    "relation",
    "status",
    "area",
    "tags",
    "next_visit_due",
)


class CareTagSerializer(serializers.ModelSerializer):
    class Meta:
        model = CareTag
        fields = ["code", "name", "visit_every_days", "sensitivity"]


class AddressSerializer(serializers.ModelSerializer):
    area = serializers.SlugRelatedField(slug_field="code", read_only=True)
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Address
        fields = [
            "id",
            "code",
            "kind",
            "name",
            "full_text",
            "parent",
            "area",
            "latitude",
            "longitude",
            "is_active",
            "version",
        ]


class NearestAddressSerializer(serializers.Serializer):
    """The nearest standard address in reach (or null) and its distance in metres."""

    address = AddressSerializer(allow_null=True)
    distance_m = serializers.FloatField(allow_null=True, help_text="metres from the position asked")


class DwellingSerializer(serializers.ModelSerializer):
    """A dwelling; owner and tenants as person ids (their data through the persons API)."""

    address = serializers.SlugRelatedField(slug_field="code", read_only=True)
    tenants = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Dwelling
        fields = [
            "id",
            "address",
            "use",
            "floor_area",
            "owner",
            "tenants",
            "rental_registered_on",
            "rental_ends_on",
            "version",
        ]
        extra_kwargs = {"version": {"help_text": "what an edit (PATCH) sends back"}}


@extend_schema_field(OpenApiTypes.INT)
class PersonInReach(strict.JsonTyped, serializers.PrimaryKeyRelatedField):
    """A person's id (an integer in JSON, not `"5"`) among the persons in the caller's reach
    (context `in_reach`, a queryset); any other id is `does_not_exist`."""

    json_type = int
    default_error_messages = {
        "does_not_exist": _("人员 {pk_value} 不存在或不在您的辖区内。"),
        "invalid": _("人员须以整数 id 表示。"),
    }

    def get_queryset(self):
        return self.context["in_reach"]


class DwellingUpdateSerializer(serializers.Serializer):
    """PATCH of a dwelling: `version` as read (428 without it), and any of the other fields;
    `null` clears `floor_area`, `owner` and the dates; `tenants` is the whole new set."""

    version = strict.IntegerField(min_value=1, max_value=2**31 - 1, help_text="the `version` you read")
    use = serializers.ChoiceField(choices=DwellingUse.choices, required=False)
    floor_area = serializers.DecimalField(
        max_digits=8, decimal_places=2, min_value=Decimal("0.01"), allow_null=True, required=False, help_text="m²"
    )
    owner = PersonInReach(allow_null=True, required=False)
    tenants = PersonInReach(many=True, required=False)
    rental_registered_on = serializers.DateField(allow_null=True, required=False)
    rental_ends_on = serializers.DateField(allow_null=True, required=False)

    #: Never partial (its optional fields are optional anyway): drf-spectacular marks PATCH
    #: bodies partial, which would drop the required `version` from the schema.
    partial = property(lambda self: False, lambda self, value: None)


class HouseholdCreateSerializer(serializers.Serializer):
    """POST of a household: the 24-digit code of a room or village house in your grids."""

    address = strict.CharField(max_length=24, help_text="standard address code (户室 or 村民房屋号)")

    def validate_address(self, code: str) -> Address:
        found = self.context["addresses"].filter(code=code).first()
        if found is None:
            message = _("地址 %(code)s 不存在或不在您的辖区内。") % {"code": code}
            raise serializers.ValidationError(message, code="unknown")
        return found


class PersonSerializer(serializers.ModelSerializer):
    """A resident; `version` is what a change (transfer, leave, tags) sends back (staff only);
    `id_number` and `mobile` masked; `tags` only those the caller may see
    (context `visible_tags`: a set of tag ids). For API keys, `context["fields"]` limits
    the fields to the grant's (`GRANTABLE_FIELDS`)."""

    id_number = serializers.SerializerMethodField()
    mobile = serializers.SerializerMethodField()
    residence = serializers.SlugRelatedField(slug_field="full_text", read_only=True, allow_null=True)
    area = serializers.SlugRelatedField(slug_field="code", read_only=True)
    tags = serializers.SerializerMethodField()

    class Meta:
        model = Person
        fields = ["id", "version", *GRANTABLE_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = self.context.get("fields")
        if allowed is not None:
            for name in set(self.fields) - {"id", *allowed}:
                self.fields.pop(name)

    @extend_schema_field(serializers.CharField())
    def get_id_number(self, obj) -> str:
        return mask_id_number(obj.id_number)

    @extend_schema_field(serializers.CharField())
    def get_mobile(self, obj) -> str:
        return mask_mobile(obj.mobile)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_tags(self, obj) -> list[str]:
        visible = self.context.get("visible_tags", set())
        return [pt.tag.code for pt in obj.persontag_set.all() if pt.tag_id in visible]


class HouseholdSerializer(serializers.ModelSerializer):
    address = AddressSerializer(read_only=True)
    head = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    members = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Household
        fields = ["id", "address", "head", "members"]


class UnitSerializer(serializers.ModelSerializer):
    address = serializers.SlugRelatedField(slug_field="code", read_only=True)
    contact_phone = serializers.SerializerMethodField()

    class Meta:
        model = Unit
        fields = [
            "id",
            "uscc",
            "name",
            "kind",
            "address",
            "legal_representative",
            "contact_phone",
            "staff_count",
            "safety_class",
            "last_visited_at",
        ]

    @extend_schema_field(serializers.CharField())
    def get_contact_phone(self, obj) -> str:
        return mask_mobile(obj.contact_phone)


class VisitSerializer(serializers.ModelSerializer):
    event = serializers.SlugRelatedField(slug_field="number", read_only=True, allow_null=True)
    area = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Visit
        fields = ["id", "household", "person", "unit", "area", "visited_at", "findings", "follow_up", "event"]


class RevealRequestSerializer(serializers.Serializer):
    field = serializers.ChoiceField(choices=PersonalField.choices)
    purpose = serializers.CharField(min_length=2, max_length=200)


class RevealResponseSerializer(serializers.Serializer):
    field = serializers.CharField()
    value = serializers.CharField()


class IdSearchRequestSerializer(serializers.Serializer):
    id_number = serializers.CharField(max_length=30)
    purpose = serializers.CharField(min_length=2, max_length=200)


class LedgerStatisticsQuerySerializer(serializers.Serializer):
    """`?area=<code>` of the statistics: an area within the caller's reach (its subtree,
    `personnel.scope.restrict_areas_ranged`), resolved to the `Area`. A 400 with field code
    `required` (missing or empty), `unknown` (no such code) or `out_of_scope` (outside the
    reach; an ancestor of it too: its figures would count other areas' people)."""

    area = serializers.CharField(max_length=18)

    def validate_area(self, code: str):
        node = scope.restrict_areas_ranged(self.context["request"].user).filter(code=code).first()
        if node is None:
            reason = "out_of_scope" if Area.objects.filter(code=code).exists() else "unknown"
            raise serializers.ValidationError(
                AreaCodeField.default_error_messages[reason] % {"code": code}, code=reason
            )
        return node


class LedgerStatisticsSerializer(serializers.Serializer):
    area = serializers.CharField()
    residents_by_registration = serializers.DictField(child=serializers.IntegerField())
    residents_by_sex = serializers.DictField(child=serializers.IntegerField())
    residents_by_age = serializers.DictField(child=serializers.IntegerField())
    households = serializers.IntegerField()
    dwellings_by_use = serializers.DictField(child=serializers.IntegerField())
    units_by_kind = serializers.DictField(child=serializers.IntegerField())
    units_by_safety_class = serializers.DictField(child=serializers.IntegerField())
    care_targets = serializers.IntegerField()
    care_targets_overdue = serializers.IntegerField()
    visits_30_days = serializers.IntegerField()
    visit_coverage = serializers.FloatField(allow_null=True)
    as_of = serializers.DateTimeField(
        allow_null=True, help_text="when the oldest grid count summed was made (village, township, above); null: live"
    )
