"""Who is calling: the client's address as every limit on the platform counts it."""

from django.http import HttpRequest
from rest_framework.throttling import BaseThrottle


def client_ip(request: HttpRequest) -> str:
    """The caller's address as the API's rate limits see it (DRF's `get_ident`): REMOTE_ADDR,
    or behind `NUM_PROXIES` proxies the address they appended to X-Forwarded-For. Used by
    the public demand form's limit and the sign-in lockout (security.audit); "unknown" when
    the request carries none."""
    return BaseThrottle().get_ident(request) or "unknown"
