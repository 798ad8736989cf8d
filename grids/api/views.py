"""Read-only API of the area tree: `GET /api/v1/grids/` and `GET /api/v1/grids/<code>/`."""

from rest_framework import viewsets
from rest_framework.decorators import action

from grids.filtersets import AreaFilterSet
from grids.selectors import ancestor_names, areas_visible

from .geo import boundary_collection, boundary_schema
from .serializers import AreaSerializer


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
