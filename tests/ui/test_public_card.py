"""The public grid card (Art. 10): current people only, no personal data, QR, print, 404."""

import datetime

import pytest
from django.utils import timezone

from grids.choices import Status
from grids.models import Area
from personnel.models import Assignment
from tests.scenario import LEADER_ID_NUMBER, LEADER_MOBILE

pytestmark = pytest.mark.django_db


def card(client, code, suffix=""):
    return client.get(f"/public/grids/{code}/{suffix}")


def test_card_lists_exactly_the_current_leader_worker_and_instructor(client, staffed):
    response = card(client, staffed.grid.code)
    html = response.content.decode()
    assert response.status_code == 200
    people = [(p.role, p.name) for p in response.context["card"].people]
    assert people == [("grid_leader", "张网格长"), ("fulltime_worker", "李专职"), ("instructor", "王指导")]
    for shown in ("张网格长", "0574-87001111", "统筹本网格服务管理工作", "王指导", "0574-87003333"):
        assert shown in html
    assert "赵离任" not in html  # left yesterday
    assert "钱兼职" not in html  # part-time workers are not published
    assert "尹江路以东" in html  # 区域范围
    assert "0574-87150000" in html  # the township's supervision hotline


def test_card_never_shows_mobile_or_id_numbers(client, staffed):
    for suffix in ("", "print/"):
        html = card(client, staffed.grid.code, suffix).content.decode()
        assert LEADER_MOBILE not in html
        assert LEADER_ID_NUMBER not in html
        assert "13900002222" not in html


def test_card_follows_a_change_of_leader_at_once(client, staffed):
    assert "张网格长" in card(client, staffed.grid.code).content.decode()
    Assignment.objects.filter(staff__name="张网格长").update(end=timezone.localdate() - datetime.timedelta(days=1))
    html = card(client, staffed.grid.code).content.decode()
    assert "张网格长" not in html
    assert card(client, staffed.grid.code).headers["Cache-Control"].startswith("max-age=0")


def test_card_has_an_inline_qr_code_to_its_public_url(client, staffed, settings):
    settings.SITE_URL = "https://grid.example.cn"
    response = card(client, staffed.grid.code)
    html = response.content.decode()
    assert response.context["card_url"] == f"https://grid.example.cn/public/grids/{staffed.grid.code}/"
    assert "<svg" in html and "<?xml" not in html
    assert "http" not in response.context["qr"].split("xmlns")[0]  # nothing fetched from outside


def test_print_layout_is_an_a4_notice(client, staffed):
    response = card(client, staffed.grid.code, "print/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "网格公示牌" in html and "张网格长" in html and "<svg" in html
    assert "notice.css" in html


def test_unknown_code_is_a_styled_404(client, staffed):
    response = card(client, "330203001001999")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_a_township_has_no_grid_card(client, staffed):
    assert card(client, staffed.tree.township.code).status_code == 404


def test_retired_grid_says_so_and_links_to_its_successor(client, staffed):
    grid2 = staffed.tree.grid2
    Area.objects.filter(pk=staffed.grid.pk).update(
        status=Status.RETIRED, successor=grid2, effective_to=datetime.date(2026, 3, 1)
    )
    html = card(client, staffed.grid.code).content.decode()
    assert "本网格已撤销" in html
    assert f'href="/public/grids/{grid2.code}/"' in html
    assert "张网格长" not in html


def test_lookup_by_code_redirects_to_the_card(client, staffed):
    response = client.get("/public/grids/", {"code": f" {staffed.grid.code} "})
    assert response.status_code == 302
    assert response["Location"] == f"/public/grids/{staffed.grid.code}/"


def test_lookup_of_an_unknown_code_shows_the_error_next_to_the_field_and_keeps_it(client, staffed):
    html = client.get("/public/grids/", {"code": "330203001001999"}).content.decode()
    assert 'id="id_code_error"' in html
    assert "未找到编码为 330203001001999 的网格" in html
    assert 'value="330203001001999"' in html


def test_lookup_of_a_malformed_code_is_a_form_error(client, staffed):
    response = client.get("/public/grids/", {"code": "abc"})
    assert response.status_code == 200
    assert "请输入15位或18位数字的网格编码。" in response.content.decode()
