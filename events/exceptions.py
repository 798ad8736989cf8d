"""Errors raised by the event services (Art. 17), with Chinese messages for users.

How callers map them:

- `Conflict` (and its subclass `InvalidTransition`): HTTP 409, or a form message
  "please reload" in the HTML pages. Raised when the event changed since the caller
  loaded it (its `version` differs) or the step is not allowed from the current status.
- `PermissionDenied` (a `django.core.exceptions.PermissionDenied`): HTTP 403. The actor
  may see the event but does not hold the role the step needs.
- `NotFound`: HTTP 404. The event is outside the actor's jurisdiction (or does not exist);
  out of scope is indistinguishable from absent.
- `django.core.exceptions.ValidationError` (with a dict of field → messages): HTTP 400.
"""

from django.core import exceptions as django_exceptions
from django.utils.translation import gettext_lazy as _


class Conflict(Exception):
    """The event changed meanwhile: another step was taken first (HTTP 409)."""

    default_message = _("该事件已被他人处理或更新，请刷新后重试。")

    def __init__(self, message=None):
        self.message = message or self.default_message
        super().__init__(str(self.message))


class InvalidTransition(Conflict):
    """The step is not allowed from the event's current status (HTTP 409)."""

    default_message = _("事件当前状态下不能执行此操作。")


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
