"""Drop the single-column indexes of event foreign keys that lead a composite index (issue 9)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0003_lifecycle"),
        ("events", "0002_list_indexes"),
        ("grids", "0001_initial"),
        ("personnel", "0003_staff_personal_data_validators"),
    ]

    # Only the indexes go (the foreign key constraints stay as they are: Django's AlterField
    # would drop and re-add them, re-checking 5M rows).
    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    [
                        'DROP INDEX IF EXISTS "events_event_area_id_53d9cc8c"',
                        'DROP INDEX IF EXISTS "events_event_county_id_117ecda9"',
                        'DROP INDEX IF EXISTS "events_event_item_id_ca4d906f"',
                        'DROP INDEX IF EXISTS "events_event_lead_unit_id_5152f6bd"',
                        'DROP INDEX IF EXISTS "events_event_township_id_1e81db84"',
                    ],
                    reverse_sql=[
                        'CREATE INDEX "events_event_area_id_53d9cc8c" ON "events_event" ("area_id")',
                        'CREATE INDEX "events_event_county_id_117ecda9" ON "events_event" ("county_id")',
                        'CREATE INDEX "events_event_item_id_ca4d906f" ON "events_event" ("item_id")',
                        'CREATE INDEX "events_event_lead_unit_id_5152f6bd" ON "events_event" ("lead_unit_id")',
                        'CREATE INDEX "events_event_township_id_1e81db84" ON "events_event" ("township_id")',
                    ],
                )
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="event",
                    name="area",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="events",
                        to="grids.area",
                        verbose_name="网格",
                    ),
                ),
                migrations.AlterField(
                    model_name="event",
                    name="county",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="grids.area",
                        verbose_name="区（县、市）",
                    ),
                ),
                migrations.AlterField(
                    model_name="event",
                    name="item",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="events",
                        to="catalog.serviceitem",
                        verbose_name="事项",
                    ),
                ),
                migrations.AlterField(
                    model_name="event",
                    name="lead_unit",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="lead_events",
                        to="personnel.organisation",
                    ),
                ),
                migrations.AlterField(
                    model_name="event",
                    name="township",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="grids.area",
                        verbose_name="乡镇（街道）",
                    ),
                ),
            ],
        ),
    ]
