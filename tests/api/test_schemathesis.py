"""Property-based run over the whole OpenAPI schema: no request may cause a 5xx.

Schemathesis generates requests (valid and invalid) for every operation and calls the
WSGI app in-process, signed in as a superuser (session cookie plus CSRF token, so
writes are exercised too). Bounded for CI: a few examples per operation, no shrinking
deadline; raise `SCHEMATHESIS_EXAMPLES` locally for a deeper run.
"""

import os

import pytest
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck, Phase, settings
from schemathesis.openapi import from_wsgi

from tests.integrations.factories import make_client, make_subscription
from tests.scenario import make_world

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "6"))
CSRF = "a" * 32


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


@pytest.fixture
def superuser_cookies(db, client, settings, keep_connection):
    settings.API_THROTTLE_RATES = {"client": None, "user": None, "anon": None, "auth_failure": None}
    settings.WEBHOOK_PRIVATE_HOSTS = ["127.0.0.1"]
    scenario = make_world()
    make_client(scenario)
    subscription = make_subscription(scenario)
    from integrations.services import webhook_emit

    webhook_emit(event_type="event.overdue", organisation_ids=[subscription.organisation_id], payload={"id": 1})
    client.force_login(scenario.superuser)
    session = client.cookies["sessionid"].value
    return {"sessionid": session, "csrftoken": CSRF}


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
@pytest.mark.django_db
def test_no_server_errors(case, superuser_cookies):
    response = case.call(cookies=superuser_cookies, headers={"X-CSRFToken": CSRF})
    assert response.status_code < 500, f"{case.as_curl_command()}: {response.text[:500]}"
