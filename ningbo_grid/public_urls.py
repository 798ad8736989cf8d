"""Public routes (no login), mounted at /public/ by ningbo_grid/urls.py."""

from django.urls import path

from . import public

app_name = "public"
urlpatterns = [
    path("grids/", public.grid_lookup, name="grid-lookup"),
    path("grids/<str:code>/", public.grid_card_view, name="grid-card"),
    path("grids/<str:code>/print/", public.grid_card_print, name="grid-card-print"),
]
