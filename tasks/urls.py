"""Pages of assigned tasks under /tasks/."""

from django.urls import path

from . import views

app_name = "tasks"

urlpatterns = [
    path("", views.task_list, name="list"),
    path("new/", views.task_new, name="new"),
    path("areas/", views.task_areas, name="areas"),
    path("<int:pk>/", views.task_detail, name="detail"),
    path("<int:pk>/export.xlsx", views.task_export, name="export"),
    path("<int:pk>/urge/", views.task_urge_late, name="urge-late"),
    path("<int:pk>/extend/", views.task_extend, name="extend"),
    path("a/<int:pk>/", views.assignment_detail, name="assignment"),
    path("a/<int:pk>/<str:step>/", views.assignment_step, name="step"),
]
