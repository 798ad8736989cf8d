"""API routes of the grids app, mounted under /api/v1/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .geo import LocateView
from .views import AreaViewSet

router = SimpleRouter()
router.register("grids", AreaViewSet, basename="area")
urlpatterns = [path("locate", LocateView.as_view(), name="locate"), *router.urls]
