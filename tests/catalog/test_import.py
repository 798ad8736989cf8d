"""Bulk proposals from XLSX: row-by-row validation, all or nothing, errors naming rows and columns."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from catalog.choices import VersionState
from catalog.importing import COLUMNS
from catalog.models import ServiceItem, ServiceItemVersion
from catalog.services.loading import catalogue_import

from .conftest import TODAY, publish_new

pytestmark = pytest.mark.django_db
HEADER = [h for _k, h in COLUMNS]


def row(**values):
    base = {
        "level": "市级",
        "category": 6,
        "name": "助老服务",
        "kind": "event",
        "department": "民政",
        "self_handle": "是",
        "accept_limit": 8,
        "complete_limit": 5,
        "limit_unit": "工作日",
    }
    base |= values
    return [base.get(k, "") for k, _h in COLUMNS]


def xlsx(*rows, header=HEADER) -> SimpleUploadedFile:
    wb = Workbook()
    wb.active.append(header)
    for r in rows:
        wb.active.append(r)
    buffer = io.BytesIO()
    wb.save(buffer)
    return SimpleUploadedFile("proposals.xlsx", buffer.getvalue())


def test_valid_rows_become_proposals_and_an_existing_code_a_new_version(people, today):
    existing = publish_new(people, TODAY)
    report = catalogue_import(
        actor=people.city_admin,
        file=xlsx(
            row(),
            row(name="帮办代办", kind="日常工作类", accept_limit="", complete_limit="", limit_unit=""),
            row(code=existing.item.code, category=4, name="邻里纠纷（新）"),
        ),
    )
    assert report.ok and len(report.created) == 3
    assert [v.state for v in report.created] == [VersionState.PROPOSED] * 3
    assert report.created[2].item == existing.item and report.created[2].number == 2
    assert report.created[0].rule_for("major").complete_limit == 2.5


def test_one_bad_row_imports_nothing_and_the_report_names_rows_and_columns(people, today):
    report = catalogue_import(
        actor=people.city_admin,
        file=xlsx(row(), row(department="不存在的局", category=9), row(accept_limit="八")),
    )
    assert not report.ok and report.created == []
    assert ServiceItem.objects.count() == 0 and ServiceItemVersion.objects.count() == 0
    located = {(r, c) for r, c, _m in report.errors}
    assert {(3, "责任部门"), (3, "类别"), (4, "一般受理时限")} <= located


def test_unknown_columns_are_reported(people, today):
    report = catalogue_import(actor=people.city_admin, file=xlsx([*row(), "x"], header=[*HEADER, "备注栏"]))
    assert (1, "备注栏", "未知的列。") in report.errors and ServiceItem.objects.count() == 0


def test_the_import_page_shows_the_error_report_and_refuses_non_admins(client, people, today):
    client.force_login(people.city_staffing)
    assert client.get("/catalog/import/").status_code == 403
    client.force_login(people.city_admin)
    response = client.post("/catalog/import/", {"file": xlsx(row(), row(name=""))})
    assert response.status_code == 400
    assert (3, "名称") in {(r, c) for r, c, _m in response.context["report"].errors}
    assert ServiceItem.objects.count() == 0
    response = client.post("/catalog/import/", {"file": SimpleUploadedFile("x.xlsx", b"not a workbook")})
    assert response.status_code == 400 and "无法读取" in response.content.decode()
    response = client.post("/catalog/import/", {"file": xlsx(row())})
    assert response.status_code == 302 and ServiceItem.objects.count() == 1
