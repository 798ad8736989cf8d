"""Site-wide pages: the home page (工作台 or the public landing page) and the health check."""

from django.contrib.auth import views as auth_views
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
    """Active nodes per level of the tree, top down: [{"level", "label", "count"}].

    The province appears only in a province-wide tree (a single-city tree has none).
    """
    # order_by(): the tree's default ordering would otherwise split the GROUP BY per row.
    rows = Area.objects.active().order_by().values_list("level").annotate(n=Count("id")).values_list("level", "n")
    by_level = dict(rows)
    return [
        {"level": value, "label": label, "count": by_level.get(value, 0)}
        for value, label in Level.choices
        if value != Level.PROVINCE or by_level.get(value)
    ]


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


class LogoutView(auth_views.LogoutView):
    """/accounts/logout/: POST signs out (Django's view, CSRF-checked); GET — a typed or
    bookmarked address — shows a page with the sign-out button instead of a blank 405
    (signing out on a GET would let any page sign a user out)."""

    http_method_names = ["get", "post", "options"]

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return render(request, "registration/logged_out.html")
        return render(request, "registration/logout_confirm.html")
