"""Serializers of the personnel API. Personal data only ever leaves here masked."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from grids.models import Area
from ningbo_grid import fields as strict
from ningbo_grid.fields import ModelSerializer

from ..choices import PersonalField
from ..masking import mask_id_number, mask_mobile
from ..models import Assignment, Organisation, Staff


class AreaRefSerializer(ModelSerializer):
    class Meta:
        model = Area
        fields = ["code", "name", "level"]


class OrganisationSerializer(ModelSerializer):
    """An organisation and its jurisdiction node (Art. 4, 5)."""

    area = AreaRefSerializer(read_only=True)

    class Meta:
        model = Organisation
        fields = ["id", "name", "kind", "department", "area", "phone", "is_active"]


class AssignmentSerializer(ModelSerializer):
    area = AreaRefSerializer(read_only=True)

    class Meta:
        model = Assignment
        fields = ["id", "role", "area", "start", "end"]


class OrganisationRefSerializer(ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name", "kind"]


class StaffSerializer(ModelSerializer):
    """A staff record with `mobile` and `id_number` masked (Art. 16); `work_phone` is public (Art. 10).

    `current_assignments` are the grid roles in force today (local date).
    """

    mobile = serializers.SerializerMethodField()
    id_number = serializers.SerializerMethodField()
    organisation = OrganisationRefSerializer(read_only=True, allow_null=True)
    current_assignments = AssignmentSerializer(many=True, read_only=True)

    class Meta:
        model = Staff
        fields = [
            "id",
            "name",
            "work_id",
            "mobile",
            "id_number",
            "work_phone",
            "source",
            "organisation",
            "insurance_until",
            "is_active",
            "current_assignments",
        ]

    @extend_schema_field(strict.CharField(help_text="masked, e.g. 138****5678"))
    def get_mobile(self, obj) -> str:
        return mask_mobile(obj.mobile)

    @extend_schema_field(strict.CharField(help_text="masked, e.g. 330203**********1234"))
    def get_id_number(self, obj) -> str:
        return mask_id_number(obj.id_number)


class UnmaskRequestSerializer(serializers.Serializer):
    """Which field to reveal and why (the purpose is logged, Art. 16)."""

    field = serializers.ChoiceField(choices=PersonalField.choices)
    purpose = strict.CharField(min_length=2, max_length=200)


class UnmaskResponseSerializer(serializers.Serializer):
    field = strict.CharField()
    value = strict.CharField()
