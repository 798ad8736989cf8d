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
from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone
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
    memoised,
    reach_of,
    reaches_nothing,
    request_cache,
    restrict_areas,
    restrict_areas_ranged,
)

__all__ = [
    "MAX_RANGES",
    "Actor",
    "Reach",
    "area_reach",
    "authorize",
    "caller_reach",
    "covering_q",
    "granted_nodes",
    "has_area_perm",
    "reaches_nothing",
    "register_caller_fact",
    "request_cache",
    "restrict_areas",
    "restrict_areas_ranged",
    "unit_ids",
]


def unit_ids(user: Actor | None, role: str = "handler") -> QuerySet:
    """Ids of the organisations for which `user` currently holds platform `role` (a values queryset)."""
    return Membership.objects.unit_ids(user, role)


#: Facts about a caller that the apps above personnel scope by (the events app: "was ever
#: invited onto an event"), read in `caller_reach`'s one query with the grants and units:
#: name -> an SQL condition on `%(user)s` (the caller's id). Registered from those apps'
#: `ready()` by `register_caller_fact` (personnel never imports them); `Reach.facts` holds
#: the names found true.
CALLER_FACTS: dict[str, str] = {}


def register_caller_fact(name: str, condition: str) -> None:
    """Have `caller_reach` also tell whether `condition` (SQL, true or false for the user
    `%(user)s`, e.g. an `EXISTS (…)` over one of the app's tables) holds for the caller,
    as `name in reach.facts`. Called once per fact from an `AppConfig.ready()`."""
    CALLER_FACTS[name] = condition


#: `caller_reach`'s one query: the user's granted nodes (as `granted_nodes`), the
#: organisations of their current memberships in a role (as `Membership.objects.unit_ids`),
#: then one row for each registered fact that holds (`CALLER_FACTS`, in order of name).
#: Written out: built through the ORM (a UNION of the two querysets) its compilation cost
#: four times its execution on every list request (issue #20, pyinstrument).
CALLER_REACH_SQL = """
SELECT 0, a.id, a.level, a.parent_id, a.tree_id, a.lft, a.rght
  FROM grids_area a
  JOIN personnel_areagrant g ON g.content_object_id = a.id
  JOIN auth_permission p ON p.id = g.permission_id
 WHERE g.user_id = %(user)s AND p.codename = %(perm)s
UNION ALL
SELECT 1, m.organisation_id, '', NULL, 0, 0, 0
  FROM personnel_membership m
 WHERE m.user_id = %(user)s AND m.role = %(role)s AND m.start <= %(today)s
   AND (m."end" IS NULL OR m."end" >= %(today)s)
"""


def _caller_sql() -> tuple[str, list[str]]:
    """`CALLER_REACH_SQL` with one arm per registered fact, and the facts' names in arm order."""
    names = sorted(CALLER_FACTS)
    arms = "".join(
        f"UNION ALL\nSELECT 2, {i}, '', NULL, 0, 0, 0 WHERE {CALLER_FACTS[name]}\n" for i, name in enumerate(names)
    )
    return CALLER_REACH_SQL + arms, names


def caller_reach(user: Actor | None, perm: str = "view_area", role: str = "handler") -> Reach:
    """The user's `Reach` for `perm` with `units` (the organisations for which they
    currently hold platform `role`) and `facts` (the names of the registered
    `CALLER_FACTS` that hold for them), read together in one query (a UNION of their
    grants, their memberships and one row per true fact), once per request
    (`request_cache`). What a list scoped both by area and by unit (events) reads before
    its page. Anonymous and inactive users: an empty reach; superusers: `everything`
    (no query, no facts: they see everything anyway).
    """
    if user is None or reaches_nothing(user):
        return Reach()
    if user.is_superuser:
        return Reach(everything=True)

    def read() -> Reach:
        sql, names = _caller_sql()
        with connection.cursor() as cursor:
            cursor.execute(sql, {"user": user.pk, "perm": perm, "role": role, "today": timezone.localdate()})
            rows = cursor.fetchall()
        return reach_of(
            [row[1:] for row in rows if row[0] == 0],
            units=tuple(sorted({row[1] for row in rows if row[0] == 1})),
            facts=frozenset(names[row[1]] for row in rows if row[0] == 2),
        )

    return memoised(("caller", user.pk, perm, role), read)


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
