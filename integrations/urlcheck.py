"""Webhook target checks: http(s) only, and no private network targets in production.

A subscription URL pointing at loopback, link-local, private or reserved addresses
would let a registrant make the platform probe its own network (SSRF). Such targets are
refused unless `settings.WEBHOOK_ALLOW_PRIVATE` is true (development and tests). The
check runs when the URL is saved and again before each delivery (DNS may change).
"""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def check_webhook_url(url: str) -> None:
    """Raise `ValidationError` if `url` is not an acceptable webhook target."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError(_("只接受 http 或 https 地址。"), code="scheme")
    if getattr(settings, "WEBHOOK_ALLOW_PRIVATE", False):
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError) as exc:
        raise ValidationError(_("无法解析该地址的主机名。"), code="dns") from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%", 1)[0])
        if not address.is_global:
            raise ValidationError(_("不允许推送到内网或本机地址。"), code="private")
