"""`{% load maps %}`: the map library's files and the base-map settings for pages that draw maps."""

from django import template
from django.conf import settings
from django.templatetags.static import static
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def map_assets():
    """The vendored Leaflet stylesheet and scripts, and the project's map script (no CDN)."""
    return format_html(
        '<link rel="stylesheet" href="{}"><link rel="stylesheet" href="{}">'
        '<script src="{}" defer></script><script src="{}" defer></script>',
        static("vendor/leaflet/leaflet.css"),
        static("grids/maps.css"),
        static("vendor/leaflet/leaflet.js"),
        static("grids/maps.js"),
    )


@register.simple_tag
def map_tiles():
    """`data-tiles`/`data-attribution` attributes from MAP_TILE_URL (empty: a plain background)."""
    return format_html(
        'data-tiles="{}" data-attribution="{}"',
        getattr(settings, "MAP_TILE_URL", ""),
        getattr(settings, "MAP_TILE_ATTRIBUTION", ""),
    )
