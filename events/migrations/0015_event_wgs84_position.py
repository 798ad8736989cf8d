"""Every event's position in WGS 84 beside the pair as reported; the map's GiST index moves to it.

Adds `wgs84_latitude`/`wgs84_longitude` (float, null) and fills them for the events
already stored (`events.positions.backfill`: one set-based UPDATE for WGS 84/CGCS2000
rows, numpy batches written by `UPDATE … FROM unnest` for GCJ-02/BD-09 ones). The GiST
index of the map's box (`event_position_gist`, migration 0011, on the reported pair)
is replaced by `event_wgs84_gist` on the WGS 84 pair: PostgreSQL core `point`, no
PostGIS; SQLite filters the plain columns and has no such index. Then ANALYZE, so the
planner knows the new columns are filled. On `ng_bench` (5,000,000 events, 3.5 M with a
position) the migration took 33 min on a machine loaded ~10 deep.
"""

from django.db import migrations, models

from events.positions import backfill

CREATE = (
    "CREATE INDEX IF NOT EXISTS event_wgs84_gist ON events_event "
    "USING gist (point(wgs84_longitude, wgs84_latitude)) WHERE wgs84_latitude IS NOT NULL"
)
CREATE_OLD = (
    "CREATE INDEX IF NOT EXISTS event_position_gist ON events_event "
    "USING gist (point(longitude::float8, latitude::float8)) WHERE latitude IS NOT NULL"
)


def fill(apps, schema_editor):
    backfill(schema_editor.connection)


def move_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS event_position_gist")
        schema_editor.execute(CREATE)
        # The planner's statistics still say the new columns are empty until autovacuum
        # gets round to the table: at 5 M events the map's district query then scanned
        # every open event of the city (265 ms) instead of the district's (30 ms).
        schema_editor.execute("ANALYZE events_event")


def move_index_back(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS event_wgs84_gist")
        schema_editor.execute(CREATE_OLD)


class Migration(migrations.Migration):
    dependencies = [("events", "0014_event_about_staff")]

    operations = [
        migrations.AddField(
            model_name="event",
            name="wgs84_latitude",
            field=models.FloatField(blank=True, editable=False, null=True, verbose_name="纬度（WGS-84）"),
        ),
        migrations.AddField(
            model_name="event",
            name="wgs84_longitude",
            field=models.FloatField(blank=True, editable=False, null=True, verbose_name="经度（WGS-84）"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(move_index, move_index_back, elidable=False),
    ]
