"""The three-user scenario the generic API checks run against.

On `tests.factories.make_tree()`: a handling unit (`unit`, a department on the
township) and its sibling outside the district (`other_unit`, on the other district's
township), and three users:

- `own_staff`: the grid's own staff (report/verify on the grid, nothing above it);
- `authority`: a supervisor of the district (supervise_area on the county): in scope
  for `unit`, out of scope for `other_unit`;
- `outsider`: a supervisor of the other district only;
- `nobody`: signed in, with no grant and no role at all.
"""

from dataclasses import dataclass

from django.contrib.auth.models import Permission

from personnel.choices import Department, OrgKind
from personnel.models import AreaGrant, Organisation
from personnel.roles import ROLE_PERMISSIONS
from tests.factories import Tree, UserFactory, make_tree


def grant(user, area, *codenames: str) -> None:
    """Give `user` the Area permissions `codenames` on `area` (covers its subtree)."""
    for codename in codenames:
        permission = Permission.objects.get(content_type__app_label="grids", codename=codename)
        AreaGrant.objects.get_or_create(user=user, permission=permission, content_object=area)


@dataclass
class Scenario:
    tree: Tree
    unit: Organisation
    other_unit: Organisation
    own_staff: object
    authority: object
    outsider: object
    nobody: object
    superuser: object


def make_scenario() -> Scenario:
    tree = make_tree()
    unit = Organisation.objects.create(
        name="海曙区南门街道城管中队",
        kind=OrgKind.DEPARTMENT,
        department=Department.LAW_ENFORCEMENT,
        area=tree.township,
    )
    other_township = tree.other_grid.parent.parent
    other_unit = Organisation.objects.create(
        name="江北区中马街道城管中队",
        kind=OrgKind.DEPARTMENT,
        department=Department.LAW_ENFORCEMENT,
        area=other_township,
    )
    own_staff = UserFactory(username="own-staff")
    grant(own_staff, tree.grid, *ROLE_PERMISSIONS["grid_leader"])
    authority = UserFactory(username="authority")
    grant(authority, tree.county, *ROLE_PERMISSIONS["supervisor"])
    outsider = UserFactory(username="outsider")
    grant(outsider, tree.county2, *ROLE_PERMISSIONS["supervisor"])
    nobody = UserFactory(username="nobody")
    superuser = UserFactory(username="root", is_superuser=True, is_staff=True)
    return Scenario(tree, unit, other_unit, own_staff, authority, outsider, nobody, superuser)
