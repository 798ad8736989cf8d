"""HTML routes of the personnel app."""

from django.urls import path  # noqa: F401

app_name = "personnel"
urlpatterns: list = []
