"""Batch writes of already validated ledger rows: PostgreSQL COPY, `bulk_create` elsewhere.

`insert(objs)` writes unsaved instances of one model and gives each its primary key, as
`bulk_create` does, but on PostgreSQL it streams them with `COPY … FROM STDIN`
(psycopg 3's `cursor.copy()`), which costs a fraction of an INSERT per row: the keys are
reserved first from the table's sequence (one `nextval` query for the whole batch) so
the caller can link the rows (tags, household heads) as before. Every field's
`pre_save` runs as in a save (timestamps, the encrypted fields' keyed hashes), then
`get_db_prep_save` (encryption), so the stored values are the ones `save()` would
write. No signals are sent (neither does `bulk_create`). Validation is the caller's:
this module writes; a constraint violation raises `IntegrityError` for the whole batch,
in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connections, router
from django.db.models import Model


def insert(objs: Sequence[Model]) -> list[Model]:
    """Write `objs` (unsaved instances of one model, pk unset) and return them with their pks.

    PostgreSQL: sequence-reserved keys and COPY; other databases: `bulk_create`.
    """
    objs = list(objs)
    if not objs:
        return objs
    model = type(objs[0])
    connection = connections[router.db_for_write(model)]  # the connection itself, not the proxy
    if connection.vendor != "postgresql":
        return model.objects.bulk_create(objs)
    meta = model._meta
    fields = list(meta.concrete_fields)
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(objs)],
        )
        for obj, (pk,) in zip(objs, cursor.fetchall(), strict=True):
            setattr(obj, meta.pk.attname, pk)
        columns = ", ".join(quote(f.column) for f in fields)
        with cursor.cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                copy.write_row([f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields])
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias
    return objs
