"""The peer: what most projects ship — a plain DRF ModelViewSet, ModelSerializer, page numbers.

Scoped with the same `Event.objects.restrict(user)` so it returns the same rows as the
platform's lists; filters by exact field values (`township`, `county`, `status`, `item`,
`lead_unit`) and pages with `PageNumberPagination` (which counts the whole result).
Mounted only by bench/urls.py, never by the platform.
"""

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import pagination, permissions, serializers, viewsets

from events.models import Event


class PeerEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = Event
        fields = "__all__"


class PeerPagination(pagination.PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"


@extend_schema(exclude=True)
class PeerEventViewSet(viewsets.ModelViewSet):
    serializer_class = PeerEventSerializer
    pagination_class = PeerPagination
    permission_classes = [permissions.IsAuthenticated]
    filter_backends = [DjangoFilterBackend]
    filterset_fields = {
        "township": ["exact"],
        "county": ["exact"],
        "status": ["exact", "in"],
        "item": ["exact"],
        "lead_unit": ["exact"],
    }

    def get_queryset(self):
        return Event.objects.restrict(self.request.user).order_by("-reported_at", "-id")
