"""Webhook signatures: `X-Grid-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>`, or
`t=<unix seconds>,sm3=<hex HMAC-SM3>` for a subscription that chose HMAC-SM3 (the Chinese
commercial cryptography hash, GB/T 32905; `cryptography` computes it through OpenSSL).

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

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac

from .choices import SignatureAlgorithm

#: The header's name for the MAC of each algorithm.
LABELS = {SignatureAlgorithm.HMAC_SHA256: "v1", SignatureAlgorithm.HMAC_SM3: "sm3"}


def _mac(algorithm: str, secret: str, message: bytes) -> str:
    if algorithm == SignatureAlgorithm.HMAC_SM3:
        mac = crypto_hmac.HMAC(secret.encode(), hashes.SM3())
        mac.update(message)
        return mac.finalize().hex()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def sign(
    secret: str, body: bytes, timestamp: int | None = None, algorithm: str = SignatureAlgorithm.HMAC_SHA256
) -> str:
    """The `X-Grid-Signature` header value for `body` signed now (or at `timestamp`, Unix
    seconds) with `algorithm` (a `SignatureAlgorithm`; HMAC-SHA256 by default)."""
    t = int(time.time()) if timestamp is None else timestamp
    return f"t={t},{LABELS[SignatureAlgorithm(algorithm)]}={_mac(algorithm, secret, f'{t}.'.encode() + body)}"


def verify(
    secret: str,
    header: str,
    body: bytes,
    tolerance: int = 300,
    now: float | None = None,
    algorithm: str = SignatureAlgorithm.HMAC_SHA256,
) -> bool:
    """Whether `header` is a valid `algorithm` signature of `body` made within `tolerance` seconds."""
    label = LABELS[SignatureAlgorithm(algorithm)]
    try:
        parts = dict(p.split("=", 1) for p in header.split(","))
        t = int(parts["t"])
        given = parts[label]
    except (KeyError, ValueError):
        return False
    expected = _mac(algorithm, secret, f"{t}.".encode() + body)
    now = time.time() if now is None else now
    return hmac.compare_digest(expected, given) and abs(now - t) <= tolerance
