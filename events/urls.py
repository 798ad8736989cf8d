"""HTML routes of the events app, mounted at /events/."""

from django.urls import path

from . import calendar_views, contact, map_views, views

app_name = "events"
urlpatterns = [
    path("", views.event_list, name="list"),
    path("report/", views.report, name="report"),
    path("self-handle/", views.self_handle, name="self-handle"),
    path("queue/", views.queue, name="queue"),
    path("tasks/", views.tasks, name="tasks"),
    path("overview/", views.overview, name="overview"),
    path("map/", map_views.event_map, name="map"),
    path("notifications/", views.notifications, name="notifications"),
    path("patrols/", views.patrols, name="patrols"),
    path("calendar/", calendar_views.calendar_page, name="calendar"),
    path("<str:number>/", views.detail, name="detail"),
    path("<str:number>/steps/<str:name>/", views.step, name="step"),
    path("<str:number>/attachments/<int:pk>/", views.attachment, name="attachment"),
]
urlpatterns += [path("<str:number>/contact/", contact.contact, name="contact")]
