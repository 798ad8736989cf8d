"""API routes of the grids app, mounted under /api/v1/."""

from rest_framework.routers import SimpleRouter

from .views import AreaViewSet

router = SimpleRouter()
router.register("grids", AreaViewSet, basename="area")
urlpatterns = router.urls
