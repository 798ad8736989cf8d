"""HTML routes of the personnel app."""

from django.urls import path

from . import views

app_name = "personnel"
urlpatterns = [
    path("staff/", views.staff_list, name="staff-list"),
    path("staff/<int:pk>/", views.staff_detail, name="staff-detail"),
    path("staff/<int:pk>/edit/", views.staff_edit, name="staff-edit"),
    path("grids/<str:code>/staff/", views.grid_staff, name="grid-staff"),
    path("grids/<str:code>/staff/print/", views.grid_staff_print, name="grid-staff-print"),
    path("me/", views.my_record, name="me"),
    path("insurance/lapsed/", views.insurance_lapsed, name="insurance-lapsed"),
]
