"""`manage.py import_boundaries PATH`: load area boundaries from GeoJSON or a Shapefile (see grids.boundaries)."""

import time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from grids.boundaries import boundaries_import, read_features


class Command(BaseCommand):
    help = (
        "Import area boundaries (WGS 84 lon/lat) from a GeoJSON FeatureCollection or a .shp Shapefile, "
        "validated against parents and siblings; all or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="a .geojson/.json FeatureCollection or a .shp file (with .dbf, .shx)")
        parser.add_argument(
            "--code-field", default=None, help="property holding the area code (default: code, adcode, id)"
        )
        parser.add_argument("--note", default="", help="note recorded with each change")

    def handle(self, *args, path: str, code_field: str | None, note: str, **options):
        started = time.monotonic()
        try:
            counts = boundaries_import(actor=None, features=read_features(path, code_field), note=note)
        except ValidationError as exc:
            raise CommandError("nothing imported:\n  " + "\n  ".join(exc.messages)) from exc
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"boundaries: {counts['changed']} changed, {counts['unchanged']} unchanged ({elapsed:.1f}s)"
            )
        )
