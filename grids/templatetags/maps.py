"""`{% load maps %}`: the map library's files and the base-map settings for pages that draw maps."""

from django import template
from django.conf import settings
from django.templatetags.static import static
from django.utils.html import format_html

register = template.Library()

#: The map's static files in the order `map_assets` links them: three stylesheets, four
#: scripts, the pin's three images. The phone app keeps them with the report form's files
#: (mobile.assets), so the position picker works offline.
MAP_FILES = (
    "vendor/leaflet/leaflet.css",
    "vendor/leaflet.markercluster/MarkerCluster.css",
    "grids/maps.css",
    "vendor/leaflet/leaflet.js",
    "vendor/leaflet.markercluster/leaflet.markercluster.js",
    "vendor/leaflet.heat/leaflet-heat.js",
    "grids/maps.js",
    "vendor/leaflet/images/marker-icon.png",
    "vendor/leaflet/images/marker-icon-2x.png",
    "vendor/leaflet/images/marker-shadow.png",
)


@register.simple_tag
def map_assets():
    """The vendored Leaflet stylesheet and scripts with its marker-cluster and heat-map
    plugins, and the project's map script (no CDN); deferred scripts run in this order.

    The map script is told where the pin's images are (`data-marker-*`): Leaflet guesses
    them from its stylesheet's file name, which collectstatic's hashed names defeat."""
    return format_html(
        '<link rel="stylesheet" href="{}"><link rel="stylesheet" href="{}"><link rel="stylesheet" href="{}">'
        '<script src="{}" defer></script><script src="{}" defer></script><script src="{}" defer></script>'
        '<script src="{}" defer data-marker-icon="{}" data-marker-icon-2x="{}" data-marker-shadow="{}"></script>',
        *(static(name) for name in MAP_FILES),
    )


@register.simple_tag
def map_tiles():
    """`data-tiles`/`data-attribution` attributes from MAP_TILE_URL (empty: a plain background)."""
    return format_html(
        'data-tiles="{}" data-attribution="{}"',
        getattr(settings, "MAP_TILE_URL", ""),
        getattr(settings, "MAP_TILE_ATTRIBUTION", ""),
    )
