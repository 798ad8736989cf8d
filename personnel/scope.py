"""Jurisdiction scoping: the one way every read and every permission check is filtered.

A user's reach for a permission is the union of the subtrees of the nodes on which
they hold that permission (`personnel.models.AreaGrant`, django-guardian); the helpers
(`covering_q`, `has_area_perm`, `restrict_areas`, `area_reach`, …) live in
`personnel.reach` and are re-exported here. Each costs one SQL subquery however many
grants the user holds.

Superusers reach everything. Inactive and anonymous users reach nothing.

Handlers (`PlatformRole.HANDLER`, handling-unit staff) hold no area grant at all: the
events app scopes them by unit (`unit_ids(user)`: what is dispatched to their
organisation), and `Staff.objects.restrict` lets them see their own organisation's staff.

Grants are kept in step with current assignments and memberships by
`personnel.services.grants_sync` (called by every service that changes a role, and daily
by the `personnel.grants_sync_due` beat task), so reads here need no date logic.

Every state change outside the events workflow is authorised by `authorize` (the events
app's steps by `events.workflow`, on the same helpers).
"""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from grids.models import Area

from .models import Membership
from .reach import (
    MAX_RANGES,
    Actor,
    Reach,
    area_reach,
    covering_q,
    granted_nodes,
    has_area_perm,
    reaches_nothing,
    restrict_areas,
    restrict_areas_ranged,
)

__all__ = [
    "MAX_RANGES",
    "Actor",
    "Reach",
    "area_reach",
    "authorize",
    "covering_q",
    "granted_nodes",
    "has_area_perm",
    "reaches_nothing",
    "restrict_areas",
    "restrict_areas_ranged",
    "unit_ids",
]


def unit_ids(user: Actor | None, role: str = "handler") -> QuerySet:
    """Ids of the organisations for which `user` currently holds platform `role` (a values queryset)."""
    return Membership.objects.unit_ids(user, role)


def authorize(actor: Actor | None, perm: str, node: Area | None, *, message: str | Promise | None = None) -> None:
    """Let `actor` change something anchored at `node`, or raise `PermissionDenied`.

    The one check the services of grids, personnel, catalog, evaluation and integrations
    make before a state change (the events app's steps check through `events.workflow`
    on the same grants).

    - `actor`: a user, or None for the system (beat tasks, management commands,
      imports, seeding), which is always allowed.
    - `perm`: a codename of `grids.Area` (`personnel.roles`: `change_area`,
      `adjust_area`, `supervise_area`, `manage_catalog`, `cosign_catalog`, …).
    - `node`: the `grids.Area` the change is anchored to (a grant on the node or any of
      its ancestors covers it); None: a grant on any node will do.

    The rule: a refusal is always `PermissionDenied` (HTTP 403) carrying `message` (a
    Chinese msgid, lazy or not; a generic one if omitted). Whether the actor may see the object at all is
    decided before, by the read that found it — `restrict`, which answers 404 outside
    the actor's reach rather than a 403 that would confirm the object exists. Area nodes
    themselves are public (grid cards, the division codes), so a 403 on a node reveals
    nothing. Inactive and anonymous users are refused. Costs one query (none for the
    system or a superuser).
    """
    if actor is None:
        return
    if node is None:
        allowed = not reaches_nothing(actor) and (actor.is_superuser or granted_nodes(actor, perm).exists())
    else:
        allowed = has_area_perm(actor, perm, node)
    if not allowed:
        raise PermissionDenied(str(message) if message else _("您无权在该辖区执行此操作。"))
