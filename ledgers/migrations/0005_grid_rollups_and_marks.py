"""Ledger rollups per grid (and per township, from its grids) instead of per township
only, and `RollupMark`: the micro-grids whose ledger rows changed since, written by
statement-level triggers (PostgreSQL; one INSERT per writing statement, the distinct
micro-grids of its rows, old and new) in the writing transaction. Existing township rows
are kept as they are until the first refresh counts every grid."""

import django.db.models.deletion
from django.db import migrations, models

#: Ledger tables located by their own `area_id`.
LOCATED = ("ledgers_person", "ledgers_household", "ledgers_unit", "ledgers_visit", "ledgers_address")
EVENTS = ("INSERT", "UPDATE", "DELETE")

FUNCTIONS = """
CREATE OR REPLACE FUNCTION ledgers_mark_located() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO ledgers_rollupmark (area_id) SELECT DISTINCT area_id FROM new_rows;
    END IF;
    IF TG_OP <> 'INSERT' THEN
        INSERT INTO ledgers_rollupmark (area_id) SELECT DISTINCT area_id FROM old_rows;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION ledgers_mark_dwelling() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO ledgers_rollupmark (area_id)
        SELECT DISTINCT a.area_id FROM new_rows d JOIN ledgers_address a ON a.id = d.address_id;
    END IF;
    IF TG_OP <> 'INSERT' THEN
        INSERT INTO ledgers_rollupmark (area_id)
        SELECT DISTINCT a.area_id FROM old_rows d JOIN ledgers_address a ON a.id = d.address_id;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""


def _referencing(event: str) -> str:
    return {"INSERT": "NEW TABLE AS new_rows", "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows"}.get(
        event, "OLD TABLE AS old_rows"
    )


def _triggers() -> list[tuple[str, str, str]]:
    """(table, event, function) of every trigger (transition tables allow one event per trigger)."""
    tables = [(t, "ledgers_mark_located") for t in LOCATED] + [("ledgers_dwelling", "ledgers_mark_dwelling")]
    return [(table, event, function) for table, function in tables for event in EVENTS]


def _create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite (development): no marks; `ledgers.rollups` then recounts every grid
    schema_editor.execute(FUNCTIONS)
    for table, event, function in _triggers():
        schema_editor.execute(
            f"CREATE TRIGGER {table}_mark_{event.lower()} AFTER {event} ON {table} "
            f"REFERENCING {_referencing(event)} FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
        )


def _drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, event, _function in _triggers():
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_mark_{event.lower()} ON {table}")
    schema_editor.execute(
        "DROP FUNCTION IF EXISTS ledgers_mark_located(); DROP FUNCTION IF EXISTS ledgers_mark_dwelling();"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("grids", "0003_ledger_permissions"),
        ("ledgers", "0004_person_address_version"),
    ]

    operations = [
        migrations.RenameField(model_name="ledgerrollup", old_name="township", new_name="area"),
        migrations.AlterField(
            model_name="ledgerrollup",
            name="area",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.CASCADE, related_name="+", to="grids.area", verbose_name="区域"
            ),
        ),
        migrations.CreateModel(
            name="RollupMark",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                (
                    "area",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="grids.area",
                        verbose_name="微网格",
                    ),
                ),
            ],
            options={"verbose_name": "台账统计待更新", "verbose_name_plural": "台账统计待更新"},
        ),
        migrations.RunPython(_create, _drop),
    ]
