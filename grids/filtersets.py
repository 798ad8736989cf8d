"""Filters of area lists, shared by the API (`GET /api/v1/grids/`) and HTML lists."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ningbo_grid.filters import AreaFilter, FilterSet

from .choices import GridType, Level, Status, VillageKind
from .models import Area


class AreaFilterSet(FilterSet):
    """level, type (grid type), parent (parent's code), within (a code: its subtree,
    the node included), status, village_kind, q (name contains / code starts with).

    An unknown `within` code, or one outside the caller's jurisdiction, is a 400 on
    `within` (`ningbo_grid.filters.AreaFilter`), not an empty list.
    """

    level = django_filters.ChoiceFilter(choices=Level.choices, label=_("层级"))
    type = django_filters.ChoiceFilter(field_name="grid_type", choices=GridType.choices, label=_("网格类型"))
    parent = django_filters.CharFilter(field_name="parent__code", label=_("上级编码"))
    within = AreaFilter(method="filter_within", label=_("所辖范围（编码）"))
    status = django_filters.ChoiceFilter(choices=Status.choices, label=_("状态"))
    village_kind = django_filters.ChoiceFilter(choices=VillageKind.choices, label=_("村/社区"))
    q = django_filters.CharFilter(method="filter_q", label=_("名称或编码"))

    class Meta:
        model = Area
        fields = ["level", "type", "parent", "within", "status", "village_kind", "q"]

    def filter_within(self, queryset, name, node):
        return queryset.within(node)

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(code__startswith=value))
