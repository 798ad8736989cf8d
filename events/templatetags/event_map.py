"""`{% open_events_geojson_url area %}`: the API address of an area's open events as GeoJSON points.

The grid pages (templates/grids/_area_map.html) draw the open events of a node on its
map; the events app says which statuses are open (`events.choices.OPEN_STATUSES`), so
the grids app needs no import of the events app.
"""

from urllib.parse import urlencode

from django import template
from django.urls import reverse

from ..choices import OPEN_STATUSES

register = template.Library()


@register.simple_tag
def open_events_geojson_url(area) -> str:
    """`/api/v1/events/geojson/?within=<code>&status=…` for each open status."""
    query = urlencode([("within", area.code), *(("status", str(status)) for status in OPEN_STATUSES)])
    return f"{reverse('api-event-geojson')}?{query}"
