"""API routes of the personnel app, mounted under /api/v1/."""

from rest_framework.routers import SimpleRouter

from .teams import TeamViewSet
from .views import OrganisationViewSet, StaffViewSet

router = SimpleRouter()
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("staff", StaffViewSet, basename="staff")
router.register("teams", TeamViewSet, basename="team")
urlpatterns = router.urls
