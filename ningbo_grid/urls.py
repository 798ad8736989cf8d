"""Root URL map: each app mounts its HTML pages and its API under one prefix."""

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from . import views

api_v1 = [
    path("", include("grids.api.urls")),
    path("", include("personnel.api.urls")),
    path("catalog/", include("catalog.api.urls")),
    path("", include("events.api.urls")),
    path("evaluation/", include("evaluation.api.urls")),
    path("integrations/", include("integrations.api.urls")),
    path("ledgers/", include("ledgers.api.urls")),
    path("emergency/", include("emergency.api.urls")),
    path("tasks/", include("tasks.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # Offline: the sidecar's files; Swagger's script is a separate file (no inline JS, CSP-friendly);
    # ReDoc without the stock template's Google Fonts.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    # ReDoc injects its styles and runs a worker from a blob: only this page's policy allows both.
    path(
        "redoc/",
        csp_update({"style-src": [UNSAFE_INLINE], "worker-src": ["blob:"]})(
            SpectacularRedocView.as_view(url_name="schema", template_name="integrations/redoc.html")
        ),
        name="api-redoc",
    ),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("public/", include("ningbo_grid.public_urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("open311/v2/", include("events.open311.urls")),
    path("grids/", include("grids.urls")),
    path("personnel/", include("personnel.urls")),
    path("staff-office/", include("staffoffice.urls")),
    path("catalog/", include("catalog.urls")),
    path("events/", include("events.urls")),
    path("evaluation/", include("evaluation.urls")),
    path("integrations/", include("integrations.urls")),
    path("ledgers/", include("ledgers.urls")),
    path("emergency/", include("emergency.urls")),
    path("tasks/", include("tasks.urls")),
    path("", include("mobile.urls")),
    path("security/", include("security.urls")),
]

admin.site.site_header = gettext_lazy("宁波市城乡网格化服务管理平台")
admin.site.site_title = gettext_lazy("网格化服务管理")
