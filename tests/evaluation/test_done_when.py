"""Issue 8 "done when": the district supervisor sees the dashboard and last month's township ranking,
exports it, and each figure matches the event record.

The figures are recomputed here in plain Python from the Event, Satisfaction and Dispatch
rows (no indicator code, no SQL aggregates), then compared with the exported ranking.
"""

import csv
import datetime
import io
import random
import re
import statistics as stats

import pytest
import time_machine
from openpyxl import load_workbook

from evaluation import demo
from evaluation.models import Period
from events.models import Event, Satisfaction

from .factories import MAY, NOW, build_record, viewer

pytestmark = pytest.mark.django_db


def in_may(moment) -> bool:
    lo, hi = MAY.bounds
    return moment is not None and lo <= moment < hi


def by_hand(town) -> dict:
    """The township's May figures, from the rows one by one."""
    events = [e for e in Event.objects.filter(township=town) if in_may(e.reported_at)]
    kept = [e for e in events if e.status != "rejected"]
    invalid = [e for e in events if e.status == "rejected" and e.reject_reason in ("invalid", "duplicate")]
    accepted = [e for e in Event.objects.filter(township=town) if in_may(e.accepted_at)]
    dispatched = [e for e in Event.objects.filter(township=town) if in_may(e.dispatched_at)]
    ratings = [s.score for s in Satisfaction.objects.filter(event__township=town) if in_may(s.at)]
    hour = datetime.timedelta(hours=1)
    return {
        "reported": len(events),
        "closure_rate": round(100 * sum(e.status == "closed" for e in kept) / len(kept), 2),
        "valid_report_rate": round(100 * (len(events) - len(invalid)) / len(events), 2),
        "on_the_spot_rate": round(100 * sum(e.self_handled for e in events) / len(events), 2),
        "accepted_on_time": round(
            100 * sum(e.accepted_at - e.reported_at <= 4 * hour for e in accepted) / len(accepted), 2
        ),
        "avg_dispatch_hours": round(stats.mean((e.dispatched_at - e.reported_at) / hour for e in dispatched), 2),
        "satisfaction_avg": round(stats.mean(ratings), 2),
        "late_reports": sum(e.reported_at - e.discovered_at > 24 * hour for e in events),
    }


def test_the_supervisor_sees_the_dashboard_and_last_months_ranking_and_each_figure_matches_the_record(client):
    r = build_record()
    supervisor = viewer(r.tree.county, "view_area", "supervise_area")
    with time_machine.travel(NOW):
        demo.seed(scale="demo", rng=random.Random(1), stdout=io.StringIO())
        client.force_login(supervisor)
        # The district dashboard (last 90 days) counts what the record holds.
        page = client.get(f"/evaluation/dashboard/{r.tree.county.code}/?days=90").content.decode()
        lo = NOW - datetime.timedelta(days=89)
        window = [
            e
            for e in Event.objects.filter(county=r.tree.county)
            if e.reported_at.date() >= lo.date() and e.reported_at <= NOW
        ]
        assert re.search(rf'data-figure="reported">{len(window)}<', page), len(window)

        # Last month's township ranking: frozen, both townships, in the supervisor's list.
        period = Period.objects.get(scheme__subject_kind="township", start=MAY.start)
        assert period.is_frozen
        assert f'href="/evaluation/periods/{period.pk}/"' in client.get("/evaluation/periods/").content.decode()
        page = client.get(f"/evaluation/periods/{period.pk}/").content.decode()
        assert "南门街道" in page and "江厦街道" in page

        # Exported as CSV and XLSX, the same rows.
        response = client.get(f"/evaluation/periods/{period.pk}/export.csv")
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        sheet = load_workbook(io.BytesIO(client.get(f"/evaluation/periods/{period.pk}/export.xlsx").content)).active
    header, body = rows[0], {row[2]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert [c.value for c in sheet[1]] == header and sheet.max_row == len(rows)
    assert set(body) == {"南门街道", "江厦街道"}

    row, hand = body["南门街道"], by_hand(r.tree.township)
    assert float(row["结案率（%）"]) == hand["closure_rate"]
    assert float(row["有效上报率（%）"]) == hand["valid_report_rate"]
    assert float(row["就地处置率（%）"]) == hand["on_the_spot_rate"]
    assert float(row["按时受理率（%）"]) == hand["accepted_on_time"]
    assert float(row["平均派遣用时（小时）"]) == hand["avg_dispatch_hours"]
    assert float(row["群众满意度（分）"]) == hand["satisfaction_avg"]
    # Penalty: 1 point per late report (found → reported over 24 h) of the default scheme.
    assert float(row["扣分"]) == hand["late_reports"] * 1.0
    points = sum(float(row[h]) for h in header if h.endswith("得分"))
    assert float(row["总分"]) == pytest.approx(points + float(row["加分"]) - float(row["扣分"]))
    # The worked values of this record, for the reader: 6 reports, closure 3/5, E2 invalid, E1 on the spot.
    assert (hand["reported"], hand["closure_rate"], hand["valid_report_rate"], hand["on_the_spot_rate"]) == (
        6,
        60.0,
        83.33,
        16.67,
    )
