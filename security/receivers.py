"""Signal receivers that write the security audit trail and end sessions (issue #22 items 3, 6).

Sign-ins, failures and sign-outs (django.contrib.auth), lockouts and their lifting
(django-axes), role, grant and account changes (personnel, auth), API keys (integrations),
reveals of personal data (personnel.PersonalDataAccess), the working-day calendar and
webhook subscriptions (settings). Rows name records by "type:id", never personal values.
"""

from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver

from events.models import CalendarDay, CalendarYear
from integrations.models import ApiClient, WebhookSubscription
from personnel.models import AreaGrant, Assignment, Membership, PersonalDataAccess

from . import audit, passwords, sessions
from .choices import EventKind
from .middleware import PASSWORD_OK

User = get_user_model()


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    if getattr(request, "session", None) is not None:
        sessions.started(request, user)
        if not passwords.must_change(user):
            request.session[PASSWORD_OK] = True  # checked once here, not on every request
    audit.record(EventKind.LOGIN, actor=user, request=request)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is None:
        return
    key = request.session.session_key
    if key:
        sessions.UserSession.objects.filter(session_key=key).delete()
    audit.record(EventKind.LOGOUT, actor=user, request=request)


def _known(username: str) -> str:
    """The username if such an account exists; else "" (a mistyped name may be anything,
    e.g. a phone number: it is not kept)."""
    return username if username and User.objects.filter(username=username).exists() else ""


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username") or "")
    known = _known(username)
    audit.record(EventKind.LOGIN_FAILED, request=request, username=known, unknown_account=not known)


@receiver(user_locked_out)
def _locked_out(sender, request, username, ip_address, **kwargs):
    known = _known(username or "")
    audit.record(EventKind.LOCKOUT, request=request, username=known, locked_address=ip_address)


@receiver(post_delete, sender=AccessAttempt)
def _lockout_lifted(sender, instance, **kwargs):
    if instance.failures_since_start >= settings.AXES_FAILURE_LIMIT:
        audit.record(
            EventKind.LOCKOUT_LIFTED,
            target=f"user:{_known(instance.username or '')}" if _known(instance.username or "") else "",
            locked_address=instance.ip_address,
        )


def _role_changed(instance, user, *, deleted: bool = False) -> None:
    audit.record(
        EventKind.ROLE_CHANGED,
        target=f"{instance._meta.model_name}:{instance.pk}",
        user_id=getattr(user, "pk", None),
        role=instance.role,
        start=str(instance.start),
        end=str(instance.end) if instance.end else None,
        deleted=deleted,
    )
    if user is not None and (deleted or instance.end is not None):
        sessions.end_all(user)  # a role ended: its holder signs in again


@receiver(post_save, sender=Membership)
@receiver(post_save, sender=Assignment)
def _role_saved(sender, instance, **kwargs):
    user = instance.user if sender is Membership else instance.staff.user
    _role_changed(instance, user)


@receiver(post_delete, sender=Membership)
@receiver(post_delete, sender=Assignment)
def _role_deleted(sender, instance, **kwargs):
    user = instance.user if sender is Membership else instance.staff.user
    _role_changed(instance, user, deleted=True)


@receiver(post_save, sender=AreaGrant)
@receiver(post_delete, sender=AreaGrant)
def _grant_changed(sender, instance, created=None, **kwargs):
    audit.record(
        EventKind.GRANT_CHANGED,
        target=f"area:{instance.content_object_id}",
        user_id=instance.user_id,
        permission_id=instance.permission_id,
        removed=created is None,
    )


@receiver(m2m_changed, sender=User.groups.through)
@receiver(m2m_changed, sender=User.user_permissions.through)
def _membership_of_groups(sender, instance, action, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear") or not isinstance(instance, User):
        return
    field = "groups" if sender is User.groups.through else "permissions"
    audit.record(
        EventKind.GRANT_CHANGED,
        target=f"user:{instance.pk}",
        change=f"{field}_{action.removeprefix('post_')}",
        ids=sorted(pk_set or []),
    )


_ACCOUNT_FLAGS = ("is_active", "is_staff", "is_superuser")


@receiver(pre_save, sender=User)
def _account_before(sender, instance, update_fields=None, **kwargs):
    if instance.pk is None or (update_fields is not None and set(update_fields) <= {"last_login"}):
        return
    instance._security_before = User.objects.filter(pk=instance.pk).values(*_ACCOUNT_FLAGS).first()


@receiver(post_save, sender=User)
def _account_after(sender, instance, created, **kwargs):
    before = getattr(instance, "_security_before", None)
    instance._security_before = None
    if created or before is None:
        return
    changed = {flag: getattr(instance, flag) for flag in _ACCOUNT_FLAGS if before[flag] != getattr(instance, flag)}
    if changed:
        audit.record(EventKind.ACCOUNT_CHANGED, target=f"user:{instance.pk}", **changed)
    if changed.get("is_active") is False:
        sessions.end_all(instance)  # a disabled account is signed out everywhere


@receiver(pre_save, sender=ApiClient)
def _api_client_before(sender, instance, update_fields=None, **kwargs):
    if instance.pk is not None and not (update_fields is not None and set(update_fields) <= {"last_used_at"}):
        instance._security_revoked = (
            ApiClient.objects.filter(pk=instance.pk).values_list("revoked_at", flat=True).first()
        )


@receiver(post_save, sender=ApiClient)
def _api_client_after(sender, instance, created, **kwargs):
    if created:
        audit.record(EventKind.API_KEY_CREATED, target=f"apiclient:{instance.pk}", key_prefix=instance.key_prefix)
    elif instance.revoked_at is not None and getattr(instance, "_security_revoked", instance.revoked_at) is None:
        audit.record(EventKind.API_KEY_REVOKED, target=f"apiclient:{instance.pk}", key_prefix=instance.key_prefix)


@receiver(post_save, sender=PersonalDataAccess)
def _revealed(sender, instance, created, **kwargs):
    if created:
        subject = f"staff:{instance.staff_id}" if instance.staff_id else f"event:{instance.event_id}"
        audit.record(EventKind.REVEAL, actor=instance.actor, target=subject, field=instance.field)


@receiver(post_save, sender=CalendarDay)
@receiver(post_delete, sender=CalendarDay)
@receiver(post_save, sender=CalendarYear)
@receiver(post_delete, sender=CalendarYear)
def _calendar_changed(sender, instance, created=None, **kwargs):
    audit.record(
        EventKind.CALENDAR_CHANGED, target=f"{instance._meta.model_name}:{instance.pk}", deleted=created is None
    )


@receiver(post_save, sender=WebhookSubscription)
@receiver(post_delete, sender=WebhookSubscription)
def _webhook_changed(sender, instance, created=None, **kwargs):
    audit.record(
        EventKind.SETTINGS_CHANGED,
        target=f"webhooksubscription:{instance.pk}",
        created=bool(created),
        deleted=created is None,
        active=instance.is_active,
    )
