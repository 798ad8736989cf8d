"""Public demands no longer act through a `public-intake` account (events.services.
event_public_demand files them without a user): remove the grants that account
received on each submission (`report_event` on a tree root) and deactivate it. The
account itself stays, as the reporter of the demands it filed before."""

from django.db import migrations

USERNAME = "public-intake"


def retire(apps, schema_editor):
    User = apps.get_model("auth", "User")
    AreaGrant = apps.get_model("personnel", "AreaGrant")
    users = User.objects.filter(username=USERNAME)
    AreaGrant.objects.filter(user__in=users).delete()
    users.update(is_active=False)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("personnel", "0004_access_log_event_contact"),
    ]

    operations = [migrations.RunPython(retire, migrations.RunPython.noop)]
