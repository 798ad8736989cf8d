"""`Idempotency-Key` on every creating API POST: a repeat replays the first answer, the
same key with another body is 422, and a lost answer retried creates nothing new."""

import io
import uuid

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from events.models import Attachment, Event
from idempotency.models import IdempotencyRecord
from idempotency.services import purge_expired
from integrations.models import ApiClient, WebhookSubscription
from integrations.services import api_client_create
from personnel.choices import PlatformRole
from tests.events_api.conftest import api_as
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def report_body(world, **overrides):
    """A report as `POST /api/v1/events/` takes it, in the worker's grid."""
    return {
        "area": world.tree.grid.code,
        "item": world.item.code,
        "title": "井盖缺失",
        "description": "路口井盖缺失，存在安全隐患。",
        "discovered_at": "2025-06-09T08:30:00+08:00",
        **overrides,
    }


def _post(api, url, body, key, **kwargs):
    return api.post(url, body, format=kwargs.pop("format", "json"), HTTP_IDEMPOTENCY_KEY=key, **kwargs)


def test_a_lost_answer_retried_with_the_key_files_one_event(world):
    api = api_as(world.worker)
    key = str(uuid.uuid4())
    first = _post(api, "/api/v1/events/", report_body(world), key)  # committed; pretend the answer was lost
    assert first.status_code == 201, first.content
    retry = _post(api, "/api/v1/events/", report_body(world), key)
    assert retry.status_code == 201
    assert retry.content == first.content
    assert retry["ETag"] == first["ETag"]
    assert retry["Idempotent-Replayed"] == "true"
    assert Event.objects.count() == 1


def test_the_same_key_with_another_body_is_422_and_files_nothing(world):
    api = api_as(world.worker)
    key = "report-0001"
    assert _post(api, "/api/v1/events/", report_body(world), key).status_code == 201
    other = _post(api, "/api/v1/events/", report_body(world, title="路灯不亮"), key)
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    assert Event.objects.count() == 1


def test_keys_belong_to_their_caller(world):
    key = "shared-looking-key"
    assert _post(api_as(world.worker), "/api/v1/events/", report_body(world), key).status_code == 201
    assert _post(api_as(world.leader), "/api/v1/events/", report_body(world), key).status_code == 201
    assert Event.objects.count() == 2


def test_a_refused_request_is_not_recorded_and_the_key_can_be_used_again(world):
    api = api_as(world.worker)
    key = "fix-and-resend"
    bad = _post(api, "/api/v1/events/", report_body(world, title=""), key)
    assert bad.status_code == 400
    assert not IdempotencyRecord.objects.exists()
    assert _post(api, "/api/v1/events/", report_body(world), key).status_code == 201


@pytest.mark.parametrize("key", ["", "x" * 256, "键", "a\tb"])
def test_a_malformed_key_is_400(world, key):
    response = _post(api_as(world.worker), "/api/v1/events/", report_body(world), key)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_idempotency_key"
    assert not Event.objects.exists()


def test_without_the_header_nothing_changes(world):
    api = api_as(world.worker)
    assert api.post("/api/v1/events/", report_body(world), format="json").status_code == 201
    assert api.post("/api/v1/events/", report_body(world), format="json").status_code == 201
    assert Event.objects.count() == 2 and not IdempotencyRecord.objects.exists()


def _png(colour=(0, 120, 0)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(buffer, "PNG")
    return buffer.getvalue()


def test_photo_upload_is_replayed_by_content_not_by_boundary(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    ev = world.report()
    api = api_as(world.worker)
    url = f"/api/v1/events/{ev.number}/attachments/"

    def upload(data):
        return _post(api, url, {"file": SimpleUploadedFile("p.png", data, "image/png")}, "photo-1", format="multipart")

    first = upload(_png())
    assert first.status_code == 201, first.content
    again = upload(_png())
    assert (again.status_code, again.content) == (201, first.content)
    assert upload(_png((200, 0, 0))).status_code == 422
    assert Attachment.objects.filter(event=ev).count() == 1


def test_api_clients_and_webhooks_are_created_once(world, settings):
    settings.WEBHOOK_PRIVATE_HOSTS = ["hooks.example.org"]  # a listed name is not resolved (no DNS here)
    api = api_as(world.supervisor)
    body = {"name": "城管系统", "organisation": world.unit.pk, "scopes": ["read"]}
    first = _post(api, "/api/v1/integrations/clients/", body, "client-1")
    again = _post(api, "/api/v1/integrations/clients/", body, "client-1")
    assert first.status_code == 201 and again.content == first.content  # the one key, shown again to its issuer
    assert ApiClient.objects.count() == 1
    hook = {"organisation": world.unit.pk, "url": "https://hooks.example.org/grid", "event_types": ["event.overdue"]}
    assert _post(api, "/api/v1/integrations/webhooks/", hook, "hook-1").status_code == 201
    assert _post(api, "/api/v1/integrations/webhooks/", hook, "hook-1").status_code == 201
    assert WebhookSubscription.objects.count() == 1


def test_open311_post_with_the_key_files_one_demand(world, client):
    key = api_client_create(
        actor=UserFactory(is_superuser=True),
        organisation=world.township_office,
        name="12345 热线",
        scopes=["report"],
        role=PlatformRole.DISPATCHER,
    ).key
    body = {"api_key": key, "service_code": world.item.code, "address_id": world.tree.grid.code, "description": "积水"}
    first = client.post("/open311/v2/requests.json", body, HTTP_IDEMPOTENCY_KEY="call-77")
    again = client.post("/open311/v2/requests.json", body, HTTP_IDEMPOTENCY_KEY="call-77")
    assert first.status_code == 201, first.content
    assert again.content == first.content
    assert Event.objects.count() == 1


def test_records_expire_and_are_purged(world, settings):
    settings.IDEMPOTENCY_TTL_HOURS = 24
    api = api_as(world.worker)
    assert _post(api, "/api/v1/events/", report_body(world), "k").status_code == 201
    assert purge_expired() == 0
    with time_machine.travel(IdempotencyRecord.objects.get().expires_at, tick=False):
        assert purge_expired() == 1
        # After the period the key is free: the same request files anew (documented).
        assert _post(api, "/api/v1/events/", report_body(world), "k").status_code == 201
    assert Event.objects.count() == 2
