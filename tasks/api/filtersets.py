"""Filters of the tasks API (the project's hardened `FilterSet`: bounded numbers)."""

import django_filters

from ningbo_grid.filters import FilterSet, WithinFilter

from ..choices import AssignmentStatus
from ..models import Assignment


class AssignmentFilterSet(FilterSet):
    """`task` (id), `status`, `within` (an area code in your reach: its grids' assignments)."""

    task = django_filters.NumberFilter(field_name="task_id")
    status = django_filters.ChoiceFilter(choices=AssignmentStatus.choices)
    within = WithinFilter(field_name="area")

    class Meta:
        model = Assignment
        fields = ["task", "status", "within"]
