"""The indicators of grid work (Art. 22, 29), computed from the event record.

Each indicator is a documented measure of one *subject* over one *span* of local dates:

- subjects (`Subject`): an area subtree (a township, a district, a grid …; a township
  office stands for its township's events), a handling unit (its dispatches and the
  events it leads), or a person (the events they reported, the verifications they did,
  their patrols);
- spans (`Span`): a month, a quarter or a year of local dates (Asia/Shanghai), turned
  into aware bounds `[start 00:00, day after end 00:00)`.

Every indicator is one aggregate query (no per-event Python loop): `compute()` for one
subject, `compute_many()` for many subjects of one kind, which groups by the subject's
column (one query per indicator) where the record has such a column. Rates are
percentages 0–100; a value is `None` when there is nothing to measure (e.g. a rate with
no events). Hours are natural hours, except the handling time (`avg_handling_hours`),
which is in working hours on the working-day calendar (`events.workcalendar`) and
leaves suspended time out: a measure SQL cannot express folds the rows in Python
instead (`Measure.fold`), still one query per indicator.

This module is the framework (spans, subjects, sources, the registry, computing); the
indicators themselves are registered by `indicators_events` (the event record) and
`indicators_ledgers` (the visits), both imported by the app's `ready`.

Thresholds come from `Options` (a scheme's settings): `late_report_hours` (reporting
lateness), `accept_hours` (township acceptance), `verify_hours` (verification after the
result was fed back), and `now`, the moment open clocks are measured against.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db.models import (
    DateTimeField,
    FloatField,
    Func,
    Q,
    QuerySet,
    Value,
)
from django.db.models.lookups import GreaterThan
from django.utils import timezone

from events.models import Action, Dispatch, Event, HandlingRequest, Patrol, Satisfaction
from grids.choices import Level
from grids.models import Area
from personnel.choices import GridRole, OrgKind
from personnel.models import Organisation
from tasks.models import Assignment as TaskAssignment

AREA, UNIT, STAFF = "area", "unit", "staff"
ALL_KINDS = frozenset({AREA, UNIT, STAFF})

#: Grid roles whose holders are evaluated as grid staff (Art. 22: leaders, full-time workers, instructors).
EVALUATED_ROLES = (GridRole.GRID_LEADER, GridRole.FULLTIME_WORKER, GridRole.INSTRUCTOR)


# --- spans -------------------------------------------------------------------------


@dataclass(frozen=True)
class Span:
    """Local dates `start` to `end`, both inclusive (Asia/Shanghai)."""

    start: datetime.date
    end: datetime.date

    @property
    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        """Aware datetimes `[start 00:00, (end + 1 day) 00:00)` in the current time zone."""
        tz = timezone.get_current_timezone()
        lo = datetime.datetime.combine(self.start, datetime.time.min, tzinfo=tz)
        hi = datetime.datetime.combine(self.end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
        return lo, hi

    def q(self, field_name: str) -> Q:
        """Rows whose `field_name` (a datetime) falls in the span."""
        lo, hi = self.bounds
        return Q(**{f"{field_name}__gte": lo, f"{field_name}__lt": hi})


def span_of(kind: str, day: datetime.date) -> Span:
    """The month, quarter or year (`kind`) containing local date `day`. Raises ValueError."""
    if kind == "month":
        return Span(day.replace(day=1), day.replace(day=calendar.monthrange(day.year, day.month)[1]))
    if kind == "quarter":
        first = 3 * ((day.month - 1) // 3) + 1
        last = first + 2
        return Span(
            datetime.date(day.year, first, 1), datetime.date(day.year, last, calendar.monthrange(day.year, last)[1])
        )
    if kind == "year":
        return Span(datetime.date(day.year, 1, 1), datetime.date(day.year, 12, 31))
    raise ValueError(f"unknown period kind {kind!r}")


def last_full(kind: str, today: datetime.date | None = None) -> Span:
    """The last complete month / quarter / year before the one containing `today`."""
    today = today or timezone.localdate()
    current = span_of(kind, today)
    return span_of(kind, current.start - datetime.timedelta(days=1))


# --- subjects ----------------------------------------------------------------------


@dataclass(frozen=True)
class Subject:
    """What is measured: `kind` AREA (an `Area` subtree), UNIT (an `Organisation`), STAFF (a user)."""

    kind: str
    obj: object = field(compare=False)
    pk: int = 0

    @classmethod
    def area(cls, area: Area) -> Subject:
        return cls(AREA, area, area.pk)

    @classmethod
    def unit(cls, org: Organisation) -> Subject:
        return cls(UNIT, org, org.pk)

    @classmethod
    def staff(cls, user) -> Subject:
        return cls(STAFF, user, user.pk)

    @classmethod
    def for_organisation(cls, org: Organisation) -> Subject:
        """A township office or an authority stands for its area's events; other organisations are units."""
        if org.kind in (OrgKind.TOWNSHIP_OFFICE, OrgKind.AUTHORITY):
            return cls.area(org.area)
        return cls.unit(org)

    @property
    def key(self) -> str:
        return {AREA: "area", UNIT: "org", STAFF: "user"}[self.kind] + f":{self.pk}"

    @property
    def label(self) -> str:
        if self.kind == STAFF:
            staff = getattr(self.obj, "staff", None)
            return staff.name if staff else (self.obj.get_full_name() or self.obj.get_username())
        return self.obj.name


def _range(prefix: str, area: Area) -> Q:
    p = f"{prefix}__" if prefix else ""
    return Q(**{f"{p}tree_id": area.tree_id, f"{p}lft__gte": area.lft, f"{p}rght__lte": area.rght})


def _area_group(event_path: str) -> Callable[[Area], str | None]:
    """Group column for area subjects: the event's copied township/county, else none."""

    def group(area: Area) -> str | None:
        if area.level in (Level.TOWNSHIP, Level.COUNTY):
            return f"{event_path}{area.level}_id"
        return None

    return group


#: source → (model, {subject kind: (filter of one subject, group column or None)})
SOURCES: dict[str, tuple[type, dict]] = {
    "events": (
        Event,
        {
            AREA: (lambda a: _range("area", a), _area_group("")),
            UNIT: (lambda o: Q(lead_unit=o), lambda o: "lead_unit_id"),
            STAFF: (lambda u: Q(reporter=u), lambda u: "reporter_id"),
        },
    ),
    "dispatches": (
        Dispatch,
        {
            AREA: (lambda a: _range("event__area", a), _area_group("event__")),
            UNIT: (lambda o: Q(unit=o), lambda o: "unit_id"),
        },
    ),
    "actions": (
        Action,
        {
            AREA: (lambda a: _range("event__area", a), _area_group("event__")),
            UNIT: (lambda o: Q(actor_organisation=o), lambda o: "actor_organisation_id"),
            STAFF: (lambda u: Q(actor=u), lambda u: "actor_id"),
        },
    ),
    "assignments": (
        TaskAssignment,
        {AREA: (lambda a: _range("area", a), lambda a: "township_id" if a.level == Level.TOWNSHIP else None)},
    ),
    "patrols": (
        Patrol,
        {
            AREA: (lambda a: _range("area", a), lambda a: None),
            STAFF: (lambda u: Q(user=u), lambda u: "user_id"),
        },
    ),
    "satisfactions": (
        Satisfaction,
        {
            AREA: (lambda a: _range("event__area", a), _area_group("event__")),
            UNIT: (lambda o: Q(event__lead_unit=o), lambda o: "event__lead_unit_id"),
            STAFF: (lambda u: Q(event__reporter=u), lambda u: "event__reporter_id"),
        },
    ),
    "requests": (
        HandlingRequest,
        {
            AREA: (lambda a: _range("event__area", a), _area_group("event__")),
            UNIT: (lambda o: Q(dispatch__unit=o), lambda o: "dispatch__unit_id"),
        },
    ),
}


# --- SQL helpers -------------------------------------------------------------------


class Seconds(Func):
    """Seconds from `start` to `end` (two datetime expressions), as a float, on PostgreSQL and SQLite."""

    output_field = FloatField()

    def __init__(self, end, start):
        super().__init__(end, start)

    def as_sql(self, compiler, connection, **extra):
        end, end_params = compiler.compile(self.source_expressions[0])
        start, start_params = compiler.compile(self.source_expressions[1])
        return f"CAST(EXTRACT(EPOCH FROM ({end} - {start})) AS double precision)", (*end_params, *start_params)

    def as_sqlite(self, compiler, connection, **extra):
        end, end_params = compiler.compile(self.source_expressions[0])
        start, start_params = compiler.compile(self.source_expressions[1])
        return f"((julianday({end}) - julianday({start})) * 86400.0)", (*end_params, *start_params)


def _at(moment: datetime.datetime) -> Value:
    return Value(moment, output_field=DateTimeField())


def _hours_over(end, start, hours: float) -> GreaterThan:
    """True where `end` − `start` exceeds `hours` natural hours."""
    return GreaterThan(Seconds(end, start), hours * 3600)


def pct(part, whole) -> float | None:
    """`part`/`whole` as a percentage rounded to 2 places; None when `whole` is 0."""
    return round(100.0 * (part or 0) / whole, 2) if whole else None


def hours(seconds) -> float | None:
    return round(seconds / 3600.0, 2) if seconds is not None else None


def _num(value) -> float | None:
    return round(float(value), 2) if value is not None else None


# --- the registry ------------------------------------------------------------------


@dataclass
class Options:
    """Thresholds in natural hours, and the moment open clocks are measured at (aware)."""

    late_report_hours: float = 24.0
    accept_hours: float = 4.0
    verify_hours: float = 24.0
    now: datetime.datetime | None = None

    def __post_init__(self):
        self.now = self.now or timezone.now()


@dataclass(frozen=True)
class Measure:
    """Rows `q` of the source, aggregates `aggs`, and `finish(aggregates) → value`.

    `fold(queryset, path)`, when set, replaces the SQL aggregates: it reads the rows of
    `queryset` and returns `{row[path]: aggregates}` (`{None: aggregates}` when `path`
    is None), for measures SQL cannot express (working hours).
    """

    q: Q
    aggs: dict
    finish: Callable[[dict], float | int | None]
    fold: Callable[[QuerySet, str | None], dict] | None = None


@dataclass(frozen=True)
class Indicator:
    """An indicator: `code`, Chinese `name`, `unit`, `higher_better`, the subject `kinds` it applies to."""

    code: str
    name: str
    unit: str
    higher_better: bool
    kinds: frozenset
    source: str
    measure: Callable[[Span, Options], Measure]
    doc: str
    #: for ratios against something outside the source (households in the grid): subject, span → whole
    whole: Callable[[Span, Subject], float | None] | None = None

    def applies_to(self, kind: str) -> bool:
        return kind in self.kinds


REGISTRY: dict[str, Indicator] = {}


def indicator(code: str, name: str, unit: str, *, higher_better: bool, kinds: Iterable[str], source: str, whole=None):
    def register(fn):
        REGISTRY[code] = Indicator(
            code=code,
            name=name,
            unit=unit,
            higher_better=higher_better,
            kinds=frozenset(kinds),
            source=source,
            measure=fn,
            doc=(fn.__doc__ or "").strip(),
            whole=whole,
        )
        return fn

    return register


# --- computing ---------------------------------------------------------------------


def _finish(ind: Indicator, span: Span, subject: Subject, aggregates: dict, measure: Measure):
    value = measure.finish(aggregates)
    if ind.whole is not None:
        return pct(value, ind.whole(span, subject))
    return value


def compute(code: str, span: Span, subject: Subject, options: Options | None = None):
    """The value of indicator `code` for `subject` over `span`. Raises KeyError (code) or ValueError (kind)."""
    return compute_many(code, span, [subject], options)[subject.key]


def compute_many(code: str, span: Span, subjects: list[Subject], options: Options | None = None) -> dict:
    """`{subject.key: value}` for subjects of one kind: one grouped query when the record allows.

    Raises KeyError for an unknown code, ValueError if the indicator does not apply to a subject.
    """
    ind = REGISTRY[code]
    opt = options or Options()
    measure = ind.measure(span, opt)
    model, by_kind = SOURCES[ind.source]
    result: dict = {}
    if not subjects:
        return result
    for s in subjects:
        if not ind.applies_to(s.kind):
            raise ValueError(f"indicator {code} does not apply to {s.kind}")
    kind = subjects[0].kind
    one, group = by_kind[kind]
    paths = {group(s.obj) for s in subjects}
    if len(paths) == 1 and None not in paths and len(subjects) > 1:
        path = paths.pop()
        qs = model.objects.filter(measure.q, **{f"{path}__in": [s.pk for s in subjects]})
        if measure.fold is not None:
            found = measure.fold(qs, path)
        else:
            found = {row[path]: row for row in qs.values(path).annotate(**measure.aggs).order_by()}
        empty = dict.fromkeys(measure.aggs)
        for s in subjects:
            result[s.key] = _finish(ind, span, s, found.get(s.pk, empty), measure)
        return result
    for s in subjects:
        qs = model.objects.filter(measure.q & one(s.obj))
        if measure.fold is not None:
            aggregates = measure.fold(qs, None).get(None, dict.fromkeys(measure.aggs))
        else:
            aggregates = qs.aggregate(**measure.aggs)
        result[s.key] = _finish(ind, span, s, aggregates, measure)
    return result


def for_kind(kind: str) -> list[Indicator]:
    """Indicators applicable to subjects of `kind` (AREA, UNIT, STAFF), in registry order."""
    return [ind for ind in REGISTRY.values() if ind.applies_to(kind)]


#: What each indicator counts, for people (table headers' tooltips, in their language), code → lazy
#: text, filled by the modules that register the indicators; the docstrings stay the developers' definition.
HELP: dict[str, object] = {}


def indicator_help(code: str) -> str:
    """What the indicator counts, in the active language (its name when undocumented)."""
    if code in HELP:
        return str(HELP[code])
    found = REGISTRY.get(code)
    return str(found.name) if found else ""
