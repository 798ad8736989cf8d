"""Reads of the area tree that depend on who asks (scope) or serve several screens."""

from collections.abc import Iterable

from django.db import connection
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery

from personnel.scope import restrict_areas_ranged

from .choices import Level, Status
from .models import Area


def areas_visible(user) -> QuerySet:
    """Area nodes `user` may view (`view_area` on the node or an ancestor; superuser all).

    Reads the user's grants once and filters on their MPTT ranges (see
    `personnel.scope.restrict_areas_ranged`): a subtree listing reads only that subtree.
    """
    return restrict_areas_ranged(user, "view_area")


def ancestor_names(nodes: Iterable[Area]) -> dict[int, list[str]]:
    """Map node pk → names of its ancestors, root first, for all `nodes` in one query.

    Walks up the `parent` links from the nodes' parents (a recursive query over the
    primary key: a page of grids shares a handful of ancestors), instead of a range
    condition per node, which would make PostgreSQL scan half the tree.
    """
    nodes = list(nodes)
    if not nodes:
        return {}
    parents = sorted({node.parent_id for node in nodes if node.parent_id})
    if not parents:
        return {node.pk: [] for node in nodes}
    table = connection.ops.quote_name(Area._meta.db_table)
    marks = ", ".join(["%s"] * len(parents))
    # Only the quoted table name and placeholders are interpolated; ids go as parameters.
    sql = (
        f"WITH RECURSIVE up(id, parent_id) AS ("  # noqa: S608
        f" SELECT id, parent_id FROM {table} WHERE id IN ({marks})"
        f" UNION SELECT a.id, a.parent_id FROM {table} a JOIN up ON a.id = up.parent_id)"
        f" SELECT a.id, a.name, a.tree_id, a.lft, a.rght FROM {table} a WHERE a.id IN (SELECT id FROM up)"
        " ORDER BY a.lft"
    )
    ancestors = list(Area.objects.raw(sql, parents))
    return {
        node.pk: [a.name for a in ancestors if a.tree_id == node.tree_id and a.lft < node.lft and a.rght > node.rght]
        for node in nodes
    }


def with_counts(queryset: QuerySet) -> QuerySet:
    """Annotate `active_children` and `active_grids` (grids in the subtree) on each node."""
    grids = (
        Area.objects.filter(
            tree_id=OuterRef("tree_id"),
            lft__gt=OuterRef("lft"),
            rght__lt=OuterRef("rght"),
            level=Level.GRID,
            status=Status.ACTIVE,
        )
        .order_by()
        .values("tree_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return queryset.annotate(
        active_children=Count("children", filter=Q(children__status=Status.ACTIVE)),
        active_grids=Subquery(grids, output_field=IntegerField()),
    )


def top_visible_nodes(user) -> QuerySet:
    """The highest nodes of `user`'s reach: the counties for a superuser, else the nodes
    on which they hold `view_area` that no other such node contains."""
    if user.is_superuser:
        return Area.objects.filter(level=Level.COUNTY)
    granted = Area.objects.filter(grants__user_id=user.pk, grants__permission__codename="view_area")
    covered = granted.filter(tree_id=OuterRef("tree_id"), lft__lt=OuterRef("lft"), rght__gt=OuterRef("rght"))
    return granted.filter(~Exists(covered)).distinct()
