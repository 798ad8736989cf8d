"""Grid sums over the standard dashboard windows (issue 9: the city's grid ranking)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("evaluation", "0004_county_grid_rollups"),
        ("grids", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="GridWindowRollup",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("end", models.DateField()),
                ("days", models.PositiveSmallIntegerField()),
                ("code", models.CharField(max_length=18)),
                ("name", models.CharField(max_length=100)),
                ("tree_id", models.PositiveIntegerField()),
                ("lft", models.PositiveIntegerField()),
                ("reported", models.PositiveIntegerField(default=0)),
                ("rejected", models.PositiveIntegerField(default=0)),
                ("closed", models.PositiveIntegerField(default=0)),
                ("due", models.PositiveIntegerField(default=0)),
                ("on_time", models.PositiveIntegerField(default=0)),
                ("overdue", models.PositiveIntegerField(default=0)),
                (
                    "area",
                    models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="grids.area"),
                ),
            ],
            options={
                "verbose_name": "网格窗口汇总",
                "verbose_name_plural": "网格窗口汇总",
                "indexes": [models.Index(fields=["end", "days", "tree_id", "lft"], name="grid_window_range")],
                "constraints": [models.UniqueConstraint(fields=("end", "days", "area"), name="grid_window_once")],
            },
        ),
    ]
