"""A GiST index on events' positions (PostgreSQL core `point`, no PostGIS) for the map's box.

`events.api.maps` filters `point(longitude, latitude) <@ box(...)` on PostgreSQL, so a
zoomed-in map reads only the events in view instead of every event of the district.
SQLite has no such index and filters the plain columns (nothing to create there).
"""

from django.db import migrations

CREATE = (
    "CREATE INDEX IF NOT EXISTS event_position_gist ON events_event "
    "USING gist (point(longitude::float8, latitude::float8)) WHERE latitude IS NOT NULL"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS event_position_gist")


class Migration(migrations.Migration):
    dependencies = [("events", "0010_action_kinds_publish_and_reclock")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
