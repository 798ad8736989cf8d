"""Dashboards and statistics (Art. 11): scope, rollups equal the record, constant query count."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from evaluation import statistics
from evaluation.models import DailyRollup
from evaluation.rollups import rollup_refresh

from .factories import MAY, NOW, T, build_record, event, viewer

pytestmark = pytest.mark.django_db


@pytest.fixture
def r():
    r = build_record()
    rollup_refresh(datetime.date(2026, 4, 1), datetime.date(2026, 6, 30), now=NOW)
    return r


def test_rollups_equal_direct_aggregation_of_the_record(r):
    t = r.tree
    for area in (t.city, t.county, t.township, t.township2, t.grid, t.grid2):
        for start, end in ((MAY.start, MAY.end), (datetime.date(2026, 5, 10), datetime.date(2026, 6, 30))):
            assert statistics.key_figures(area, start, end) == statistics.key_figures_direct(
                area, start, end, now=NOW
            ), (area.name, start)
    figures = statistics.key_figures(t.township, MAY.start, MAY.end)
    # E1..E5 and E8 reported; E1, E4, E8 closed in May; due by NOW: E3 (open → overdue), E4 (late), E8 (on time).
    assert (figures["reported"], figures["closed"], figures["due"], figures["on_time"], figures["overdue"]) == (
        6,
        3,
        3,
        1,
        2,
    )
    # The micro-grid's E5 is rolled into its grid.
    assert not DailyRollup.objects.filter(area=t.micro_grid).exists()


def test_breakdowns_and_grid_ranking(r):
    data = statistics.snapshot(r.tree.township, MAY.start, MAY.end)
    assert [(g["area__name"], g["reported"]) for g in data["grids"]] == [("尹江岸第二网格", 1), ("尹江岸第一网格", 5)]
    assert data["by_grade"][0]["reported"] == 6
    assert sum(d["reported"] for d in data["daily"]) == 6 and len(data["daily"]) == 31


def test_a_township_sees_its_own_and_its_grids_dashboards_but_not_its_sibling(r, client):
    t = r.tree
    client.force_login(viewer(t.township))
    assert client.get(f"/evaluation/dashboard/{t.township.code}/").status_code == 200
    assert client.get(f"/evaluation/dashboard/{t.grid.code}/").status_code == 200
    for area in (t.township2, t.county, t.city, t.other_grid):
        assert client.get(f"/evaluation/dashboard/{area.code}/").status_code == 404
        assert client.get(f"/api/v1/evaluation/statistics/{area.code}/").status_code == 404
    assert client.get("/evaluation/dashboard/999999999999/").status_code == 404
    assert client.get("/evaluation/dashboard/").url == f"/evaluation/dashboard/{t.township.code}/"


def test_the_district_supervisor_sees_the_district_dashboard_with_figures_and_freshness(r, client):
    client.force_login(viewer(r.tree.county))
    with time_machine.travel(T(5, 31, 20)):
        response = client.get(f"/evaluation/dashboard/{r.tree.county.code}/?days=30")
    assert response.status_code == 200
    page = response.content.decode()
    # Window 5-2 … 5-31 (local dates): E1..E5, E8 and E7 in the district (E-april, E-june outside).
    assert 'data-figure="reported">7<' in page
    assert "数据更新于" in page and "echarts.min.js" in page
    # The overdue list links to the event's timeline.
    assert f'href="/events/{r.e3.number}/"' in page


def test_anonymous_users_are_sent_to_log_in(r, client):
    response = client.get(f"/evaluation/dashboard/{r.tree.county.code}/")
    assert response.status_code == 302 and "/accounts/login/" in response.url
    assert client.get(f"/api/v1/evaluation/statistics/{r.tree.county.code}/").status_code == 401


def test_statistics_api(r, client):
    client.force_login(viewer(r.tree.township))
    url = f"/api/v1/evaluation/statistics/{r.tree.township.code}/?start=2026-05-01&end=2026-05-31"
    data = client.get(url).json()
    assert data["figures"]["reported"] == 6 and data["figures"]["closed"] == 3
    assert {row["label"] for row in data["by_grade"]} == {"一般"}
    bad = client.get(f"/api/v1/evaluation/statistics/{r.tree.township.code}/?start=2026-06-01&end=2026-05-01")
    assert bad.status_code == 400 and "start" in bad.json()["errors"]


def test_dashboard_query_count_does_not_grow_with_the_number_of_events(r, client):
    client.force_login(viewer(r.tree.county))
    url = f"/evaluation/dashboard/{r.tree.county.code}/?days=90"

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    with time_machine.travel(T(6, 10, 12)):
        before = count()
        for n in range(30):
            event(r.tree.grid2, discovered=T(5, 1 + n % 28, 8), reported=T(5, 1 + n % 28, 9))
        rollup_refresh(datetime.date(2026, 4, 1), datetime.date(2026, 6, 30), now=NOW)
        assert count() == before


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("start=2026-13-45", "start", "不是有效日期"),
        ("end=2026-02-30", "end", "不是有效日期"),
        ("start=abc", "start", "不是有效日期"),
        ("start=", "start", "请填写日期"),
        ("start=2026-06-01&end=2026-05-01", "start", "开始日期不能晚于结束日期"),
        ("start=2020-01-01&end=2026-05-01", "start", "时间范围不能超过两年"),
        ("end=9999-12-31", "end", "2000年至2099年"),
        ("start=0001-01-01&end=0001-01-02", "start", "2000年至2099年"),
        ("from=2026-06-01&to=2026-05-01", "from", "未知参数"),
        ("start=2026-05-01&start=2026-05-02", "start", "只能出现一次"),
    ],
)
def test_statistics_api_answers_bad_dates_with_field_errors(r, client, query, field, message):
    client.force_login(viewer(r.tree.township))
    response = client.get(f"/api/v1/evaluation/statistics/{r.tree.township.code}/?{query}")
    assert response.status_code == 400, query
    body = response.json()
    assert body["detail"] == "输入有误。" and body["request_id"]
    assert message in " ".join(body["errors"][field]), body


def test_the_dashboard_heading_names_the_area_once(r, client):
    client.force_login(viewer(r.tree.county))
    page = client.get(f"/evaluation/dashboard/{r.tree.county.code}/").content.decode()
    main = page[page.index("<main") : page.index("</h1>")]
    assert main.count("海曙区") == 1 and main.endswith("<h1>海曙区 运行分析")
    # Below the top of the viewer's reach the parents are links, the area itself is only in the heading.
    page = client.get(f"/evaluation/dashboard/{r.tree.township.code}/").content.decode()
    main = page[page.index("<main") : page.index("</h1>")]
    assert main.count("南门街道") == 1 and f'href="/evaluation/dashboard/{r.tree.county.code}/"' in main


def test_district_and_city_read_per_district_rows_with_the_same_sums(r):
    from django.db.models import Sum

    from evaluation.models import CountyRollup, GridRollup
    from evaluation.rollups import COUNTS

    t = r.tree
    sums = {name: Sum(name) for name in COUNTS}
    for area in (t.city, t.county, t.township, t.grid):
        grid_rows = statistics._rows(area, MAY.start, datetime.date(2026, 6, 30), DailyRollup).aggregate(**sums)
        for model in (CountyRollup, GridRollup):
            rows = statistics._rows(area, MAY.start, datetime.date(2026, 6, 30), model)
            if model is CountyRollup and area.level not in ("city", "county"):
                continue  # per-district rows serve districts and the city only
            assert rows.aggregate(**sums) == grid_rows, (area.name, model.__name__)
    assert CountyRollup.objects.exists() and not CountyRollup.objects.exclude(area__level="county").exists()
    assert "countyrollup" in str(statistics._rows(t.city, MAY.start, MAY.end).query)
    assert "dailyrollup" in str(statistics._rows(t.township, MAY.start, MAY.end).query)


def test_the_ranking_of_a_standard_window_reads_the_window_sums_with_the_same_result(r):
    from evaluation.models import GridWindowRollup

    t = r.tree
    end = timezone.localdate(NOW)
    assert GridWindowRollup.objects.filter(end=end, days=30).exists()
    for area in (t.city, t.county, t.township):
        for days in (7, 30):
            start = end - datetime.timedelta(days=days - 1)
            with CaptureQueriesContext(connection) as ctx:
                windowed = statistics.grid_ranking(area, start, end)
            if GridWindowRollup.objects.filter(end=end, days=days).exists():  # a window with grid rows
                assert "evaluation_gridwindowrollup" in ctx.captured_queries[-1]["sql"]
            GridWindowRollup.objects.filter(days=days).update(end=end - datetime.timedelta(days=1))  # stale: unused
            assert statistics.grid_ranking(area, start, end) == windowed, (area.name, days)
            GridWindowRollup.objects.filter(days=days).update(end=end)
    assert any(row["reported"] for row in statistics.grid_ranking(t.city, end - datetime.timedelta(days=29), end))
