"""Read-only admin lists: keys and webhooks are managed through the services (pages/API)."""

from django.contrib import admin

from .models import ApiClient, WebhookDelivery, WebhookSubscription


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ApiClient)
class ApiClientAdmin(_ReadOnly):
    list_display = ["name", "organisation", "key_prefix", "scopes", "created_at", "expires_at", "revoked_at"]
    list_select_related = ["organisation"]
    exclude = ["key_hash"]
    search_fields = ["name", "key_prefix"]


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(_ReadOnly):
    list_display = ["organisation", "url", "event_types", "is_active", "created_at"]
    list_select_related = ["organisation"]
    exclude = ["secret"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(_ReadOnly):
    list_display = ["uuid", "event_type", "status", "attempt_count", "last_response_code", "created_at"]
    list_filter = ["status", "event_type"]
