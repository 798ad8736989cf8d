"""The one filterset of event lists (HTML queues and /api/v1/events/).

Query parameters: `within` (area code: that node's subtree), `item` (catalogue item
code, e.g. "04-001"), `status` (events.choices.EventStatus, repeatable), `grade`
(catalog.choices.Grade), `overdue` (true: open events past their running deadline —
accept-by while dispatched, complete-by while handling; false: the others) and
`updated_since` (ISO 8601 with a zone, inclusive). Bad values are field errors
(400 in the API), never an unfiltered list. The API adds `lead_unit` (organisation id:
events it currently leads), see `EventApiFilterSet`.

`within` a township or a district filters on the event's own `township_id`/`county_id`
(the grid's ancestors, copied at report time), so a queue reads one index range instead
of joining the tree; other levels use the grid's MPTT range. `status` is a plain column:
no DISTINCT (which would sort whole rows and defeat the indexes).
"""

import django_filters
from django import forms
from django.db.models import Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.choices import Grade
from catalog.models import ServiceItem
from ningbo_grid.filters import UpdatedSinceFilterSet, WithinFilter

from .choices import EventStatus
from .models import Event


def overdue_q(now=None) -> Q:
    """Open events past the deadline of their current stage (aware `now`, default now)."""
    now = now or timezone.now()
    return Q(status=EventStatus.DISPATCHED, accept_due_at__lt=now) | Q(
        status=EventStatus.HANDLING, complete_due_at__lt=now
    )


class EventWithinFilter(WithinFilter):
    """`within` for events: township and district nodes use the event's own ancestor columns."""

    def filter(self, qs, value):
        return qs if value is None else qs.within(value)


class StatusFilter(django_filters.MultipleChoiceFilter):
    """`?status=a&status=b`: one `status IN (a, b)` (django-filter's ORs one condition per
    value: more to build, compile and plan on every queue request, issue #20)."""

    def filter(self, qs, value):
        if not value or self.is_noop(qs, value):
            return qs
        return qs.filter(**{f"{self.field_name}__in": sorted(set(value))})


class EventFilterSet(UpdatedSinceFilterSet):
    """Filters of event lists (see the module docstring)."""

    within = EventWithinFilter(field_name="area")
    item = django_filters.CharFilter(method="filter_item", max_length=20, label=_("事项编码"))
    status = StatusFilter(choices=EventStatus.choices, label=_("状态"), distinct=False)
    grade = django_filters.ChoiceFilter(choices=Grade.choices, label=_("等级"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("已超期"))

    class Meta:
        model = Event
        fields = ["within", "item", "status", "grade", "overdue", "updated_since"]

    def filter_item(self, queryset, name, value):
        """Events of the item with code `value` (none for an unknown code). The id as a
        scalar subquery, not a join on the code: PostgreSQL then reads the item's events by
        index, newest first (`event_county_item_recent` within a district), instead of
        guessing an average item's share and walking every recent event (a district's
        list of a less reported item: 47 ms at 5 M events, issue #20)."""
        if not value:
            return queryset
        return queryset.filter(item_id=Subquery(ServiceItem.objects.filter(code=value).values("pk")[:1]))

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(overdue_q()) if value else queryset.exclude(overdue_q())


class IdFilter(django_filters.Filter):
    """An integer id (a bad value is a 400, never an unfiltered list)."""

    field_class = forms.IntegerField


class EventApiFilterSet(EventFilterSet):
    """The API's event filters: the shared ones plus `lead_unit` (a handling unit's task list)."""

    lead_unit = IdFilter(field_name="lead_unit_id", min_value=1, label=_("主办单位"))

    class Meta(EventFilterSet.Meta):
        fields = [*EventFilterSet.Meta.fields, "lead_unit"]
