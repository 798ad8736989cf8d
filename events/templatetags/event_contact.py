"""`{% event_contact event [form] as contact %}`: the citizen's contact as the viewer may see it.

Masked name and phone and whether the viewer may reveal them (`events.selectors.event_contact`),
plus the reveal form (`form`, or a blank one) when they may; None when there is nothing
to show. Used by templates/events/_contact.html.
"""

from django import template

from .. import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def event_contact(context, event, form=None):
    request = context.get("request")
    user = getattr(request, "user", None)
    if event is None or user is None:
        return None
    contact = selectors.event_contact(user, event)
    if contact and contact["can_reveal"]:
        from ..contact import ContactRevealForm

        contact["form"] = form or ContactRevealForm()
    return contact
