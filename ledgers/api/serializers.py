"""Serializers of the ledgers' API: personal data masked; API keys see only granted fields and tags."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from grids.models import Area
from ningbo_grid.filters import AreaCodeField
from personnel import scope
from personnel.choices import PersonalField
from personnel.masking import mask_id_number, mask_mobile

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
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True)

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
        fields = ["id", "address", "use", "floor_area", "owner", "tenants", "rental_registered_on", "rental_ends_on"]


class PersonSerializer(serializers.ModelSerializer):
    """A resident; `version` is what a change (transfer, leave, tags) sends back (staff only);
    `id_number` and `mobile` masked; `tags` only those the caller may see
    (context `visible_tags`: a set of tag ids). For API keys, `context["fields"]` limits
    the fields to the grant's (`GRANTABLE_FIELDS`)."""

    id_number = serializers.SerializerMethodField()
    mobile = serializers.SerializerMethodField()
    residence = serializers.SlugRelatedField(slug_field="full_text", read_only=True)
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
    head = serializers.PrimaryKeyRelatedField(read_only=True)
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
    event = serializers.SlugRelatedField(slug_field="number", read_only=True)
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
