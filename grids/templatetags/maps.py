"""`{% load maps %}`: the map library's files and the base-map settings for pages that draw maps."""

from django import template
from django.conf import settings
from django.templatetags.static import static
from django.utils.html import format_html, format_html_join

register = template.Library()

#: The map's own static files: Leaflet, the project's map styles and script, the pin's
#: three images — all a position picker or an area outline needs. The phone app keeps
#: them with the report form's files (mobile.assets), so the picker works offline.
MAP_FILES = (
    "vendor/leaflet/leaflet.css",
    "grids/maps.css",
    "vendor/leaflet/leaflet.js",
    "grids/maps.js",
    "vendor/leaflet/images/marker-icon.png",
    "vendor/leaflet/images/marker-icon-2x.png",
    "vendor/leaflet/images/marker-shadow.png",
)
#: The event maps' plugins (marker clusters, heat map), linked only on pages that draw
#: events (`map_assets events=True`): 14 KB a phone's first visit to the report form
#: does not need.
EVENT_MAP_FILES = (
    "vendor/leaflet.markercluster/MarkerCluster.css",
    "vendor/leaflet.markercluster/leaflet.markercluster.js",
    "vendor/leaflet.heat/leaflet-heat.js",
)


@register.simple_tag
def map_assets(events: bool = False):
    """The vendored Leaflet stylesheet and script and the project's map script (no CDN),
    with the marker-cluster and heat-map plugins if `events`; deferred scripts run in
    this order (the plugins after Leaflet, before the map script).

    The map script is told where the pin's images are (`data-marker-*`): Leaflet guesses
    them from its stylesheet's file name, which collectstatic's hashed names defeat."""
    leaflet_css, maps_css, leaflet_js, maps_js, icon, icon_2x, shadow = (static(name) for name in MAP_FILES)
    cluster_css, cluster_js, heat_js = (static(name) for name in EVENT_MAP_FILES)
    styles = [leaflet_css, *([cluster_css] if events else []), maps_css]
    scripts = [leaflet_js, *([cluster_js, heat_js] if events else [])]
    return format_html(
        '{}{}<script src="{}" defer data-marker-icon="{}" data-marker-icon-2x="{}" data-marker-shadow="{}"></script>',
        format_html_join("", '<link rel="stylesheet" href="{}">', ((url,) for url in styles)),
        format_html_join("", '<script src="{}" defer></script>', ((url,) for url in scripts)),
        maps_js,
        icon,
        icon_2x,
        shadow,
    )


@register.simple_tag
def map_tiles():
    """`data-tiles`/`data-attribution` attributes from MAP_TILE_URL (empty: a plain background)."""
    return format_html(
        'data-tiles="{}" data-attribution="{}"',
        getattr(settings, "MAP_TILE_URL", ""),
        getattr(settings, "MAP_TILE_ATTRIBUTION", ""),
    )
