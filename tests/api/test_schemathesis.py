"""Property-based run over the whole OpenAPI schema, as three roles an integrator has.

Schemathesis generates requests (valid and invalid, step bodies included) for every
operation of `/api/v1/schema/` and calls the WSGI app in-process against real
PostgreSQL, as a grid worker (session), a township dispatcher (session) and a
department's system (API key with every scope). Every answer must be below 500, carry
a status code and a content type the schema lists for the operation, and validate
against the schema (the error component included).

Bounded for CI: `SCHEMATHESIS_EXAMPLES` generated examples per operation and role
(default 5), derandomized (the same examples every run; `SCHEMATHESIS_RANDOM=1` draws
new ones), no shrinking, no deadline; each case runs in a savepoint rolled back after it,
so every case starts from the same rows. Raise the examples locally for a deeper run.
Measured on the 2-core machine: see README's API section.
"""

import os
from dataclasses import dataclass

import pytest
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections, transaction
from django.test import override_settings
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.openapi import from_wsgi
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from events.messaging import Notification
from events.services import event_accept, event_dispatch
from integrations.choices import WebhookEventType
from integrations.models import WebhookDelivery
from integrations.services import api_client_create, webhook_emit, webhook_subscription_create
from ledgers import services as ledgers
from personnel.choices import PlatformRole
from personnel.models import Staff
from tests.factories import UserFactory
from tests.ledgers.conftest import room_in
from tests.scenario import make_world

pytestmark = pytest.mark.postgres

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "5"))
#: The same examples on every run (CI stays reproducible); SCHEMATHESIS_RANDOM=1 explores.
DERANDOMIZE = not os.environ.get("SCHEMATHESIS_RANDOM")
CSRF = "a" * 32
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

# Built at import (collection): the schema view needs no database. The handler is made
# with plain HTTP, since the security middleware reads its settings when built.
with override_settings(SECURE_SSL_REDIRECT=False):
    APP = WSGIHandler()
schema = from_wsgi("/api/v1/schema/?format=json", APP)
# Our own credentials are sent; generated ones (random keys, cookies) would only test 401.
schema.config.generation.update(with_security_parameters=False)


@pytest.fixture
def keep_connection():
    """As Django's test client does: the test's transaction must survive each request."""
    for signal in (signals.request_started, signals.request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (signals.request_started, signals.request_finished):
        signal.connect(close_old_connections)


@dataclass
class Role:
    """How a role calls, and the real rows a path may name (by the path's resource)."""

    cookies: dict
    headers: dict
    targets: dict[str, list]


def populate(world) -> tuple:
    """Rows of every kind an answer can show: an event just reported (its report row has
    no previous status, no lead unit), one dispatched to a lead unit, a webhook delivery,
    a room's dwelling and household in the grid worker's micro-grid.
    Returns a superuser and the rows' keys by resource (see `Role.targets`)."""
    reported = world.report()
    accepted = event_accept(actor=world.dispatcher, event=world.report(title="路灯不亮"))
    dispatched = event_dispatch(actor=world.dispatcher, event=accepted, lead_unit=world.unit)
    root = UserFactory(is_superuser=True, is_staff=True)
    subscription = webhook_subscription_create(
        actor=root,
        organisation=world.unit,
        url="http://127.0.0.1:9/hook",
        event_types=list(WebhookEventType.values),
    )
    webhook_emit(event_type="event.overdue", organisation_ids=[subscription.organisation_id], payload={"id": 1})
    client = api_client_create(
        actor=root, organisation=world.unit, name="城管执法系统", scopes=["read", "report", "handle"]
    ).client
    room = room_in(world.worker, world.tree.micro_grid)
    household = ledgers.household_create(actor=world.worker, address=room)
    targets = {
        "events": [reported.number, dispatched.number],
        "grids": [world.tree.grid.code, world.tree.township.code],
        "statistics": [world.tree.township.code],
        "items": [world.item.code],
        "versions": [world.item.current_version_id],
        "organisations": [world.unit.pk, world.township_office.pk],
        "staff": list(Staff.objects.filter(user=world.worker).values_list("pk", flat=True)),
        "clients": [client.pk],
        "webhooks": [subscription.pk],
        "deliveries": list(WebhookDelivery.objects.values_list("pk", flat=True)[:1]),
        "notifications": list(Notification.objects.values_list("pk", flat=True)[:2]),
        "dwellings": [room.dwelling.pk],
        "households": [household.pk],
    }
    return root, targets


@pytest.fixture
def credentials(db, client, settings, keep_connection, request):
    """The `Role` the test runs as."""
    settings.API_THROTTLE_RATES = {"client": None, "user": None, "anon": None, "auth_failure": None}
    settings.WEBHOOK_PRIVATE_HOSTS = ["127.0.0.1"]
    world = make_world()
    root, targets = populate(world)
    role = request.param
    if role == "api_key":
        created = api_client_create(
            actor=root,
            organisation=world.unit,
            name="城管执法系统",
            scopes=["read", "report", "handle"],
            role=PlatformRole.HANDLER,
        )
        return Role({}, {"Authorization": f"Api-Key {created.key}"}, targets)
    client.force_login(world.worker if role == "grid_worker" else world.dispatcher)
    return Role({"sessionid": client.cookies["sessionid"].value, "csrftoken": CSRF}, {"X-CSRFToken": CSRF}, targets)


def resource_of(path: str) -> str:
    """The resource a path's first parameter names: `/api/v1/staff/{id}/unmask/` → `staff`."""
    return path.split("/{", 1)[0].rsplit("/", 1)[-1]


def failures_of(operation, role: Role) -> list[str]:
    """Run `EXAMPLES` generated cases of `operation`; the failed checks, one line each.

    About half the cases name a real row in the path (`Role.targets`), so the answers
    of existing events, grids, staff … are checked too, not only 404s."""
    found: list[str] = []
    real = role.targets.get(resource_of(operation.path), [])

    @given(case=operation.as_strategy(), data=st.data())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        database=None,
        derandomize=DERANDOMIZE,
    )
    def run(case, data):
        parameters = case.path_parameters or {}
        if real and parameters and data.draw(st.booleans(), label="a real row"):
            first = next(iter(parameters))
            parameters[first] = data.draw(st.sampled_from(real), label=first)
        # Each case from the same rows, and a database error (a 500) cannot abort the
        # test's transaction for the cases after it.
        savepoint = transaction.savepoint()
        try:
            case.call_and_validate(cookies=role.cookies, headers=role.headers, checks=CHECKS)
        except (Exception, FailureGroup) as exc:  # collected, reported together below
            found.append(f"{operation.label}: {str(exc)[:1500]}\n  {case.as_curl_command()[:600]}")
        finally:
            transaction.savepoint_rollback(savepoint)

    run()
    return found


@pytest.mark.parametrize("credentials", ["grid_worker", "dispatcher", "api_key"], indirect=True)
def test_contract(credentials):
    """Every operation, as the role: no server error, no answer outside the schema."""
    failures = []
    for result in schema.get_all_operations():
        failures += failures_of(result.ok(), credentials)
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures)
