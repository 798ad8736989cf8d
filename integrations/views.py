"""Pages for authorities: API clients (keys) and webhooks of the units they supervise.

A key or a webhook secret appears once, on the page answering the form that made it
(never in a redirect, never cached). Every list goes through `restrict`; another
jurisdiction's rows are 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import services
from .forms import ApiClientForm, WebhookSubscriptionForm
from .models import ApiClient, WebhookDelivery, WebhookSubscription
from .selectors import manageable_organisations


def _apply_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _require_manager(request: HttpRequest) -> None:
    if not manageable_organisations(request.user).exists():
        raise PermissionDenied


@login_required
@never_cache
def client_list(request: HttpRequest) -> HttpResponse:
    """API clients of the organisations the user supervises, with a form for a new one."""
    _require_manager(request)
    created = None
    form = ApiClientForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.api_client_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            form = ApiClientForm(user=request.user)
    clients = ApiClient.objects.restrict(request.user).select_related("organisation")[:200]
    return render(request, "integrations/client_list.html", {"clients": clients, "form": form, "created": created})


@login_required
@require_POST
def client_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    client = get_object_or_404(ApiClient.objects.restrict(request.user), pk=pk)
    services.api_client_revoke(actor=request.user, client=client)
    messages.success(request, _("已吊销 %(name)s 的密钥。") % {"name": client.name})
    return redirect("integrations:client-list")


@login_required
@never_cache
def webhook_list(request: HttpRequest) -> HttpResponse:
    """Webhook subscriptions and the latest deliveries, with a form for a new subscription."""
    subscriptions = WebhookSubscription.objects.restrict(request.user).select_related("organisation")[:200]
    deliveries = WebhookDelivery.objects.restrict(request.user).select_related("subscription")[:50]
    can_manage = manageable_organisations(request.user).exists()
    if not can_manage and not subscriptions:
        raise PermissionDenied
    form = WebhookSubscriptionForm(request.POST or None, user=request.user) if can_manage else None
    created = None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            created = services.webhook_subscription_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            form = WebhookSubscriptionForm(user=request.user)
            subscriptions = WebhookSubscription.objects.restrict(request.user).select_related("organisation")[:200]
    context = {"subscriptions": subscriptions, "deliveries": deliveries, "form": form, "created": created}
    return render(request, "integrations/webhook_list.html", context)


@login_required
@require_POST
def delivery_replay(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = get_object_or_404(WebhookDelivery.objects.restrict(request.user), pk=pk)
    services.webhook_delivery_replay(actor=request.user, delivery=delivery)
    messages.success(request, _("已重新排队发送。"))
    return redirect("integrations:webhook-list")
