"""API views of the integrations app, under /api/v1/integrations/.

Managing API clients is for signed-in authorities only (closed to API keys). Webhook
subscriptions and deliveries can be read by an API client of the unit (`read`), and
a delivery replayed with `handle`.
"""

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from ningbo_grid.pagination import BoundedLimitOffsetPagination, StableCursorPagination

from .. import services
from ..filtersets import WebhookDeliveryFilterSet
from ..models import ApiClient, WebhookDelivery, WebhookSubscription
from .serializers import (
    ApiClientCreatedSerializer,
    ApiClientSerializer,
    WebhookDeliverySerializer,
    WebhookSecretSerializer,
    WebhookSubscriptionSerializer,
    WebhookSubscriptionUpdateSerializer,
)


class ApiClientViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """API clients (keys) of the organisations you supervise. The key is shown once, on create."""

    serializer_class = ApiClientSerializer
    pagination_class = BoundedLimitOffsetPagination
    required_scope = None  # API keys cannot manage API keys

    def get_queryset(self) -> QuerySet:
        return ApiClient.objects.restrict(self.request.user).order_by("-created_at", "-id")

    @extend_schema(responses={201: ApiClientCreatedSerializer})
    def create(self, request):
        serializer = ApiClientSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        created = services.api_client_create(actor=request.user, **serializer.validated_data)
        body = ApiClientCreatedSerializer(created.client, context=self.get_serializer_context()).data
        body["key"] = created.key
        return Response(body, status=status.HTTP_201_CREATED, headers={"Cache-Control": "no-store"})

    @extend_schema(request=None, responses=ApiClientSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        client = services.api_client_revoke(actor=request.user, client=self.get_object())
        return Response(ApiClientSerializer(client, context=self.get_serializer_context()).data)


class WebhookSubscriptionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet
):
    """Webhook subscriptions: signed JSON POSTs for event types of your organisation."""

    serializer_class = WebhookSubscriptionSerializer
    pagination_class = BoundedLimitOffsetPagination
    scope_map = {"list": "read", "retrieve": "read"}  # changes: signed-in authorities only
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet:
        action = "view" if self.action in ("list", "retrieve") else "manage"
        return WebhookSubscription.objects.restrict(self.request.user, action).order_by("-created_at", "-id")

    def get_serializer_class(self):
        if self.action == "partial_update":
            return WebhookSubscriptionUpdateSerializer
        return WebhookSubscriptionSerializer

    @extend_schema(responses={201: WebhookSecretSerializer})
    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        subscription = services.webhook_subscription_create(actor=request.user, **serializer.validated_data)
        body = WebhookSecretSerializer(subscription, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED, headers={"Cache-Control": "no-store"})

    def perform_update(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.webhook_subscription_update(
            actor=self.request.user,
            subscription=serializer.instance,
            url=data.get("url"),
            event_types=data.get("event_types"),
            is_active=data.get("is_active"),
            signature_algorithm=data.get("signature_algorithm"),
        )

    @extend_schema(request=None, responses=WebhookSecretSerializer)
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request, pk=None):
        subscription = services.webhook_subscription_rotate_secret(actor=request.user, subscription=self.get_object())
        body = WebhookSecretSerializer(subscription, context=self.get_serializer_context()).data
        return Response(body, headers={"Cache-Control": "no-store"})


class WebhookDeliveryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The delivery log (newest first), with replay."""

    serializer_class = WebhookDeliverySerializer
    pagination_class = StableCursorPagination
    ordering = ("-created_at", "-id")
    scope_map = {"list": "read", "retrieve": "read", "replay": "handle"}
    filterset_class = WebhookDeliveryFilterSet

    def get_queryset(self) -> QuerySet:
        return WebhookDelivery.objects.restrict(self.request.user)

    @extend_schema(request=None, responses={202: WebhookDeliverySerializer})
    @action(detail=True, methods=["post"])
    def replay(self, request, pk=None):
        delivery = services.webhook_delivery_replay(actor=request.user, delivery=self.get_object())
        return Response(self.get_serializer(delivery).data, status=status.HTTP_202_ACCEPTED)
