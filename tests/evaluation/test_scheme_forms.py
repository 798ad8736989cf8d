"""Scheme forms (Art. 22): authorities define schemes in the browser; errors in Chinese next to the fields."""

import datetime
import re

import pytest

from evaluation import services
from evaluation.choices import SubjectKind
from evaluation.models import Period, Scheme, Score

from .factories import NOW, build_record, scheme_period, viewer, with_authority

pytestmark = pytest.mark.django_db


@pytest.fixture
def r():
    return with_authority(build_record())


def post_data(r, rows, **fields):
    data = {
        "authority": r.authority.pk,
        "name": "乡镇网格化工作考评",
        "subject_kind": "township",
        "period_kind": "month",
        "late_report_hours": "24",
        "late_report_penalty": "1",
        "concealed_penalty": "2",
        "bonus_max": "10",
        "accept_hours": "4",
        "verify_hours": "24",
        "is_active": "on",
        "ind-TOTAL_FORMS": str(len(rows) + 1),
        "ind-INITIAL_FORMS": "0",
        "ind-MIN_NUM_FORMS": "0",
        "ind-MAX_NUM_FORMS": "30",
    }
    for n, row in enumerate(rows):
        for key, value in row.items():
            data[f"ind-{n}-{key}"] = str(value)
    data.update({k: str(v) for k, v in fields.items()})
    return data


GOOD = [
    {"code": "events_reported", "group": "运行成效", "weight": 40, "floor": 0, "target": 10, "missing_ratio": "0.5"},
    {"code": "closure_rate", "group": "履职情况", "weight": 60, "floor": 0, "target": 100, "missing_ratio": "0.5"},
]


def errors_next_to(page: str, field_id: str) -> str:
    """The error text rendered right after the widget `field_id`."""
    match = re.search(rf'id="{field_id}_error">(.*?)</div></div>', page, re.S)
    return match.group(1) if match else ""


def test_the_new_scheme_form_starts_from_the_default_indicators(r, client):
    client.force_login(r.supervisor)
    page = client.get("/evaluation/schemes/new/?subject_kind=unit").content.decode()
    assert 'value="signed_on_time" selected' in page and 'value="avg_handling_hours" selected' in page
    assert r.authority.name in page


def test_an_authority_creates_a_scheme_with_weights_and_penalties(r, client):
    client.force_login(r.supervisor)
    response = client.post("/evaluation/schemes/new/", post_data(r, GOOD, concealed_penalty="3", bonus_max="5"))
    scheme = Scheme.objects.get(name="乡镇网格化工作考评")
    assert response.status_code == 302 and response.url == f"/evaluation/schemes/{scheme.pk}/"
    assert list(scheme.indicators.values_list("code", "weight")) == [("events_reported", 40), ("closure_rate", 60)]
    assert (scheme.concealed_penalty, scheme.bonus_max, scheme.created_by) == (3, 5, r.supervisor)
    assert "乡镇网格化工作考评" in client.get("/evaluation/schemes/").content.decode()
    # Opening the current period computes it and shows the ranking.
    response = client.post(f"/evaluation/schemes/{scheme.pk}/open/")
    period = Period.objects.get(scheme=scheme)
    assert response.url == f"/evaluation/periods/{period.pk}/" and period.scores.count() == 2


def test_errors_are_in_chinese_next_to_the_fields_and_the_input_is_kept(r, client):
    client.force_login(r.supervisor)
    rows = [
        {"code": "events_reported", "weight": 40, "floor": 5, "target": 5},
        {"code": "signed_on_time", "weight": 30, "floor": 0, "target": 100},
        {"code": "", "weight": 20, "floor": 0, "target": 1},
        {"code": "closure_rate", "weight": "abc", "floor": 0, "target": 100},
    ]
    response = client.post(
        "/evaluation/schemes/new/", post_data(r, rows, name="", concealed_penalty="-2", late_report_hours="x")
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "该字段是必填项" in errors_next_to(page, "id_name")
    assert "不能为负数" in errors_next_to(page, "id_concealed_penalty")
    assert "输入一个数字" in errors_next_to(page, "id_late_report_hours")
    assert "满分值不能与零分值相同" in errors_next_to(page, "id_ind-0-target")
    assert "请选择指标" in errors_next_to(page, "id_ind-2-code")
    assert "输入一个数字" in errors_next_to(page, "id_ind-3-weight")
    # What was typed stays in the form.
    assert 'name="concealed_penalty" value="-2"' in page and 'name="ind-3-weight" value="abc"' in page
    assert not Scheme.objects.exists()

    # Once the rows themselves are right: the subject, duplicates and the total of 100 are checked.
    rows = [GOOD[0], {**GOOD[0]}, {"code": "signed_on_time", "weight": 10, "floor": 0, "target": 100}]
    page = client.post("/evaluation/schemes/new/", post_data(r, rows)).content.decode()
    assert "指标重复" in errors_next_to(page, "id_ind-1-code")
    assert "该指标不适用于所选考评对象" in errors_next_to(page, "id_ind-2-code")
    page = client.post("/evaluation/schemes/new/", post_data(r, [GOOD[0]])).content.decode()
    assert "各项分值合计须为 100 分（现为 40 分）" in page
    page = client.post("/evaluation/schemes/new/", post_data(r, [])).content.decode()
    assert "至少需要一项指标" in page
    # An active scheme of the same name is refused next to the name.
    client.post("/evaluation/schemes/new/", post_data(r, GOOD))
    page = client.post("/evaluation/schemes/new/", post_data(r, GOOD)).content.decode()
    assert "已有同名的启用方案" in errors_next_to(page, "id_name")


def test_only_the_authority_in_its_jurisdiction_may_define_schemes(r, client):
    scheme, _period = scheme_period(r, "乡镇考评", SubjectKind.TOWNSHIP, GOOD)
    # A township (view of its own subtree only): no authority to act for → 403; the district's scheme → 404.
    client.force_login(viewer(r.tree.township))
    assert client.get("/evaluation/schemes/").status_code == 403
    assert client.get("/evaluation/schemes/new/").status_code == 403
    assert client.get(f"/evaluation/schemes/{scheme.pk}/").status_code == 404
    # Someone who sees the district but does not supervise it → 403.
    client.force_login(viewer(r.tree.county))
    assert client.get(f"/evaluation/schemes/{scheme.pk}/").status_code == 403
    assert client.post(f"/evaluation/schemes/{scheme.pk}/", post_data(r, GOOD)).status_code == 403
    # Another district's supervisor → 404; and may not pick this authority when creating.
    other = viewer(r.tree.county2, "view_area", "supervise_area")
    client.force_login(other)
    assert client.get(f"/evaluation/schemes/{scheme.pk}/").status_code == 404
    assert client.post(f"/evaluation/schemes/{scheme.pk}/open/").status_code == 404


def test_edits_change_an_unfrozen_scheme_in_place_and_version_a_frozen_one(r, client):
    scheme, may = scheme_period(r, "乡镇考评", SubjectKind.TOWNSHIP, GOOD)
    services.period_compute(actor=r.supervisor, period=may, now=NOW)
    client.force_login(r.supervisor)
    form = client.get(f"/evaluation/schemes/{scheme.pk}/").content.decode()
    assert 'value="closure_rate" selected' in form and "乡镇考评" in form
    # Not frozen yet: changed in place, and the computed open period is recomputed by the new weights.
    rows = [{**GOOD[0], "weight": 100}]
    response = client.post(f"/evaluation/schemes/{scheme.pk}/", post_data(r, rows, name="乡镇考评"))
    assert response.url == f"/evaluation/schemes/{scheme.pk}/"
    assert list(scheme.indicators.values_list("code", flat=True)) == ["events_reported"]
    # 南门街道: 6 reports → 60, one late report −1.
    assert str(Score.objects.get(period=may, area=r.tree.township).total) == "59.00"

    services.period_freeze(actor=r.supervisor, period=may, now=NOW)
    june = services.period_open(actor=r.supervisor, scheme=scheme, day=datetime.date(2026, 6, 1))
    response = client.post(f"/evaluation/schemes/{scheme.pk}/", post_data(r, GOOD, name="乡镇考评", bonus_max="8"))
    new = Scheme.objects.get(is_active=True)
    assert new.pk != scheme.pk and new.replaces == scheme and response.url == f"/evaluation/schemes/{new.pk}/"
    scheme.refresh_from_db()
    # The frozen May period keeps the old scheme, its rules and its scores; June moves to the new version.
    assert not scheme.is_active and scheme.bonus_max == 10
    assert list(scheme.indicators.values_list("code", flat=True)) == ["events_reported"]
    assert Period.objects.get(pk=may.pk).scheme == scheme
    assert str(Score.objects.get(period=may, area=r.tree.township).total) == "59.00"
    assert Period.objects.get(pk=june.pk).scheme == new and new.bonus_max == 8
    page = client.get(f"/evaluation/schemes/{scheme.pk}/").content.decode()
    assert "已由新版本取代" in page
    # The replaced version is not changed any more.
    page = client.post(f"/evaluation/schemes/{scheme.pk}/", post_data(r, GOOD, name="乡镇考评")).content.decode()
    assert "此方案已由新版本取代，请修改新版本" in page and Scheme.objects.count() == 2
