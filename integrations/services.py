"""State changes of the integrations app: API clients and webhooks (Art. 11, 14, 17).

Each function takes keyword-only arguments and the acting user (`actor`) and runs in one
transaction; webhook deliveries are rows of the transactional outbox (see
`ningbo_grid.outbox`), sent by `webhook_deliveries_send` after commit. Errors:
`django.core.exceptions.PermissionDenied` when the actor may not act on the
organisation, `django.core.exceptions.ValidationError` for bad values.
"""

import hashlib
import json
import logging
import secrets
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ningbo_grid.outbox import claim_due, kick_on_commit
from personnel.models import Membership, Organisation
from personnel.scope import has_area_perm
from personnel.services import grants_sync

from . import signing
from .choices import ClientRole, DeliveryStatus, Scope, SignatureAlgorithm, WebhookEventType
from .models import SUPERVISE, ApiClient, WebhookDelivery, WebhookSubscription
from .urlcheck import check_webhook_url

log = logging.getLogger(__name__)


def hash_key(key: str) -> str:
    """Hex SHA-256 of an API key (see `ApiClient` for why not a slow hash)."""
    return hashlib.sha256(key.encode()).hexdigest()


def _check_supervises(actor, organisation: Organisation) -> None:
    if not has_area_perm(actor, SUPERVISE, organisation.area):
        raise PermissionDenied(_("您无权管理该单位的系统对接。"))


def _clean_scopes(scopes: Iterable[str]) -> list[str]:
    scopes = list(dict.fromkeys(scopes))
    valid = set(Scope.values)
    if not scopes or any(s not in valid for s in scopes):
        raise ValidationError({"scopes": _("权限范围须为 read、report、handle 中的一项或多项。")})
    return [s for s in Scope.values if s in scopes]


@dataclass(frozen=True)
class CreatedClient:
    """What `api_client_create` returns: the row and the clear key (shown once)."""

    client: ApiClient
    key: str


def api_client_create(
    *,
    actor,
    organisation: Organisation,
    name: str,
    scopes: Iterable[str],
    expires_at: datetime | None = None,
    role: str = ClientRole.HANDLER,
) -> CreatedClient:
    """Issue a key for a department system of `organisation` (Art. 11, 17).

    Makes a service user (unusable password) with platform `role` (`ClientRole`: default
    handler, which sees what is dispatched to its unit; dispatcher, which also enters
    public demands, e.g. over Open311) on `organisation`, and the `ApiClient`. The role's
    area grants are synced in the same transaction, so the key has its rights from its
    first request (not from the nightly grant sync). Returns the clear key; only its
    SHA-256 is stored. `expires_at` is an aware datetime in the
    future or None (never expires). Raises PermissionDenied unless `actor` holds
    `supervise_area` over the organisation's jurisdiction; ValidationError on bad scopes,
    an expiry in the past or a blank name.
    """
    _check_supervises(actor, organisation)
    scopes = _clean_scopes(scopes)
    if role not in ClientRole.values:
        raise ValidationError({"role": _("角色须为 handler 或 dispatcher。")})
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("请填写名称。")})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": _("到期时间须晚于现在。")})
    key = secrets.token_urlsafe(32)
    with transaction.atomic():
        user = get_user_model()(username=f"api-client-{secrets.token_hex(8)}", first_name=name[:150])
        user.set_unusable_password()
        user.save()
        Membership.objects.create(user=user, organisation=organisation, role=role, start=timezone.localdate())
        grants_sync(user=user)
        client = ApiClient.objects.create(
            name=name,
            organisation=organisation,
            user=user,
            scopes=scopes,
            key_prefix=key[:8],
            key_hash=hash_key(key),
            created_by=actor,
            expires_at=expires_at,
        )
    log.info("api client %s created for organisation %s by %s", client.pk, organisation.pk, actor.pk)
    return CreatedClient(client=client, key=key)


def api_client_revoke(*, actor, client: ApiClient) -> ApiClient:
    """Revoke `client` now: its key answers 401 from the next request on.

    Also ends the service user's membership (today) and re-syncs its grants. Revoking
    twice changes nothing.
    Raises PermissionDenied as `api_client_create`.
    """
    _check_supervises(actor, client.organisation)
    with transaction.atomic():
        client = ApiClient.objects.select_for_update().get(pk=client.pk)
        if client.revoked_at is None:
            client.revoked_at = timezone.now()
            client.revoked_by = actor
            client.save(update_fields=["revoked_at", "revoked_by"])
            Membership.objects.filter(user_id=client.user_id, end__isnull=True).update(end=timezone.localdate())
            grants_sync(user=client.user)
    return client


# --- Webhooks -------------------------------------------------------------------------


def _clean_event_types(event_types: Iterable[str]) -> list[str]:
    event_types = list(dict.fromkeys(event_types))
    if not event_types or any(t not in WebhookEventType.values for t in event_types):
        raise ValidationError({"event_types": _("请选择有效的事件类型。")})
    return event_types


def _new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def webhook_subscription_create(
    *,
    actor,
    organisation: Organisation,
    url: str,
    event_types: Iterable[str],
    is_active: bool = True,
    signature_algorithm: str = SignatureAlgorithm.HMAC_SHA256,
) -> WebhookSubscription:
    """Register `url` for `organisation`'s webhooks; the new `secret` is on the returned row.
    Deliveries are signed with `signature_algorithm` (HMAC-SHA256, or HMAC-SM3; GB/T 39786).

    Show `secret` to the actor once; it is never displayed again (rotate to replace it).
    Raises PermissionDenied unless the actor supervises the organisation's area;
    ValidationError for a non-http(s) or private target, or unknown event types.
    """
    _check_supervises(actor, organisation)
    try:
        check_webhook_url(url)
    except ValidationError as exc:
        raise ValidationError({"url": exc.messages}) from exc
    return WebhookSubscription.objects.create(
        organisation=organisation,
        url=url,
        secret=_new_secret(),
        event_types=_clean_event_types(event_types),
        is_active=is_active,
        signature_algorithm=SignatureAlgorithm(signature_algorithm),
        created_by=actor,
    )


def webhook_subscription_update(
    *,
    actor,
    subscription: WebhookSubscription,
    url: str | None = None,
    event_types=None,
    is_active=None,
    signature_algorithm: str | None = None,
) -> WebhookSubscription:
    """Change a subscription's URL, event types, active flag or signature algorithm
    (arguments left None stay)."""
    _check_supervises(actor, subscription.organisation)
    if url is not None:
        try:
            check_webhook_url(url)
        except ValidationError as exc:
            raise ValidationError({"url": exc.messages}) from exc
        subscription.url = url
    if event_types is not None:
        subscription.event_types = _clean_event_types(event_types)
    if is_active is not None:
        subscription.is_active = is_active
    if signature_algorithm is not None:
        subscription.signature_algorithm = SignatureAlgorithm(signature_algorithm)
    subscription.save()
    return subscription


def webhook_subscription_rotate_secret(*, actor, subscription: WebhookSubscription) -> WebhookSubscription:
    """Replace the signing secret; the returned row carries the new one (show it once)."""
    _check_supervises(actor, subscription.organisation)
    subscription.secret = _new_secret()
    subscription.save(update_fields=["secret", "updated_at"])
    return subscription


#: The webhook event types (a Django choices' `.values` is rebuilt on every access; the
#: deadline sweep emits tens of thousands at once).
_EVENT_TYPES = frozenset(WebhookEventType.values)


def webhook_emit(
    *,
    event_type: str,
    organisation_ids: Iterable[int],
    payload: dict,
    subscriptions=None,
    cause: str | None = None,
    defer: list | None = None,
) -> list[WebhookDelivery]:
    """Write a delivery of `payload` for every active subscription of `organisation_ids` to
    `event_type`, in the caller's transaction (the transactional outbox, `ningbo_grid.outbox`).

    `subscriptions` (optional): the active subscriptions, read once by a caller that emits
    many at once (the deadline sweep's batch), instead of one query per call.
    `cause` (optional): what caused it, unique across the platform (`action:<id>`,
    `alert:<event>:<stage>:<cycle>`); the delivery's key is `<cause>:<event_type>:<subscription>`
    and a key already present is skipped, so a cause produces each delivery once.
    `defer` (optional): a list to append the unsaved deliveries to instead of writing
    them; the caller writes them all at once with `webhook_write` (the sweep's batch).

    The events app's receivers (`integrations.receivers`) call this inside the transaction
    of the change; `webhook_sweep` sends the rows after commit (queued once on commit,
    and by beat). `payload` is any JSON-serialisable dict (the event's public fields);
    the body sent is `{"id": <delivery uuid>, "type": event_type, "created_at": ISO 8601
    UTC, "data": payload}`. Returns the deliveries meant (without a cause: the rows, with
    their pk; with one: the objects, pk unset, including any skipped as already made).
    """
    if event_type not in _EVENT_TYPES:
        raise ValueError(f"unknown webhook event type {event_type!r}")
    organisation_ids = {int(i) for i in organisation_ids if i is not None}
    if not organisation_ids:
        return []
    now = timezone.now()
    if subscriptions is None:
        subscriptions = WebhookSubscription.objects.filter(organisation_id__in=organisation_ids, is_active=True)
    subscriptions = [
        s
        for s in subscriptions
        if s.is_active and s.organisation_id in organisation_ids and event_type in s.event_types
    ]
    deliveries = []
    for subscription in subscriptions:
        delivery = WebhookDelivery(subscription=subscription, event_type=event_type, next_attempt_at=now)
        if cause:
            delivery.key = f"{cause}:{event_type}:{subscription.pk}"
        delivery.payload = {
            "id": str(delivery.uuid),
            "type": event_type,
            "created_at": now.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            "data": payload,
        }
        deliveries.append(delivery)
    if defer is not None:
        defer.extend(deliveries)
    else:
        webhook_write(deliveries)
    return deliveries


def webhook_write(deliveries: list[WebhookDelivery]) -> None:
    """Insert deliveries made by `webhook_emit` (a key already present is skipped) and queue
    their sending for when the transaction commits."""
    if deliveries:
        keyed = any(d.key for d in deliveries)
        WebhookDelivery.objects.bulk_create(deliveries, batch_size=1000, ignore_conflicts=keyed)
        _kick()


def _kick() -> None:
    from .tasks import webhook_sweep

    kick_on_commit(webhook_sweep)


def webhook_delivery_replay(*, actor, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send `delivery` again now, with a fresh retry schedule (same id and payload).

    Raises PermissionDenied unless `actor` may see the subscription (supervisor of the
    area or a member of the unit).
    """
    if not WebhookDelivery.objects.restrict(actor).filter(pk=delivery.pk).exists():
        raise PermissionDenied(_("您无权重发该推送。"))
    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
        delivery.status = DeliveryStatus.PENDING
        delivery.attempt_count = 0
        delivery.next_attempt_at = timezone.now()
        delivery.replay_count += 1
        delivery.save()
        _kick()
    return delivery


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
