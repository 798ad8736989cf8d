"""Site-wide pages: the home page (工作台 or the public landing page) and the health check."""

from django.db import connection
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from grids.choices import Level
from grids.models import Area

from .context_processors import user_roles
from .forms import GridLookupForm
from .workbench import panels_for


def level_counts() -> list[dict]:
    """Active nodes per level of the tree, top down: [{"level", "label", "count"}]."""
    # order_by(): the tree's default ordering would otherwise split the GROUP BY per row.
    rows = Area.objects.active().order_by().values_list("level").annotate(n=Count("id")).values_list("level", "n")
    by_level = dict(rows)
    return [{"level": value, "label": label, "count": by_level.get(value, 0)} for value, label in Level.choices]


def home(request: HttpRequest) -> HttpResponse:
    """The landing page for the public; each signed-in user's workbench (panels by role)."""
    if request.user.is_authenticated:
        panels = panels_for(request, user_roles(request))
        return render(request, "home.html", {"panels": panels})
    return render(request, "public/landing.html", {"counts": level_counts(), "lookup_form": GridLookupForm()})


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability, for load balancers and `.ci/run`."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def _error_handler(status: int, template: str, default_detail: str):
    """A Django error handler: JSON for API paths (no template, no body parsing), the
    styled page elsewhere. Used for `handler400/403/404/500` in the root URLconf."""
    from django.views import defaults

    from .api import error_body
    from .middleware import is_api

    def handler(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
        if is_api(request):
            return JsonResponse(error_body(request, default_detail), status=status)
        if status == 500:
            return defaults.server_error(request, template_name=template)
        view = {400: defaults.bad_request, 403: defaults.permission_denied, 404: defaults.page_not_found}[status]
        return view(request, exception, template_name=template)

    return handler


bad_request = _error_handler(400, "400.html", "Bad Request")
permission_denied = _error_handler(403, "403.html", "Forbidden")
page_not_found = _error_handler(404, "404.html", "Not Found")
server_error = _error_handler(500, "500.html", "Internal Server Error")
