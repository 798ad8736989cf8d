"""Scorecard pages, exports and the accountability lists (Art. 22, 29), scoped to the viewer."""

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from evaluation import services
from evaluation.choices import SubjectKind
from evaluation.exports import safe_cell
from evaluation.models import RecomputeLog, Score
from personnel.choices import OrgKind
from personnel.models import Organisation

from .factories import NOW, build_record, scheme_period, viewer, with_authority

pytestmark = pytest.mark.django_db


@pytest.fixture
def r():
    r = with_authority(build_record())
    rules = [{"code": "events_reported", "weight": 100, "floor": 0, "target": 10}]
    _scheme, r.period = scheme_period(r, "乡镇考评", SubjectKind.TOWNSHIP, rules)
    services.period_compute(actor=r.supervisor, period=r.period, now=NOW)
    return r


def test_safe_cell_defuses_formulas():
    for text in ("=1+1", "+86", "-2", "@SUM(A1)", "\tx", "\rx"):
        assert safe_cell(text) == "'" + text
    assert safe_cell("南门街道") == "南门街道"
    assert safe_cell(-2) == -2 and safe_cell(Decimal("1.5")) == Decimal("1.5") and safe_cell(None) is None


def test_exports_escape_cells_in_csv_and_xlsx(r, client):
    Score.objects.filter(period=r.period, area=r.tree.township).update(label='=HYPERLINK("http://x")')
    client.force_login(r.supervisor)
    response = client.get(f"/evaluation/periods/{r.period.pk}/export.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["排名范围", "排名", "考评对象"]
    assert '\'=HYPERLINK("http://x")' in [row[2] for row in rows[1:]]

    response = client.get(f"/evaluation/periods/{r.period.pk}/export.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    labels = [sheet.cell(row=n, column=3).value for n in range(2, sheet.max_row + 1)]
    assert '\'=HYPERLINK("http://x")' in labels
    assert sheet.cell(row=1, column=4).value == "上报事件数（件）"


def test_the_supervisor_sees_the_township_ranking_and_can_print_it(r, client):
    client.force_login(r.supervisor)
    page = client.get(f"/evaluation/periods/{r.period.pk}/").content.decode()
    # 南门街道 6 reports → 60 points, 江厦街道 1 → 10; 南门 has one late report (−1).
    assert page.index("南门街道") < page.index("江厦街道")
    assert "59.00" in page and "10.00" in page
    assert client.get(f"/evaluation/periods/{r.period.pk}/print/").status_code == 200
    assert client.get("/evaluation/periods/").content.decode().count("乡镇考评") == 1


def test_a_township_sees_only_its_own_score(r, client):
    client.force_login(viewer(r.tree.township))
    page = client.get(f"/evaluation/periods/{r.period.pk}/").content.decode()
    assert "南门街道" in page and "江厦街道" not in page
    data = client.get(f"/api/v1/evaluation/periods/{r.period.pk}/scores/").json()
    assert [row["label"] for row in data] == ["南门街道"]
    assert data[0]["values"] == {"events_reported": 6.0}
    # No recompute controls for a township.
    assert "重新计算" not in page

    client.force_login(viewer(r.tree.county2))
    assert client.get(f"/evaluation/periods/{r.period.pk}/").status_code == 404
    assert client.get("/api/v1/evaluation/periods/").json()["count"] == 0


def test_recompute_through_the_page_needs_a_reason_and_is_logged(r, client):
    services.period_freeze(actor=r.supervisor, period=r.period, now=NOW)
    client.force_login(r.supervisor)
    response = client.post(f"/evaluation/periods/{r.period.pk}/recompute/", {"reason": ""})
    assert response.status_code == 400 and "请说明重新计算的理由" in response.content.decode()
    assert not RecomputeLog.objects.exists()
    response = client.post(f"/evaluation/periods/{r.period.pk}/recompute/", {"reason": "补录"})
    assert response.status_code == 302
    assert RecomputeLog.objects.get().reason == "补录"
    # A township cannot act on the period at all.
    client.force_login(viewer(r.tree.township))
    assert client.post(f"/evaluation/periods/{r.period.pk}/compute/").status_code == 403


def test_accountability_lists_link_to_the_timeline_and_respect_scope(r, client):
    client.force_login(r.supervisor)
    page = client.get("/evaluation/accountability/?month=2026-05").content.decode()
    # Overdue: D2 (E3, still open) and D3 (E4, late); returned: D1 (E3) and D4 (E4); accepted late: E4 (6 h);
    # reported late: E2 (30 h).
    assert f'href="/events/{r.e3.number}/"' in page and f'href="/events/{r.e4.number}/"' in page
    assert f'href="/events/{r.e2.number}/"' in page
    assert "超期办理（2）" in page and "退回事件（2）" in page and "超时受理（1）" in page and "迟报事件（1）" in page
    assert "王调度" in page and "赵住建" in page

    response = client.get("/evaluation/accountability/?month=2026-05&format=csv&table=late_reports")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][0] == r.e2.number and rows[1][3] == "张网格" and rows[1][6] == "30.0"

    bad = client.get("/evaluation/accountability/?month=May")
    assert "请按“年-月”填写" in bad.content.decode()

    client.force_login(viewer(r.tree.township2))
    page = client.get("/evaluation/accountability/?month=2026-05").content.decode()
    assert "超期办理（0）" in page and "迟报事件（0）" in page


def test_the_authority_records_bonuses_and_concealed_reports_on_the_period_page(r, client):
    client.force_login(r.supervisor)
    url = f"/evaluation/periods/{r.period.pk}/adjust/"
    key = f"area:{r.tree.township.pk}"
    # A concealed report needs its event number; a bonus needs its points: errors next to the fields.
    response = client.post(url, {"subject": key, "kind": "concealed", "reason": "事后查实瞒报"})
    assert response.status_code == 400 and "请填写查实瞒报的事件编号" in response.content.decode()
    response = client.post(url, {"subject": key, "kind": "bonus", "reason": ""})
    page = response.content.decode()
    assert "请填写加分分值" in page and "请填写理由" in page
    # Recorded on an open period: recomputed at once. 南门街道 59 − 2 (concealed) + 3 (bonus) = 60.
    client.post(url, {"subject": key, "kind": "concealed", "reason": "事后查实瞒报", "event_number": "E9"})
    client.post(url, {"subject": key, "kind": "bonus", "points": "3", "reason": "表彰"})
    score = Score.objects.get(period=r.period, area=r.tree.township)
    assert (score.penalty, score.bonus, score.total) == (Decimal("3.00"), Decimal("3.00"), Decimal("60.00"))
    page = client.get(f"/evaluation/periods/{r.period.pk}/").content.decode()
    assert "瞒报扣分 · E9：事后查实瞒报" in page
    # A township sees its score but cannot record adjustments.
    client.force_login(viewer(r.tree.township))
    assert client.post(url, {"subject": key, "kind": "bonus", "points": "9", "reason": "x"}).status_code == 403


def test_a_unit_without_data_is_shown_unranked_in_the_page_the_exports_and_the_api(r, client):
    Organisation.objects.create(name="海曙区水利局", kind=OrgKind.DEPARTMENT, area=r.tree.county)
    rules = [{"code": "signed_on_time", "weight": 100, "floor": 0, "target": 100}]
    _scheme, period = scheme_period(r, "单位考评", SubjectKind.UNIT, rules)
    services.period_compute(actor=r.supervisor, period=period, now=NOW)
    client.force_login(r.supervisor)

    page = client.get(f"/evaluation/periods/{period.pk}/").content.decode()
    assert page.index("海曙区司法局") < page.index("海曙区住建局") < page.index("海曙区水利局")
    assert page.count("未排名") == 1 and "无数据" in page

    response = client.get(f"/evaluation/periods/{period.pk}/export.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    expected = [("海曙区司法局", 1), ("海曙区住建局", 2), ("海曙区水利局", None)]
    assert [(row[2], row[1]) for row in rows[1:]] == [(label, str(n or "未排名")) for label, n in expected]
    response = client.get(f"/evaluation/periods/{period.pk}/export.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [(sheet.cell(row=n, column=3).value, sheet.cell(row=n, column=2).value) for n in (2, 3, 4)]
    assert cells == [(label, n or "未排名") for label, n in expected]

    data = client.get(f"/api/v1/evaluation/periods/{period.pk}/scores/").json()
    assert [(row["label"], row["rank"]) for row in data] == expected
    assert data[2]["values"] == {"signed_on_time": None} and data[2]["total"] == "50.00"
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    assert schema["components"]["schemas"]["Score"]["properties"]["rank"]["nullable"] is True
