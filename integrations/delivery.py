"""Sending webhook deliveries: claim due rows of the outbox and POST each once (Art. 17).

`integrations.services` writes the deliveries in the transaction of the change; the
Celery task `integrations.tasks.webhook_sweep` calls `webhook_deliveries_send` after
commit and from beat. Kept apart from the services so the task module imports this and
the services import the task (to queue it on commit) without an import cycle.
"""

import json
import urllib.error
import urllib.request
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from ningbo_grid.outbox import claim_due

from . import signing
from .choices import DeliveryStatus
from .models import WebhookDelivery
from .urlcheck import check_webhook_url


def _body(delivery: WebhookDelivery) -> bytes:
    return json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def _post(url: str, body: bytes, headers: dict) -> tuple[int | None, str]:
    """POST and return (status or None, error text). Never follows redirects."""

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(_NoRedirect)
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 (checked scheme)
    try:
        with opener.open(request, timeout=settings.WEBHOOK_TIMEOUT) as response:
            return response.status, ""
    except urllib.error.HTTPError as exc:
        return exc.code, f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return None, str(getattr(exc, "reason", exc))[:500]


def _attempt(delivery: WebhookDelivery) -> None:
    """POST a claimed delivery once and record the outcome (see `webhook_deliveries_send`)."""
    subscription = delivery.subscription
    body = _body(delivery)
    try:
        check_webhook_url(subscription.url)
    except ValidationError as exc:
        code, error = None, "; ".join(exc.messages)
    else:
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "ningbo-grid-webhooks/1",
            "X-Grid-Event": delivery.event_type,
            "X-Grid-Delivery": str(delivery.uuid),
            "X-Grid-Signature": signing.sign(subscription.secret, body, algorithm=subscription.signature_algorithm),
        }
        code, error = _post(subscription.url, body, headers)
    delivery.attempt_count += 1
    delivery.last_response_code = code
    finished = timezone.now()
    if code is not None and 200 <= code < 300:
        delivery.status = DeliveryStatus.SUCCEEDED
        delivery.delivered_at = finished
        delivery.next_attempt_at = None
        delivery.last_error = ""
    else:
        delivery.last_error = error[:500]
        backoff = settings.WEBHOOK_BACKOFF
        if delivery.attempt_count > len(backoff):
            delivery.status = DeliveryStatus.FAILED
            delivery.next_attempt_at = None
        else:
            delivery.next_attempt_at = finished + timedelta(seconds=backoff[delivery.attempt_count - 1])
    delivery.save(
        update_fields=[
            *("attempt_count", "last_response_code", "status", "delivered_at", "next_attempt_at", "last_error"),
            "updated_at",
        ]
    )


def webhook_deliveries_send(*, limit: int = 10) -> int:
    """Claim up to `limit` due pending deliveries and make one HTTP attempt of each; returns
    how many were attempted.

    The claim (`ningbo_grid.outbox.claim_due`) leases the rows for `settings.OUTBOX_LEASE`
    seconds in a short transaction of its own, so two workers never send the same attempt
    and the HTTP calls hold no database lock; a worker killed mid-way leaves its rows to
    be sent again once the lease has run out. A 2xx answer → `succeeded`; anything else →
    retry after `settings.WEBHOOK_BACKOFF[attempt-1]` seconds, or `failed` once the
    schedule is used up. The request carries `X-Grid-Signature` (see
    `integrations.signing`), `X-Grid-Event` and `X-Grid-Delivery` (the uuid, also the
    body's `"id"`: receivers drop a delivery they have seen).
    """
    now = timezone.now()
    lease = now + timedelta(seconds=settings.OUTBOX_LEASE)
    ids = claim_due(WebhookDelivery, now=now, lease=lease, limit=limit)
    for delivery in WebhookDelivery.objects.filter(pk__in=ids).select_related("subscription").order_by("pk"):
        _attempt(delivery)
    return len(ids)
