"""Serializers of the integrations API (shapes only; changes go through services)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ningbo_grid import fields as strict
from ningbo_grid.fields import ModelSerializer

from ..choices import ClientRole, Scope, WebhookEventType
from ..models import ApiClient, WebhookDelivery, WebhookSubscription
from ..selectors import manageable_organisations


class _OrganisationField(serializers.PrimaryKeyRelatedField):
    """An organisation the requesting user may manage (others are "not found")."""

    def get_queryset(self):
        return manageable_organisations(self.context["request"].user)


class ApiClientSerializer(ModelSerializer):
    organisation = _OrganisationField()
    scopes = serializers.ListField(child=serializers.ChoiceField(choices=Scope.choices), allow_empty=False)
    is_usable = strict.BooleanField(read_only=True)
    role = serializers.ChoiceField(
        choices=ClientRole.choices,
        default=ClientRole.HANDLER,
        write_only=True,
        help_text="the key's platform role for its organisation: handler (what is dispatched to the unit) or "
        "dispatcher (also files public demands, e.g. Open311); its rights apply from the first request",
    )

    class Meta:
        model = ApiClient
        fields = [
            "id",
            "name",
            "organisation",
            "scopes",
            "role",
            "key_prefix",
            "created_at",
            "expires_at",
            "revoked_at",
            "last_used_at",
            "is_usable",
        ]
        read_only_fields = ["key_prefix", "created_at", "revoked_at", "last_used_at"]


class ApiClientCreatedSerializer(ApiClientSerializer):
    key = strict.CharField(read_only=True, help_text=_("完整密钥，仅此一次显示。"))

    class Meta(ApiClientSerializer.Meta):
        fields = [*ApiClientSerializer.Meta.fields, "key"]


class WebhookSubscriptionSerializer(ModelSerializer):
    organisation = _OrganisationField()
    event_types = serializers.ListField(
        child=serializers.ChoiceField(choices=WebhookEventType.choices), allow_empty=False
    )
    url = serializers.URLField(max_length=500)

    class Meta:
        model = WebhookSubscription
        fields = [
            "id",
            "organisation",
            "url",
            "event_types",
            "is_active",
            "signature_algorithm",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


class WebhookSubscriptionUpdateSerializer(WebhookSubscriptionSerializer):
    class Meta(WebhookSubscriptionSerializer.Meta):
        read_only_fields = ["organisation", "created_at", "updated_at"]


class WebhookSecretSerializer(WebhookSubscriptionSerializer):
    secret = strict.CharField(read_only=True, help_text=_("签名密钥，仅此一次显示。"))

    class Meta(WebhookSubscriptionSerializer.Meta):
        fields = [*WebhookSubscriptionSerializer.Meta.fields, "secret"]


class WebhookDeliverySerializer(ModelSerializer):
    subscription = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "uuid",
            "subscription",
            "event_type",
            "payload",
            "status",
            "attempt_count",
            "replay_count",
            "last_response_code",
            "last_error",
            "next_attempt_at",
            "created_at",
            "updated_at",
            "delivered_at",
        ]
        read_only_fields = fields
