"""Catalogue API: the published list (anonymous read, Art. 13) and the lifecycle actions.

Every action calls `catalog.services`; a service's ValidationError becomes a 400 with
field messages, its PermissionDenied a 403.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from grids.models import Area

from .. import selectors
from ..models import ItemExit, ServiceItem, ServiceItemVersion
from ..services.entry import item_propose, version_cosign, version_publish, version_reject, version_review
from ..services.exits import item_exit_approve, item_exit_cosign, item_exit_propose, item_exit_reject
from .filtersets import PublishedItemFilter
from .serializers import (
    ExitSerializer,
    ItemSerializer,
    OpinionSerializer,
    ProposeSerializer,
    PublishSerializer,
    ReasonsSerializer,
    VersionStateSerializer,
)


def _call(service, **kwargs):
    """Run a service, turning Django's ValidationError into the API's 400."""
    try:
        return service(**kwargs)
    except DjangoValidationError as exc:
        if hasattr(exc, "error_dict"):
            raise ValidationError(exc.message_dict) from exc
        raise ValidationError({"non_field_errors": exc.messages}) from exc


class CodeParam:
    PARAM = OpenApiParameter("code", str, OpenApiParameter.PATH, description="item code, e.g. 04-001")


@extend_schema_view(
    list=extend_schema(summary="Published items in force today (no login needed)"),
    retrieve=extend_schema(summary="One published item in force today", parameters=[CodeParam.PARAM]),
)
class ItemViewSet(viewsets.ReadOnlyModelViewSet):
    """`/catalog/items/`: the list in force today; reading needs no login (Art. 13)."""

    serializer_class = ItemSerializer
    filterset_class = PublishedItemFilter
    lookup_field = "item__code"
    lookup_url_kwarg = "code"
    lookup_value_regex = r"[0-9]{2}-[0-9]{3}"

    def get_permissions(self):
        if self.action in ("list", "retrieve"):
            return [permissions.AllowAny()]
        return [permissions.IsAuthenticated()]

    def get_queryset(self):
        return selectors.items_in_force()

    def _item(self, code: str) -> ServiceItem:
        return get_object_or_404(ServiceItem.objects.restrict(self.request.user), code=code)

    @extend_schema(request=ProposeSerializer, responses={201: VersionStateSerializer}, summary="Propose an item")
    @action(detail=False, methods=["post"])
    def propose(self, request):
        """Propose a new item, or with `item_code` a new version of an existing one."""
        data = ProposeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = dict(data.validated_data)
        item = None
        if item_code := d.pop("item_code", None):
            # Named in the body, not the URL: an unknown (or out-of-reach) item is a 400 on the field.
            item = ServiceItem.objects.restrict(request.user).filter(code=item_code).first()
            if item is None:
                raise ValidationError({"item_code": [_("找不到该事项编码。")]})
        district = None
        if d.pop("district"):
            district = Area.objects.filter(code=data.validated_data["district"], level="county").first()
            if district is None:
                raise ValidationError({"district": [_("找不到该区（县、市）编码。")]})
        rules = [dict(r) for r in d.pop("rules")]
        code, level, opinion = d.pop("code"), d.pop("level"), d.pop("opinion")
        version = _call(
            item_propose,
            actor=request.user,
            content=d,
            rules=rules,
            item=item,
            code=code,
            level=level,
            district=district,
            opinion=opinion,
        )
        return Response(VersionStateSerializer(version).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=ReasonsSerializer,
        responses={201: ExitSerializer},
        parameters=[CodeParam.PARAM],
        summary="Propose the item's exit",
    )
    @action(detail=True, methods=["post"], url_path="exit-propose")
    def exit_propose(self, request, code=None):
        item = self._item(code)  # an unknown item in the URL is a 404 whatever the body says
        data = ReasonsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item_exit = _call(item_exit_propose, actor=request.user, item=item, **data.validated_data)
        return Response(ExitSerializer(item_exit).data, status=status.HTTP_201_CREATED)


class VersionViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """`/catalog/versions/<id>/`: a version's entry state, and its review/cosign/publish/reject actions."""

    serializer_class = VersionStateSerializer

    def get_queryset(self):
        items = ServiceItem.objects.restrict(self.request.user)
        return ServiceItemVersion.objects.filter(item__in=items).select_related("item")

    def _step(self, request, service, serializer_class):
        version = self.get_object()  # an unknown version is a 404 whatever the body says
        data = serializer_class(data=request.data)
        data.is_valid(raise_exception=True)
        version = _call(service, actor=request.user, version=version, **data.validated_data)
        return Response(VersionStateSerializer(version).data)

    @extend_schema(request=OpinionSerializer, responses=VersionStateSerializer, summary="Review (authority)")
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        return self._step(request, version_review, OpinionSerializer)

    @extend_schema(request=OpinionSerializer, responses=VersionStateSerializer, summary="Co-sign (staffing office)")
    @action(detail=True, methods=["post"])
    def cosign(self, request, pk=None):
        return self._step(request, version_cosign, OpinionSerializer)

    @extend_schema(request=PublishSerializer, responses=VersionStateSerializer, summary="Publish (authority)")
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        return self._step(request, version_publish, PublishSerializer)

    @extend_schema(request=ReasonsSerializer, responses=VersionStateSerializer, summary="Reject with reasons")
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._step(request, version_reject, ReasonsSerializer)


class ExitViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """`/catalog/exits/<id>/`: an exit proposal, its co-signature (staffing office), approval and rejection."""

    serializer_class = ExitSerializer

    def get_queryset(self):
        return ItemExit.objects.filter(item__in=ServiceItem.objects.restrict(self.request.user)).select_related("item")

    def _step(self, request, service, serializer_class):
        item_exit = self.get_object()  # an unknown exit proposal is a 404 whatever the body says
        data = serializer_class(data=request.data)
        data.is_valid(raise_exception=True)
        item_exit = _call(service, actor=request.user, item_exit=item_exit, **data.validated_data)
        return Response(ExitSerializer(item_exit).data)

    @extend_schema(request=OpinionSerializer, responses=ExitSerializer, summary="Co-sign the exit (staffing office)")
    @action(detail=True, methods=["post"])
    def cosign(self, request, pk=None):
        return self._step(request, item_exit_cosign, OpinionSerializer)

    @extend_schema(
        request=PublishSerializer,
        responses=ExitSerializer,
        summary="Approve the co-signed exit from a date (authority)",
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._step(request, item_exit_approve, PublishSerializer)

    @extend_schema(request=ReasonsSerializer, responses=ExitSerializer, summary="Reject the exit proposal")
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._step(request, item_exit_reject, ReasonsSerializer)
