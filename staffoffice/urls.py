"""Routes of the staff office (mounted at /staff-office/)."""

from django.urls import path

from . import views

app_name = "staffoffice"
urlpatterns = [
    path("", views.index, name="index"),
    path("staff/<int:pk>/", views.record, name="record"),
    path("staff/<int:pk>/assign/", views.assign, name="assign"),
    path("staff/<int:pk>/commend/", views.commend, name="commend"),
    path("assignments/<int:pk>/end/", views.assignment_end, name="assignment-end"),
    path("trainings/<int:pk>/", views.session, name="session"),
    path("attendances/<int:pk>/remove/", views.attendance_remove, name="attendance-remove"),
    path("grids/<str:code>/station/", views.station, name="station"),
    path("areas/<str:code>/hotline/", views.hotline, name="hotline"),
    path("<str:code>/", views.office, name="office"),
    path("<str:code>/staff/new/", views.staff_new, name="staff-new"),
    path("<str:code>/trainings/", views.trainings, name="trainings"),
    path("<str:code>/untrained/", views.untrained, name="untrained"),
]
