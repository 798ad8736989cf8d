"""The personal-data keys' list (`PERSONAL_DATA_KEYS`): parsed by the settings, which must not
import the encrypted field's module (`ningbo_grid.crypto` defines model fields), and generated for a
new key or a local key file."""

import base64
import binascii
import secrets

from django.core.exceptions import ImproperlyConfigured

#: Separates the key id from the ciphertext in a stored value (so never part of a key id).
SEPARATOR = "$"


def parse_keys(text: str) -> dict[str, bytes]:
    """Parse `"id:base64,id:base64"` into an ordered {id: 32 bytes}; the first is current.

    Raises ImproperlyConfigured for an empty list, a malformed entry, a repeated id, an
    id containing `$` or `:`, or a key that is not 32 bytes.
    """
    keys: dict[str, bytes] = {}
    for entry in filter(None, (part.strip() for part in (text or "").split(","))):
        kid, sep, encoded = entry.partition(":")
        if not sep or not kid or SEPARATOR in kid or kid in keys:
            raise ImproperlyConfigured(f"PERSONAL_DATA_KEYS: bad entry for key id {kid!r} (want id:base64).")
        try:
            raw = base64.b64decode(encoded, validate=True)
        except binascii.Error:
            raise ImproperlyConfigured(f"PERSONAL_DATA_KEYS: key {kid!r} is not base64.") from None
        if len(raw) != 32:
            raise ImproperlyConfigured(f"PERSONAL_DATA_KEYS: key {kid!r} must be 32 bytes.")
        keys[kid] = raw
    if not keys:
        raise ImproperlyConfigured("PERSONAL_DATA_KEYS is empty.")
    return keys


def new_key_entry(kid: str) -> str:
    """A fresh `id:base64` entry of 32 random bytes (for a new key or a local key file)."""
    return f"{kid}:{base64.b64encode(secrets.token_bytes(32)).decode()}"
