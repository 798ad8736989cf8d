"""Layout, language switch, form rendering, login and the workbench."""

import pytest

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-1"


def test_landing_page_shows_the_tree_counts_lookup_and_catalogue(client, staffed):
    html = client.get("/").content.decode()
    assert 'data-level="county">2<' in html
    assert 'data-level="grid">3<' in html
    assert 'action="/public/grids/"' in html
    assert 'href="/catalog/public/"' in html


def test_switching_to_english_translates_the_page(client, staffed):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    html = client.get("/").content.decode()
    assert "Ningbo Urban-Rural Grid Service Management Platform" in html
    assert "网格化服务管理平台" not in html.split("<body", 1)[1].replace('lang="zh-hans">中文', "")
    assert client.get("/").headers["Content-Language"] == "en"


@pytest.mark.parametrize("accept", ["en-US,en;q=0.9", "en", "de-DE,en;q=0.5", "*"])
def test_chinese_is_the_default_whatever_the_browser_asks_for(client, staffed, accept):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE=accept)
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "宁波市城乡网格化服务管理平台" in html
    assert response.headers["Content-Language"] == "zh-hans"
    # Errors too: a form posted from an English browser answers in Chinese.
    html = client.post("/accounts/login/", {"username": "", "password": ""}, HTTP_ACCEPT_LANGUAGE=accept)
    assert "该字段是必填项。" in html.content.decode()


def test_english_only_when_picked_and_back_to_chinese_with_the_switch(client, staffed):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"}, HTTP_ACCEPT_LANGUAGE="zh-CN")
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    assert '<html lang="en">' in response.content.decode()
    assert "Cookie" in response.headers["Vary"]
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"}, HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="zh-hans">' in client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_an_english_request_leaves_no_english_behind(client, staffed):
    from django.template.loader import render_to_string
    from django.utils import translation

    client.cookies["django_language"] = "en"
    assert '<html lang="en">' in client.get("/").content.decode()
    assert translation.get_language() == "zh-hans"
    assert "系统繁忙，请稍后再试" in render_to_string("500.html")


def test_an_unknown_language_cookie_falls_back_to_chinese(client, staffed):
    client.cookies["django_language"] = "fr"
    assert '<html lang="zh-hans">' in client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_pages_carry_csrf_header_for_htmx(client, staffed):
    html = client.get("/").content.decode()
    assert 'hx-headers=\'{"X-CSRFToken": "' in html
    assert "vendor/htmx/htmx.min.js" in html


def test_wrong_password_shows_a_chinese_error_and_keeps_the_username(client, staffed):
    response = client.post("/accounts/login/", {"username": "gridworker", "password": "wrong"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "请输入一个正确的" in html
    assert 'value="gridworker"' in html
    assert "wrong" not in html


def test_empty_login_marks_each_required_field_with_its_error(client, staffed):
    html = client.post("/accounts/login/", {"username": "", "password": ""}).content.decode()
    assert html.count("该字段是必填项。") == 2
    assert 'id="id_username_error"' in html and 'id="id_password_error"' in html
    assert 'class="form-control is-invalid"' in html
    assert 'aria-describedby="id_username_error"' in html


def test_form_errors_follow_the_users_language(client, staffed):
    client.cookies["django_language"] = "en"
    html = client.post("/accounts/login/", {"username": "", "password": ""}).content.decode()
    assert "This field is required." in html


def test_worker_workbench_shows_their_grid_and_role(client, staffed):
    client.force_login(staffed.worker_user)
    response = client.get("/")
    html = response.content.decode()
    assert "工作台" in html
    assert 'id="panel-grids"' in html
    assert "尹江岸第一网格" in html and "专职网格员" in html
    assert f'href="/public/grids/{staffed.grid.code}/"' in html


def test_dispatcher_workbench_shows_their_organisation(client, staffed):
    client.force_login(staffed.dispatcher_user)
    html = client.get("/").content.decode()
    assert "南门街道办事处" in html and "乡镇（街道）调度员" in html
    assert 'id="panel-grids"' not in html


def test_menu_shows_admin_only_to_staff_users(client, staffed, django_user_model):
    client.force_login(staffed.worker_user)
    assert 'href="/admin/"' not in client.get("/").content.decode()
    staffed.worker_user.is_staff = True
    staffed.worker_user.save()
    assert 'href="/admin/"' in client.get("/").content.decode()


def test_workbench_costs_a_fixed_number_of_queries(client, staffed, django_assert_max_num_queries):
    client.force_login(staffed.worker_user)
    # session, user, OTP device, assignments, memberships, and the panels (2 each: ledgers, tasks)
    with django_assert_max_num_queries(11):
        client.get("/")


def test_registered_panel_appears_on_the_workbench(client, staffed):
    from ningbo_grid import workbench

    def urgent(request, roles):
        return workbench.Panel(
            key="urgent", title="待办", template="includes/panels/my_roles.html", order=10, badge=3, level="danger"
        )

    workbench.register_panel(urgent)
    try:
        client.force_login(staffed.worker_user)
        html = client.get("/").content.decode()
    finally:
        workbench._registry.remove(urgent)
    assert html.index('id="panel-urgent"') < html.index('id="panel-grids"')
    assert "text-bg-danger" in html


def test_logout_is_a_post_and_a_get_shows_the_button(client, staffed):
    client.force_login(staffed.worker_user)
    page = client.get("/accounts/logout/")  # a typed or bookmarked address: no blank 405
    html = page.content.decode()
    assert page.status_code == 200 and 'id="logout-confirm"' in html and 'method="post"' in html
    assert client.get("/").status_code == 200  # still signed in: a GET signs nobody out
    assert client.post("/accounts/logout/").status_code == 302
    assert "/accounts/login/" in client.get("/events/").url
    assert "您已退出登录" in client.get("/accounts/logout/").content.decode()


def test_favicon_is_served_and_linked(client, settings):
    from django.test import Client

    html = client.get("/").content.decode()
    assert '<link rel="icon" href="/static/mobile/icon-192' in html  # small: counts in the phone's first visit
    response = Client().get("/favicon.ico")
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO file


def test_catalogue_item_names_are_english_on_english_pages(client):
    from catalog.models import ServiceItemVersion
    from tests.scenario import make_item

    item = make_item("04-001")
    ServiceItemVersion.objects.filter(item=item).update(name="邻里纠纷", name_en="Neighbour disputes")
    client.cookies["django_language"] = "en"
    html = client.get("/catalog/public/").content.decode()
    assert "Neighbour disputes" in html and "邻里纠纷" not in html
    client.cookies["django_language"] = "zh-hans"
    html = client.get("/catalog/public/").content.decode()
    assert "邻里纠纷" in html and "Neighbour disputes" not in html


def test_the_dispatch_record_reads_as_a_sentence_in_english(client):
    """The event page's 派遣记录 in English: "(Lead unit, round 1)", not "round1round"."""
    from events import services
    from tests.scenario import make_world

    world = make_world()
    event = services.event_accept(actor=world.dispatcher, event=world.report())
    services.event_dispatch(actor=world.dispatcher, event=event, lead_unit=world.unit)
    client.force_login(world.dispatcher)
    client.cookies["django_language"] = "en"
    html = client.get(f"/events/{event.number}/").content.decode()
    assert f"<li>{world.unit.name} (Lead unit, round 1)</li>" in html
    assert "round1round" not in html
    client.cookies["django_language"] = "zh-hans"
    html = client.get(f"/events/{event.number}/").content.decode()
    assert f"<li>{world.unit.name}（主办，第1轮）</li>" in html


def test_the_working_day_calendar_names_the_weekdays_in_english(client):
    """/events/calendar/ in English heads each month with English weekdays, not 一…日."""
    from tests.scenario import make_world

    world = make_world()
    client.force_login(world.supervisor)
    client.cookies["django_language"] = "en"
    html = client.get("/events/calendar/?year=2027").content.decode()
    heads = "".join(f'<th scope="col">{d}</th>' for d in ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"])
    assert html.count(heads) == 12
    assert '<th scope="col">一</th>' not in html
    client.cookies["django_language"] = "zh-hans"
    html = client.get("/events/calendar/?year=2027").content.decode()
    assert html.count("".join(f'<th scope="col">{d}</th>' for d in "一二三四五六日")) == 12
