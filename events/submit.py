"""The one way a staff page runs a filled-in form once (idempotency) and shows its errors.

Used by the pages of the apps above the events app (ledgers, the staff office): a form
carries a hidden one-time `submission_key` (`OnceForm`); `submit_once` runs the page's
service call through `idempotency.services.run_once`, so a double tap or a resend after
a lost answer files nothing twice, and puts a service's `ValidationError` next to the
form's fields (`events.forms.apply_errors`).
"""

import uuid
from collections.abc import Callable

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from idempotency.services import KeyReused, fingerprint, run_once

from .exceptions import Conflict
from .forms import apply_errors


class OnceForm(forms.Form):
    """A form with a hidden one-time key, new each time the form is shown unbound."""

    submission_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("submission_key", uuid.uuid4())

    def service_values(self) -> dict:
        """The cleaned data as the page's service takes it: every field but `submission_key`."""
        return {k: v for k, v in self.cleaned_data.items() if k != "submission_key"}


def once(request: HttpRequest, form: forms.Form, run: Callable[[], HttpResponse]) -> HttpResponse:
    """Run `run` (returning a redirect) once per filled-in form: its hidden one-time
    `submission_key` goes through `idempotency.services.run_once`, so a double tap or a
    resend files nothing twice. Raises KeyReused for the same key with other content."""
    return run_once(
        caller=f"user:{request.user.pk}",
        key=str(form.cleaned_data.get("submission_key") or uuid.uuid4()),
        fingerprint=fingerprint(request, ignore={"csrfmiddlewaretoken"}),
        run=run,
        keep=lambda response: response.status_code == 302,
    )


def submit_once(
    request: HttpRequest, form: forms.Form, run: Callable[[], HttpResponse], template: str, context: dict
) -> HttpResponse:
    """Run `run` (returning a redirect) once for a valid POSTed `form` (`once`); otherwise
    render `template` with the form and `context`: 400 with the form's errors (the
    services' ValidationError on its fields), 422 for a reused key, 409 when the object
    moved on since the form was read (`Conflict`: a stale `version`), 404 out of scope."""
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            return once(request, form, run)
        except KeyReused:
            form.add_error(None, _("这张表单已经提交过，内容与那次不同。"))
            status = 422
        except Conflict as exc:
            form.add_error(None, str(exc.message))
            status = 409
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            apply_errors(form, exc)
            status = 400
    elif request.method == "POST":
        status = 400
    return render(request, template, {"form": form, **context}, status=status)
