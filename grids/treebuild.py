"""Nested-set numbers computed in memory, for bulk writes and for checking the tree.

django-mptt inserts nodes one at a time, shifting the `lft`/`rght` numbers of every
later node on each insert: right for a form, far too slow for 100,000 seeded
micro-grids. `bulk_insert()` instead computes the numbers of the whole tree in Python
(siblings ordered by `code`, the model's `order_insertion_by`), creates the new nodes
with `bulk_create` and rewrites only the existing rows whose numbers moved.
`number_tree()` is shared with `manage.py verify_tree` and the tree's migrations.

Spacing (province scale): after the subtree of each township (`grids.choices.BAND_LEVEL`)
the numbers skip a gap (`band_gap`: at least `MIN_BAND_GAP`, or the township's own
width), so the numbers of a township's subtree can grow into it.
`grids.models.AreaManager` then confines the shift of an insert to that township's
rows (~400 at Zhejiang's size instead of half of 560,000). Only the nodes above
(`grids.choices.SPACED_LEVELS`: province, city, county) see the gaps (their
`rght - lft` is wider than twice their descendants); every node's range still contains
exactly its subtree, so every `tree_id`/`lft`/`rght` range read stays valid.
"""

from collections import defaultdict
from collections.abc import Callable, Container, Hashable, Iterable

from django.db import connection, models
from django.utils import timezone

from .choices import BAND_LEVEL
from .locking import tree_lock
from .models import Area

#: (tree_id, lft, rght, depth) of one node, as django-mptt stores them.
Numbers = tuple[int, int, int, int]

#: The smallest gap left after a township's subtree: room for 2,000 new nodes.
MIN_BAND_GAP = 4_000


def band_gap(lft: int, rght: int) -> int:
    """Numbers left unused after a banded node numbered (`lft`, `rght`)."""
    return max(MIN_BAND_GAP, rght - lft + 1)


def number_tree(
    parent_of: dict[Hashable, Hashable | None],
    sort_key: Callable[[Hashable], object] | None = None,
    banded: Container[Hashable] = (),
) -> dict[Hashable, Numbers]:
    """Nested-set numbers for the forest given by `parent_of` (node → parent, None for roots).

    Siblings (and roots, which get tree ids 1, 2 …) are ordered by `sort_key` (default:
    the node key itself). After the subtree of each node in `banded` the numbering skips
    `band_gap` numbers (see the module doc). Nodes not reachable from a root (a cycle,
    a missing parent) get no numbers; callers treat them as broken.
    """
    children: dict = defaultdict(list)
    roots = []
    for node, parent in parent_of.items():
        if parent is None:
            roots.append(node)
        elif parent in parent_of:
            children[parent].append(node)
    key = sort_key or (lambda node: node)
    roots.sort(key=key)
    for siblings in children.values():
        siblings.sort(key=key)
    numbers: dict = {}
    for tree_id, root in enumerate(roots, start=1):
        lft = {root: 1}
        counter = 2
        stack = [(root, 0, iter(children.get(root, ())))]
        while stack:
            node, depth, pending = stack[-1]
            child = next(pending, None)
            if child is None:
                stack.pop()
                numbers[node] = (tree_id, lft[node], counter, depth)
                if node in banded:
                    counter += band_gap(lft[node], counter)
            else:
                lft[child] = counter
                stack.append((child, depth + 1, iter(children.get(child, ()))))
            counter += 1
    return numbers


def bulk_insert(new_nodes: Iterable[Area], batch_size: int = 2000, reparent: dict[str, str] | None = None) -> int:
    """Insert many nodes at once and renumber the tree; returns how many were created.

    Each new node has `parent` set to an existing node or to another node of
    `new_nodes` (parents before children is not required) and a `code` not yet in the
    table. `reparent` maps the code of an existing root (a city imported on its own)
    to the code of its new parent (an existing or new province); nothing else moves.
    Takes the tree lock. The whole tree is numbered afresh with the township gaps (see
    the module doc); existing rows whose numbers move are updated in batches; no signal
    or `save()` runs for the new rows.
    """
    new_nodes = list(new_nodes)
    reparent = reparent or {}
    if not new_nodes and not reparent:
        return 0
    with tree_lock():
        existing = list(
            Area.objects.order_by().values_list("pk", "code", "parent_id", "level", "tree_id", "lft", "rght", "depth")
        )
        code_of = {row[0]: row[1] for row in existing}
        parent_of = {row[1]: code_of.get(row[2]) for row in existing}
        banded = {row[1] for row in existing if row[3] == BAND_LEVEL}
        for node in new_nodes:
            parent_of[node.code] = node.parent.code if node.parent is not None else None
            if node.level == BAND_LEVEL:
                banded.add(node.code)
        parent_of |= reparent
        numbers = number_tree(parent_of, banded=banded)
        for node in new_nodes:
            node.tree_id, node.lft, node.rght, node.depth = numbers[node.code]
        for depth in sorted({node.depth for node in new_nodes}):
            batch = [node for node in new_nodes if node.depth == depth]
            for node in batch:
                node.parent = node.parent  # re-reads the parent's pk, set once it was created
            _insert(batch, batch_size)
        pk_of = {code: pk for pk, code in code_of.items()} | {node.code: node.pk for node in new_nodes}
        for code, parent_code in reparent.items():
            Area.objects.filter(code=code).update(parent_id=pk_of[parent_code])
        moved = [(*new, pk) for pk, code, _p, _l, *old in existing if tuple(old) != (new := numbers[code])]
        write_numbers(connection, Area._meta.db_table, moved)
    return len(new_nodes)


def write_numbers(connection, table: str, moved: list[tuple[int, int, int, int, int]], batch: int = 10_000) -> None:
    """Store `(tree_id, lft, rght, depth, pk)` rows into `table` (the area table, or its
    historical model's in a migration): on PostgreSQL one `UPDATE … FROM unnest(…)` per
    `batch` rows, elsewhere one prepared UPDATE per row."""
    table = connection.ops.quote_name(table)
    with connection.cursor() as cursor:
        for start in range(0, len(moved), batch):
            rows = moved[start : start + batch]
            if connection.vendor == "postgresql":
                columns = [list(column) for column in zip(*rows, strict=True)]
                cursor.execute(
                    f"UPDATE {table} AS a SET tree_id = v.t, lft = v.l, rght = v.r, depth = v.d"  # noqa: S608
                    " FROM unnest(%s::int[], %s::int[], %s::int[], %s::int[], %s::bigint[]) AS v(t, l, r, d, id)"
                    " WHERE a.id = v.id",
                    columns,
                )
            else:
                sql = f"UPDATE {table} SET tree_id = %s, lft = %s, rght = %s, depth = %s WHERE id = %s"  # noqa: S608
                cursor.executemany(sql, rows)


def _insert(nodes: list[Area], batch_size: int) -> None:
    """INSERT `nodes` with one prepared statement, then read their ids back by code.

    `bulk_create` spends most of its time compiling SQL (SQLite allows it ~45 rows of
    this model per statement); `executemany` of one statement is several times faster.
    """
    fields = [f for f in Area._meta.concrete_fields if not f.primary_key]
    now = timezone.now()
    ops = connection.ops
    convert = []
    for field in fields:
        if isinstance(field, models.JSONField):
            convert.append(
                lambda value, field=field: None if value is None else field.get_db_prep_save(value, connection)
            )
        elif isinstance(field, models.DateTimeField):
            convert.append(ops.adapt_datetimefield_value)
        elif isinstance(field, models.DateField):
            convert.append(ops.adapt_datefield_value)
        else:
            convert.append(None)
    for node in nodes:
        node.updated_at = now
    attnames = [f.attname for f in fields]
    rows = [
        [
            value if conv is None else conv(value)
            for value, conv in zip((getattr(node, a) for a in attnames), convert, strict=True)
        ]
        for node in nodes
    ]
    table = ops.quote_name(Area._meta.db_table)
    columns = ", ".join(ops.quote_name(f.column) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608 (names from the model)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch_size):
            cursor.executemany(sql, rows[start : start + batch_size])
    codes = [node.code for node in nodes]
    ids = {}
    for start in range(0, len(codes), 900):
        ids.update(Area.objects.filter(code__in=codes[start : start + 900]).values_list("code", "pk"))
    for node in nodes:
        node.pk = ids[node.code]
        node._state.adding = False
