"""Staff office (issue #18): staff personal data encrypted at rest, training sessions with
attendees, public commendations, work-station phones, the `manage_staff` grant.

Data steps: existing clear mobiles and ID numbers are encrypted in place (raw SQL: the
historical field would try to decrypt them); each distinct old training row (title, tier,
date, hours) becomes one session at the city node of the staff member's first grid with
its attendees; current dispatchers and supervisors get `manage_staff` on their
organisation's area (`personnel.roles`), as `grants_sync` would give it.
"""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

import ningbo_grid.crypto
import personnel.validators


def encrypt_personal_data(apps, schema_editor):
    from ningbo_grid.crypto import encrypt, keyed_hash

    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT id, mobile, id_number FROM personnel_staff WHERE mobile <> '' OR id_number <> ''")
        rows = cursor.fetchall()
        for pk, mobile, id_number in rows:
            mobile = personnel.validators.normalise_mobile(mobile)
            id_number = personnel.validators.normalise_id_number(id_number)
            cursor.execute(
                "UPDATE personnel_staff SET mobile = %s, mobile_hash = %s, id_number = %s, id_number_hash = %s "
                "WHERE id = %s",
                [
                    encrypt(mobile) if mobile else "",
                    keyed_hash(mobile) if mobile else "",
                    encrypt(id_number) if id_number else "",
                    keyed_hash(id_number) if id_number else "",
                    pk,
                ],
            )


def trainings_to_sessions(apps, schema_editor):
    Training = apps.get_model("personnel", "Training")
    TrainingSession = apps.get_model("personnel", "TrainingSession")
    Area = apps.get_model("grids", "Area")
    Assignment = apps.get_model("personnel", "Assignment")
    sessions = {}
    for row in Training.objects.order_by("id"):
        first = Assignment.objects.filter(staff_id=row.staff_id).order_by("start", "id").first()
        tree_id = first.area.tree_id if first else None
        root = (
            Area.objects.filter(parent__isnull=True, **({"tree_id": tree_id} if tree_id else {})).order_by("id").first()
        )
        if root is None:
            row.delete()  # no area tree at all: nothing a session could be anchored to
            continue
        key = (row.title, row.tier, row.date, row.hours, root.pk)
        if key not in sessions:
            sessions[key] = TrainingSession.objects.create(
                title=row.title, tier=row.tier, date=row.date, hours=row.hours, area=root
            )
        row.session = sessions[key]
        row.save(update_fields=["session"])


def grant_manage_staff(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Membership = apps.get_model("personnel", "Membership")
    AreaGrant = apps.get_model("personnel", "AreaGrant")
    ct, _created = ContentType.objects.get_or_create(app_label="grids", model="area")
    perm, _created = Permission.objects.get_or_create(
        content_type=ct, codename="manage_staff", defaults={"name": "管理网格服务管理人员"}
    )
    today = django.utils.timezone.localdate()
    memberships = Membership.objects.filter(role__in=["dispatcher", "supervisor"], start__lte=today).filter(
        models.Q(end__isnull=True) | models.Q(end__gte=today)
    )
    for user_id, area_id in memberships.values_list("user_id", "organisation__area_id").distinct():
        AreaGrant.objects.get_or_create(user_id=user_id, permission=perm, content_object_id=area_id)


class Migration(migrations.Migration):
    dependencies = [
        ("grids", "0005_manage_staff_permission"),
        ("personnel", "0008_team_member_duties"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AddField(
            model_name="staff",
            name="id_number_hash",
            field=ningbo_grid.crypto.BlindIndexField(blank=True, db_index=True, editable=False, max_length=80),
        ),
        migrations.AddField(
            model_name="staff",
            name="mobile_hash",
            field=ningbo_grid.crypto.BlindIndexField(blank=True, db_index=True, editable=False, max_length=80),
        ),
        migrations.AlterField(
            model_name="staff",
            name="id_number",
            field=ningbo_grid.crypto.EncryptedField(
                blank=True,
                default="",
                hash_field="id_number_hash",
                normalise=personnel.validators.normalise_id_number,
                validators=[personnel.validators.validate_id_number],
                verbose_name="身份证号码",
            ),
        ),
        migrations.AlterField(
            model_name="staff",
            name="mobile",
            field=ningbo_grid.crypto.EncryptedField(
                blank=True,
                default="",
                hash_field="mobile_hash",
                normalise=personnel.validators.normalise_mobile,
                validators=[personnel.validators.validate_mobile],
                verbose_name="手机号码",
            ),
        ),
        migrations.RunPython(encrypt_personal_data, elidable=False),
        migrations.CreateModel(
            name="TrainingSession",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("title", models.CharField(max_length=200, verbose_name="培训名称")),
                (
                    "tier",
                    models.CharField(
                        choices=[("city", "市级"), ("district", "区（县、市）级"), ("township", "乡镇（街道）级")],
                        max_length=10,
                        verbose_name="培训层级",
                    ),
                ),
                ("date", models.DateField(verbose_name="培训日期")),
                ("hours", models.DecimalField(decimal_places=1, max_digits=5, verbose_name="学时（小时）")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "area",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="training_sessions",
                        to="grids.area",
                        verbose_name="组织辖区",
                    ),
                ),
            ],
            options={"verbose_name": "培训班次", "verbose_name_plural": "培训班次", "ordering": ["-date", "id"]},
        ),
        migrations.AddField(
            model_name="training",
            name="session",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="attendances",
                to="personnel.trainingsession",
                verbose_name="培训班次",
            ),
        ),
        migrations.RunPython(trainings_to_sessions, elidable=False),
        migrations.AlterField(
            model_name="training",
            name="session",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="attendances",
                to="personnel.trainingsession",
                verbose_name="培训班次",
            ),
        ),
        migrations.AlterModelOptions(
            name="training",
            options={
                "ordering": ["-session__date", "id"],
                "verbose_name": "培训记录",
                "verbose_name_plural": "培训记录",
            },
        ),
        migrations.RemoveField(model_name="training", name="date"),
        migrations.RemoveField(model_name="training", name="hours"),
        migrations.RemoveField(model_name="training", name="tier"),
        migrations.RemoveField(model_name="training", name="title"),
        migrations.AddConstraint(
            model_name="training",
            constraint=models.UniqueConstraint(fields=("session", "staff"), name="training_once_per_session"),
        ),
        migrations.AddField(
            model_name="commendation",
            name="is_public",
            field=models.BooleanField(default=False, verbose_name="在网格公示卡上公开"),
        ),
        migrations.AddField(
            model_name="workstation",
            name="phone",
            field=models.CharField(blank=True, max_length=30, verbose_name="联系电话（公开）"),
        ),
        migrations.RunPython(grant_manage_staff, elidable=False),
    ]
