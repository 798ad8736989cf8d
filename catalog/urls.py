"""HTML routes of the catalog app: the public list (no login) and the administrator's pages."""

from django.urls import path

from . import views

app_name = "catalog"
urlpatterns = [
    path("public/", views.public_list, name="public_list"),
    path("public/changes/", views.public_changes, name="public_changes"),
    path("public/export.csv", views.public_export, {"fmt": "csv"}, name="public_export_csv"),
    path("public/export.xlsx", views.public_export, {"fmt": "xlsx"}, name="public_export_xlsx"),
    path("", views.item_list, name="item_list"),
    path("propose/", views.propose, name="propose"),
    path("import/", views.import_view, name="import"),
    path("temporary/", views.temporary_matters, name="temporary_matters"),
    path("items/<str:code>/", views.item_detail, name="item_detail"),
    path("items/<str:code>/propose/", views.propose, name="propose_version"),
    path("items/<str:code>/compare/", views.compare, name="compare"),
    path("items/<str:code>/exit/", views.exit_propose, name="exit_propose"),
    path("versions/<int:pk>/<str:action>/", views.version_action, name="version_action"),
    path("exits/<int:pk>/<str:action>/", views.exit_action, name="exit_action"),
]
