"""The browser's one-time submission key goes through the same records as the API's
`Idempotency-Key`: a repeated form files one event, an edited resend of a filed form is
refused (422) with a fresh key to send it deliberately."""

import re
import time

import pytest
from django.urls import reverse

from events import public_demand
from events.models import Event
from idempotency.models import IdempotencyRecord
from tests.events_web.test_pages import _report_fields
from tests.events_web.test_public import _form as _public_form

pytestmark = pytest.mark.django_db


def _key(html: str) -> str:
    return re.search(r'name="submission_key" value="([^"]+)"', html).group(1)


def _form(world, key, **changes):
    return _report_fields(world, submission_key=key, **changes)


def test_a_resent_report_form_files_one_event_and_lands_on_it(client, world):
    client.force_login(world.worker)
    key = _key(client.get(reverse("events:report")).content.decode())
    first = client.post(reverse("events:report"), _form(world, key))
    again = client.post(reverse("events:report"), _form(world, key))  # the answer was lost; the phone resends
    event = Event.objects.get()
    assert first.status_code == again.status_code == 302
    assert first.url == again.url == reverse("events:detail", args=[event.number])
    record = IdempotencyRecord.objects.get()
    assert (record.caller, record.key) == (f"user:{world.worker.pk}", key)


def test_an_edited_resend_of_a_filed_form_is_refused_with_a_fresh_key(client, world):
    client.force_login(world.worker)
    key = _key(client.get(reverse("events:report")).content.decode())
    client.post(reverse("events:report"), _form(world, key))
    edited = client.post(reverse("events:report"), _form(world, key, title="井盖缺失（补充）"))
    assert edited.status_code == 422
    html = edited.content.decode()
    assert "这张表单已经提交过" in html and "井盖缺失（补充）" in html  # what was typed is kept
    fresh = _key(html)
    assert fresh != key
    assert client.post(reverse("events:report"), _form(world, fresh, title="井盖缺失（补充）")).status_code == 302
    assert Event.objects.count() == 2


def test_a_form_refused_for_its_input_keeps_its_key_usable(client, world):
    client.force_login(world.worker)
    key = _key(client.get(reverse("events:report")).content.decode())
    assert client.post(reverse("events:report"), _form(world, key, description="")).status_code == 200
    assert not IdempotencyRecord.objects.exists()
    assert client.post(reverse("events:report"), _form(world, key)).status_code == 302
    assert Event.objects.count() == 1


def _demand(world, token, **over):
    return _public_form(world, token=token, **over)


def test_a_public_demand_sent_twice_files_one_demand_and_shows_the_same_tracking_code(client, world):
    url = reverse("public:demand", args=[world.tree.grid.code])
    token = public_demand.make_token(time.time() - 10)
    first = client.post(url, _demand(world, token))
    again = client.post(url, _demand(world, token))  # a double tap on a slow phone
    assert first.status_code == again.status_code == 201
    event = Event.objects.get()
    assert event.tracking_code in again.content.decode()
    other = client.post(url, _demand(world, token, description="另一件事：井盖缺失。"))
    assert other.status_code == 422
    assert "这张表单已经提交过" in other.content.decode() and "另一件事" in other.content.decode()
    assert Event.objects.count() == 1
    # Two visitors' forms never share a key, even when shown in the same instant.
    assert public_demand.make_token(1.0) != public_demand.make_token(1.0)
