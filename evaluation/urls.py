"""HTML routes of the evaluation app."""

from django.urls import path

from . import views

app_name = "evaluation"
urlpatterns = [
    path("", views.index, name="index"),
    path("dashboard/", views.dashboard_home, name="dashboard-home"),
    path("dashboard/<str:code>/", views.dashboard, name="dashboard"),
    path("periods/", views.period_list, name="periods"),
    path("periods/<int:pk>/", views.period_detail, name="period"),
    path("periods/<int:pk>/print/", views.period_print, name="period-print"),
    path("periods/<int:pk>/export.csv", views.period_export, {"fmt": "csv"}, name="period-csv"),
    path("periods/<int:pk>/export.xlsx", views.period_export, {"fmt": "xlsx"}, name="period-xlsx"),
    path("periods/<int:pk>/compute/", views.period_act, {"act": "compute"}, name="period-compute"),
    path("periods/<int:pk>/freeze/", views.period_act, {"act": "freeze"}, name="period-freeze"),
    path("periods/<int:pk>/recompute/", views.period_act, {"act": "recompute"}, name="period-recompute"),
    path("periods/<int:pk>/adjust/", views.period_adjust, name="period-adjust"),
    path("schemes/", views.scheme_list, name="schemes"),
    path("schemes/new/", views.scheme_edit, name="scheme-new"),
    path("schemes/<int:pk>/", views.scheme_edit, name="scheme-edit"),
    path("schemes/<int:pk>/open/", views.scheme_open_period, name="scheme-open-period"),
    path("accountability/", views.accountability, name="accountability"),
]
