"""API routes of the grids app, mounted under /api/v1/."""

from django.urls import path, re_path
from rest_framework.routers import SimpleRouter

from .geo import LocateView
from .rules import HouseholdRuleDetail, HouseholdRuleList
from .views import AreaViewSet

router = SimpleRouter()
router.register("grids", AreaViewSet, basename="area")
urlpatterns = [
    path("locate", LocateView.as_view(), name="locate"),
    path("grid-rules/", HouseholdRuleList.as_view(), name="household-rules"),
    re_path(
        r"^grid-rules/(?P<code>\d{12})/(?P<grid_type>urban|rural|dedicated)/(?P<level>grid|micro_grid)/$",
        HouseholdRuleDetail.as_view(),
        name="household-rule",
    ),
    *router.urls,
]
