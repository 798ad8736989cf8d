"""Encryption at rest: SM4-GCM and HMAC-SM3 as the installed `cryptography` provides them."""

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from ningbo_grid import crypto
from ningbo_grid.crypto import DecryptionError, decrypt, encrypt, keyed_hash, lookup_hashes
from ningbo_grid.keys import new_key_entry, parse_keys
from tests.ledgers.conftest import make_id
from tests.processes import ROOT


def test_the_installed_library_does_sm4_gcm_and_hmac_sm3():
    # The GB/T 32907 SM4 test vector (ECB, one block) and the SM3 "abc" vector (GB/T 32905).
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    key = bytes.fromhex("0123456789abcdeffedcba9876543210")
    enc = Cipher(algorithms.SM4(key), modes.ECB()).encryptor()  # noqa: S305 (the standard one-block vector)
    assert (enc.update(key) + enc.finalize()).hex() == "681edf34d206965e86b3e94f536e4246"
    digest = hashes.Hash(hashes.SM3())
    digest.update(b"abc")
    assert digest.finalize().hex() == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    Cipher(algorithms.SM4(key), modes.GCM(b"\0" * 12))  # GCM over SM4 is accepted


def test_round_trip_and_each_encryption_differs():
    a, b = encrypt("330203194003120017"), encrypt("330203194003120017")
    assert a != b and decrypt(a) == decrypt(b) == "330203194003120017"
    assert a.startswith(crypto.current_key_id() + "$")


def test_tampering_is_detected():
    stored = encrypt("13912345678")
    kid, _sep, body = stored.partition("$")
    flipped = body[:-3] + ("A" if body[-3] != "A" else "B") + body[-2:]
    with pytest.raises(DecryptionError):
        decrypt(f"{kid}${flipped}")


def test_keyed_hash_is_stable_per_key_and_differs_between_keys(settings):
    first = keyed_hash("x")
    settings.PERSONAL_DATA_KEYS = {"new": b"\1" * 32, **settings.PERSONAL_DATA_KEYS}
    assert keyed_hash("x") != first
    assert first in lookup_hashes("x")


def test_bad_key_lists_are_refused():
    for text in ["", "k1", "k1:notbase64!", "k1:" + "QUJD", f"{new_key_entry('a')},{new_key_entry('a')}"]:
        with pytest.raises(ImproperlyConfigured):
            parse_keys(text)


def test_settings_refuse_to_start_without_keys(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "PERSONAL_DATA_KEYS"}
    env.update({"LOCAL_SECRET_KEY_FILE": "0", "SECRET_KEY": "x" * 50, "VAR_DIR": str(tmp_path)})
    env["DJANGO_SETTINGS_MODULE"] = "ningbo_grid.settings"
    code = "import django; django.setup()"
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, cwd=ROOT)  # noqa: S603
    assert proc.returncode != 0 and b"PERSONAL_DATA_KEYS" in proc.stderr


@pytest.mark.django_db
def test_the_raw_column_holds_no_digit_of_the_id(lw):
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, mobile, id_number_hash FROM ledgers_person WHERE id = %s", [lw.elder.pk])
        raw_id, raw_mobile, raw_hash = cursor.fetchone()
    number = make_id(1, "19400312")
    body = raw_id.partition("$")[2]
    assert number not in raw_id and "13912345678" not in raw_mobile
    assert "19400312" not in raw_id and "19400312" not in raw_hash
    assert body and number[-6:] not in raw_id  # the base64 body holds none of the ID's runs of digits
    assert decrypt(raw_id) == number
    lw.elder.refresh_from_db()
    assert lw.elder.id_number == number


@pytest.mark.django_db
def test_rotate_keys_re_encrypts_old_rows_and_lookups_keep_working(lw, settings):
    from django.core.management import call_command

    from ledgers.models import Person
    from ledgers.services import find_by_document

    old_kid = crypto.current_key_id()
    settings.PERSONAL_DATA_KEYS = {"k-new": b"\2" * 32, **settings.PERSONAL_DATA_KEYS}
    number = make_id(1, "19400312")
    assert find_by_document(number) == lw.elder  # found through the old key's hash meanwhile
    call_command("rotate_keys", "--batch", "1", stdout=open(os.devnull, "w"))  # noqa: SIM115
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, id_number_hash FROM ledgers_person WHERE id = %s", [lw.elder.pk])
        raw_id, raw_hash = cursor.fetchone()
    assert raw_id.startswith("k-new$") and raw_hash.startswith("k-new$")
    settings.PERSONAL_DATA_KEYS = {"k-new": b"\2" * 32}  # the old key is gone
    assert Person.objects.get(pk=lw.elder.pk).id_number == number
    assert find_by_document(number) == lw.elder and old_kid != "k-new"
