"""Helpers that make integrations rows through the services."""

from integrations import services
from integrations.choices import WebhookEventType


def make_client(scenario, organisation=None, scopes=("read",), actor=None, **kwargs):
    """An ApiClient of `organisation` (default: the scenario's unit); returns (client, key)."""
    created = services.api_client_create(
        actor=actor or scenario.superuser,
        organisation=organisation or scenario.unit,
        name=kwargs.pop("name", "城管执法系统"),
        scopes=scopes,
        **kwargs,
    )
    return created.client, created.key


def make_subscription(scenario, organisation=None, url="http://127.0.0.1:9/hook", event_types=None):
    return services.webhook_subscription_create(
        actor=scenario.superuser,
        organisation=organisation or scenario.unit,
        url=url,
        event_types=event_types or list(WebhookEventType.values),
    )
