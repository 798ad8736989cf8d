"""Bulk loading helpers for the generator: model → COPY columns, text encoding, streams.

`Copier(model, provided)` turns a model's concrete fields into a COPY column list: the
columns the generator provides (in the given order) followed by every other column
with its Django default (model defaults are Python-side, not database defaults, so a
column added later with `default=` is filled correctly without touching the generator).
A NOT NULL column with no default that the generator does not provide raises
`MissingColumn` before anything is written.

Values are written in PostgreSQL's COPY text format; `enc()` encodes one Python value.
`Stream` batches lines and writes them through psycopg 3's `cursor.copy()`.
"""

import json
from datetime import UTC, date, datetime

from django.db import models

NULL = r"\N"
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


class MissingColumn(Exception):
    """A NOT NULL column without a default that the generator does not fill."""


def enc(value) -> str:
    """Encode one value for COPY text format (None → \\N, bool → t/f, JSON for dict/list)."""
    if value is None:
        return NULL
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return str(value).translate(_ESCAPES)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False).translate(_ESCAPES)
    return str(value)


class Timestamps:
    """Fast UTC timestamp formatting for epoch seconds (ints): cached day and time-of-day strings."""

    _clock = [f"{h:02d}:{m:02d}:{s:02d}+00" for h in range(24) for m in range(60) for s in range(60)]

    def __init__(self):
        self._days: dict[int, str] = {}

    def __call__(self, seconds: int | None) -> str:
        if seconds is None:
            return NULL
        day, rest = divmod(int(seconds), 86400)
        prefix = self._days.get(day)
        if prefix is None:
            prefix = self._days[day] = datetime.fromtimestamp(day * 86400, UTC).strftime("%Y-%m-%d ")
        return prefix + self._clock[rest]


class Copier:
    """COPY statement and per-row line builder for `model`.

    `provided` lists attnames (e.g. "parent_id") the caller supplies, in row order, as
    already-encoded strings (see `enc`). `now` fills auto_now/auto_now_add columns.
    """

    def __init__(self, model: type[models.Model], provided: list[str], now: datetime):
        fields = {f.attname: f for f in model._meta.concrete_fields}
        unknown = [name for name in provided if name not in fields]
        if unknown:
            raise MissingColumn(f"{model.__name__} has no columns {unknown}")
        self.model = model
        self.table = model._meta.db_table
        columns = [fields[name].column for name in provided]
        defaults = []
        for name, field in fields.items():
            if name in provided or field.primary_key:
                continue
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                value = now
            else:
                value = field.get_default()
            if value is None and not field.null:
                raise MissingColumn(f"{model.__name__}.{name} is NOT NULL with no default: the generator must fill it")
            columns.append(field.column)
            defaults.append(enc(value))
        self.columns = columns
        self.suffix = ("\t" + "\t".join(defaults)) if defaults else ""
        cols = ", ".join(f'"{c}"' for c in columns)
        self.sql = f'COPY "{self.table}" ({cols}) FROM STDIN'

    def line(self, values: list[str]) -> str:
        return "\t".join(values) + self.suffix + "\n"


class Stream:
    """An open COPY on its own psycopg connection; `add(values)` buffers one row."""

    def __init__(self, conn, copier: Copier, batch: int = 5000):
        self.conn = conn
        self.copier = copier
        self.batch = batch
        self.buffer: list[str] = []
        self.rows = 0
        self._cursor = conn.cursor()
        self._cm = self._cursor.copy(copier.sql)
        self._copy = self._cm.__enter__()

    def add(self, values: list[str]) -> None:
        self.buffer.append("\t".join(values) + self.copier.suffix + "\n")
        if len(self.buffer) >= self.batch:
            self.flush()

    def flush(self) -> None:
        if self.buffer:
            self._copy.write("".join(self.buffer))
            self.rows += len(self.buffer)
            self.buffer.clear()

    def close(self) -> int:
        self.flush()
        self._cm.__exit__(None, None, None)
        self._cursor.close()
        return self.rows


def copy_rows(conn, copier: Copier, rows) -> int:
    """COPY an iterable of encoded-value lists through `conn` (no commit); returns the count."""
    stream = Stream(conn, copier)
    for values in rows:
        stream.add(values)
    return stream.close()
