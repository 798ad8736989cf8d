"""Password rules (GB/T 22239-2019 8.1.4.1 a: identities with complexity requirements and
regular change): character classes, no reuse of recent passwords, and the history kept for it.

Configured in `AUTH_PASSWORD_VALIDATORS` beside Django's length, similarity, common-password
and all-digits validators; every message is Chinese (msgid), English when the user picks it.
"""

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import AccountSecurity, PasswordHistory


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's length rule with the platform's own Chinese message (Django's catalogue has
    no Chinese for its current wording). Code `password_too_short`."""

    def get_error_message(self) -> str:
        return _("密码太短，至少需要 %(n)d 个字符。") % {"n": self.min_length}

    def get_help_text(self) -> str:
        return self.get_error_message()


class CharacterClassesValidator:
    """At least `min_classes` of the four classes: upper-case letters, lower-case letters,
    digits, other characters (default 3). Raises ValidationError code `password_too_simple`."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password: str, user=None) -> None:
        classes = [
            any(c.isupper() for c in password),
            any(c.islower() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ]
        if sum(classes) < self.min_classes:
            raise ValidationError(self._message(), code="password_too_simple")

    def _message(self) -> str:
        return _("密码须包含大写字母、小写字母、数字、其他符号四类中的至少 %(n)d 类。") % {"n": self.min_classes}

    def get_help_text(self) -> str:
        return self._message()


def history_count() -> int:
    """How many recent passwords may not be reused (`PASSWORD_HISTORY_COUNT`, default 5)."""
    return getattr(settings, "PASSWORD_HISTORY_COUNT", 5)


class NoReuseValidator:
    """Refuses the user's current password and their last `PASSWORD_HISTORY_COUNT` ones
    (ValidationError code `password_reused`). Without a saved user there is nothing to compare."""

    def validate(self, password: str, user=None) -> None:
        if user is None or user.pk is None:
            return
        hashes = [user.password] if user.password else []
        hashes += PasswordHistory.objects.filter(user=user).values_list("password", flat=True)[: history_count()]
        if any(check_password(password, encoded) for encoded in hashes):
            raise ValidationError(self.get_help_text(), code="password_reused")

    def get_help_text(self) -> str:
        n = history_count()
        return ngettext("不得与最近 %(n)d 次使用过的密码相同。", "不得与最近 %(n)d 次使用过的密码相同。", n) % {"n": n}

    def password_changed(self, password: str, user=None) -> None:
        """Keep the new password's hash in the history, trimmed to the last N (Django calls
        this after a user with a newly set password is saved)."""
        PasswordHistory.objects.create(user=user, password=user.password)
        keep = list(PasswordHistory.objects.filter(user=user).values_list("id", flat=True)[: history_count()])
        PasswordHistory.objects.filter(user=user).exclude(id__in=keep).delete()


def require_change(user, required: bool = True) -> None:
    """Mark (or clear) the account's "change the password at next sign-in" flag: set when an
    administrator gives an initial password, cleared when the user sets their own."""
    defaults: dict = {"must_change_password": required}
    if not required:
        defaults["password_changed_at"] = timezone.now()
    AccountSecurity.objects.update_or_create(user=user, defaults=defaults)


def must_change(user) -> bool:
    """Whether the signed-in `user` must set a new password before anything else."""
    return AccountSecurity.objects.filter(user=user, must_change_password=True).exists()
