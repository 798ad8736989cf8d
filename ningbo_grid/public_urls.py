"""Public routes (no login), mounted at /public/ by ningbo_grid/urls.py.

The pages live in the apps they belong to: the grid card in `grids.public`, the
public demand and its tracking in `events.public_demand`.
"""

from django.urls import path

from events import public_demand
from grids import public, public_find

app_name = "public"
urlpatterns = [
    path("grids/", public.grid_lookup, name="grid-lookup"),
    path("find/", public_find.find, name="grid-find"),
    path("grids/<str:code>/", public.grid_card_view, name="grid-card"),
    path("grids/<str:code>/print/", public.grid_card_print, name="grid-card-print"),
    path("grids/<str:code>/demand/", public_demand.demand, name="demand"),
    path("track/", public_demand.track, name="track"),
    path("track/<str:code>/", public_demand.track_status, name="track-status"),
]
