"""API routes of the personnel app, mounted under /api/v1/."""

from rest_framework.routers import SimpleRouter

from .views import OrganisationViewSet, StaffViewSet

router = SimpleRouter()
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("staff", StaffViewSet, basename="staff")
urlpatterns = router.urls
