"""The working-day calendar page and the workbench warning (issue 21, Art. 17)."""

import datetime

import chinese_calendar
import pytest
from django.urls import reverse

from events.choices import ActionKind, CalendarSource
from events.models import Action, CalendarDay
from events.workcalendar import _Calendar, year_source
from personnel.choices import PlatformRole
from tests.events.calendar_helpers import NOTICE_2026, NOTICE_2027, digest_of, form_rows, official_2026
from tests.events.conftest import TZ
from tests.scenario import member

pytestmark = pytest.mark.django_db
URL = reverse("events:calendar")


@pytest.fixture
def admin(world):
    return member(world.authority, PlatformRole.CALENDAR_ADMIN)


def test_the_2026_notice_entered_on_the_page_matches_the_official_calendar_every_day(client, admin, monkeypatch):
    client.force_login(admin)
    preview = client.post(URL, form_rows(2026, NOTICE_2026))
    assert preview.status_code == 200
    html = preview.content.decode()
    assert 'id="calendar-preview"' in html and 'value="confirm"' in html
    assert 'data-day="2026-02-14" data-work="1"' in html and 'data-day="2026-02-16" data-work="0"' in html
    assert year_source(2026) == CalendarSource.OFFICIAL  # a preview changes nothing
    confirmed = client.post(URL, form_rows(2026, NOTICE_2026, action="confirm", digest=digest_of(2026, NOTICE_2026)))
    assert confirmed.status_code == 302
    assert year_source(2026) == CalendarSource.CONFIRMED
    official = official_2026()
    monkeypatch.setattr(chinese_calendar, "is_workday", lambda day: 1 / 0)  # the notice alone answers
    cal = _Calendar()
    assert {day: cal.is_workday(day) for day in official} == official


def test_a_wrong_notice_is_refused_in_chinese_and_keeps_what_was_typed(client, admin):
    client.force_login(admin)
    rows = [("holiday", "春节", "2027-02-06", "2027-02-14"), ("workday", "春节", "2027-02-19", "")]
    response = client.post(URL, form_rows(2027, rows))
    assert response.status_code == 400
    html = response.content.decode()
    assert "不是周末" in html
    assert 'value="2027-02-19"' in html and 'value="2027-02-06"' in html
    assert 'value="confirm"' not in html


def test_a_confirm_that_differs_from_the_preview_is_shown_again(client, admin):
    client.force_login(admin)
    response = client.post(URL, form_rows(2027, NOTICE_2027, action="confirm", digest="stale"))
    assert response.status_code == 200 and "请核对后再确认" in response.content.decode()
    assert year_source(2027) == CalendarSource.ESTIMATED


def test_a_day_corrected_on_the_page_moves_clocks(client, admin, world, clock):
    from events import services as s

    ev = s.event_accept(actor=world.dispatcher, event=world.report())
    ev = s.event_dispatch(actor=world.dispatcher, event=ev, lead_unit=world.unit)
    ev = s.event_sign(actor=world.handler, event=ev)  # Monday 9 June 2025 09:00, due Thursday 17:30
    client.force_login(admin)
    data = {"action": "day", "d-day": "2025-06-11", "d-is_workday": "0", "d-note": "台风停工"}
    assert client.post(URL, data).status_code == 302
    assert CalendarDay.objects.get(date=datetime.date(2025, 6, 11)).note == "台风停工"
    ev.refresh_from_db()
    assert ev.complete_due_at == datetime.datetime(2025, 6, 13, 17, 30, tzinfo=TZ)
    assert Action.objects.filter(event=ev, kind=ActionKind.RECLOCK).count() == 1


def test_who_sees_the_page(client, admin, world):
    client.force_login(world.supervisor)
    page = client.get(URL)
    assert page.status_code == 200 and 'id="notice-form"' not in page.content.decode()
    assert client.post(URL, form_rows(2027, NOTICE_2027)).status_code == 403
    for user in (world.worker, world.handler, world.dispatcher):
        client.force_login(user)
        assert client.get(URL).status_code == 403
    client.logout()
    assert client.get(URL).status_code == 302


def test_the_workbench_warns_from_november_until_next_year_is_confirmed(client, admin, world, clock):
    clock.move_to(datetime.datetime(2026, 10, 31, 9, tzinfo=TZ))
    client.force_login(world.supervisor)
    assert 'id="panel-calendar"' not in client.get("/").content.decode()
    clock.move_to(datetime.datetime(2026, 11, 1, 9, tzinfo=TZ))
    for user in (world.supervisor, admin):
        client.force_login(user)
        html = client.get("/").content.decode()
        assert 'id="panel-calendar"' in html and f"{URL}?year=2027" in html
    client.force_login(world.worker)
    assert 'id="panel-calendar"' not in client.get("/").content.decode()
    client.force_login(admin)
    client.post(URL, form_rows(2027, NOTICE_2027, action="confirm", digest=digest_of(2027, NOTICE_2027)))
    client.force_login(world.supervisor)
    assert 'id="panel-calendar"' not in client.get("/").content.decode()
