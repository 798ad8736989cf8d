"""Rate limits: 429 with Retry-After and the JSON error body; counters shared via the cache.

The counters are per clock window (a minute here), so every test stops the clock
(`frozen`): requests spread over a window's turn would count in two windows.
"""

import subprocess
import sys
import uuid

import pytest
import time_machine
from django.conf import settings as django_settings
from rest_framework.test import APIClient

from integrations.throttling import ApiClientThrottle, parse_rate
from ningbo_grid.cache import RedisCache
from tests.conftest import SUITE_NOW
from tests.integrations.factories import make_client
from tests.processes import ROOT, child_env
from tests.scenario import make_world

URL = "/api/v1/integrations/webhooks/"


@pytest.fixture
def scenario(db):
    return make_world()


@pytest.fixture(autouse=True)
def frozen():
    """The clock stopped at the suite's start instant for the whole test."""
    with time_machine.travel(SUITE_NOW, tick=False) as traveller:
        yield traveller


def test_parse_rate():
    assert parse_rate("100/min") == (100, 60)
    assert parse_rate("5/s") == (5, 1)
    assert parse_rate(None) is None


def test_api_client_over_its_rate_gets_429_with_retry_after(scenario, settings):
    settings.API_THROTTLE_RATES = {"client": "3/min", "user": None, "anon": None}
    _client, key = make_client(scenario)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    assert [api.get(URL).status_code for _ in range(3)] == [200, 200, 200]
    response = api.get(URL)
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= 60
    assert set(response.json()) >= {"detail", "errors", "request_id"}
    # Another client of the same unit has its own allowance.
    _other, other_key = make_client(scenario, name="另一系统")
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {other_key}")
    assert api.get(URL).status_code == 200


def test_signed_in_user_and_anonymous_are_limited_separately(scenario, settings):
    settings.API_THROTTLE_RATES = {"client": None, "user": "2/min", "anon": "1/min"}
    api = APIClient()
    api.force_login(scenario.supervisor)
    assert [api.get(URL).status_code for _ in range(3)] == [200, 200, 429]
    anonymous = APIClient()  # on a public page (the API docs)
    assert [anonymous.get("/api/v1/docs/").status_code for _ in range(2)] == [200, 429]


def test_key_guessing_is_limited_per_ip(db, settings):
    settings.API_THROTTLE_RATES = {"client": None, "user": None, "anon": None, "auth_failure": "2/min"}
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION="Api-Key guess")
    assert [api.get(URL).status_code for _ in range(3)] == [401, 401, 429]


def test_a_forged_x_forwarded_for_does_not_escape_the_key_guessing_limit(db, settings):
    """With no proxy declared (NUM_PROXIES=0) the client's own X-Forwarded-For is ignored."""
    settings.API_THROTTLE_RATES = {"client": None, "user": None, "anon": None, "auth_failure": "2/min"}
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION="Api-Key guess")
    codes = [api.get(URL, HTTP_X_FORWARDED_FOR=f"10.9.{n}.1").status_code for n in range(3)]
    assert codes == [401, 401, 429]


class _FakeRequest:
    def __init__(self, client):
        self.auth = client
        self.user = client.user
        self.META = {"REMOTE_ADDR": "127.0.0.1"}


@pytest.mark.redis
def test_two_cache_connections_share_the_counter(scenario, settings):
    """Two workers = two separate Redis connections; they count together."""
    settings.API_THROTTLE_RATES = {"client": "3/min", "user": None, "anon": None}
    api_client, _key = make_client(scenario)
    prefix = f"t{uuid.uuid4().hex}"
    workers = []
    for _ in range(2):
        throttle = ApiClientThrottle()
        throttle.cache = RedisCache(django_settings.REDIS_URL, {"KEY_PREFIX": prefix})
        workers.append(throttle)
    request = _FakeRequest(api_client)
    answers = [workers[i % 2].allow_request(request, None) for i in range(5)]
    assert answers == [True, True, True, False, False]


@pytest.mark.redis
def test_another_process_sees_the_same_counter(scenario, settings):
    settings.API_THROTTLE_RATES = {"client": "2/min", "user": None, "anon": None}
    api_client, key = make_client(scenario)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    assert api.get(URL).status_code == 200
    # A separate Python process (another worker) spends the last request of the window,
    # counting with the production throttle on this test's (stopped) clock.
    code = (
        "import sys, django; django.setup(); from integrations.throttling import ApiClientThrottle;"
        "print('allowed' if ApiClientThrottle().count(sys.argv[1], (2, 60)) else 'refused')"
    )
    argv = [sys.executable, "-c", code, str(api_client.pk)]
    out = subprocess.run(argv, env=child_env(), cwd=ROOT, capture_output=True, text=True, check=True, timeout=120)  # noqa: S603
    assert out.stdout.strip().endswith("allowed")
    assert api.get(URL).status_code == 429


@pytest.mark.redis
def test_a_window_counter_expires_after_its_window(scenario, settings):
    """The counter (one round trip: created with its expiry, then counted) does not outlive
    its window by more than the 5 s margin."""
    settings.API_THROTTLE_RATES = {"client": "3/min", "user": None, "anon": None}
    api_client, _key = make_client(scenario)
    throttle = ApiClientThrottle()
    throttle.cache = RedisCache(django_settings.REDIS_URL, {"KEY_PREFIX": f"t{uuid.uuid4().hex}"})
    request = _FakeRequest(api_client)
    assert [throttle.allow_request(request, None) for _ in range(4)] == [True, True, True, False]
    (key,) = list(throttle.cache._cache.get_client().keys(f"{throttle.cache.key_prefix}*"))
    assert 0 < throttle.cache._cache.get_client().ttl(key) <= 65
