"""The platform's URLs plus the plain-DRF peer under /bench/peer/ and the limit view under
/bench/limit/ (only with BENCH_PEER=1)."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from ningbo_grid.urls import urlpatterns as platform_urlpatterns

from .limit import limit_view
from .peer import PeerEventViewSet

router = SimpleRouter()
router.register("events", PeerEventViewSet, basename="peer-event")

urlpatterns = [
    path("bench/peer/", include(router.urls)),
    path("bench/limit/<str:name>/", limit_view),
    *platform_urlpatterns,
]
