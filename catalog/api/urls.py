"""API routes of the catalog app, mounted under /api/v1/catalog/."""

from rest_framework.routers import SimpleRouter

from .views import ExitViewSet, ItemViewSet, VersionViewSet

router = SimpleRouter()
router.register("items", ItemViewSet, basename="catalog-item")
router.register("versions", VersionViewSet, basename="catalog-version")
router.register("exits", ExitViewSet, basename="catalog-exit")
urlpatterns = router.urls
