"""The read-replica router's decisions (ningbo_grid.replica), without a replica server:
`configured()` and `health()` are replaced, so these run everywhere. The real streaming
replica is exercised in test_streaming.py."""

import pytest
from django.contrib.auth.models import User
from django.db import OperationalError
from django.http import HttpResponse
from django.test import RequestFactory

from events.models import Event
from grids.models import Area
from ningbo_grid import replica

router = replica.ReplicaRouter()


@pytest.fixture
def replica_up(monkeypatch):
    """A configured, healthy replica (as far as the router can tell)."""
    monkeypatch.setattr(replica, "configured", lambda: True)
    monkeypatch.setattr(replica, "health", lambda refresh=False: replica.Health(True, 0.0, 0.0, "ok"))
    monkeypatch.setattr(replica, "_close_replica", lambda: None)  # no `replica` alias here
    replica.forget_health()
    yield
    replica.forget_health()


def where_reads_go(request, *models) -> list[str]:
    """Run an opted-in view on `request`; the database each model's read is routed to."""
    seen: list[str] = []

    @replica.reads_from_replica
    def view(request):
        seen.extend(router.db_for_read(model) for model in models)
        return HttpResponse()

    view(request)
    return seen


def test_an_opted_in_get_reads_events_and_grids_from_the_replica(replica_up):
    assert where_reads_go(RequestFactory().get("/"), Event, Area) == ["replica", "replica"]


def test_accounts_and_sessions_are_always_read_from_the_primary(replica_up):
    assert where_reads_go(RequestFactory().get("/"), User) == ["default"]


def test_reads_outside_an_opted_in_view_go_to_the_primary(replica_up):
    assert router.db_for_read(Event) == "default"


def test_a_post_reads_from_the_primary(replica_up):
    assert where_reads_go(RequestFactory().post("/"), Event) == ["default"]


def test_a_client_that_wrote_recently_reads_from_the_primary(replica_up):
    request = RequestFactory().get("/")
    request.COOKIES[replica.PIN_COOKIE] = "1"
    assert where_reads_go(request, Event) == ["default"]


def test_after_a_write_in_the_request_its_reads_go_to_the_primary(replica_up):
    seen = []

    @replica.reads_from_replica
    def view(request):
        seen.append(router.db_for_read(Event))
        seen.append(router.db_for_write(Event))
        seen.append(router.db_for_read(Event))
        return HttpResponse()

    view(RequestFactory().get("/"))
    assert seen == ["replica", "default", "default"]


def test_an_unhealthy_replica_is_not_read(replica_up, monkeypatch):
    monkeypatch.setattr(replica, "health", lambda refresh=False: replica.Health(False, 0.0, 9.0, "lag"))
    assert where_reads_go(RequestFactory().get("/"), Event) == ["default"]


@pytest.mark.django_db
def test_inside_a_transaction_reads_go_to_the_primary(replica_up):
    # A pytest-django test runs inside a transaction on the primary, as an atomic view would.
    assert where_reads_go(RequestFactory().get("/"), Event) == ["default"]


def test_without_a_replica_nothing_is_routed(monkeypatch):
    monkeypatch.setattr(replica, "configured", lambda: False)
    assert where_reads_go(RequestFactory().get("/"), Event) == ["default"]


def test_a_replica_failing_mid_request_gives_the_page_from_the_primary(replica_up):
    calls = []

    @replica.reads_from_replica
    def view(request):
        db = router.db_for_read(Event)
        calls.append(db)
        if db == "replica":
            raise OperationalError("server closed the connection unexpectedly")
        return HttpResponse("from the primary")

    response = view(RequestFactory().get("/"))
    assert response.content == b"from the primary"
    assert calls == ["replica", "default"]
    assert replica._health.usable is False and replica._health.reason.startswith("failed during a request")


def test_a_primary_failure_is_not_retried(replica_up):
    calls = []

    @replica.reads_from_replica
    def view(request):
        calls.append(1)
        raise OperationalError("primary down")  # before any read was routed to the replica

    with pytest.raises(OperationalError):
        view(RequestFactory().get("/"))
    assert calls == [1]


@pytest.mark.parametrize("configured", [True, False])
def test_a_write_pins_the_client_to_the_primary_only_with_a_replica(monkeypatch, settings, configured):
    monkeypatch.setattr(replica, "configured", lambda: configured)
    settings.REPLICA_MAX_LAG_SECONDS, settings.REPLICA_CHECK_SECONDS = 3, 2
    middleware = replica.ReadYourWritesMiddleware(lambda request: HttpResponse())
    written = middleware(RequestFactory().post("/"))
    read = middleware(RequestFactory().get("/"))
    assert replica.PIN_COOKIE not in read.cookies
    if configured:
        assert written.cookies[replica.PIN_COOKIE]["max-age"] == 5
        assert written.cookies[replica.PIN_COOKIE]["httponly"]
    else:
        assert replica.PIN_COOKIE not in written.cookies


def test_the_replica_is_never_migrated():
    assert router.allow_migrate("replica", "events") is False
    assert router.allow_migrate("default", "events") is None
