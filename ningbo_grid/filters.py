"""Reusable django-filter filters for API and HTML lists.

- `UpdatedSinceFilter` / `UpdatedSinceFilterSet`: `?updated_since=<ISO 8601 with a
  zone>` keeps rows with `updated_at >= value` (inclusive: a syncing client passes the
  newest `updated_at` it saw and drops the duplicates by id). A value without a zone or
  not ISO 8601 is a 400 on `updated_since`.
- `WithinFilter`: `?within=<area code>` keeps rows whose area lies in that node's
  subtree (one MPTT range condition, `grids.models.Area.objects.within`). Give the
  lookup path to the area as `field_name` ("area", "event__area", or "" for `Area`
  itself). An unknown code is a 400 on `within`.

Example::

    class EventFilterSet(UpdatedSinceFilterSet):
        within = WithinFilter(field_name="area")

        class Meta:
            model = Event
            fields = ["status"]

With DRF's `DjangoFilterBackend`, an invalid filter value answers 400 with field
messages (not a 500, not an unfiltered list).
"""

from datetime import datetime

import django_filters
from django import forms
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions

from grids.models import Area


class ZonedDateTimeField(forms.Field):
    """An ISO 8601 date-time that must carry a zone (`Z` or `±hh:mm`)."""

    default_error_messages = {
        "invalid": _("请输入带时区的 ISO 8601 时间，例如 2026-01-31T08:00:00+08:00。"),
    }
    default_validators = [ProhibitNullCharactersValidator()]

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = str(value).strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError as exc:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from exc
        if parsed.tzinfo is None or "T" not in text.upper():
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return parsed


class UpdatedSinceFilter(django_filters.Filter):
    """Rows with `<field_name> >= value` (default field `updated_at`)."""

    field_class = ZonedDateTimeField

    def __init__(self, field_name="updated_at", lookup_expr="gte", **kwargs):
        kwargs.setdefault("label", _("更新时间不早于"))
        super().__init__(field_name=field_name, lookup_expr=lookup_expr, **kwargs)


class UpdatedSinceFilterSet(django_filters.FilterSet):
    """A FilterSet with `updated_since` on `updated_at`; subclass it."""

    updated_since = UpdatedSinceFilter()


class AreaCodeField(forms.CharField):
    """An area code, resolved to the `Area` node (one query)."""

    default_error_messages = {"unknown": _("没有编码为 %(code)s 的区域。")}

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 18)
        super().__init__(**kwargs)

    def clean(self, value):
        code = super().clean(value)
        if not code:
            return None
        node = Area.objects.filter(code=code).only("tree_id", "lft", "rght", "level").first()
        if node is None:
            raise forms.ValidationError(self.error_messages["unknown"], code="unknown", params={"code": code})
        return node


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
