"""API routes of the events app, mounted under /api/v1/."""

from rest_framework.routers import SimpleRouter

from .views import EventViewSet, NotificationViewSet, PatrolViewSet

router = SimpleRouter()
router.register("events", EventViewSet, basename="api-event")
router.register("patrols", PatrolViewSet, basename="api-patrol")
router.register("notifications", NotificationViewSet, basename="api-notification")
urlpatterns = router.urls
