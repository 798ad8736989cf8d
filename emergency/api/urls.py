"""API routes of the emergency app, mounted under /api/v1/emergency/."""

from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("responses", views.ResponseViewSet, basename="emergency-response")
router.register("checkins", views.CheckInViewSet, basename="emergency-checkin")
urlpatterns = router.urls
