"""Errors raised by the event services (Art. 17), with Chinese messages for users.

How callers map them:

- `Conflict` and its subclasses: HTTP 409 with the machine code `code`, or a form
  message "please reload" in the HTML pages. `StaleVersion` (`stale_version`): the
  event changed since the version the caller read; `InvalidTransition`
  (`invalid_transition`): the step is not allowed from the current status; plain
  `Conflict` (`conflict`): any other clash (already rated, a concurrent twin).
- `PermissionDenied` (a `django.core.exceptions.PermissionDenied`): HTTP 403. The actor
  may see the event but does not hold the role the step needs.
- `NotFound`: HTTP 404. The event is outside the actor's jurisdiction (or does not exist);
  out of scope is indistinguishable from absent.
- `django.core.exceptions.ValidationError` (with a dict of field → messages): HTTP 400.
"""

from django.core import exceptions as django_exceptions
from django.utils.translation import gettext_lazy as _


class Conflict(Exception):
    """The step clashes with the event as it is now (HTTP 409, machine code `code`)."""

    default_message = _("该事件已被他人处理或更新，请刷新后重试。")
    code = "conflict"

    def __init__(self, message=None):
        self.message = message or self.default_message
        super().__init__(str(self.message))


class StaleVersion(Conflict):
    """The event changed since the version the caller read: another step was taken
    first (HTTP 409, `stale_version`)."""

    code = "stale_version"


class InvalidTransition(Conflict):
    """The step is not allowed from the event's current status (HTTP 409, `invalid_transition`)."""

    default_message = _("事件当前状态下不能执行此操作。")
    code = "invalid_transition"


class PermissionDenied(django_exceptions.PermissionDenied):
    """The actor may see the event but does not hold the role this step needs (HTTP 403)."""

    default_message = _("您没有执行此操作的权限。")

    def __init__(self, message=None):
        self.message = message or self.default_message
        super().__init__(str(self.message))


class NotFound(Exception):
    """The event (or grid) is outside the actor's jurisdiction or does not exist (HTTP 404)."""

    default_message = _("事件不存在或不在您的辖区内。")

    def __init__(self, message=None):
        self.message = message or self.default_message
        super().__init__(str(self.message))
