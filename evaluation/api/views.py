"""Evaluation API: scorecards (periods, scores) and statistics of a subtree, scoped to the caller."""

from django.utils.decorators import method_decorator
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from ningbo_grid.replica import reads_from_replica

from .. import selectors, statistics
from .serializers import PeriodSerializer, ScoreSerializer, StatisticsQuerySerializer, StatisticsSerializer


class PeriodViewSet(viewsets.ReadOnlyModelViewSet):
    """Evaluation periods the caller may see (Art. 22); `scores` lists the scores within the caller's reach."""

    serializer_class = PeriodSerializer
    filter_backends: list = []

    def get_queryset(self):
        return selectors.periods_for(self.request.user)

    @extend_schema(responses=ScoreSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def scores(self, request, pk=None):
        period = self.get_object()
        scores = selectors.scores_for(request.user, period)
        return Response(ScoreSerializer(scores, many=True).data)


@method_decorator(reads_from_replica, name="dispatch")
class StatisticsView(APIView):
    """Key figures, daily trend, breakdowns and grid ranking of a subtree (Art. 11), from the rollups.

    404 for an area code outside the caller's reach.
    """

    @extend_schema(
        parameters=[StatisticsQuerySerializer, OpenApiParameter("code", str, OpenApiParameter.PATH)],
        responses=StatisticsSerializer,
    )
    def get(self, request, code: str):
        area = selectors.area_for_dashboard(request.user, code)
        query = StatisticsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = statistics.snapshot(area, query.validated_data["start"], query.validated_data["end"])
        return Response(StatisticsSerializer(data).data)
