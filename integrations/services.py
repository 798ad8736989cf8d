"""State changes of the integrations app: API clients and webhooks (Art. 11, 14, 17).

Each function takes keyword-only arguments and the acting user (`actor`) and runs in one
transaction; webhook deliveries are rows of the transactional outbox (see
`ningbo_grid.outbox`), sent by `integrations.delivery.webhook_deliveries_send` after commit. Errors:
`django.core.exceptions.PermissionDenied` when the actor may not act on the
organisation, `django.core.exceptions.ValidationError` for bad values.
"""

import hashlib
import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ningbo_grid.outbox import kick_on_commit
from personnel.models import Membership, Organisation
from personnel.scope import authorize
from personnel.services import grants_sync

from .choices import ClientRole, DeliveryStatus, Scope, SignatureAlgorithm, WebhookEventType
from .models import SUPERVISE, ApiClient, WebhookDelivery, WebhookSubscription
from .urlcheck import check_webhook_url

log = logging.getLogger(__name__)


def hash_key(key: str) -> str:
    """Hex SHA-256 of an API key (see `ApiClient` for why not a slow hash)."""
    return hashlib.sha256(key.encode()).hexdigest()


#: Why `authorize` refuses someone who does not supervise the organisation's area.
NOT_SUPERVISOR = gettext_lazy("您无权管理该单位的系统对接。")


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
    actor: User,
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
    authorize(actor, SUPERVISE, organisation.area, message=NOT_SUPERVISOR)
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


def api_client_revoke(*, actor: User | None, client: ApiClient) -> ApiClient:
    """Revoke `client` now: its key answers 401 from the next request on.

    Also ends the service user's membership (today) and re-syncs its grants. Revoking
    twice changes nothing.
    Raises PermissionDenied as `api_client_create`.
    """
    authorize(actor, SUPERVISE, client.organisation.area, message=NOT_SUPERVISOR)
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
    actor: User,
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
    authorize(actor, SUPERVISE, organisation.area, message=NOT_SUPERVISOR)
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
    actor: User | None,
    subscription: WebhookSubscription,
    url: str | None = None,
    event_types=None,
    is_active=None,
    signature_algorithm: str | None = None,
) -> WebhookSubscription:
    """Change a subscription's URL, event types, active flag or signature algorithm
    (arguments left None stay)."""
    authorize(actor, SUPERVISE, subscription.organisation.area, message=NOT_SUPERVISOR)
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


def webhook_subscription_rotate_secret(*, actor: User | None, subscription: WebhookSubscription) -> WebhookSubscription:
    """Replace the signing secret; the returned row carries the new one (show it once)."""
    authorize(actor, SUPERVISE, subscription.organisation.area, message=NOT_SUPERVISOR)
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
    kick_on_commit("integrations.tasks.webhook_sweep")


def webhook_delivery_replay(*, actor: User | None, delivery: WebhookDelivery) -> WebhookDelivery:
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
