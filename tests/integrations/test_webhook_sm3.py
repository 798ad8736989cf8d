"""Webhook signatures with HMAC-SM3, chosen per subscription (GB/T 39786 commercial
cryptography); HMAC-SHA256 stays the default."""

import pytest
from cryptography.hazmat.primitives import hashes
from rest_framework.test import APIClient

from integrations import signing
from integrations.choices import SignatureAlgorithm
from integrations.models import WebhookSubscription
from tests.integrations.receiver import Receiver

from .test_webhooks import eager, emit  # noqa: F401  (fixture)


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def _sm3(data: bytes) -> bytes:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize()


def _hmac_sm3(key: bytes, message: bytes) -> str:
    """RFC 2104 HMAC written out over SM3 (64-byte blocks), independent of `integrations.signing`."""
    key = key.ljust(64, b"\0")
    inner = _sm3(bytes(b ^ 0x36 for b in key) + message)
    return _sm3(bytes(b ^ 0x5C for b in key) + inner).hex()


def test_the_primitive_is_sm3():
    # GB/T 32905-2016, Appendix A.1: SM3("abc").
    assert _sm3(b"abc").hex() == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"


def test_a_subscription_chooses_hmac_sm3_and_deliveries_are_signed_with_it(scenario, receiver, eager, settings):  # noqa: F811
    settings.WEBHOOK_PRIVATE_HOSTS = ["127.0.0.1"]
    api = APIClient()
    api.force_authenticate(scenario.superuser)
    body = {
        "organisation": scenario.unit.pk,
        "url": receiver.url,
        "event_types": ["event.state_changed"],
        "signature_algorithm": "hmac-sm3",
    }
    created = api.post("/api/v1/integrations/webhooks/", body, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["signature_algorithm"] == "hmac-sm3"
    secret = created.json()["secret"]
    with eager(execute=True):
        emit(scenario)
    headers, payload = receiver.requests[0]
    header = headers["X-Grid-Signature"]
    t = header.split(",")[0].removeprefix("t=")
    assert header.endswith(f"sm3={_hmac_sm3(secret.encode(), f'{t}.'.encode() + payload)}")
    assert signing.verify(secret, header, payload, algorithm=SignatureAlgorithm.HMAC_SM3)
    assert not signing.verify(secret, header, payload)  # not an HMAC-SHA256 signature


def test_sha256_stays_the_default_and_a_wrong_algorithm_is_refused(scenario, settings):
    settings.WEBHOOK_PRIVATE_HOSTS = ["127.0.0.1"]
    api = APIClient()
    api.force_authenticate(scenario.superuser)
    body = {"organisation": scenario.unit.pk, "url": "http://127.0.0.1:9/hook", "event_types": ["event.state_changed"]}
    created = api.post("/api/v1/integrations/webhooks/", body, format="json")
    assert created.json()["signature_algorithm"] == "hmac-sha256"
    refused = api.post("/api/v1/integrations/webhooks/", {**body, "signature_algorithm": "md5"}, format="json")
    assert refused.status_code == 400 and "signature_algorithm" in refused.json()["errors"]
    assert WebhookSubscription.objects.count() == 1
