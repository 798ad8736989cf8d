"""The platform's messages (Art. 17, 18, 19): the in-app inbox (`Notification`) and the
transactional outbox of e-mails and SMS (`OutboxMessage`), written by `events.notify` in
the transaction of the change that causes them and sent by its delivery task.

Registered with the events app through `events.models`, which imports them; import them
from here.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import ActionKind, MessageChannel, MessageStatus


class Notification(models.Model):
    """An in-app inbox message for one user (also sent by e-mail / SMS where configured)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    event = models.ForeignKey(
        "events.Event", on_delete=models.PROTECT, null=True, blank=True, related_name="notifications"
    )
    kind = models.CharField(max_length=20, choices=ActionKind.choices)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at", "-created_at"], name="notification_inbox")]

    def __str__(self) -> str:
        return self.title


class OutboxMessage(models.Model):
    """An e-mail or SMS to one user, written in the transaction of the change that causes it.

    The transactional outbox (see `ningbo_grid.outbox`): `key` is unique per cause,
    recipient and channel (e.g. `action:812/0:email:31`, `alerts:5501:sms:31`), so a
    cause produces it once; `events.notify.deliver_due` sends pending rows, reading the
    user's (or, for a citizen, the event's contact's) current address then (no address is
    copied here), with the retries of
    `settings.OUTBOX_BACKOFF` (seconds) before `failed`. `next_attempt_at` is when it is
    due (or the lease of the worker sending it). All datetimes UTC in the database.
    """

    key = models.CharField(max_length=120, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", null=True)
    # A citizen's message (Art. 10, 19): the recipient is the contact of this public demand
    # or complaint (no account); exactly one of `user` and `citizen_event` is set.
    citizen_event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="+", null=True, blank=True)
    channel = models.CharField(max_length=10, choices=MessageChannel.choices)
    subject = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=MessageStatus.choices, default=MessageStatus.PENDING)
    attempt_count = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("待发消息")
        verbose_name_plural = _("待发消息")
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False, citizen_event__isnull=True)
                | Q(user__isnull=True, citizen_event__isnull=False),
                name="outbox_one_recipient",
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel} → {self.user_id or f'citizen of {self.citizen_event_id}'}: {self.subject}"
