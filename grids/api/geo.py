"""Geography in the API: locate a position, and areas' boundaries as GeoJSON.

- `GET /api/v1/locate?lat=&lon=` — the areas holding a WGS 84 position, city first
  down to the micro-grid (`grids.locate`). Area codes and names are public (grid
  cards), so any signed-in caller may ask; the answer is not limited to their scope.
- `GET /api/v1/grids/<code>/geojson/?zoom=&children=` — an area's boundary (and its
  active children's) as a GeoJSON FeatureCollection, simplified for a web-map zoom
  level (`AreaViewSet.geojson`), within the caller's reach.
"""

import math

import shapely
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from grids.geometry import to_shape
from grids.locate import locate


class StrictQuerySerializer(serializers.Serializer):
    """Query parameters: an unknown or repeated one is a field error, never ignored."""

    def to_internal_value(self, data):
        errors = {}
        for key in data:
            if key not in self.fields and key != "format":
                errors[key] = [_("未知参数。")]
            elif hasattr(data, "getlist") and len(data.getlist(key)) > 1:
                errors[key] = [_("此参数只能出现一次。")]
        if errors:
            raise serializers.ValidationError(errors, code="invalid")
        return super().to_internal_value(data)


class LocateQuerySerializer(StrictQuerySerializer):
    """`?lat=&lon=`: WGS 84 decimal degrees (what a phone's GPS gives); NaN and infinities are refused."""

    lat = serializers.FloatField(min_value=-90, max_value=90, help_text="latitude, WGS 84 degrees")
    lon = serializers.FloatField(min_value=-180, max_value=180, help_text="longitude, WGS 84 degrees")


class LocatedAreaSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.CharField()


class LocateSerializer(serializers.Serializer):
    """The position asked and the chain of areas holding it (empty outside every boundary)."""

    lat = serializers.FloatField()
    lon = serializers.FloatField()
    areas = LocatedAreaSerializer(many=True)
    grid = serializers.CharField(allow_null=True, help_text="code of the grid holding the point, or null")
    micro_grid = serializers.CharField(allow_null=True, help_text="code of the micro-grid, or null")


class LocateView(APIView):
    """Which micro-grid, grid, village, township and district hold a position (exact point in polygon).

    A point on a border shared by two areas belongs to the one with the lower code.
    400 with field errors for a missing, non-numeric, non-finite or out-of-range value.
    """

    @extend_schema(parameters=[LocateQuerySerializer], responses=LocateSerializer, operation_id="locate")
    def get(self, request):
        query = LocateQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        lat, lon = query.validated_data["lat"], query.validated_data["lon"]
        chain = locate(lat=lat, lon=lon)
        by_level = {area.level: area.code for area in chain}
        body = {
            "lat": lat,
            "lon": lon,
            "areas": [{"code": a.code, "name": a.name, "level": a.level} for a in chain],
            "grid": by_level.get("grid"),
            "micro_grid": by_level.get("micro_grid"),
        }
        return Response(LocateSerializer(body).data)


class BoundaryQuerySerializer(StrictQuerySerializer):
    """`?zoom=` (web-map zoom 0–20, default 14) and `?children=true` to add the active children."""

    zoom = serializers.IntegerField(min_value=0, max_value=20, default=14, help_text="web-map zoom level")
    children = serializers.BooleanField(default=False, help_text="add the active children's boundaries")


def tolerance(zoom: int) -> float:
    """Simplification tolerance in degrees: half a 256-px tile pixel at `zoom` (at the equator)."""
    return 360 / (256 * 2**zoom) / 2


def feature(area, zoom: int) -> dict:
    """A GeoJSON Feature of `area`, its boundary simplified for `zoom` (geometry null without one).

    Neighbours are simplified independently, so at low zoom their shared borders may
    part by up to the tolerance (half a pixel): invisible on the map it is meant for.
    """
    geometry = None
    if area.boundary:
        step = tolerance(zoom)
        simple = shapely.simplify(to_shape(area.boundary), step, preserve_topology=True)
        digits = max(0, math.ceil(-math.log10(step)) + 1)
        geometry = shapely.geometry.mapping(shapely.set_precision(simple, 10**-digits))
    return {
        "type": "Feature",
        "id": area.code,
        "properties": {"code": area.code, "name": area.name, "level": area.level, "status": area.status},
        "geometry": geometry,
    }


GEOJSON_RESPONSE = OpenApiResponse(
    response=inline_serializer(
        "AreaFeatureCollection",
        {"type": serializers.CharField(), "features": serializers.ListField(child=serializers.DictField())},
    ),
    description="GeoJSON FeatureCollection (WGS 84): the area first, then its active children if asked.",
)


def boundary_collection(request, area, children_queryset) -> Response:
    """The `geojson` action's body (see `AreaViewSet.geojson`)."""
    query = BoundaryQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    zoom = query.validated_data["zoom"]
    features = [feature(area, zoom)]
    if query.validated_data["children"]:
        features += [feature(child, zoom) for child in children_queryset.order_by("code")]
    return Response({"type": "FeatureCollection", "features": features})


boundary_schema = extend_schema(parameters=[BoundaryQuerySerializer], responses=GEOJSON_RESPONSE)
