"""Site-wide pages: the home page (工作台) and the health check."""

from django.db import connection
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from grids.choices import Level
from grids.models import Area


def home(request: HttpRequest) -> HttpResponse:
    """The landing page: the tree's size for everyone; each role's workbench once signed in."""
    # order_by(): MPTT's manager orders by (tree_id, lft), which would leak into GROUP BY.
    # One grouped scan of the status index; ~120,000 rows at the city scale.
    by_level = dict(
        Area.objects.active().order_by().values_list("level").annotate(n=Count("id")).values_list("level", "n")
    )
    counts = [{"level": value, "label": label, "count": by_level.get(value, 0)} for value, label in Level.choices]
    return render(request, "home.html", {"counts": counts})


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability, for load balancers and `.ci/run`."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
