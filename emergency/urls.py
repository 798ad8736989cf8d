"""Pages of the emergency app under /emergency/."""

from django.urls import path

from . import views

app_name = "emergency"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/board/", views.board, name="board"),
    path("checkin/<int:pk>/", views.checkin, name="checkin"),
    path("<str:subject>/<int:pk>/steps/<str:name>/", views.step, name="step"),
]
