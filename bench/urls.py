"""The platform's URLs plus the plain-DRF peer under /bench/peer/ (only with BENCH_PEER=1)."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from ningbo_grid.urls import urlpatterns as platform_urlpatterns

from .peer import PeerEventViewSet

router = SimpleRouter()
router.register("events", PeerEventViewSet, basename="peer-event")

urlpatterns = [path("bench/peer/", include(router.urls)), *platform_urlpatterns]
