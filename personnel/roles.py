"""What each role may do, as object permissions on the node it is anchored to (Art. 15).

A grid role is anchored to its grid (or micro-grid) node; a platform role to its
organisation's jurisdiction node. Each permission is a codename of `grids.Area`
(see its `Meta.permissions`); a grant on a node covers that node's whole subtree.
Handling-unit staff get no area grant: they see what is dispatched to their unit.
"""

from .choices import GridRole, PlatformRole

VIEW = "view_area"
CHANGE = "change_area"
REPORT = "report_event"
SELF_HANDLE = "self_handle_event"
VERIFY = "verify_event"
DISPATCH = "dispatch_event"
SUPERVISE = "supervise_area"
ADJUST = "adjust_area"
MANAGE_CATALOG = "manage_catalog"
COSIGN_CATALOG = "cosign_catalog"
VIEW_PERSONAL_DATA = "view_personal_data"
# Art. 12(2): grid staff collect the ledgers (一标三实); exporting personal data is its own right.
KEEP_LEDGERS = "keep_ledgers"
EXPORT_PERSONAL_DATA = "export_personal_data"
# Art. 8, 16, 21, 25: the township (and the authorities above it) run the grid staff: add
# people, give and end grid roles, record trainings and commendations, read complaints
# about a worker's conduct (Art. 27). Not a grid role: a grid leader co-ordinates work,
# he does not appoint his colleagues.
MANAGE_STAFF = "manage_staff"

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    # Art. 15(1): the grid leader co-ordinates the grid's work.
    GridRole.GRID_LEADER: frozenset({VIEW, CHANGE, REPORT, SELF_HANDLE, VERIFY, VIEW_PERSONAL_DATA, KEEP_LEDGERS}),
    # Art. 15(2): patrols, discovers, reports and handles events.
    GridRole.FULLTIME_WORKER: frozenset({VIEW, REPORT, SELF_HANDLE, VERIFY, KEEP_LEDGERS}),
    # Art. 15(3): assists; a micro-grid leader co-ordinates the micro-grid.
    GridRole.PARTTIME_WORKER: frozenset({VIEW, REPORT, KEEP_LEDGERS}),
    GridRole.MICRO_GRID_LEADER: frozenset({VIEW, REPORT, KEEP_LEDGERS}),
    # Art. 15(4): guides, urges and takes part.
    GridRole.INSTRUCTOR: frozenset({VIEW, REPORT, VERIFY}),
    # Art. 5, 17: the township runs its area and routes events.
    PlatformRole.DISPATCHER: frozenset(
        {VIEW, CHANGE, DISPATCH, VIEW_PERSONAL_DATA, KEEP_LEDGERS, EXPORT_PERSONAL_DATA, MANAGE_STAFF}
    ),
    # Art. 4: authorities co-ordinate, supervise, evaluate and draw grids (Art. 7).
    PlatformRole.SUPERVISOR: frozenset(
        {VIEW, CHANGE, DISPATCH, SUPERVISE, ADJUST, VIEW_PERSONAL_DATA, EXPORT_PERSONAL_DATA, MANAGE_STAFF}
    ),
    # Art. 13: the authority keeps the list; the staffing office co-signs.
    PlatformRole.CATALOG_ADMIN: frozenset({VIEW, MANAGE_CATALOG}),
    PlatformRole.STAFFING_OFFICER: frozenset({VIEW, COSIGN_CATALOG}),
    PlatformRole.HANDLER: frozenset(),
    # Art. 17: enters the State Council's annual holiday notice and corrects single days
    # (events.calendar); a city-wide duty that needs no area grant (see events.calendar).
    PlatformRole.CALENDAR_ADMIN: frozenset(),
}
