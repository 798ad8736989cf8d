"""Events on a map: `GET /api/v1/events/geojson/?bbox=west,south,east,north` (WGS 84).

A GeoJSON FeatureCollection of the events the caller may see (`Event.objects.restrict`)
whose position lies in the box, filtered by the event lists' own filters (`within`,
`item`, `status`, `grade`, `overdue`, `updated_since`, `lead_unit`), newest first, at
most `MAX_FEATURES`; `truncated` says when there were more (zoom in). Positions are
converted to WGS 84 from the datum they were reported in (`grids.coords`), so they
draw on the platform's WGS 84 boundaries.
"""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, generics, serializers
from rest_framework.response import Response

from grids.coords import TO_WGS84

from ..filtersets import EventApiFilterSet
from ..models import Event

MAX_FEATURES = 2000
#: Margin (degrees) around the box when reading stored positions: GCJ-02/BD-09 ones
#: lie up to ~0.01° from their WGS 84 place; the exact box is applied after converting.
MARGIN = 0.02


class BBoxField(forms.CharField):
    """`west,south,east,north` in WGS 84 degrees, west < east, south < north, within ±180/±90."""

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        try:
            west, south, east, north = (float(part) for part in value.split(","))
        except ValueError as exc:
            raise forms.ValidationError(_("请按“西,南,东,北”填写四个经纬度数字。"), code="invalid") from exc
        finite = all(abs(v) != float("inf") and v == v for v in (west, south, east, north))
        if not (finite and -180 <= west < east <= 180 and -90 <= south < north <= 90):
            raise forms.ValidationError(
                _("范围无效：应满足 西<东、南<北，且在经度 ±180、纬度 ±90 以内。"), code="out_of_range"
            )
        return west, south, east, north


class BBoxFilter(django_filters.Filter):
    field_class = BBoxField

    def filter(self, queryset, value):
        if value is None:
            return queryset
        west, south, east, north = value
        return queryset.filter(
            longitude__gte=west - MARGIN,
            longitude__lte=east + MARGIN,
            latitude__gte=south - MARGIN,
            latitude__lte=north + MARGIN,
        )


class EventMapFilterSet(EventApiFilterSet):
    """The event lists' filters plus the required `bbox`."""

    bbox = BBoxFilter(required=True, label=_("地图范围"))

    class Meta(EventApiFilterSet.Meta):
        fields = [*EventApiFilterSet.Meta.fields, "bbox"]


class EventMapView(generics.GenericAPIView):
    """Events in a bounding box as GeoJSON points, within the caller's scope (see module)."""

    filterset_class = EventMapFilterSet
    pagination_class = None
    required_scope = "read"

    def get_queryset(self):
        return Event.objects.restrict(self.request.user).exclude(latitude=None).exclude(longitude=None)

    @extend_schema(
        operation_id="events_geojson",
        parameters=[
            OpenApiParameter("bbox", str, required=True, description="west,south,east,north (WGS 84 degrees)"),
            OpenApiParameter("within", str, description="area code: that subtree"),
            OpenApiParameter("status", str, many=True, description="event status (repeatable)"),
            OpenApiParameter("item", str),
            OpenApiParameter("grade", str),
            OpenApiParameter("overdue", bool),
        ],
        responses=OpenApiResponse(
            response=inline_serializer(
                "EventFeatureCollection",
                {
                    "type": serializers.CharField(),
                    "features": serializers.ListField(child=serializers.DictField()),
                    "truncated": serializers.BooleanField(),
                },
            ),
            description="GeoJSON FeatureCollection of Point features (WGS 84), newest first.",
        ),
    )
    def get(self, request):
        unknown = sorted(set(request.query_params) - set(self.filterset_class.base_filters) - {"format"})
        if unknown:
            raise exceptions.ValidationError({name: [_("未知参数。")] for name in unknown})
        queryset = self.filter_queryset(self.get_queryset()).order_by("-reported_at", "-id")
        west, south, east, north = BBoxField().clean(request.query_params.get("bbox"))
        fields = ("number", "title", "status", "grade", "latitude", "longitude", "datum", "reported_at", "area__code")
        features = []
        truncated = False
        for row in queryset.values(*fields).iterator(chunk_size=MAX_FEATURES):
            lon, lat = TO_WGS84.get(row["datum"] or "wgs84", TO_WGS84["wgs84"])(
                float(row["longitude"]), float(row["latitude"])
            )
            if not (west <= lon <= east and south <= lat <= north):
                continue
            if len(features) == MAX_FEATURES:
                truncated = True
                break
            features.append(
                {
                    "type": "Feature",
                    "id": row["number"],
                    "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
                    "properties": {
                        "number": row["number"],
                        "title": row["title"],
                        "status": row["status"],
                        "grade": row["grade"],
                        "grid": row["area__code"],
                        "reported_at": row["reported_at"].isoformat(),
                    },
                }
            )
        return Response({"type": "FeatureCollection", "features": features, "truncated": truncated})
