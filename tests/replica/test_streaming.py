"""Against a real streaming replica (bin/pg-replica; .ci/run starts one and sets
`DATABASE_REPLICA_URL` and `REQUIRE_REPLICA=1`): the public grid card, an opted-in page,
reads from the replica; a writer's next page and a lagging or stopped replica read from
the primary, and the page never fails.

The replica mirrors the test database (TEST MIRROR: its own server, the test database's
name), so the tests commit (`transaction=True`) and wait until the replica has replayed
the primary's WAL before reading. Stopping and starting the replica is done by
bin/pg-replica (as root or postgres, as in CI).
"""

import os
import subprocess

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ningbo_grid import replica
from tests.processes import ROOT, wait_for
from tests.scenario import make_tree

pytestmark = [pytest.mark.replica, pytest.mark.django_db(transaction=True, databases=["default", "replica"])]


def _lsn() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        return cursor.fetchone()[0]


def _replica_has(what: str, lsn: str) -> bool:
    """`what` is pg_last_wal_replay_lsn or pg_last_wal_receive_lsn."""
    with connections[replica.REPLICA].cursor() as cursor:
        cursor.execute(f"SELECT {what}() >= %s::pg_lsn", [lsn])
        return bool(cursor.fetchone()[0])


def caught_up() -> None:
    """Wait (≤ 60 s) until the replica has replayed everything the primary wrote so far."""
    lsn = _lsn()
    wait_for(lambda: _replica_has("pg_last_wal_replay_lsn", lsn), "the replica to replay the primary's WAL")


def pg_replica(command: str) -> None:
    port = str(connections[replica.REPLICA].settings_dict["PORT"] or 5432)
    subprocess.run(  # noqa: S603 (our own script)
        [ROOT / "bin" / "pg-replica", command], env={**os.environ, "REPLICA_PORT": port}, check=True, timeout=660
    )


@pytest.fixture(autouse=True)
def fresh_health():
    replica.forget_health()
    yield
    replica.forget_health()


@pytest.fixture
def tree():
    tree = make_tree()
    caught_up()
    return tree


def card(client, tree):
    """GET the grid's public card; its HTML and the number of the page's queries the replica
    ran (the router's health check not counted)."""
    with CaptureQueriesContext(connections[replica.REPLICA]) as on_replica:
        response = client.get(reverse("public:grid-card", args=[tree.grid.code]))
    assert response.status_code == 200
    page = [q for q in on_replica.captured_queries if "pg_is_in_recovery" not in q["sql"]]
    return response.content.decode(), len(page)


def test_the_replica_is_a_standby_streaming_from_the_primary(tree):
    with connections[replica.REPLICA].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone()[0] is True
    state = replica.health(refresh=True)
    assert state.usable, state.reason


def test_a_public_page_reads_from_the_replica(client, tree):
    html, on_replica = card(client, tree)
    assert tree.grid.name in html
    assert on_replica > 0


def test_a_writer_reads_from_the_primary_for_a_few_seconds(client, tree):
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})  # any POST marks a writer
    assert client.cookies[replica.PIN_COOKIE]["max-age"] == replica.pin_seconds()
    html, on_replica = card(client, tree)
    assert tree.grid.name in html
    assert on_replica == 0


def test_a_lagging_replica_is_not_read(client, tree, settings):
    settings.REPLICA_MAX_LAG_SECONDS = 0  # any replay backlog is too much
    with connections[replica.REPLICA].cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")
    try:
        tree.grid.name = "尹江岸第一网格（新）"
        tree.grid.save(update_fields=["name"])
        lsn = _lsn()
        wait_for(lambda: _replica_has("pg_last_wal_receive_lsn", lsn), "the replica to receive the change")
        html, on_replica = card(client, tree)
        assert "尹江岸第一网格（新）" in html  # the primary's fresh row, not the replica's stale one
        assert on_replica == 0
        assert replica.health().reason.startswith("lag")
    finally:
        with connections[replica.REPLICA].cursor() as cursor:
            cursor.execute("SELECT pg_wal_replay_resume()")


@pytest.fixture
def stoppable_replica():
    yield
    pg_replica("start")
    connections[replica.REPLICA].close()
    caught_up()


def test_the_pages_survive_the_replica_going_down(client, tree, stoppable_replica, settings):
    settings.REPLICA_CHECK_SECONDS = 3600  # no re-check before the next request: the cached "healthy" holds
    assert card(client, tree)[1] > 0  # read from the replica, which is remembered as healthy
    pg_replica("stop")
    url = reverse("public:grid-card", args=[tree.grid.code])
    response = client.get(url)  # its connection breaks mid-request: the page comes from the primary
    assert response.status_code == 200 and tree.grid.name in response.content.decode()
    assert replica.health().reason.startswith("failed during a request")
    replica.forget_health()
    response = client.get(url)  # the next check finds it unreachable: the primary again
    assert response.status_code == 200 and tree.grid.name in response.content.decode()
    assert replica.health().reason.startswith("unreachable")
