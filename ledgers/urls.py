"""Pages of the ledgers under /ledgers/."""

from django.urls import path

from . import views, views_changes, views_data, views_entry, views_housing

app_name = "ledgers"

urlpatterns = [
    path("", views.index, name="index"),
    path("households/<int:pk>/", views.household_detail, name="household"),
    path("households/<int:pk>/person/", views.person_new, name="person-new"),
    path("persons/<int:pk>/", views.person_detail, name="person"),
    path("search/", views.search_id, name="search"),
    path("visit/<str:kind>/<int:pk>/", views.visit_new, name="visit-new"),
    path("visits/<int:pk>/", views.visit_detail, name="visit"),
    path("visits/<int:pk>/event/", views.visit_event, name="visit-event"),
    path("visits/<int:pk>/photo", views.visit_photo, name="visit-photo"),
    path("due/", views.due, name="due"),
    path("units/", views.unit_list, name="units"),
    path("units/new/", views_entry.unit_new, name="unit-new"),
    path("addresses/new/", views_entry.address_new, name="address-new"),
    path("stats/", views_data.statistics, name="stats"),
    path("import/", views_data.import_page, name="import"),
    path("export/<str:kind>.xlsx", views_data.export, name="export"),
    path("transfer-in/", views_changes.transfer_in, name="transfer-in"),
    path("persons/<int:pk>/transfer/", views_changes.person_transfer, name="person-transfer"),
    path("persons/<int:pk>/leave/", views_changes.person_leave, name="person-leave"),
    path("persons/<int:pk>/tags/", views_changes.person_tags, name="person-tags"),
    path("addresses/<int:pk>/", views_changes.address_detail, name="address"),
    path("addresses/<int:pk>/rename/", views_changes.address_rename, name="address-rename"),
    path("addresses/<int:pk>/merge/", views_changes.address_merge, name="address-merge"),
    path("dwellings/<int:pk>/", views_housing.dwelling_edit, name="dwelling-edit"),
    path("households/new/", views_housing.household_new, name="household-new"),
]
