"""Serialise writes to the area tree.

django-mptt keeps `lft`/`rght` numbers that every insert shifts; two concurrent writers
that each read the numbers before the other commits corrupt the tree. So every service
that writes to the tree runs inside `tree_lock()`:

- on PostgreSQL, a transaction-level advisory lock on one fixed key
  (`pg_advisory_xact_lock`), released at commit or rollback, as NetBox's
  `MPTTLockedMixin` does;
- on SQLite, the database write lock itself: the settings open every transaction with
  `BEGIN IMMEDIATE`, so the transaction that `tree_lock()` opens already excludes other
  writers and nothing else is needed.

Nodes read before entering the lock may hold stale MPTT numbers: re-read them inside.
Each write that completes inside the lock increments `TreeVersion` in the same
transaction, which tells processes holding a cache of the tree (the locate index) to
rebuild it.
Usable as a context manager or a decorator.
"""

from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections, transaction

from .models import TreeVersion

#: The advisory lock key of the area tree ("NGTR" in ASCII); other locks must not use it.
TREE_LOCK_KEY = 0x4E475452


@contextmanager
def tree_lock(using: str = DEFAULT_DB_ALIAS):
    """Open (or join) a transaction holding the tree's write lock until it ends.

    Blocks until concurrent tree writers commit or roll back. Raises whatever the
    database raises (e.g. `OperationalError` if SQLite's busy timeout passes).
    """
    with transaction.atomic(using=using):
        connection = connections[using]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [TREE_LOCK_KEY])
        yield
        TreeVersion.bump(using=using)
