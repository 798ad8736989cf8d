"""HTML routes of the personnel app."""

from django.urls import path

from . import team_views, views

app_name = "personnel"
urlpatterns = [
    path("staff/", views.staff_list, name="staff-list"),
    path("staff/<int:pk>/", views.staff_detail, name="staff-detail"),
    path("staff/<int:pk>/edit/", views.staff_edit, name="staff-edit"),
    path("grids/<str:code>/staff/", views.grid_staff, name="grid-staff"),
    path("grids/<str:code>/staff/print/", views.grid_staff_print, name="grid-staff-print"),
    path("me/", views.my_record, name="me"),
    path("insurance/lapsed/", views.insurance_lapsed, name="insurance-lapsed"),
    path("teams/", team_views.team_list, name="team-list"),
    path("teams/new/", team_views.team_edit, name="team-new"),
    path("teams/<int:pk>/", team_views.team_detail, name="team-detail"),
    path("teams/<int:pk>/edit/", team_views.team_edit, name="team-edit"),
    path("teams/<int:pk>/members/new/", team_views.member_edit, name="member-new"),
    path("teams/<int:pk>/members/<int:member_pk>/", team_views.member_edit, name="member-edit"),
]
