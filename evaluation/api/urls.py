"""API routes of the evaluation app, mounted under /api/v1/evaluation/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import PeriodViewSet, StatisticsView

router = SimpleRouter()
router.register("periods", PeriodViewSet, basename="evaluation-period")
urlpatterns = [
    *router.urls,
    path("statistics/<str:code>/", StatisticsView.as_view(), name="evaluation-statistics"),
]
