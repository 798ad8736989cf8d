"""The security audit trail: what it records, the hash chain and its check, append-only,
retention, and search and export by a security auditor — never personal values."""

import datetime
import io

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.test import Client
from django.utils import timezone

from integrations.services import api_client_create, api_client_revoke
from personnel import services as personnel_services
from personnel.choices import OrgKind
from security import audit
from security.choices import EventKind
from security.models import AppendOnlyError, SecurityEvent
from tests.personnel.factories import StaffFactory, org

from .conftest import sign_in


@pytest.fixture
def auditor(django_user_model):
    user = django_user_model.objects.create_user("auditor", password="pw-for-tests-1")
    user.groups.add(Group.objects.get(name="安全审计员"))
    return user


def _verify() -> str:
    out = io.StringIO()
    call_command("verify_audit_chain", stdout=out)
    return out.getvalue()


def test_sign_ins_and_failures_are_recorded_with_the_address(client, plain_user):
    sign_in(client, "plain", "wrong", REMOTE_ADDR="10.1.2.3")
    sign_in(client, "plain", REMOTE_ADDR="10.1.2.3")
    client.post("/accounts/logout/", REMOTE_ADDR="10.1.2.3")
    rows = list(SecurityEvent.objects.order_by("id").values_list("kind", "actor_username", "address"))
    assert rows == [
        (EventKind.LOGIN_FAILED, "plain", "10.1.2.3"),
        (EventKind.LOGIN, "plain", "10.1.2.3"),
        (EventKind.LOGOUT, "plain", "10.1.2.3"),
    ]


def test_each_row_chains_to_the_previous_and_the_command_finds_a_change(plain_user):
    for n in range(3):
        audit.record(EventKind.SETTINGS_CHANGED, target=f"thing:{n}")
    rows = list(SecurityEvent.objects.order_by("id"))
    assert [r.prev_hash for r in rows[1:]] == [r.hash for r in rows[:-1]]
    assert "chain intact" in _verify()
    middle = rows[1]
    with connection.cursor() as cursor:
        if (
            connection.vendor == "postgresql"
        ):  # the trigger refuses it: switch it off as a tamperer with DDL rights would
            cursor.execute("ALTER TABLE security_securityevent DISABLE TRIGGER security_event_append_only")
        cursor.execute("UPDATE security_securityevent SET target = 'thing:x' WHERE id = %s", [middle.id])
        cursor.execute("DELETE FROM security_securityevent WHERE id = %s", [rows[2].id])
        audit.record(EventKind.SETTINGS_CHANGED, target="thing:3")
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE security_securityevent ENABLE TRIGGER security_event_append_only")
    with pytest.raises(CommandError) as broken:
        _verify()
    assert f"{middle.id}: content changed" in str(broken.value)


def test_rows_cannot_be_changed_or_deleted(db):
    row = audit.record(EventKind.SETTINGS_CHANGED, target="thing:1")
    row.target = "thing:2"
    with pytest.raises(AppendOnlyError):
        row.save()
    with pytest.raises(AppendOnlyError):
        SecurityEvent.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        SecurityEvent.objects.update(target="x")


@pytest.mark.postgres
def test_the_database_refuses_changes_and_early_deletes(db):
    row = audit.record(EventKind.SETTINGS_CHANGED, target="thing:1")
    for sql in (
        "UPDATE security_securityevent SET target = 'x' WHERE id = %s",
        "DELETE FROM security_securityevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [row.id])


def test_purge_keeps_at_least_180_days_and_the_chain_still_verifies(db, settings):
    settings.SECURITY_AUDIT_RETENTION_DAYS = 180
    start = timezone.now()
    with time_machine.travel(start - datetime.timedelta(days=1000), tick=False):
        old = audit.record(EventKind.LOGIN, target="old")
    with time_machine.travel(start - datetime.timedelta(days=179), tick=False):
        young = audit.record(EventKind.LOGIN, target="young")
    call_command("purge_security_events", stdout=io.StringIO())
    assert not SecurityEvent.objects.filter(pk=old.pk).exists()
    assert SecurityEvent.objects.filter(pk=young.pk).exists()
    purged = SecurityEvent.objects.get(kind=EventKind.AUDIT_PURGED)
    assert purged.detail["removed"] == 1 and purged.detail["anchor"] == young.prev_hash
    assert "chain intact" in _verify()


def test_roles_api_keys_reveals_and_calendar_are_recorded_without_personal_values(tree, supervisor):
    from events.models import CalendarDay

    unit = org(tree.county, kind=OrgKind.DEPARTMENT)
    created = api_client_create(actor=supervisor, organisation=unit, name="system", scopes=["read"])
    api_client_revoke(actor=supervisor, client=created.client)
    staff = StaffFactory(mobile="13912345678", organisation=unit)
    personnel_services.staff_unmask(actor=supervisor, staff=staff, field="mobile", purpose="核实身份")
    CalendarDay.objects.create(date=datetime.date(2026, 12, 31), is_workday=False, note="测试")
    kinds = set(SecurityEvent.objects.values_list("kind", flat=True))
    assert {
        EventKind.ROLE_CHANGED,
        EventKind.API_KEY_CREATED,
        EventKind.API_KEY_REVOKED,
        EventKind.REVEAL,
        EventKind.CALENDAR_CHANGED,
    } <= kinds
    reveal = SecurityEvent.objects.get(kind=EventKind.REVEAL)
    assert reveal.actor_username == "boss" and reveal.target == f"staff:{staff.pk}"
    everything = " ".join(str(v) for v in SecurityEvent.objects.values_list("target", "detail"))
    assert "13912345678" not in everything and staff.id_number not in everything


def test_the_auditor_searches_and_exports_and_the_export_is_recorded(client, auditor, plain_user):
    sign_in(Client(), "plain", "wrong")
    client.force_login(auditor)
    page = client.get("/security/audit/", {"kind": EventKind.LOGIN_FAILED}).content.decode()
    assert "登录失败" in page and "plain" in page
    export = client.get("/security/audit/export.csv", {"kind": EventKind.LOGIN_FAILED})
    body = b"".join(export.streaming_content).decode("utf-8-sig")
    assert body.splitlines()[0].startswith("id,at,kind") and "login_failed" in body
    exported = SecurityEvent.objects.get(kind=EventKind.EXPORT)
    assert exported.actor_username == "auditor" and exported.target == "/security/audit/export.csv"
    assert exported.detail["parameters"] == ["kind"]


def test_others_may_not_read_the_trail(client, plain_user):
    client.force_login(plain_user)
    assert client.get("/security/audit/").status_code == 403
    assert client.get("/security/audit/export.csv").status_code == 403
