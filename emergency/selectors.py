"""Scoped reads of the emergency app (personnel.scope): responses, check-ins, the board."""

from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from events.choices import OPEN_STATUSES
from personnel import roles
from personnel.scope import covering_q

from .choices import CheckInStatus, RecordKind
from .models import CheckIn, Record, Response


def checkins(user) -> QuerySet[CheckIn]:
    """Check-ins of grids within the user's reach (`view_area`) or named to the user."""
    q = covering_q(user, roles.VIEW, "area")
    if user is not None and user.is_authenticated:
        q |= Q(leader_id=user.pk)
    return CheckIn.objects.filter(q)


def responses(user) -> QuerySet[Response]:
    """Responses whose area is within the user's reach, or with a check-in the user sees."""
    return Response.objects.filter(
        covering_q(user, roles.VIEW, "area") | Q(Exists(checkins(user).filter(response_id=OuterRef("pk"))))
    )


@dataclass
class TownshipRow:
    """One township on the board: its check-ins (in the reader's reach) and their counts."""

    township: object
    checkins: list = field(default_factory=list)
    checked_in: int = 0
    escalated: int = 0


@dataclass
class Board:
    """The roll-call board of a response for one reader: totals and per-township rows."""

    townships: list[TownshipRow]
    total: int
    checked_in: int
    reported: int
    to_transfer: int
    open_events: int


def board(user, response: Response) -> Board:
    """The roll-call board (Art. 18): per township and grid in the reader's reach, whether
    checked in, the status reported and the open emergency events linked to the response
    (three queries)."""
    rows = list(
        checkins(user)
        .filter(response=response)
        .select_related("area", "township", "leader__staff")
        .order_by("township__code", "area__code")
    )
    events = dict(
        Record.objects.filter(
            response=response,
            kind=RecordKind.EVENT,
            event__status__in=OPEN_STATUSES,
            event__area_id__in=[c.area_id for c in rows],
        )
        .values_list("event__area_id")
        .annotate(n=Count("id"))
    )
    townships: dict[int, TownshipRow] = {}
    for checkin in rows:
        checkin.open_events = events.get(checkin.area_id, 0)
        row = townships.setdefault(checkin.township_id, TownshipRow(checkin.township))
        row.checkins.append(checkin)
        row.checked_in += checkin.status != CheckInStatus.PENDING
        row.escalated += checkin.escalated_township_at is not None and checkin.status == CheckInStatus.PENDING
    return Board(
        townships=list(townships.values()),
        total=len(rows),
        checked_in=sum(r.checked_in for r in townships.values()),
        reported=sum(c.status == CheckInStatus.REPORTED for c in rows),
        to_transfer=sum(c.to_transfer or 0 for c in rows),
        open_events=sum(events.values()),
    )
