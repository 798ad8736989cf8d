"""The one filter set of event lists, shared by the HTML pages and the API (Art. 17, 18).

`EventFilterSet` filters an already scoped queryset (`Event.objects.restrict(user)`):

- `within`: area code; events in that node's subtree (400 / form error if unknown);
- `item`: catalogue item code (CC-NNN);
- `status`: one of `events.choices.EventStatus`;
- `grade`: one of `catalog.choices.Grade`;
- `overdue`: true → red (overdue) events only; false → not overdue;
- `updated_since`: ISO 8601 with a zone (from `UpdatedSinceFilterSet`).
"""

import django_filters
from django.utils.translation import gettext_lazy as _

from catalog.choices import Grade
from ningbo_grid.filters import UpdatedSinceFilterSet, WithinFilter

from .choices import AlertLevel, EventStatus
from .models import Event


class EventFilterSet(UpdatedSinceFilterSet):
    """Filters of event lists (see module docstring); ordering is left to the caller."""

    within = WithinFilter(field_name="area")
    item = django_filters.CharFilter(field_name="item__code", label=_("事项编码"))
    status = django_filters.ChoiceFilter(choices=EventStatus.choices, label=_("状态"))
    grade = django_filters.ChoiceFilter(choices=Grade.choices, label=_("等级"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("超期"))

    class Meta:
        model = Event
        fields = ["within", "item", "status", "grade", "overdue"]

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        if value:
            return queryset.filter(alert_level=AlertLevel.RED)
        return queryset.exclude(alert_level=AlertLevel.RED)
