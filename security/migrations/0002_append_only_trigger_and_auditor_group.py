"""The audit trail's database guard (PostgreSQL: no UPDATE; DELETE only of rows older than
180 days, the minimum retention) and the security auditor role (a group with the trail's
view and export permissions)."""

from django.db import migrations

TRIGGER = """
CREATE OR REPLACE FUNCTION security_event_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        RAISE EXCEPTION 'security audit rows are append-only';
    END IF;
    IF OLD.at > now() - interval '180 days' THEN
        RAISE EXCEPTION 'security audit rows are kept at least 180 days';
    END IF;
    RETURN OLD;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER security_event_append_only BEFORE UPDATE OR DELETE ON security_securityevent
    FOR EACH ROW EXECUTE FUNCTION security_event_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS security_event_append_only ON security_securityevent;
DROP FUNCTION IF EXISTS security_event_append_only();
"""

AUDITOR_GROUP = "安全审计员"


def _trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGER)


def _drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


def _auditor_group(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    content_type, _ = ContentType.objects.get_or_create(app_label="security", model="securityevent")
    group, _ = Group.objects.get_or_create(name=AUDITOR_GROUP)
    for codename, name in (
        ("view_securityevent", "Can view 安全审计记录"),
        ("export_securityevent", "可导出安全审计记录"),
    ):
        perm, _ = Permission.objects.get_or_create(
            content_type=content_type, codename=codename, defaults={"name": name}
        )
        group.permissions.add(perm)


def _no_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=AUDITOR_GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("security", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(_trigger, _drop_trigger),
        migrations.RunPython(_auditor_group, _no_group),
    ]
