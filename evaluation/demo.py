"""Demo scorecards and dashboards (runs after the events demo).

For 海曙区's grid authority: one default monthly scheme per subject kind, last full
month's period computed and frozen, and the rollups rebuilt, so the district
supervisor sees last month's township ranking and a filled dashboard. Works (with
empty figures) when there are no events.
"""

from django.utils import timezone

from grids.models import Area
from personnel.choices import Department, OrgKind
from personnel.models import Organisation

from . import indicators as ind
from . import services
from .defaults import DEFAULT_INDICATORS, DEFAULT_NAMES
from .models import Scheme
from .rollups import rollup_rebuild

HAISHU = "330203000000"


def seed(*, scale, rng, stdout) -> None:
    district = Area.objects.filter(code=HAISHU).first()
    if district is None:
        stdout.write("evaluation: 海曙区 not in the tree, no scorecards")
        return
    authority = Organisation.objects.filter(area=district, kind=OrgKind.AUTHORITY).order_by("pk").first()
    if authority is None:
        authority, _ = Organisation.objects.get_or_create(
            area=district,
            name="海曙区网格化服务管理中心",
            defaults={"kind": OrgKind.AUTHORITY, "department": Department.GRID_AUTHORITY},
        )
    span = ind.last_full("month", timezone.localdate())
    for kind, rows in DEFAULT_INDICATORS.items():
        name = str(DEFAULT_NAMES[kind])
        scheme = Scheme.objects.filter(authority=authority, name=name, is_active=True).first()
        if scheme is None:
            scheme = services.scheme_create(
                actor=None, authority=authority, name=name, subject_kind=kind, indicators=rows
            )
        period = services.period_open(actor=None, scheme=scheme, day=span.start)
        if not period.is_frozen:
            services.period_freeze(actor=None, period=period)
        stdout.write(f"evaluation: {name} {span.start:%Y-%m} — {period.scores.count()} scores, frozen")
    run = rollup_rebuild()
    stdout.write(f"evaluation: rollups {run.date_from}…{run.date_to}, {run.rows} rows")
