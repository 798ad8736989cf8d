"""Filters of the integrations lists (API and pages)."""

import django_filters

from ningbo_grid.filters import UpdatedSinceFilterSet, WithinFilter

from .choices import DeliveryStatus
from .models import WebhookDelivery


class WebhookDeliveryFilterSet(UpdatedSinceFilterSet):
    """`status`, `event_type`, `updated_since` (ISO 8601 with zone), `within` (area code
    of the receiving organisation's jurisdiction, subtree included)."""

    status = django_filters.ChoiceFilter(choices=DeliveryStatus.choices)
    event_type = django_filters.CharFilter(max_length=40)
    within = WithinFilter(field_name="subscription__organisation__area")

    class Meta:
        model = WebhookDelivery
        fields = ["status", "event_type"]
