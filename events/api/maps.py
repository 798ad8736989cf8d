"""Events on a map: `GET /api/v1/events/geojson/?bbox=west,south,east,north` (WGS 84).

A GeoJSON FeatureCollection of the events the caller may see (`Event.objects.restrict`)
whose position lies in the box, filtered by the event lists' own filters (`within`,
`item`, `status`, `grade`, `overdue`, `updated_since`, `lead_unit`) and the report
period (`reported_from`, `reported_to`: Beijing dates, inclusive). Positions are the
events' WGS 84 pair (`Event.wgs84_latitude`/`wgs84_longitude`, computed when the event
was written from the datum it was reported in, `events.positions`), so the box, the
cells and the points all use the datum of the platform's boundaries and of 天地图, and
nothing is converted here. (Drawing on a GCJ-02/BD-09 base map would convert in the
browser, `grids.coords` gives the formulas; the platform's base-map setting offers
天地图 and an internal tile server, both WGS 84/CGCS2000, so none does.)

- Without `zoom`: the events as points, newest first, at most `MAX_FEATURES`;
  `truncated` says when there were more (zoom in).
- With `zoom` (the web map's zoom level): points while the box holds at most
  `MAX_FEATURES` (2,000) events; above that the server clusters them
  (`clustered: true`): one Point feature per square cell of `cell_size(zoom)` degrees
  (about 64 screen pixels) at the mean position of its events, with `count`, `red` and
  `yellow` (deadline state). The client never receives more than one feature per cell,
  however many events there are.
- `mode=heat`: always cells, four times finer, for a heat map (`count` as weight).
"""

import datetime
import zoneinfo

import django_filters
from django import forms
from django.db import connection
from django.db.models import Avg, BooleanField, Count, F, Q, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Floor
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, generics, serializers
from rest_framework.response import Response

from ..choices import AlertLevel
from ..filtersets import EventApiFilterSet
from ..models import Event

BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")

MAX_FEATURES = 2000


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


#: Boxes up to this size (square degrees, ~15 × 15 km) are read through the GiST index.
GIST_MAX_DEG2 = 0.02


def in_box(queryset, west: float, south: float, east: float, north: float):
    """Events whose WGS 84 position lies in the box (WGS 84 degrees; bounds included).

    A small box (a zoomed-in map) on PostgreSQL goes through the GiST index
    `event_wgs84_gist` (migration 0015: core `point` and `box`, no PostGIS). A large
    one, and SQLite, filter the plain columns: the planner cannot estimate how much of
    the table a box holds and would read a district's events through the GiST index
    (measured: 20–40× slower than its scope and status indexes, bench/RESULTS.md)."""
    if connection.vendor == "postgresql" and (east - west) * (north - south) <= GIST_MAX_DEG2:
        where = RawSQL(
            "point(wgs84_longitude, wgs84_latitude) <@ box(point(%s, %s), point(%s, %s))",
            (west, south, east, north),
            output_field=BooleanField(),
        )
        return queryset.filter(where, wgs84_latitude__isnull=False)
    return queryset.filter(
        wgs84_longitude__gte=west, wgs84_longitude__lte=east, wgs84_latitude__gte=south, wgs84_latitude__lte=north
    )


class BBoxFilter(django_filters.Filter):
    field_class = BBoxField

    def filter(self, queryset, value):
        if value is None:
            return queryset
        return in_box(queryset, *value)


class BeijingDateFilter(django_filters.DateFilter):
    """A Beijing calendar date on `reported_at`: from its start (`gte`) or through its end (`lt` next day)."""

    def filter(self, queryset, value):
        if value is None:
            return queryset
        start = datetime.datetime.combine(value, datetime.time(), tzinfo=BEIJING)
        if self.lookup_expr == "gte":
            return queryset.filter(reported_at__gte=start)
        return queryset.filter(reported_at__lt=start + datetime.timedelta(days=1))


class ZoomFilter(django_filters.Filter):
    field_class = forms.IntegerField


class EventMapFilterSet(EventApiFilterSet):
    """The event lists' filters plus the required `bbox`, the report period, `zoom` and `mode`.

    `zoom` and `mode` shape the answer (see module), they filter nothing."""

    bbox = BBoxFilter(required=True, label=_("地图范围"))
    reported_from = BeijingDateFilter(lookup_expr="gte", label=_("上报日期起"))
    reported_to = BeijingDateFilter(lookup_expr="lte", label=_("上报日期止"))
    zoom = ZoomFilter(method="ignore", min_value=0, max_value=20, label=_("地图缩放级别"))
    mode = django_filters.ChoiceFilter(
        method="ignore", choices=[("points", _("点")), ("heat", _("热力"))], label=_("显示方式")
    )

    class Meta(EventApiFilterSet.Meta):
        fields = [*EventApiFilterSet.Meta.fields, "bbox", "reported_from", "reported_to", "zoom", "mode"]

    def ignore(self, queryset, name, value):
        return queryset


def cell_size(zoom: int) -> float:
    """Side of a cluster cell in degrees at a web-map `zoom`: a quarter of a 256-px tile (64 px)."""
    return 360 / 2**zoom / 4


def _cell(field: str, size: float):
    return Floor(F(field) / Value(size))


def cells(queryset, size: float) -> list[dict]:
    """GeoJSON Point features, one per `size`-degree cell holding events, heaviest first.

    Properties: `cluster` (true), `count`, `red`, `yellow` (events with that deadline
    alert). One GROUP BY in the database; the events themselves never leave it."""
    rows = (
        queryset.order_by()
        .annotate(cx=_cell("wgs84_longitude", size), cy=_cell("wgs84_latitude", size))
        .values("cx", "cy")
        .annotate(
            n=Count("id"),
            lon=Avg("wgs84_longitude"),
            lat=Avg("wgs84_latitude"),
            red=Count("id", filter=Q(alert_level=AlertLevel.RED)),
            yellow=Count("id", filter=Q(alert_level=AlertLevel.YELLOW)),
        )
        .order_by("-n", "cx", "cy")
    )
    return [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [round(float(r["lon"]), 6), round(float(r["lat"]), 6)]},
            "properties": {"cluster": True, "count": r["n"], "red": r["red"], "yellow": r["yellow"]},
        }
        for r in rows
    ]


#: The columns a Point feature is made of (`point`).
POINT_FIELDS = (
    "number",
    "title",
    "status",
    "grade",
    "alert_level",
    "wgs84_longitude",
    "wgs84_latitude",
    "reported_at",
    "area__code",
)


def point(row: dict) -> dict:
    """One event (a `POINT_FIELDS` row) as a GeoJSON Point feature (WGS 84, 6 decimals: ~0.1 m)."""
    return {
        "type": "Feature",
        "id": row["number"],
        "geometry": {
            "type": "Point",
            "coordinates": [round(row["wgs84_longitude"], 6), round(row["wgs84_latitude"], 6)],
        },
        "properties": {
            "number": row["number"],
            "title": row["title"],
            "status": row["status"],
            "grade": row["grade"],
            "alert": row["alert_level"],
            "grid": row["area__code"],
            "reported_at": row["reported_at"].isoformat(),
        },
    }


def points(queryset, limit: int) -> tuple[list[dict], bool]:
    """The events of `queryset` (already limited to the box) as Point features, in its
    order, at most `limit`; and whether there were more. One query (`LIMIT limit + 1`)."""
    rows = list(queryset.values(*POINT_FIELDS)[: limit + 1])
    return [point(row) for row in rows[:limit]], len(rows) > limit


class EventMapView(generics.GenericAPIView):
    """Events in a bounding box as GeoJSON points, within the caller's scope (see module)."""

    filterset_class = EventMapFilterSet
    pagination_class = None
    required_scope = "read"

    def get_queryset(self):
        return Event.objects.restrict(self.request.user).filter(wgs84_latitude__isnull=False)

    @extend_schema(
        operation_id="events_geojson",
        parameters=[
            OpenApiParameter("bbox", str, required=True, description="west,south,east,north (WGS 84 degrees)"),
            OpenApiParameter("within", str, description="area code: that subtree"),
            OpenApiParameter("status", str, many=True, description="event status (repeatable)"),
            OpenApiParameter("item", str),
            OpenApiParameter("grade", str),
            OpenApiParameter("overdue", bool),
            OpenApiParameter("reported_from", datetime.date, description="reported on or after (Beijing date)"),
            OpenApiParameter("reported_to", datetime.date, description="reported on or before (Beijing date)"),
            OpenApiParameter("zoom", int, description="web-map zoom 0–20: cluster server-side above 2,000 events"),
            OpenApiParameter("mode", str, enum=["points", "heat"], description="heat: always cells, for a heat map"),
        ],
        responses=OpenApiResponse(
            response=inline_serializer(
                "EventFeatureCollection",
                {
                    "type": serializers.CharField(),
                    "features": serializers.ListField(child=serializers.DictField()),
                    "truncated": serializers.BooleanField(),
                    "clustered": serializers.BooleanField(),
                },
            ),
            description="GeoJSON FeatureCollection of Point features (WGS 84): events newest first, or cells.",
        ),
    )
    def get(self, request):
        unknown = sorted(set(request.query_params) - set(self.filterset_class.base_filters) - {"format"})
        if unknown:
            raise exceptions.ValidationError({name: [_("未知参数。")] for name in unknown})
        queryset = self.filter_queryset(self.get_queryset()).order_by("-reported_at", "-id")
        zoom = forms.IntegerField(required=False).clean(request.query_params.get("zoom"))
        body = {"type": "FeatureCollection", "truncated": False, "clustered": False}
        if request.query_params.get("mode") == "heat":
            return Response({**body, "clustered": True, "features": cells(queryset, cell_size(zoom or 12) / 4)})
        if zoom is not None and _more_than(queryset, MAX_FEATURES):
            # decided by an unordered LIMIT probe: never sorts (or sends) the events of a busy box
            return Response({**body, "clustered": True, "features": cells(queryset, cell_size(zoom))})
        features, more = points(queryset, MAX_FEATURES)
        return Response({**body, "features": features, "truncated": more})


def _more_than(queryset, limit: int) -> bool:
    """Whether `queryset` has more than `limit` rows, reading at most `limit + 1` of them."""
    return queryset.order_by().values("pk")[: limit + 1].count() > limit
