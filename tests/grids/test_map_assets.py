"""The map pages' assets as deployed: collectstatic's hashed file names (ManifestStaticFilesStorage)."""

import json

from django.template import Context, Template
from django.test import override_settings

FILES = [
    "vendor/leaflet/leaflet.css",
    "vendor/leaflet/leaflet.js",
    "vendor/leaflet/images/marker-icon.png",
    "vendor/leaflet/images/marker-icon-2x.png",
    "vendor/leaflet/images/marker-shadow.png",
    "vendor/leaflet.markercluster/MarkerCluster.css",
    "vendor/leaflet.markercluster/leaflet.markercluster.js",
    "vendor/leaflet.heat/leaflet-heat.js",
    "grids/maps.css",
    "grids/maps.js",
]  # the scripts in the order they must run


def hashed(name: str) -> str:
    stem, dot, ext = name.rpartition(".")
    return f"{stem}.0123abcd{dot}{ext}"


def test_the_report_pin_is_drawn_from_the_collected_images(tmp_path):
    """Leaflet guesses its pin's address from the name of its stylesheet and fails on a hashed
    name (the pin then asks for /events/report/marker-icon.png: 404, an invisible pin); the
    map script is handed the collected addresses instead."""
    manifest = {"paths": {name: hashed(name) for name in FILES}, "version": "1.1", "hash": "0"}
    (tmp_path / "staticfiles.json").write_text(json.dumps(manifest))
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    with override_settings(STATIC_ROOT=tmp_path, STATIC_URL="/static/", STORAGES=storages):
        html = Template("{% load maps %}{% map_assets %}").render(Context())
    assert 'data-marker-icon="/static/vendor/leaflet/images/marker-icon.0123abcd.png"' in html
    assert 'data-marker-icon-2x="/static/vendor/leaflet/images/marker-icon-2x.0123abcd.png"' in html
    assert 'data-marker-shadow="/static/vendor/leaflet/images/marker-shadow.0123abcd.png"' in html
    assert "markercluster" not in html  # the report form's picker: no event plugins
    with override_settings(STATIC_ROOT=tmp_path, STATIC_URL="/static/", STORAGES=storages):
        events = Template("{% load maps %}{% map_assets events=True %}").render(Context())
    order = [events.index(hashed(name)) for name in FILES if name.endswith(".js")]
    assert order == sorted(order)
