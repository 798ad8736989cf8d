"""The generic endpoint checks applied to /api/v1/organisations/ and /api/v1/staff/."""

import itertools

from personnel.choices import OrgKind
from personnel.models import Organisation, Staff
from tests.scenario import make_staff

from .mixins import EndpointContract

_numbers = itertools.count(1)


class TestOrganisationEndpoints(EndpointContract):
    list_url = "/api/v1/organisations/"

    def make_rows(self, scenario, n, in_scope):
        area = scenario.tree.township if in_scope else scenario.tree.county2
        return [
            Organisation.objects.create(name=f"测试单位{next(_numbers)}", kind=OrgKind.DEPARTMENT, area=area)
            for _ in range(n)
        ]

    def extra_visible(self, scenario):
        """The world's own organisations in the supervisor's district."""
        county = scenario.tree.county
        return set(
            Organisation.objects.filter(
                area__tree_id=county.tree_id, area__lft__gte=county.lft, area__rght__lte=county.rght
            )
            .exclude(name__startswith="测试单位")
            .values_list("pk", flat=True)
        )


class TestStaffEndpoints(EndpointContract):
    list_url = "/api/v1/staff/"

    def make_rows(self, scenario, n, in_scope):
        return make_staff(scenario, n, in_scope)

    def extra_visible(self, scenario):
        """The world's own grid staff in the supervisor's district."""
        county = scenario.tree.county
        return set(
            Staff.objects.filter(
                assignments__area__tree_id=county.tree_id,
                assignments__area__lft__gte=county.lft,
                assignments__area__rght__lte=county.rght,
            )
            .exclude(name__startswith="测试人员")
            .values_list("pk", flat=True)
        )
