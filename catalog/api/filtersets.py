"""Filters of the published list (API); `district` keeps the city items plus that district's."""

import django_filters
from django.db.models import Q

from ningbo_grid.filters import FilterSet

from ..choices import ItemKind, ListLevel
from ..models import ServiceItemVersion


class PublishedItemFilter(FilterSet):
    category = django_filters.NumberFilter()
    kind = django_filters.ChoiceFilter(choices=ItemKind.choices)
    department = django_filters.CharFilter()
    level = django_filters.ChoiceFilter(field_name="item__level", choices=ListLevel.choices)
    district = django_filters.CharFilter(method="filter_district", label="district (county) code")

    class Meta:
        model = ServiceItemVersion
        fields = ["category", "kind", "department", "level", "district"]

    def filter_district(self, queryset, name, value):
        """Items that apply in the district `value` (a county code): the city list plus its own (Art. 13)."""
        return queryset.filter(Q(item__level=ListLevel.CITY) | Q(item__district__code=value))
