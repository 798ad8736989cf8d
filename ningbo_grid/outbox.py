"""The transactional outbox's plumbing, shared by the apps that send things out.

Every side effect that leaves the database — a webhook POST (`integrations.WebhookDelivery`),
an e-mail or an SMS (`events.OutboxMessage`) — is a row written in the same transaction
as the change that causes it, with a unique `key` naming its cause and recipient (and
channel), so the change and its side effects commit together or not at all, and a
re-run or a redelivered task never produces one twice. A Celery task then sends the
pending rows: kicked once when the transaction commits (`kick_on_commit`) and swept by
beat every few seconds (`OUTBOX_SWEEP_SECONDS`), so a process killed at any instant
loses nothing: what it had committed is still pending and the next run sends it.

Sending claims rows with `claim_due`: one UPDATE … RETURNING that leases due pending rows
(moves `next_attempt_at` `OUTBOX_LEASE` seconds on), selected with `FOR UPDATE SKIP
LOCKED` on PostgreSQL so concurrent workers take different rows and never wait on each
other; on SQLite (`make run`) the single UPDATE statement is atomic by itself. The lease
is taken in its own short transaction, so no lock is held while talking to the outside
world; a worker killed after the claim leaves the row pending with the lease, and it is
sent again when the lease has run out. Delivery out of the database is thus at least
once (a kill after the POST but before the row is marked sent re-sends it): every
message carries its stable id (the webhook body's `"id"` and `X-Grid-Delivery`) so that
receivers drop repeats; production is exactly once.
"""

import datetime

from celery import current_app
from django.db import connection, transaction


def claim_due(model, *, now: datetime.datetime, lease: datetime.datetime, limit: int) -> list[int]:
    """Lease up to `limit` due pending rows of `model`; returns their primary keys.

    `model` has `status` ("pending" while it is to be sent) and `next_attempt_at` (aware
    datetime, UTC in the database); rows with `next_attempt_at` ≤ `now` are due, oldest
    first. Their `next_attempt_at` becomes `lease` (when another worker may take them
    again if this one dies). Runs in its own transaction (or the caller's savepoint).
    """
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    lock = " FOR UPDATE SKIP LOCKED" if connection.features.has_select_for_update_skip_locked else ""
    adapt = connection.ops.adapt_datetimefield_value
    # Only quoted names are interpolated; the values go as parameters.
    sql = (
        f"UPDATE {table} SET next_attempt_at = %s WHERE id IN ("  # noqa: S608
        f"SELECT id FROM {table} WHERE status = 'pending' AND next_attempt_at <= %s "
        f"ORDER BY next_attempt_at LIMIT %s{lock}) RETURNING id"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [adapt(lease), adapt(now), limit])
        return sorted(int(row[0]) for row in cursor.fetchall())


def kick_on_commit(task_name: str) -> None:
    """Queue the Celery task registered as `task_name` (no arguments) once when the current
    transaction commits.

    The task is named, not imported, so a producer never imports its app's tasks module
    (which imports the producer: an import cycle); it is looked up in Celery's registry
    when the transaction commits.

    Called by every producer of outbox rows; however many rows one transaction writes
    (the deadline sweep writes thousands), the task is queued once. If the broker is
    down at that moment the rows stay pending and the beat sweep sends them (the
    callback is robust: it never fails the request after its commit).
    """
    conn = transaction.get_connection()
    pending = (entry[1] for entry in conn.run_on_commit)
    if conn.in_atomic_block and any(getattr(f, "outbox_task", None) == task_name and not f.ran for f in pending):
        return

    def kick() -> None:
        kick.ran = True
        if task_name not in current_app.tasks:  # a management command: tasks not imported yet
            current_app.loader.import_default_modules()
        current_app.tasks[task_name].delay()

    kick.outbox_task, kick.ran = task_name, False
    transaction.on_commit(kick, robust=True)


#: Claims one run of a delivery task makes at most (then beat or the next kick goes on).
ROUNDS = 50


def drain(send) -> int:
    """Call `send()` (claims and sends a batch, returns how many it tried) until it tries
    none, at most `ROUNDS` times; returns the total tried. The body of each delivery task."""
    tried = 0
    for _round in range(ROUNDS):
        done = send()
        tried += done
        if not done:
            break
    return tried
