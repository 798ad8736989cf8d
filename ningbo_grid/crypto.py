"""Encryption at rest of personal data: SM4-GCM ciphertexts and HMAC-SM3 look-up hashes (PIPL; GB/T 35273).

One field type, `EncryptedField`, stores a value (a resident's ID number, a mobile) as
`<key id>$<base64(nonce ‖ ciphertext ‖ tag)>`: SM4 in GCM mode (GB/T 32907, 128-bit
key, 96-bit random nonce, 128-bit tag) from the `cryptography` library (OpenSSL). An
optional companion `BlindIndexField` holds `<key id>$<hex HMAC-SM3>` of the normalised
value, so an exact look-up (`lookup_hashes`) and a uniqueness check need no decryption
and a database dump alone reveals neither the value nor, without the key, its hash.

Keys come from `settings.PERSONAL_DATA_KEYS`: an ordered mapping key id → 32 random
bytes (the environment variable `PERSONAL_DATA_KEYS="k2:<base64>,k1:<base64>"`, the
first one current). From each master key HKDF-SM3 derives a 16-byte SM4 key and a
32-byte HMAC key. Every value records the id of the key that wrote it, so old rows stay
readable after a new key is put first; `manage.py rotate_keys` then re-encrypts (and
re-hashes) them in batches while the platform runs, after which the old key can go.
"""

import base64
import binascii
import functools
import os
from collections.abc import Iterable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

from .keys import SEPARATOR

NONCE_BYTES = 12
TAG_BYTES = 16


class DecryptionError(Exception):
    """A stored value could not be decrypted: unknown key id, or tampered/corrupt ciphertext."""


@functools.lru_cache(maxsize=32)
def _derive(master: bytes, purpose: bytes, length: int) -> bytes:
    return HKDF(algorithm=hashes.SM3(), length=length, salt=None, info=b"ningbo-grid/" + purpose).derive(master)


def _keys() -> dict[str, bytes]:
    keys = settings.PERSONAL_DATA_KEYS
    if not keys:
        raise ImproperlyConfigured("PERSONAL_DATA_KEYS is not configured.")
    return keys


def current_key_id() -> str:
    """The id of the key new values are written with (the first configured)."""
    return next(iter(_keys()))


def encrypt(plain: str, kid: str | None = None) -> str:
    """SM4-GCM-encrypt `plain` (str) under key `kid` (default current); returns `kid$base64`."""
    kid = kid or current_key_id()
    key = _derive(_keys()[kid], b"sm4-gcm", 16)
    nonce = os.urandom(NONCE_BYTES)
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    body = encryptor.update(plain.encode("utf-8")) + encryptor.finalize()
    return kid + SEPARATOR + base64.b64encode(nonce + body + encryptor.tag).decode("ascii")


def key_id_of(stored: str) -> str:
    """The key id a stored ciphertext or hash was written with ('' for an empty value)."""
    return stored.partition(SEPARATOR)[0] if stored else ""


def decrypt(stored: str) -> str:
    """Decrypt a `kid$base64` value written by `encrypt`. Raises DecryptionError."""
    kid, _sep, encoded = stored.partition(SEPARATOR)
    master = _keys().get(kid)
    if master is None:
        raise DecryptionError(f"unknown key id {kid!r}")
    try:
        raw = base64.b64decode(encoded, validate=True)
    except binascii.Error:
        raise DecryptionError("not base64") from None
    if len(raw) < NONCE_BYTES + TAG_BYTES:
        raise DecryptionError("too short")
    nonce, body, tag = raw[:NONCE_BYTES], raw[NONCE_BYTES:-TAG_BYTES], raw[-TAG_BYTES:]
    decryptor = Cipher(algorithms.SM4(_derive(master, b"sm4-gcm", 16)), modes.GCM(nonce, tag)).decryptor()
    try:
        return (decryptor.update(body) + decryptor.finalize()).decode("utf-8")
    except InvalidTag:
        raise DecryptionError("authentication failed") from None


@functools.lru_cache(maxsize=32)
def _hmac_keyed(master: bytes) -> hmac.HMAC:
    """An HMAC-SM3 context with the derived key already absorbed; `keyed_hash` copies it
    (a third of the cost of a new context per value)."""
    return hmac.HMAC(_derive(master, b"hmac-sm3", 32), hashes.SM3())


def keyed_hash(value: str, kid: str | None = None) -> str:
    """HMAC-SM3 of `value` under key `kid` (default current): `kid$hex` (64 hex digits)."""
    kid = kid or current_key_id()
    mac = _hmac_keyed(_keys()[kid]).copy()
    mac.update(value.encode("utf-8"))
    return kid + SEPARATOR + mac.finalize().hex()


def lookup_hashes(value: str) -> list[str]:
    """The hashes of `value` under every configured key: match a `BlindIndexField` with `__in`
    (rows not yet rotated still carry an older key's hash)."""
    return [keyed_hash(value, kid) for kid in _keys()]


class BlindIndexField(models.CharField):
    """The look-up hash (`kid$hex`) of an `EncryptedField`, which fills it on save; '' when empty."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 80)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)


class EncryptedField(models.TextField):
    """A text value kept SM4-GCM-encrypted in the database and clear in Python.

    `normalise` (callable str → str) is applied before encrypting and hashing;
    `hash_field` names a `BlindIndexField` declared after this field on the same model,
    set on every save (and bulk_create) to the keyed hash of the value. The empty string
    is stored as ''. The column cannot be filtered by value (each encryption differs):
    look values up through the hash field with `lookup_hashes`. A value that does not
    decrypt raises DecryptionError on read.
    """

    def __init__(self, *args, hash_field: str = "", normalise=None, **kwargs):
        self.hash_field = hash_field
        self.normalise = normalise
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.hash_field:
            kwargs["hash_field"] = self.hash_field
        if self.normalise is not None:
            kwargs["normalise"] = self.normalise
        return name, path, args, kwargs

    def _clean(self, value) -> str:
        value = "" if value is None else str(value)
        return self.normalise(value) if self.normalise else value

    def from_db_value(self, value, expression, connection):
        return decrypt(value) if value else ""

    def pre_save(self, model_instance, add):
        value = self._clean(getattr(model_instance, self.attname))
        setattr(model_instance, self.attname, value)
        if self.hash_field:
            setattr(model_instance, self.hash_field, keyed_hash(value) if value else "")
        return value

    def get_prep_value(self, value):
        value = self._clean(value)
        return encrypt(value) if value else ""


def stale_q(hash_fields: Iterable[str]):
    """A `Q` for rows with a value in any of `hash_fields` (`BlindIndexField`s, written with
    their `EncryptedField` in the same save) not written with the current key."""
    condition = models.Q(pk__in=[])
    prefix = current_key_id() + SEPARATOR
    for name in hash_fields:
        condition |= ~models.Q(**{name: ""}) & ~models.Q(**{f"{name}__startswith": prefix})
    return condition
