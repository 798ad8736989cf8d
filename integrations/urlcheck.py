"""Webhook target checks: http(s) only, and no private network targets unless listed.

A subscription URL pointing at loopback, link-local (169.254.169.254, the cloud metadata
service), private or reserved addresses would let a registrant make the platform probe
its own network (SSRF). Such targets are refused whatever `DEBUG` says, except the hosts
an operator lists in `settings.WEBHOOK_PRIVATE_HOSTS` (env `WEBHOOK_PRIVATE_HOSTS`,
comma-separated; empty by default): host names, IP addresses or networks in CIDR form,
e.g. `127.0.0.1,receiver.internal,10.20.0.0/16` for tests and local receivers. The check
runs when the URL is saved and again before each delivery (DNS may change).
"""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils.translation import gettext as _

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def allowed_private_hosts() -> tuple[frozenset[str], tuple[Network, ...]]:
    """`settings.WEBHOOK_PRIVATE_HOSTS` split into lower-case host names and IP networks
    (a single address is a /32 or /128 network). Raises `ImproperlyConfigured` for an
    entry that is neither (e.g. `10.0.0.1/99`) or for a value that is not a list."""
    entries = getattr(settings, "WEBHOOK_PRIVATE_HOSTS", [])
    if isinstance(entries, str) or not isinstance(entries, list | tuple):
        raise ImproperlyConfigured("WEBHOOK_PRIVATE_HOSTS must be a list of host names, addresses or networks.")
    names, networks = set(), []
    for entry in (str(e).strip().strip("[]").lower() for e in entries):
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError as exc:
            if "/" in entry or ":" in entry:
                message = f"WEBHOOK_PRIVATE_HOSTS: {entry!r} is not a host, address or network."
                raise ImproperlyConfigured(message) from exc
            names.add(entry.rstrip("."))
    return frozenset(names), tuple(networks)


def check_webhook_url(url: str) -> None:
    """Raise `ValidationError` (code `scheme`, `dns` or `private`) if `url` is not an
    acceptable webhook target: not http(s), a host that does not resolve, or one that
    resolves to a non-global address not allowed by `WEBHOOK_PRIVATE_HOSTS`."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError(_("只接受 http 或 https 地址。"), code="scheme")
    names, networks = allowed_private_hosts()
    if parts.hostname.lower().rstrip(".") in names:
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError) as exc:
        raise ValidationError(_("无法解析该地址的主机名。"), code="dns") from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%", 1)[0])
        if not address.is_global and not any(address in network for network in networks):
            raise ValidationError(_("不允许推送到内网或本机地址。"), code="private")
