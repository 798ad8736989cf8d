"""Filters shared by the API and the HTML lists of organisations and staff."""

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grids.models import Area
from ningbo_grid.filters import AreaFilter, FilterSet

from .choices import Department, GridRole, OrgKind, StaffSource
from .models import Assignment, Organisation, Staff
from .selectors import staff_in_area


class OrganisationFilter(FilterSet):
    """`kind`, `department`, `area` (code of the jurisdiction node), `within` (code: that subtree).

    An unknown area code, or one outside the caller's jurisdiction, is a 400 on the
    parameter (`ningbo_grid.filters.AreaFilter`), not an empty list."""

    kind = django_filters.ChoiceFilter(choices=OrgKind.choices, label=_("类型"))
    department = django_filters.ChoiceFilter(choices=Department.choices, label=_("部门"))
    area = AreaFilter(method="filter_area", label=_("辖区编码"))
    within = AreaFilter(method="filter_within", label=_("所在区域编码（含下级）"))

    class Meta:
        model = Organisation
        fields = ["kind", "department", "area", "within"]

    def filter_area(self, queryset, name, node: Area):
        return queryset.filter(area=node)

    def filter_within(self, queryset, name, node: Area):
        return queryset.filter(area__tree_id=node.tree_id, area__lft__gte=node.lft, area__rght__lte=node.rght)


class StaffFilter(FilterSet):
    """`area`/`within` (code; unknown or outside the caller's jurisdiction: a 400), `role`
    (current grid role), `source`, `active`, `insurance_lapsed`."""

    area = AreaFilter(method="filter_area", label=_("网格编码"))
    within = AreaFilter(method="filter_within", label=_("所在区域编码（含下级）"))
    role = django_filters.ChoiceFilter(choices=GridRole.choices, method="filter_role", label=_("现任角色"))
    source = django_filters.ChoiceFilter(choices=StaffSource.choices, label=_("人员来源"))
    active = django_filters.BooleanFilter(field_name="is_active", label=_("在岗"))
    insurance_lapsed = django_filters.BooleanFilter(method="filter_insurance_lapsed", label=_("微网格长意外险已过期"))

    class Meta:
        model = Staff
        fields = ["area", "within", "role", "source", "active", "insurance_lapsed"]

    def filter_area(self, queryset, name, node: Area):
        return staff_in_area(queryset, node, within=False)

    def filter_within(self, queryset, name, node: Area):
        return staff_in_area(queryset, node, within=True)

    def filter_role(self, queryset, name, value):
        return queryset.holding(value)

    def filter_insurance_lapsed(self, queryset, name, value):
        """True: current micro-grid leaders without valid cover today (Art. 23); False: the others."""
        today = timezone.localdate()
        lapsed = Q(
            Exists(Assignment.objects.current().filter(staff_id=OuterRef("pk"), role=GridRole.MICRO_GRID_LEADER))
        ) & (Q(insurance_until__isnull=True) | Q(insurance_until__lt=today))
        return queryset.filter(lapsed) if value else queryset.exclude(lapsed)
