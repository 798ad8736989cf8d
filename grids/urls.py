"""HTML routes of the grids app: the tree browser under /grids/."""

from django.urls import path, re_path

from . import views

app_name = "grids"
urlpatterns = [
    path("", views.index, name="index"),
    path("rules/", views.rules_index, name="rules-index"),
    re_path(r"^rules/(?P<code>\d{12})/$", views.rules_page, name="rules"),
    re_path(
        r"^rules/(?P<code>\d{12})/(?P<grid_type>urban|rural|dedicated)/(?P<level>grid|micro_grid)/$",
        views.rule_save,
        name="rule-save",
    ),
    re_path(r"^(?P<code>\d{12}(?:\d{3}){0,2})/$", views.area_detail, name="area"),
    re_path(
        r"^(?P<code>\d{12}(?:\d{3}){0,2})/(?P<action>create|rename|redraw|split|merge|retire)/$",
        views.area_adjust,
        name="adjust",
    ),
]
