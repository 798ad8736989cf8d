"""Scoped reads of the emergency app (personnel.scope): responses, check-ins, the board."""

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from events.choices import OPEN_STATUSES
from personnel import roles
from personnel.scope import covering_q

from .choices import BoardShow, CheckInStatus, RecordKind
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
    """One township's counts on the board (check-ins in the reader's reach): `missed` are
    still pending past their deadline (escalated, or about to be by the sweep)."""

    township_id: int
    code: str
    name: str
    total: int = 0
    checked_in: int = 0
    reported: int = 0
    missed: int = 0
    to_transfer: int = 0
    open_events: int = 0


@dataclass
class Board:
    """The roll-call board's summary of a response for one reader: totals and one row per
    township (no grid rows: `township_page` lists a township's grids, paged)."""

    townships: list[TownshipRow]
    total: int
    checked_in: int
    reported: int
    missed: int
    to_transfer: int
    open_events: int


def _open_events(response: Response, area_ids) -> QuerySet[Record]:
    """Links of `response` to open emergency events in the areas `area_ids` (ids or a subquery)."""
    return Record.objects.filter(
        response=response, kind=RecordKind.EVENT, event__status__in=OPEN_STATUSES, event__area_id__in=area_ids
    )


def board(user, response: Response, township_id: int | None = None) -> Board:
    """The roll-call board's summary (Art. 18): per township in the reader's reach (only
    `township_id`'s when given), its grids and micro-grids, how many checked in, reported
    and missed the deadline, people to transfer and open emergency events linked to the
    response. Two GROUP BY queries, whatever the number of check-ins (a district: ~12,000)."""
    scoped = checkins(user).filter(response=response)
    if township_id is not None:
        scoped = scoped.filter(township_id=township_id)
    pending = Q(status=CheckInStatus.PENDING)
    rows = (
        scoped.order_by()
        .values("township_id", "township__code", "township__name")
        .annotate(
            total=Count("id"),
            checked_in=Count("id", filter=~pending),
            reported=Count("id", filter=Q(status=CheckInStatus.REPORTED)),
            missed=Count("id", filter=pending & Q(due_at__lt=timezone.now())),
            to_transfer=Coalesce(Sum("to_transfer"), 0),
        )
        .order_by("township__code")
    )
    events = dict(
        _open_events(response, scoped.values("area_id"))
        .annotate(township=Subquery(scoped.filter(area_id=OuterRef("event__area_id")).values("township_id")[:1]))
        .order_by()
        .values_list("township")
        .annotate(n=Count("id"))
    )
    townships = [
        TownshipRow(
            township_id=r["township_id"],
            code=r["township__code"],
            name=r["township__name"],
            total=r["total"],
            checked_in=r["checked_in"],
            reported=r["reported"],
            missed=r["missed"],
            to_transfer=r["to_transfer"],
            open_events=events.get(r["township_id"], 0),
        )
        for r in rows
    ]
    return Board(
        townships=townships,
        **{
            name: sum(getattr(t, name) for t in townships)
            for name in ("total", "checked_in", "reported", "missed", "to_transfer", "open_events")
        },
    )


#: The check-ins each `BoardShow` lists.
SHOW = {
    BoardShow.PENDING: Q(status=CheckInStatus.PENDING),
    BoardShow.CHECKED_IN: ~Q(status=CheckInStatus.PENDING),
    BoardShow.ALL: Q(),
}

#: Grids and micro-grids per page of a township on the board.
PAGE_SIZE = 50


def township_page(user, response: Response, township_id: int, show: str, page) -> Page:
    """One page (`PAGE_SIZE` rows, by area code) of a township's check-ins in the reader's
    reach, filtered by `show` (a `BoardShow` value), each with `open_events` set. `page` is the
    1-based page number as given (out of range: the last page). Raises ValueError for an
    unknown `show`."""
    rows = (
        checkins(user)
        .filter(SHOW[BoardShow(show)], response=response, township_id=township_id)
        .select_related("area", "leader__staff")
        .order_by("area__code")
    )
    result = Paginator(rows, PAGE_SIZE).get_page(page)
    events = dict(
        _open_events(response, [c.area_id for c in result]).values_list("event__area_id").annotate(n=Count("id"))
    )
    for checkin in result:
        checkin.open_events = events.get(checkin.area_id, 0)
    return result
