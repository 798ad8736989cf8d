"""Routes of the installable app: /sw.js and /manifest.webmanifest at the root (a
service worker's scope cannot be wider than its own folder), the outbox under /mobile/."""

from django.urls import path

from . import views

urlpatterns = [
    path("sw.js", views.service_worker, name="service-worker"),
    path("manifest.webmanifest", views.manifest, name="web-manifest"),
    path("mobile/outbox/", views.outbox, name="outbox"),
]
