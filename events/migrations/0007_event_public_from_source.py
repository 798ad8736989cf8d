"""Existing events: publish what the public itself reported (demands and complaints, which
include Open311 POSTs); staff, patrol and external reports stay internal (Issue 12.7: the
Open311 list published every event before). Reversing leaves the mark as it is (0005's
reverse drops the column)."""

from django.db import migrations

#: events.services.PUBLIC_SOURCES as values (a migration does not import the app's code).
PUBLIC_SOURCES = ("public_demand", "complaint")


def publish_public_reports(apps, schema_editor):
    Event = apps.get_model("events", "Event")
    Event.objects.filter(source__in=PUBLIC_SOURCES, public=False).update(public=True)


class Migration(migrations.Migration):
    dependencies = [("events", "0006_event_public_mark")]

    operations = [migrations.RunPython(publish_public_reports, migrations.RunPython.noop)]
