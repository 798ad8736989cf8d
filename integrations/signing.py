"""Webhook signatures: `X-Grid-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>`.

The MAC is computed over the bytes `"<t>." + body` with the subscription's secret
(UTF-8). Receivers recompute it, compare in constant time and reject timestamps more
than a few minutes old (replay protection). A receiver in Python::

    import hashlib, hmac, time

    def verify(secret: str, header: str, body: bytes, tolerance: int = 300) -> bool:
        parts = dict(p.split("=", 1) for p in header.split(","))
        t = int(parts["t"])
        mac = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(mac, parts["v1"]) and abs(time.time() - t) <= tolerance
"""

import hashlib
import hmac
import time


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    """The `X-Grid-Signature` header value for `body` signed now (or at `timestamp`)."""
    t = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def verify(secret: str, header: str, body: bytes, tolerance: int = 300, now: float | None = None) -> bool:
    """Whether `header` is a valid signature of `body` made within `tolerance` seconds."""
    try:
        parts = dict(p.split("=", 1) for p in header.split(","))
        t = int(parts["t"])
        given = parts["v1"]
    except (KeyError, ValueError):
        return False
    expected = sign(secret, body, t).split("v1=", 1)[1]
    now = time.time() if now is None else now
    return hmac.compare_digest(expected, given) and abs(now - t) <= tolerance
