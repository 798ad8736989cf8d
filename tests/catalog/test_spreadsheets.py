"""Exports escape cells that a spreadsheet would run as formulas."""

import csv
import io

import pytest
from openpyxl import load_workbook

from ningbo_grid.spreadsheets import csv_bytes, safe_cell, xlsx_bytes

from .conftest import TODAY, publish_new

EVIL = "=cmd|' /C calc'!A0"


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_dangerous_text_gets_a_quote_prefix(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["邻里纠纷", "a=b", 12, None, 1.5])
def test_harmless_values_pass_unchanged(value):
    assert safe_cell(value) == value


def test_csv_has_a_byte_order_mark_and_escaped_cells():
    data = csv_bytes(["名称"], [[EVIL], ["邻里纠纷"]])
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [["名称"], ["'" + EVIL], ["邻里纠纷"]]


def test_xlsx_cells_are_plain_escaped_strings():
    sheet = load_workbook(io.BytesIO(xlsx_bytes(["名称"], [[EVIL]]))).active
    cell = sheet["A2"]
    assert cell.value == "'" + EVIL and cell.data_type == "s"


@pytest.mark.django_db
def test_the_public_export_escapes_an_item_named_like_a_formula(client, people, today):
    publish_new(people, TODAY, content={"name": EVIL})
    body = client.get("/catalog/public/export.csv").content.decode("utf-8-sig")
    assert "'" + EVIL in body and "\n" + EVIL not in body and "," + EVIL not in body
    response = client.get("/catalog/public/export.xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    names = [row[4] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert names == ["'" + EVIL]
