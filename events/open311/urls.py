"""Open311 GeoReport v2 routes, mounted at /open311/v2/ (`.json` or `.xml`)."""

from django.urls import path, register_converter

from . import views


class FormatConverter:
    regex = "json|xml"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(FormatConverter, "fmt")

app_name = "open311"
urlpatterns = [
    path("discovery.<fmt:fmt>", views.discovery, name="discovery"),
    path("services.<fmt:fmt>", views.service_list, name="services"),
    path("services/<str:service_code>.<fmt:fmt>", views.service_definition, name="service"),
    path("requests.<fmt:fmt>", views.requests_view, name="requests"),
    path("requests/<str:service_request_id>.<fmt:fmt>", views.request_detail, name="request"),
    path("requests/<str:service_request_id>/media", views.request_media, name="media"),
    path("tokens/<str:token>.<fmt:fmt>", views.token_detail, name="token"),
]
