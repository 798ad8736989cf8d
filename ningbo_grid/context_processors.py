"""Template context shared by every page: who the user is on the platform, and the menu.

`user_roles(request)` reads the user's current grid assignments and platform
memberships once per request (two queries, none for anonymous users) and is reused by
the navigation, the workbench (home) and any view that calls it.
"""

from dataclasses import dataclass, field

from django.http import HttpRequest
from django.urls import Resolver404, resolve
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from personnel.choices import GridRole, PlatformRole
from personnel.models import Assignment, Membership

_CACHE_ATTR = "_ningbo_user_roles"


@dataclass
class UserRoles:
    """The signed-in user's current roles (local date today).

    `assignments`: current `Assignment` rows of the user's staff record (area and staff
    loaded); `memberships`: current `Membership` rows (organisation and its area loaded).
    `grid_roles` / `platform_roles`: the role values held, as sets of strings.
    """

    assignments: list = field(default_factory=list)
    memberships: list = field(default_factory=list)

    @property
    def grid_roles(self) -> set[str]:
        return {a.role for a in self.assignments}

    @property
    def platform_roles(self) -> set[str]:
        return {m.role for m in self.memberships}

    @property
    def all_roles(self) -> set[str]:
        return self.grid_roles | self.platform_roles

    def has_any(self, *roles: str) -> bool:
        return bool(self.all_roles.intersection(roles))

    @property
    def grids(self) -> list:
        """The distinct grid / micro-grid nodes the user is assigned to, by code."""
        seen = {a.area.pk: a.area for a in self.assignments}
        return sorted(seen.values(), key=lambda area: area.code)


def user_roles(request: HttpRequest) -> UserRoles:
    """The request user's current roles, computed on first use and cached on the request."""
    cached = getattr(request, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    user = getattr(request, "user", None)
    roles = UserRoles()
    if user is not None and user.is_authenticated:
        roles.assignments = list(
            Assignment.objects.current().filter(staff__user=user, staff__is_active=True).select_related("area", "staff")
        )
        roles.memberships = list(
            Membership.objects.current().filter(user=user).select_related("organisation", "organisation__area")
        )
    setattr(request, _CACHE_ATTR, roles)
    return roles


@dataclass(frozen=True)
class NavItem:
    path: str
    label: str
    active: bool = False


# (path, label, roles that see it; None = every signed-in user). A link is shown only
# once its app serves that path, so pages appear in the menu as the apps add them.
NAV = [
    ("/grids/", _("网格"), None),
    ("/personnel/staff/", _("人员"), (GridRole.GRID_LEADER, PlatformRole.DISPATCHER, PlatformRole.SUPERVISOR)),
    ("/staff-office/", _("人员管理"), (PlatformRole.DISPATCHER, PlatformRole.SUPERVISOR)),
    ("/events/", _("事件"), None),
    ("/ledgers/", _("台账"), (*GridRole.values, PlatformRole.DISPATCHER, PlatformRole.SUPERVISOR)),
    (
        "/emergency/",
        _("应急响应"),
        (GridRole.GRID_LEADER, GridRole.MICRO_GRID_LEADER, PlatformRole.DISPATCHER, PlatformRole.SUPERVISOR),
    ),
    ("/tasks/", _("下派任务"), (PlatformRole.DISPATCHER, PlatformRole.SUPERVISOR, PlatformRole.HANDLER)),
    ("/catalog/", _("事项清单"), None),
    ("/evaluation/", _("考评"), (PlatformRole.SUPERVISOR, PlatformRole.DISPATCHER)),
    # Art. 16, 21: a grid worker's own record, roles and trainings, on the phone.
    ("/personnel/me/", _("我的"), (*GridRole.values, PlatformRole.DISPATCHER)),
]


def _serves(path: str) -> bool:
    try:
        resolve(path)
    except Resolver404:
        return False
    return True


def nav_items(request: HttpRequest) -> list[NavItem]:
    """The menu for the request user: app pages by role, plus the admin for staff users."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    roles = user_roles(request)
    items = [
        NavItem(path, label, request.path.startswith(path))
        for path, label, allowed in NAV
        if (allowed is None or user.is_superuser or roles.has_any(*allowed)) and _serves(path)
    ]
    if user.is_staff:
        items.append(NavItem("/admin/", _("管理后台"), request.path.startswith("/admin/")))
    return items


def navigation(request: HttpRequest) -> dict:
    """Context processor: `roles` (UserRoles) and `nav_items`, both lazy."""
    return {
        "roles": SimpleLazyObject(lambda: user_roles(request)),
        "nav_items": SimpleLazyObject(lambda: nav_items(request)),
    }
