"""API of the emergency app under /api/v1/emergency/ (Art. 18): responses (activate, raise,
lower, end, their check-ins and timeline) and check-ins (acknowledge, report).

Reads are scoped (`emergency.selectors`: out of reach = 404). The step actions are
generated from `emergency.workflow.STEPS` (rows with an API `url`), each with its key
scope; a step needs the `version` read (428 without it, 409 `stale_version` if stale).
Creates take an `Idempotency-Key` (the idempotency middleware).
"""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response as ApiResponse

from events.api.steps import ERRORS, with_steps
from events.api.views import ServiceErrorsMixin
from grids.models import Area

from .. import selectors, services, workflow
from ..choices import BoardShow
from . import serializers as s


def _take(view, request, name, row, values):
    """Run a response's or check-in's step (`events.api.steps.with_steps`) on the object in
    reach; raise and lower share one service, told which step it is."""
    if name in ("raise", "lower"):
        values["step"] = name
    return row.run()(actor=request.user, **{workflow.SUBJECT[name]: view.get_object()}, **values)


@with_steps(workflow.WORKFLOW, s, s.ResponseSerializer, _take, subject="response")
@extend_schema_view(
    list=extend_schema(summary="Emergency responses within your jurisdiction"),
    create=extend_schema(request=s.ActivateSerializer, responses={201: s.ResponseSerializer, **ERRORS}),
)
class ResponseViewSet(ServiceErrorsMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Responses in reach; POST activates one (step `activate`)."""

    serializer_class = s.ResponseSerializer
    scope_map = {
        "list": "read",
        "retrieve": "read",
        "checkins": "read",
        "board": "read",
        "timeline": "read",
        "GET": "read",
    }
    scope_map["create"] = workflow.STEPS["activate"].scope

    def get_queryset(self):
        return selectors.responses(self.request.user).select_related("area", "county").order_by("-activated_at", "-id")

    def create(self, request, *args, **kwargs):
        data = s.ActivateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        area = Area.objects.filter(code=values.pop("area")).first()
        if area is None:
            raise exceptions.ValidationError({"area": ["区域不存在。"]})
        response = services.response_activate(actor=request.user, area=area, **values)
        return ApiResponse(s.ResponseSerializer(response).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        responses={200: s.BoardTownshipSerializer(many=True)},
        summary="Roll-call board: per township in your reach, checked in, reported, missed",
    )
    @action(detail=True, methods=["get"])
    def board(self, request, pk=None):
        board = selectors.board(request.user, self.get_object())
        return ApiResponse(s.BoardTownshipSerializer(board.townships, many=True).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("township", str, description="township code: its grids and micro-grids only"),
            OpenApiParameter("show", str, enum=BoardShow.values, description="pending, checked_in or all (default)"),
        ],
        responses={200: s.CheckInSerializer(many=True), **ERRORS},
        summary="Check-ins of the response in your reach",
    )
    @action(detail=True, methods=["get"])
    def checkins(self, request, pk=None):
        response = self.get_object()
        show = request.query_params.get("show", BoardShow.ALL)
        if show not in BoardShow.values:
            raise exceptions.ValidationError({"show": [_("请选择 pending、checked_in 或 all。")]})
        rows = selectors.checkins(request.user).filter(selectors.SHOW[BoardShow(show)], response=response)
        if "township" in request.query_params:
            rows = rows.filter(township__code=request.query_params["township"])
        rows = rows.select_related("area", "township")
        return ApiResponse(s.CheckInSerializer(rows.order_by("area__code"), many=True).data)

    @extend_schema(responses={200: s.RecordSerializer(many=True)}, summary="Timeline, oldest first")
    @action(detail=True, methods=["get"])
    def timeline(self, request, pk=None):
        response = self.get_object()
        rows = response.records.select_related("checkin__area", "event")
        return ApiResponse(s.RecordSerializer(rows, many=True).data)


@with_steps(workflow.WORKFLOW, s, s.CheckInSerializer, _take, subject="checkin")
@extend_schema_view(list=extend_schema(summary="Check-ins in your reach or named to you"))
class CheckInViewSet(ServiceErrorsMixin, viewsets.ReadOnlyModelViewSet):
    """Check-ins of active and past responses; the leader acknowledges and reports."""

    serializer_class = s.CheckInSerializer
    scope_map = {"list": "read", "retrieve": "read", "GET": "read"}

    def get_queryset(self):
        return (
            selectors.checkins(self.request.user)
            .select_related("area", "township", "response")
            .order_by("-response_id", "area__code")
        )

    def get_object(self):
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
