"""API routes of the events app, mounted under /api/v1/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .maps import EventMapView
from .views import EventViewSet, NotificationViewSet, PatrolViewSet

router = SimpleRouter()
router.register("events", EventViewSet, basename="api-event")
router.register("patrols", PatrolViewSet, basename="api-patrol")
router.register("notifications", NotificationViewSet, basename="api-notification")
urlpatterns = [path("events/geojson/", EventMapView.as_view(), name="api-event-geojson"), *router.urls]
