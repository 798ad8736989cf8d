"""Reusable django-filter filters for API and HTML lists.

- `UpdatedSinceFilter` / `UpdatedSinceFilterSet`: `?updated_since=<ISO 8601 with a
  zone>` keeps rows with `updated_at >= value` (inclusive: a syncing client passes the
  newest `updated_at` it saw and drops the duplicates by id). A value without a zone or
  not ISO 8601 is a 400 on `updated_since`.
- `WithinFilter`: `?within=<area code>` keeps rows whose area lies in that node's
  subtree (one MPTT range condition, `grids.models.Area.objects.within`). Give the
  lookup path to the area as `field_name` ("area", "event__area", or "" for `Area`
  itself). `AreaFilter` is the same parameter for a `method=` of one's own (it gets the
  `Area` node). An unknown code is a 400 on the parameter (field code `unknown`); a code
  outside the caller's jurisdiction is a 400 too (field code `out_of_scope`), never a
  silent empty list (`area_in_reach`).
- Booleans (`BooleanFilter`): only `true`/`false`/`1`/`0` (and the empty value or the
  select widget's `unknown`: no filter); `?overdue=maybe` is a 400 (field code `invalid`).

Example::

    class EventFilterSet(UpdatedSinceFilterSet):
        within = WithinFilter(field_name="area")

        class Meta:
            model = Event
            fields = ["status"]

With DRF's `DjangoFilterBackend`, an invalid filter value answers 400 with field
messages (not a 500, not an unfiltered list).

Every filterset of the project subclasses `FilterSet` below, which bounds each number
and time a filter accepts to what both databases can compare (`harden_field`): an
integer outside the column's range (SQLite stores 64 bits, PostgreSQL's `integer` 32)
or a time that cannot be converted to UTC (`0001-01-01T00:00:00+14:00`) is a 400 on that
parameter, not a database error. `parse_zoned_datetime` is the same check for views
that read a time parameter by hand (Open311's `start_date`/`end_date`).
"""

import datetime as dt
from datetime import datetime

import django_filters
from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator, ProhibitNullCharactersValidator
from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import get_model_field
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions

from grids.models import Area
from personnel.scope import caller_reach

from .rows import first_instance

#: The dates a filter accepts: one day inside Python's range on each side, so that any
#: zone offset (±1 day at most) still converts to UTC and to the server's zone.
EARLIEST_DATE = dt.date(1, 1, 2)
LATEST_DATE = dt.date(9999, 12, 30)
OUT_OF_RANGE = _("时间超出可处理的范围（0001-01-02 至 9999-12-30）。")
INTEGER_OUT_OF_RANGE = _("请输入 %(min)s 到 %(max)s 之间的整数。")


def check_time_range(value) -> None:
    """Raise `forms.ValidationError` (code `out_of_range`) unless `value` (a date or an
    aware/naive datetime) lies within [EARLIEST_DATE, LATEST_DATE] once converted to UTC."""
    if value is None:
        return
    try:
        day = value.astimezone(dt.UTC).date() if isinstance(value, datetime) and value.tzinfo else value
        if isinstance(day, datetime):
            day = day.date()
    except OverflowError:
        day = None
    if day is None or not EARLIEST_DATE <= day <= LATEST_DATE:
        raise forms.ValidationError(OUT_OF_RANGE, code="out_of_range")


def parse_zoned_datetime(value) -> datetime:
    """An ISO 8601 date-time with a zone (`Z` or `±hh:mm`) as an aware datetime in UTC.

    Raises ValueError if `value` is not ISO 8601, has no time part or no zone, contains
    NUL, or lies outside [EARLIEST_DATE, LATEST_DATE] in UTC (see `check_time_range`).
    """
    text = str(value).strip()
    if "\x00" in text:
        raise ValueError("NUL character")
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None or "T" not in text.upper():
        raise ValueError("no zone or no time")
    try:
        check_time_range(parsed)
    except forms.ValidationError as exc:
        raise TimeOutOfRange(str(OUT_OF_RANGE)) from exc
    # In UTC: Python takes offsets up to ±24 h, PostgreSQL's timestamptz input ±15:59.
    return parsed.astimezone(dt.UTC)


class TimeOutOfRange(ValueError):
    """A well-formed time outside [EARLIEST_DATE, LATEST_DATE] in UTC."""


class ZonedDateTimeField(forms.Field):
    """An ISO 8601 date-time that must carry a zone (`Z` or `±hh:mm`), within range."""

    default_error_messages = {
        "invalid": _("请输入带时区的 ISO 8601 时间，例如 2026-01-31T08:00:00+08:00。"),
    }
    default_validators = [ProhibitNullCharactersValidator()]

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return parse_zoned_datetime(value)
        except TimeOutOfRange as exc:
            raise forms.ValidationError(OUT_OF_RANGE, code="out_of_range") from exc
        except ValueError as exc:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from exc


def _integer_range(filterset_class, filter_) -> tuple[int, int]:
    """The range of the column `filter_` compares with, as PostgreSQL (the narrower) has it."""
    ranges = BaseDatabaseOperations.integer_field_ranges
    field = get_model_field(filterset_class._meta.model, filter_.field_name) if filter_.field_name else None
    target = getattr(field, "target_field", None) or field
    internal = target.get_internal_type() if target is not None else "BigIntegerField"
    return ranges.get(internal, ranges["BigIntegerField"])


def harden_field(field, bounds: tuple[int, int]) -> None:
    """Bound a filter's form field in place: numbers to `bounds`, dates and times to
    [EARLIEST_DATE, LATEST_DATE] in UTC (both give a field error, a 400 in the API)."""
    if isinstance(field, forms.IntegerField | forms.DecimalField | forms.FloatField):
        low, high = bounds
        if field.min_value is None or field.min_value < low:
            field.validators.append(MinValueValidator(low, message=INTEGER_OUT_OF_RANGE % {"min": low, "max": high}))
        if field.max_value is None or field.max_value > high:
            field.validators.append(MaxValueValidator(high, message=INTEGER_OUT_OF_RANGE % {"min": low, "max": high}))
    elif isinstance(field, forms.DateField | forms.DateTimeField):
        field.validators.append(check_time_range)


class RawNullBooleanSelect(forms.NullBooleanSelect):
    """Django's yes/no/any select, handing the submitted text to the field as it came
    (Django's own turns any unknown text into "any", so `maybe` would filter nothing)."""

    def value_from_datadict(self, data, files, name):
        return data.get(name)


class StrictNullBooleanField(forms.NullBooleanField):
    """A boolean filter value: `true`/`false`/`1`/`0` (any case); empty or `unknown` (the
    select widget's "any") is no filter; anything else is an error (code `invalid`)."""

    default_error_messages = {"invalid": _("请填写 true 或 false（或 1、0）。")}
    values = {"true": True, "1": True, "false": False, "0": False, "": None, "unknown": None}

    def to_python(self, value):
        if value is None or isinstance(value, bool):
            return value
        key = str(value).strip().lower()
        if key not in self.values:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return self.values[key]

    def validate(self, value):
        """Any cleaned value (None included) is valid."""


class FilterSet(django_filters.FilterSet):
    """The project's FilterSet: every number and time filter bounded (`harden_field`),
    booleans strict (`StrictNullBooleanField`), area codes checked against the request's
    user (`AreaCodeField`).

    Subclass it instead of `django_filters.FilterSet`; tests/api/test_hostile_query_values.py
    sends hostile values to every filter of every filterset and expects 200 or 400.
    """

    def get_form_class(self):
        """The hardened form class, built once per FilterSet class and language: its fields
        depend on the class's filters only, their labels and messages on the language
        (building it took a tenth of an event list request, issue #20). A filterset with a
        filter whose queryset depends on the request builds it each time."""
        cls = type(self)
        if any(isinstance(f, django_filters.filters.QuerySetRequestMixin) for f in self.filters.values()):
            return self._hardened_form_class()
        built = cls.__dict__.get("_form_classes")
        if built is None:
            built = cls._form_classes = {}
        language = get_language()
        if language not in built:
            built[language] = self._hardened_form_class()
        return built[language]

    def _hardened_form_class(self):
        form_class = super().get_form_class()
        for name, field in list(form_class.base_fields.items()):
            if isinstance(field, forms.NullBooleanField) and not isinstance(field, StrictNullBooleanField):
                field = form_class.base_fields[name] = StrictNullBooleanField(
                    required=False, label=field.label, widget=RawNullBooleanSelect, help_text=field.help_text
                )
            harden_field(field, _integer_range(type(self), self.filters[name]))
        return form_class

    @property
    def form(self):
        form = super().form
        user = getattr(self.request, "user", None)
        for field in form.fields.values():
            if isinstance(field, AreaCodeField):
                field.user = user
        return form


class UpdatedSinceFilter(django_filters.Filter):
    """Rows with `<field_name> >= value` (default field `updated_at`)."""

    field_class = ZonedDateTimeField

    def __init__(self, field_name="updated_at", lookup_expr="gte", **kwargs):
        kwargs.setdefault("label", _("更新时间不早于"))
        super().__init__(field_name=field_name, lookup_expr=lookup_expr, **kwargs)


class UpdatedSinceFilterSet(FilterSet):
    """A FilterSet with `updated_since` on `updated_at`; subclass it."""

    updated_since = UpdatedSinceFilter()


def area_in_reach(user, node: Area) -> bool:
    """Whether `node` may be named by `user` in a filter: its subtree overlaps the user's
    reach (`view_area` grants, personnel.scope: the node lies within a granted node or
    contains one), or the area of an organisation the user currently belongs to (handlers
    hold no area grant). Superusers reach everything; anonymous users nothing."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    from personnel.models import Membership

    if caller_reach(user, "view_area").overlaps(node.tree_id, node.lft, node.rght):
        return True
    overlapping = Q(tree_id=node.tree_id) & (
        Q(lft__lte=node.lft, rght__gte=node.rght) | Q(lft__gte=node.lft, rght__lte=node.rght)
    )
    units = Membership.objects.current().filter(user_id=user.pk).values("organisation__area_id")
    return Area.objects.filter(overlapping, pk__in=units).exists()


#: The node of an area code, as far as a filter needs it (`Area` instances, other fields
#: deferred). Written out: through the ORM (`filter().only().first()`) building the query
#: cost more than running it on every list request naming `within` (issue #20).
NODE_BY_CODE = "SELECT id, level, tree_id, lft, rght FROM grids_area WHERE code = %s"


class AreaCodeField(forms.CharField):
    """An area code, resolved to the `Area` node (one query; one more for the scope).

    `user` (set by `FilterSet.form` from the request) must reach the node
    (`area_in_reach`); without a user (no request) the scope is not checked.
    """

    default_error_messages = {
        "unknown": _("没有编码为 %(code)s 的区域。"),
        "out_of_scope": _("区域 %(code)s 不在您的辖区内。"),
    }
    user = None

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 18)
        super().__init__(**kwargs)

    def clean(self, value):
        code = super().clean(value)
        if not code:
            return None
        node = first_instance(Area, NODE_BY_CODE, [code])
        if node is None:
            raise forms.ValidationError(self.error_messages["unknown"], code="unknown", params={"code": code})
        if self.user is not None and not area_in_reach(self.user, node):
            raise forms.ValidationError(self.error_messages["out_of_scope"], code="out_of_scope", params={"code": code})
        return node


@extend_schema_field(OpenApiTypes.STR)
class AreaFilter(django_filters.Filter):
    """`?<name>=<area code>` resolved to the `Area` node for the filter's `method`."""

    field_class = AreaCodeField


class WithinFilter(django_filters.Filter):
    """Rows whose area (through `field_name`) is in the subtree of `?within=<code>`."""

    field_class = AreaCodeField

    def __init__(self, field_name="area", **kwargs):
        kwargs.setdefault("label", _("所属区域编码（含下级）"))
        super().__init__(field_name=field_name, **kwargs)

    def filter(self, qs, value):
        if value is None:
            return qs
        prefix = f"{self.field_name}__" if self.field_name else ""
        # `lft` bounded on both sides (redundant in a valid tree): one narrow index range.
        return qs.filter(
            **{
                f"{prefix}tree_id": value.tree_id,
                f"{prefix}lft__gte": value.lft,
                f"{prefix}lft__lte": value.rght,
                f"{prefix}rght__lte": value.rght,
            }
        )


class StrictFilterBackend(DjangoFilterBackend):
    """DRF's django-filter backend, refusing query parameters a list does not know.

    On a list, a parameter that is neither one of its filters nor one of its paginator's
    (`limit`, `offset`, `page`, `cursor`, `page_size`) nor `format` answers 400 naming it:
    a misspelt or unsupported filter (`?source=`, `?township=`) would otherwise return the
    whole unfiltered list as if it had been applied.
    """

    always_allowed = frozenset({"format"})

    def filter_queryset(self, request, queryset, view):
        if getattr(view, "action", None) == "list":
            allowed = set(self.always_allowed)
            filterset_class = self.get_filterset_class(view, queryset)
            if filterset_class is not None:
                allowed |= set(filterset_class.base_filters)
            paginator = getattr(view, "paginator", None)
            if paginator is not None:
                allowed |= {
                    value
                    for name in dir(paginator)
                    if name.endswith("_query_param") and isinstance(value := getattr(paginator, name), str)
                }
            unknown = sorted(set(request.query_params) - allowed)
            if unknown:
                message = _("未知的查询参数（可用：%(known)s）。") % {"known": ", ".join(sorted(allowed))}
                raise exceptions.ValidationError({name: [message] for name in unknown})
        return super().filter_queryset(request, queryset, view)
