"""API of the city's household rules (Art. 7): `GET /api/v1/grid-rules/` and
`PUT /api/v1/grid-rules/<city>/<grid_type>/<level>/`.

Reading: any signed-in user or API client, for the cities overlapping their `view_area`
reach (`grids.rules.rule_cities`). Writing: the city authority only (`adjust_area` on the
city node, `grids.rules.rule_set`), naming the `version` it read (0 for a rule never
set); a stale version is a 400 with code `stale_version` on `version`.
"""

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from grids.models import HouseholdRule
from grids.rules import city_rules, describe, rule_cities, rule_city, rule_set
from ningbo_grid import fields as strict


class HouseholdRuleSerializer(serializers.ModelSerializer):
    """One household rule; `min_households` / `max_households` null for an open side,
    `version` 0 for a rule the city has never set (then both are null)."""

    city = serializers.CharField(source="city.code", read_only=True)
    city_name = serializers.CharField(source="city.name", read_only=True)
    grid_type = serializers.CharField(read_only=True, help_text="urban | rural | dedicated (grids.choices.GridType)")
    level = serializers.CharField(read_only=True, help_text="grid | micro_grid")
    text = serializers.SerializerMethodField(help_text="the rule in words (Chinese)")

    class Meta:
        model = HouseholdRule
        fields = ["city", "city_name", "grid_type", "level", "min_households", "max_households", "version", "text"]
        read_only_fields = fields

    def get_text(self, rule: HouseholdRule) -> str:
        return describe(rule)


class HouseholdRuleWriteSerializer(serializers.Serializer):
    """`PUT` body: the new bounds (null = open side) and the rule's `version` as read."""

    min_households = strict.IntegerField(allow_null=True, min_value=0)
    max_households = strict.IntegerField(allow_null=True, min_value=0)
    version = strict.IntegerField(min_value=0)


class HouseholdRuleList(APIView):
    """The household rules of the cities in the caller's reach, every grid type and level."""

    @extend_schema(responses=HouseholdRuleSerializer(many=True), summary="The city's household rules (Art. 7)")
    def get(self, request):
        rules = [rule for city in rule_cities(request.user) for rule in city_rules(city)]
        return Response(HouseholdRuleSerializer(rules, many=True).data)


class HouseholdRuleDetail(APIView):
    """Set one household rule of a city (the city authority only)."""

    @extend_schema(
        request=HouseholdRuleWriteSerializer,
        responses={
            200: HouseholdRuleSerializer,
            400: OpenApiResponse(
                description="`invalid`: bounds not integers in 0..100000 or min > max; "
                "`version` code `stale_version` when the rule changed since it was read"
            ),
            403: OpenApiResponse(description="not the city authority (`adjust_area` on the city node)"),
            404: OpenApiResponse(description="no such city in the caller's reach"),
        },
        summary="Set a city's household range for one grid type and level (Art. 7)",
    )
    def put(self, request, code: str, grid_type: str, level: str):
        city = rule_city(request.user, code)
        if city is None:
            raise Http404
        data = HouseholdRuleWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rule = rule_set(actor=request.user, city=city, grid_type=grid_type, level=level, **data.validated_data)
        return Response(HouseholdRuleSerializer(rule).data)
