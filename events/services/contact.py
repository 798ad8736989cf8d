"""The citizen's contact (Art. 10, 19; PIPL): revealed in clear only to those who act
on the event, each reveal logged."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import workflow
from ..exceptions import NotFound, PermissionDenied
from ..models import Event
from ..workflow import Actor

# The citizen's contact (Art. 10, 19; PIPL) ----------------------------------------------------


#: The purpose's messages (as `staff_unmask`'s) for the page's form and the API's input:
#: `error_messages` of a Django or DRF CharField with min_length 2 and max_length 200.
CONTACT_PURPOSE_MESSAGES = {
    "required": gettext_lazy("请说明查看事由。"),
    "blank": gettext_lazy("请说明查看事由。"),
    "min_length": gettext_lazy("请说明查看事由。"),
    "max_length": gettext_lazy("查看事由不超过200字。"),
}


def event_contact_unmask(*, actor: Actor, event: Event | int, purpose: str) -> dict:
    """Return the clear contact of a demand or complaint and log the access (Art. 10, 19; PIPL).

    `event`: an `Event` or its pk; `purpose`: why (2–200 characters, logged). Returns
    `{"contact_name", "contact_phone"}` in clear and writes one
    `personnel.models.PersonalDataAccess` row (who, which event, field "contact", when,
    purpose; never the values). Nothing is stored anywhere else (no session, no action).

    Who: those who act on the event (`events.workflow.may_reveal_contact`): dispatchers
    and supervisors over its grid, handlers of a unit it is dispatched to now.
    Raises `NotFound` if the event is outside the actor's jurisdiction or has no contact
    (staff reports), `PermissionDenied` if the actor may see it but not act on it (grid
    staff, past handling units), `ValidationError` on `purpose` if it is empty, over
    200 characters or holds a NUL. Checked in that order; nothing is logged when it raises.
    """
    from personnel.choices import AccessedField
    from personnel.models import PersonalDataAccess

    pk = event.pk if isinstance(event, Event) else event
    try:
        ev = Event.objects.restrict(actor).get(pk=pk)
    except (Event.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    if not workflow.may_reveal_contact(actor, ev):
        raise PermissionDenied(_("您无权查看该诉求人的联系方式明文。"))
    if not (ev.contact_name or ev.contact_phone):
        raise NotFound(_("该事件没有诉求人联系方式。"))
    purpose = purpose.strip() if isinstance(purpose, str) else ""
    if "\x00" in purpose:
        raise ValidationError({"purpose": [_("不得包含空字符（NUL）。")]})
    if len(purpose) < 2:
        raise ValidationError({"purpose": [_("请说明查看事由。")]})
    if len(purpose) > 200:
        raise ValidationError({"purpose": [_("查看事由不超过200字。")]})
    with transaction.atomic():
        PersonalDataAccess.objects.create(actor=actor, event=ev, field=AccessedField.CONTACT, purpose=purpose)
    return {"contact_name": ev.contact_name, "contact_phone": ev.contact_phone}
