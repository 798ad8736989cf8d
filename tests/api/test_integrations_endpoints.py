"""The generic endpoint checks applied to the integrations API."""

from integrations import services
from integrations.choices import WebhookEventType
from tests.integrations.factories import make_client, make_subscription

from .mixins import EndpointContract


def _org(scenario, in_scope):
    return scenario.unit if in_scope else scenario.other_unit


class TestApiClientEndpoints(EndpointContract):
    list_url = "/api/v1/integrations/clients/"
    no_permission_status = 200

    def make_rows(self, scenario, n, in_scope):
        return [make_client(scenario, _org(scenario, in_scope), name=f"系统{i}")[0] for i in range(n)]


class TestWebhookSubscriptionEndpoints(EndpointContract):
    list_url = "/api/v1/integrations/webhooks/"

    def make_rows(self, scenario, n, in_scope):
        return [make_subscription(scenario, _org(scenario, in_scope), url=f"http://127.0.0.1:9/h{i}") for i in range(n)]


class TestWebhookDeliveryEndpoints(EndpointContract):
    list_url = "/api/v1/integrations/deliveries/"
    page_size_param = "page_size"

    def make_rows(self, scenario, n, in_scope):
        org = _org(scenario, in_scope)
        subscription = org.webhooks.first() or make_subscription(scenario, org)
        rows = []
        for i in range(n):
            rows += services.webhook_emit(
                event_type=WebhookEventType.STATE_CHANGED, organisation_ids=[org.pk], payload={"n": i}
            )
        assert all(r.subscription_id == subscription.pk for r in rows)
        return rows
