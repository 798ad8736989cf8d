"""List rows without model instances: a ModelSerializer's read shape from `values()`.

An API list page built through a `ModelSerializer` makes a model instance per row and
then reads every field through DRF's field machinery (34 fields × 20 rows: most of a
township queue's time, issue #20). `ValuesRows(SerializerClass)` plans once, from the
serializer's own fields, which column each field reads and how it is rendered, then
turns `QuerySet.values()` rows into the very dicts the serializer would give
(`tests/api/test_rows.py` checks them equal): the schema drf-spectacular publishes from
the serializer stays exact.

- A field whose `source` crosses a relation (`item.code`) reads it through a scalar
  subquery on the related table's primary key (no join: a join of the tree three times
  cost PostgreSQL more to plan than the page costs to read).
- `get_<field>_display` sources read the choice's label (in the active language).
- Date-times render in the current time zone, ISO 8601, `Z` for UTC (as DRF does);
  decimals, blank choices and everything else through the field's own `to_representation`
  unless it is the identity (text, numbers, booleans, JSON).

Usage (a view's `list`): `rows = EVENT_ROWS.page(paginator.paginate_queryset(EVENT_ROWS.values(qs), …))`.
Raises `ImproperlyConfigured` on first use if a field is of a kind it cannot plan
(a method field, a nested serializer).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import connection, connections, models, router
from django.db.models.expressions import RawSQL
from django.utils import timezone
from rest_framework import fields as drf
from rest_framework import relations, serializers

#: Field classes whose representation of a non-null database value is the value itself.
IDENTITY = (drf.CharField, drf.IntegerField, drf.BooleanField, drf.JSONField, relations.PrimaryKeyRelatedField)


def iso_datetime(value) -> str:
    """An aware datetime as DRF renders it: in the current time zone, ISO 8601, UTC as `Z`."""
    text = timezone.localtime(value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


@dataclass(frozen=True)
class _Plan:
    name: str  # the output key
    column: str  # the key in the values() row
    render: Callable[[Any], Any] | None  # None: the value as is
    labels: dict | None = None  # `get_X_display`: the choices' labels by value


class ValuesRows:
    """The read representation of `serializer_class` (a ModelSerializer), from `values()`."""

    def __init__(self, serializer_class: type[serializers.ModelSerializer]):
        self.serializer_class = serializer_class
        self._plans: list[_Plan] | None = None
        self._annotations: dict[str, RawSQL] = {}

    def _plan(self) -> list[_Plan]:
        if self._plans is not None:
            return self._plans
        model = self.serializer_class.Meta.model
        plans = []
        for name, field in self.serializer_class().fields.items():
            source = field.source
            if source.startswith("get_") and source.endswith("_display"):
                column = source[4:-8]
                choices = model._meta.get_field(column).choices
                plans.append(_Plan(name, column, None, labels=dict(choices or ())))
                continue
            if "." in source:
                relation, attr = source.split(".")
                related = model._meta.get_field(relation).related_model
                column = f"_{relation}_{attr}"
                self._annotations[column] = self._subquery(related, relation, attr)
            elif isinstance(field, serializers.SerializerMethodField | serializers.BaseSerializer):
                raise ImproperlyConfigured(f"{self.serializer_class.__name__}.{name}: not a column")
            else:
                column = source
            if isinstance(field, drf.DateTimeField):
                render: Callable[[Any], Any] | None = iso_datetime
            elif isinstance(field, drf.ChoiceField | drf.DecimalField) or not isinstance(field, IDENTITY):
                render = field.to_representation
            else:
                render = None
            plans.append(_Plan(name, column, render))
        self._plans = plans
        return plans

    def _subquery(self, related, relation: str, attr: str) -> RawSQL:
        """`(SELECT related.attr FROM related WHERE related.pk = this.relation_id)`, written
        once: the same through `Subquery(OuterRef)` cost more to build on every request than
        PostgreSQL takes to run it."""
        quote = connection.ops.quote_name
        meta = self.serializer_class.Meta.model._meta
        fk = meta.get_field(relation).column
        target = related._meta
        # Names from the models' meta, quoted; no value from a request.
        table, column = quote(target.db_table), quote(target.get_field(attr).column)
        where = f"{table}.{quote(target.pk.column)} = {quote(meta.db_table)}.{quote(fk)}"
        sql = f"SELECT {table}.{column} FROM {table} WHERE {where}"  # noqa: S608
        return RawSQL(sql, (), output_field=target.get_field(attr))  # noqa: S611 - see above

    def values(self, queryset: models.QuerySet) -> models.QuerySet:
        """`queryset` as the values() rows the representation reads (keep ordering, filters)."""
        plans = self._plan()
        return queryset.annotate(**self._annotations).values(*dict.fromkeys(p.column for p in plans))

    def page(self, rows: Iterable[dict]) -> list[dict]:
        """The serializer's representation of each values() row (see the module docstring)."""
        plans = self._plan()
        labels = {p.column: {k: str(v) for k, v in p.labels.items()} for p in plans if p.labels is not None}
        zone = timezone.get_current_timezone()

        def local_iso(value) -> str:  # iso_datetime with the zone looked up once a page
            text = value.astimezone(zone).isoformat()
            return text[:-6] + "Z" if text.endswith("+00:00") else text

        renders = [local_iso if p.render is iso_datetime else p.render for p in plans]
        out = []
        for row in rows:
            item = {}
            for p, render in zip(plans, renders, strict=True):
                value = row[p.column]
                if p.labels is not None:
                    value = labels[p.column].get(value, value)
                elif value is not None and render is not None:
                    value = render(value)
                item[p.name] = value
            out.append(item)
        return out


def first_instance(model: type[models.Model], sql: str, params: list) -> models.Model | None:
    """The first row of `sql` as a `model` instance, or None when it returns no row.

    Like `model.objects.raw(sql, params)` (the database the routers pick for reading
    `model`; columns named as the model's fields become them, the model's other fields
    deferred; any other column becomes an attribute of that name), without the raw query
    set's per-call setup, which cost more than the query on every request (issue #20).
    The columns must include the primary key."""
    alias = router.db_for_read(model)
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
        names = [column[0] for column in cursor.description]  # DB-API: the name first (SQLite gives tuples)
    if row is None:
        return None
    known = {f.attname for f in model._meta.concrete_fields}
    values = dict(zip(names, row, strict=True))
    fields = [f.attname for f in model._meta.concrete_fields if f.attname in values]  # from_db's order
    instance = model.from_db(alias, fields, [values[name] for name in fields])
    for name in names:
        if name not in known:
            setattr(instance, name, values[name])
    return instance
