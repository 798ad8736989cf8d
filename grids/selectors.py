"""Reads of the area tree that depend on who asks (scope) or serve several screens."""

from collections.abc import Iterable

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery

from personnel.scope import restrict_areas

from .choices import Level, Status
from .models import Area


def areas_visible(user) -> QuerySet:
    """Area nodes `user` may view (`view_area` on the node or an ancestor; superuser all)."""
    return restrict_areas(user, "view_area")


def ancestor_names(nodes: Iterable[Area]) -> dict[int, list[str]]:
    """Map node pk → names of its ancestors, root first, for all `nodes` in one query."""
    nodes = list(nodes)
    if not nodes:
        return {}
    condition = Q()
    for node in nodes:
        condition |= Q(tree_id=node.tree_id, lft__lt=node.lft, rght__gt=node.rght)
    ancestors = list(Area.objects.filter(condition).order_by("lft").only("name", "tree_id", "lft", "rght"))
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
