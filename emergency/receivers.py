"""Emergency events reported in a response's area while it is active are linked to it
(Art. 18): a timeline `Record` (kind `event`, unique per response and event), written in
the report's transaction on `events.signals.event_changed`."""

from django.dispatch import receiver
from django.utils import timezone

from catalog.choices import Grade
from events.choices import ActionKind
from events.signals import event_changed

from .choices import RecordKind, ResponseStatus
from .models import Record, Response


def link_event(event) -> int:
    """Link `event` (an emergency-grade event) to every active response covering its grid;
    returns the number of links written (a link already there is kept)."""
    area = event.area
    responses = Response.objects.filter(
        status=ResponseStatus.ACTIVE,
        area__tree_id=area.tree_id,
        area__lft__lte=area.lft,
        area__rght__gte=area.rght,
        activated_at__lte=event.reported_at,
    ).values_list("pk", flat=True)
    rows = [
        Record(response_id=pk, event_id=event.pk, kind=RecordKind.EVENT, text=event.title, at=timezone.now())
        for pk in responses
    ]
    Record.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


@receiver(event_changed, dispatch_uid="emergency.link_event")
def on_event_changed(sender, event=None, action=None, batch=None, **kwargs) -> None:
    if event is None or getattr(event, "grade", None) != Grade.EMERGENCY:
        return
    if getattr(action, "kind", None) in (ActionKind.REPORT, ActionKind.SELF_HANDLE, ActionKind.CORRECTION) and getattr(
        event, "area_id", None
    ):
        link_event(event)
