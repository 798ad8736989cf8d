"""The citizen's contact on an event page (Art. 10, 19; PIPL): masked, revealed on purpose.

The event detail shows the contact of a demand or complaint masked (`_contact.html`,
through the `event_contact` template tag) to those who may see it; those who act on the
event get a small form that POSTs a purpose here. The clear name and phone are shown on
this response page only (never stored in the session, a message or the URL; the page
is not cached), and each reveal writes one access-log row
(`events.services.event_contact_unmask`).
"""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from . import services
from .exceptions import NotFound
from .models import Event


class ContactRevealForm(forms.Form):
    """Why the contact is needed: logged with the reveal (2–200 characters)."""

    purpose = forms.CharField(
        label=_("查看事由"),
        min_length=2,
        max_length=200,
        error_messages=services.CONTACT_PURPOSE_MESSAGES,
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "contact_%s")
        super().__init__(*args, **kwargs)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def contact(request, number):
    """GET/POST /events/<number>/contact/: the contact block alone; POST `purpose` reveals
    the clear values on this response (403 if the user may see the event but not act on
    it, 404 out of scope or without a contact, 400 with the error next to the field)."""
    event = get_object_or_404(
        Event.objects.restrict(request.user).select_related("area", "township", "item_version"), number=number
    )
    form = ContactRevealForm(request.POST if request.method == "POST" else None)
    revealed = None
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                revealed = services.event_contact_unmask(actor=request.user, event=event, **form.cleaned_data)
                status = 200
            except NotFound:
                raise Http404() from None
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, messages)
    context = {"event": event, "contact_form": form, "revealed": revealed}
    return render(request, "events/contact.html", context, status=status)
