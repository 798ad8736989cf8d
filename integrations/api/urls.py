"""API routes of the integrations app, mounted under /api/v1/integrations/."""

from rest_framework.routers import SimpleRouter

from .views import ApiClientViewSet, WebhookDeliveryViewSet, WebhookSubscriptionViewSet

router = SimpleRouter()
router.register("clients", ApiClientViewSet, basename="api-client")
router.register("webhooks", WebhookSubscriptionViewSet, basename="webhook")
router.register("deliveries", WebhookDeliveryViewSet, basename="webhook-delivery")
urlpatterns = router.urls
