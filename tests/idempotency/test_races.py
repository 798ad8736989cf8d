"""PostgreSQL: concurrent twins with one `Idempotency-Key` file one event; each twin
waits for the first to commit and gets its answer replayed."""

import pytest
from rest_framework.test import APIClient

from events.models import Event
from tests.events.test_concurrency import run_in_threads

from .test_api import report_body

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

TWINS = 10


def test_concurrent_twins_with_one_key_file_one_event(world):
    clients = []
    for _ in range(TWINS):
        client = APIClient()
        client.force_login(world.worker)
        clients.append(client)
    body = report_body(world)
    responses = run_in_threads(
        *[lambda c=c: c.post("/api/v1/events/", body, format="json", HTTP_IDEMPOTENCY_KEY="twin") for c in clients]
    )
    assert not [r for r in responses if isinstance(r, Exception)], responses
    assert {r.status_code for r in responses} == {201}
    assert len({r.content for r in responses}) == 1
    assert sum(r.get("Idempotent-Replayed") == "true" for r in responses) == TWINS - 1
    assert Event.objects.count() == 1
