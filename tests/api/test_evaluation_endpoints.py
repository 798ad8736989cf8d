"""The generic endpoint checks applied to /api/v1/evaluation/periods/."""

from tests.scenario import make_periods

from .mixins import EndpointContract


class TestPeriodEndpoints(EndpointContract):
    """Periods of the viewer's authority are in scope; the other district's are not."""

    list_url = "/api/v1/evaluation/periods/"

    def make_rows(self, scenario, n, in_scope):
        return make_periods(scenario, n, in_scope)
