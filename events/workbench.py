"""Workbench panels of the events app (home page): my tasks by deadline, overdue first,
my unread notifications (Art. 17, 18), and the warning that next year's working-day
calendar is not confirmed. Registered from EventsConfig.ready()."""

from django.db.models import Count, Window
from django.utils.translation import gettext_lazy as _

from ningbo_grid.workbench import Panel, register_panel

from . import calendar
from .choices import AlertLevel
from .messaging import Notification
from .models import Event

PANEL_SIZE = 8


@register_panel
def event_tasks(request, roles):
    """What waits for the user now: routing (dispatchers), handling (units), verifying
    (grid staff) — in work-queue order (emergencies, red, yellow, nearest deadline)."""
    from .views import task_q

    user = request.user
    if not user.is_authenticated or not (roles.all_roles or user.is_superuser):
        return None
    rows = list(
        Event.objects.filter(task_q(user))
        .select_related("area", "item_version")
        .queue_order()
        .annotate(_total=Window(Count("id")))[:PANEL_SIZE]
    )  # one query: the first rows and the total
    total = rows[0]._total if rows else 0
    level = "secondary"
    if any(e.alert_level == AlertLevel.RED for e in rows):
        level = "danger"
    elif any(e.alert_level == AlertLevel.YELLOW for e in rows):
        level = "warning"
    return Panel(
        key="event-tasks",
        title=_("待办事件"),
        template="events/panels/tasks.html",
        context={"events": rows, "total": total},
        order=10,
        badge=total,
        level=level,
    )


@register_panel
def event_notifications(request, roles):
    """Unread notifications: the count and the newest few."""
    if not request.user.is_authenticated:
        return None
    unread = Notification.objects.filter(user=request.user, read_at__isnull=True)
    rows = list(unread.select_related("event").annotate(_total=Window(Count("id")))[:5])
    return Panel(
        key="event-notifications",
        title=_("未读通知"),
        template="events/panels/notifications.html",
        context={"notifications": rows},
        order=20,
        badge=rows[0]._total if rows else 0,
        level="primary" if rows else "secondary",
    )


@register_panel
def calendar_unconfirmed(request, roles):
    """From 1 November while next year's calendar is only estimated (`calendar.reminder_due`):
    tell the calendar administrators and supervisors, with a link to the calendar page."""
    user = request.user
    if not user.is_authenticated or not (user.is_superuser or roles.has_any("calendar_admin", "supervisor")):
        return None
    year = calendar.reminder_due()
    if year is None:
        return None
    return Panel(
        key="calendar",
        title=_("工作日历待确认"),
        template="events/panels/calendar.html",
        context={"year": year},
        order=5,
        badge=1,
        level="danger",
    )
