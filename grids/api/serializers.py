"""API representation of area nodes."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from grids.choices import GridType
from grids.models import Area
from ningbo_grid import fields as strict
from ningbo_grid.fields import BlankAsNullChoiceField, ModelSerializer


class AreaSerializer(ModelSerializer):
    """One node: codes of its parent and successor, and `path`, its ancestors' names (root first).

    `households` is a count of households (Art. 6); `boundary` GeoJSON (WGS 84) or null;
    dates are local dates (Asia/Shanghai).
    """

    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    successor = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    type = BlankAsNullChoiceField(source="grid_type", choices=GridType.choices, allow_blank=True, read_only=True)
    level_display = strict.CharField(source="get_level_display", read_only=True)
    path = serializers.SerializerMethodField()

    class Meta:
        model = Area
        fields = [
            "code",
            "name",
            "level",
            "level_display",
            "parent",
            "path",
            "village_kind",
            "type",
            "households",
            "scale",
            "area_description",
            "boundary",
            "supervision_phone",
            "status",
            "effective_from",
            "effective_to",
            "successor",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=strict.CharField()))
    def get_path(self, area: Area) -> list[str]:
        paths = self.context.get("ancestor_names")
        if paths is None:
            return [a.name for a in area.get_ancestors()]
        return paths.get(area.pk, [])


class HotlineSerializer(serializers.Serializer):
    """`PUT …/supervision-phone/` body: the node's new hotline (Art. 10); "" clears it (the card
    then shows the nearest number above). A mainland mobile or a landline with its area code;
    anything else is a 400 with code `invalid_phone` on the field."""

    supervision_phone = strict.CharField(
        max_length=30,
        allow_blank=True,
        trim_whitespace=False,
        help_text="11-digit mobile, or landline with area code (stored as 0574-87150000); empty clears",
    )
