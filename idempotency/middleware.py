"""`Idempotency-Key` on the API: every POST under `/api/` and `/open311/` that carries the
header runs through `idempotency.services.run_once` (success = a 2xx answer).

The caller is the API client of the key the request authenticates with (`Authorization:
Api-Key`, `X-Api-Key`, or Open311's `api_key` field), else the signed-in user. A
request with neither (anonymous), or with a key that is unknown, revoked or expired, is
passed on untouched (the view answers 401/403). A malformed key header is a 400; the same
key with another request a 422 (`code` `idempotency_key_reused`).
"""

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from integrations.authentication import key_from_request
from integrations.models import ApiClient
from integrations.services import hash_key
from ningbo_grid.api import error_body
from ningbo_grid.middleware import API_PREFIXES

from . import services

HEADER = "HTTP_IDEMPOTENCY_KEY"


def caller_of(request: HttpRequest) -> str | None:
    """`client:<id>` for a usable API key; `user:<id>` for a signed-in user sending no key;
    None otherwise (no one, or a key that is unknown, revoked or expired)."""
    key = key_from_request(request)
    if key is None and request.path.startswith("/open311/"):
        key = request.POST.get("api_key") or request.GET.get("api_key")
    if key is None:
        user = getattr(request, "user", None)
        return f"user:{user.pk}" if user is not None and user.is_authenticated else None
    client = ApiClient.objects.select_related("user").filter(key_hash=hash_key(key)).first() if key else None
    if client is None or not client.is_usable or not client.user.is_active:
        return None
    return f"client:{client.pk}"


class IdempotencyKeyMiddleware:
    """See the module docstring. Place after AuthenticationMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.META.get(HEADER)
        if key is None or request.method != "POST" or not request.path.startswith(API_PREFIXES):
            return self.get_response(request)
        if not services.valid_key(key):
            body = error_body(
                request,
                _("Idempotency-Key 须为 1 至 255 个可打印 ASCII 字符。"),
                {"Idempotency-Key": [_("格式无效。")]},
                code="invalid_idempotency_key",
            )
            return JsonResponse(body, status=400)
        try:
            caller = caller_of(request)
            print_ = services.fingerprint(request) if caller else None
        except RequestDataTooBig:
            caller = None  # the view answers 413
        if caller is None:
            return self.get_response(request)
        try:
            return services.run_once(
                caller=caller,
                key=key,
                fingerprint=print_,
                run=lambda: self.get_response(request),
                keep=lambda response: 200 <= response.status_code < 300,
            )
        except services.KeyReused:
            detail = _("该 Idempotency-Key 已用于另一个不同的请求；新的请求请换一个新的 Idempotency-Key。")
            return JsonResponse(error_body(request, detail, code="idempotency_key_reused"), status=422)
