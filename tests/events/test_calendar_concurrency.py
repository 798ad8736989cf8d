"""PostgreSQL: a calendar change and a clock being computed at the same time (issue 21)."""

import datetime
import threading
import time

import pytest
from django.db import connection, connections, transaction

from events import calendar
from events import services as s
from events.choices import ActionKind
from events.models import Action, Event
from personnel.choices import PlatformRole
from tests.events.calendar_helpers import NOTICE_2027, ranges_of
from tests.events.conftest import TZ
from tests.scenario import member

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _waiting_on_advisory_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
        return cursor.fetchone()[0]


def test_a_confirm_waits_for_a_clock_computed_on_the_old_calendar_then_moves_it(world, clock):
    admin = member(world.authority, PlatformRole.CALENDAR_ADMIN)
    clock.move_to(datetime.datetime(2027, 2, 3, 10, tzinfo=TZ))
    ev = s.event_accept(actor=world.dispatcher, event=world.report())
    ev = s.event_dispatch(actor=world.dispatcher, event=ev, lead_unit=world.unit)
    computed, release = threading.Event(), threading.Event()
    results = {}

    def sign():  # signs (the complete clock on the estimated calendar) and holds its transaction open
        try:
            with transaction.atomic():
                results["sign"] = s.event_sign(actor=world.handler, event=Event.objects.get(pk=ev.pk))
                computed.set()
                release.wait(30)
        finally:
            connections.close_all()

    def confirm():
        try:
            computed.wait(30)
            results["confirm"] = calendar.calendar_notice_confirm(actor=admin, year=2027, ranges=ranges_of(NOTICE_2027))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sign), threading.Thread(target=confirm)]
    for t in threads:
        t.start()
    assert computed.wait(30)
    deadline = time.monotonic() + 20
    while not _waiting_on_advisory_lock() and time.monotonic() < deadline:
        time.sleep(0.02)  # poll until the confirm waits on the calendar lock
    assert _waiting_on_advisory_lock() == 1
    assert results["sign"].complete_due_at == datetime.datetime(2027, 2, 12, 17, 30, tzinfo=TZ)
    release.set()
    for t in threads:
        t.join(30)
    assert results["confirm"]["events"] == 1
    ev.refresh_from_db()
    assert ev.complete_due_at == datetime.datetime(2027, 2, 15, 17, 30, tzinfo=TZ)
    assert Action.objects.filter(event=ev, kind=ActionKind.RECLOCK).count() == 1


def test_a_confirm_moves_two_thousand_open_clocks_once_each(world, clock, capsys):
    """2,000 handling events (bulk-cloned rows) whose deadline the notice moves: one
    confirm moves each once, with one timeline row each. The duration is printed."""
    admin = member(world.authority, PlatformRole.CALENDAR_ADMIN)
    clock.move_to(datetime.datetime(2027, 2, 3, 10, tzinfo=TZ))
    ev = s.event_accept(actor=world.dispatcher, event=world.report())
    ev = s.event_dispatch(actor=world.dispatcher, event=ev, lead_unit=world.unit)
    ev = s.event_sign(actor=world.handler, event=ev)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO events_event (number, tracking_code, item_id, item_version_id, category, grade, status, source,
              level, area_id, township_id, county_id, title, description, attributes, address, datum, reporter_id,
              contact_name, contact_phone, external_ref, discovered_at, reported_at, dispatched_at, signed_at,
              lead_unit_id, reject_reason, self_handled, accept_due_at, accept_warn_at, complete_due_at,
              complete_warn_at, next_alert_at, cycle, alert_level, rework_count, return_count, extension_count,
              suspension_count, urge_count, version, created_at, updated_at)
            SELECT 'X' || lpad(g::text, 14, '0'), 'T' || lpad(g::text, 11, '0'), item_id, item_version_id, category,
              grade, status, source, level, area_id, township_id, county_id, title, description, attributes, address,
              datum, reporter_id, contact_name, contact_phone, external_ref, discovered_at, reported_at, dispatched_at,
              signed_at, lead_unit_id, reject_reason, self_handled, accept_due_at, accept_warn_at, complete_due_at,
              complete_warn_at, next_alert_at, 1, 'none', 0, 0, 0, 0, 0, 1, created_at, updated_at
            FROM events_event, generate_series(1, 1999) g WHERE id = %s
            """,
            [ev.pk],
        )
    started = time.monotonic()
    done = calendar.calendar_notice_confirm(actor=admin, year=2027, ranges=ranges_of(NOTICE_2027))
    took = time.monotonic() - started
    with capsys.disabled():
        print(f"\nconfirm moving 2,000 open clocks: {took:.2f} s, {done}")
    assert done["events"] == 2000
    assert Action.objects.filter(kind=ActionKind.RECLOCK).count() == 2000
    due = datetime.datetime(2027, 2, 15, 17, 30, tzinfo=TZ)
    assert Event.objects.filter(complete_due_at=due).count() == 2000
