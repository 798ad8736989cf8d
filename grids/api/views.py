"""API of the area tree: `GET /api/v1/grids/`, `GET /api/v1/grids/<code>/`, and the one
change made over it, `PUT /api/v1/grids/<code>/supervision-phone/` (Art. 10).

The tree's adjustments (Art. 7, 9) are made on its pages only.
"""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from grids.filtersets import AreaFilterSet
from grids.hotline import area_set_hotline
from grids.selectors import ancestor_names, areas_visible

from .geo import boundary_collection, boundary_schema
from .serializers import AreaSerializer, HotlineSerializer


class AreaViewSet(viewsets.ReadOnlyModelViewSet):
    """Nodes of the tree within the caller's reach (`view_area`), ordered by code.

    Filters: level, type, parent (code), within (code: that subtree), status,
    village_kind, q. A node out of reach is a 404; anonymous callers get 401.
    Each page costs a fixed number of queries (parent/successor joined, ancestors in one).
    """

    serializer_class = AreaSerializer
    filterset_class = AreaFilterSet
    lookup_field = "code"
    lookup_value_regex = r"\d{12}(\d{3}){0,2}"

    def get_queryset(self):
        return areas_visible(self.request.user).select_related("parent", "successor").order_by("code")

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        self._ancestor_names = ancestor_names(page if page is not None else queryset)
        return page

    def get_object(self):
        area = super().get_object()
        self._ancestor_names = ancestor_names([area])
        return area

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if hasattr(self, "_ancestor_names"):
            context["ancestor_names"] = self._ancestor_names
        return context

    @boundary_schema
    @action(detail=True, methods=["get"], url_path="geojson", filterset_class=None, pagination_class=None)
    def geojson(self, request, code=None):
        """The node's boundary (and with `children=true` its active children's) as GeoJSON, simplified for `zoom`."""
        area = self.get_object()
        return boundary_collection(request, area, area.get_children().filter(status="active"))

    @extend_schema(
        request=HotlineSerializer,
        responses={
            200: AreaSerializer,
            400: OpenApiResponse(
                description="`invalid`: `supervision_phone` not a mobile or a landline with area code "
                "(field code `invalid_phone`), or the node is retired"
            ),
            403: OpenApiResponse(description="no `manage_staff` over the node (or an API key: signed-in users only)"),
        },
        summary="Set or clear the node's supervision hotline (Art. 10)",
    )
    @action(
        detail=True,
        methods=["put"],
        url_path="supervision-phone",
        filterset_class=None,
        pagination_class=None,
    )
    def supervision_phone(self, request, code=None):
        """Set the node's 监督电话 (any level), shown on the public cards of the grids below that have
        none of their own. Needs `manage_staff` over the node (the township's dispatchers, the
        district's or city's supervisors); API keys are refused (no scope covers it). The same
        number again changes nothing; a change is one row of the node's adjustment history."""
        area = self.get_object()  # out of reach: 404 whatever the body says
        data = HotlineSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        area = area_set_hotline(actor=request.user, area=area, **data.validated_data)
        self._ancestor_names = ancestor_names([area])
        return Response(self.get_serializer(area).data)
