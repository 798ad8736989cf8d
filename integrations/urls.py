"""HTML routes of the integrations app, mounted at /integrations/."""

from django.urls import path

from . import views

app_name = "integrations"
urlpatterns = [
    path("clients/", views.client_list, name="client-list"),
    path("clients/<int:pk>/revoke/", views.client_revoke, name="client-revoke"),
    path("webhooks/", views.webhook_list, name="webhook-list"),
    path("deliveries/<int:pk>/replay/", views.delivery_replay, name="delivery-replay"),
]
