"""A province above the cities (level `province`), and gaps after each township's numbers.

The data step renumbers the existing tree's MPTT columns (`tree_id`, `lft`, `rght`,
`depth`) with a gap after each township (`grids.treebuild.number_tree`), so that later
inserts shift one township's rows instead of the whole tree. Codes, names, parents and
the adjustment history are not touched; reversing leaves the (valid) gaps in place.
"""

from django.db import migrations, models

from grids.treebuild import number_tree, write_numbers


def space_townships(apps, schema_editor):
    area = apps.get_model("grids", "Area")
    rows = list(area.objects.order_by().values_list("pk", "parent_id", "level", "tree_id", "lft", "rght", "depth"))
    if not rows:
        return
    stored = {pk: (tree_id, lft, rght, depth) for pk, _parent, _level, tree_id, lft, rght, depth in rows}
    numbers = number_tree(
        {pk: parent for pk, parent, *_ in rows},
        sort_key=lambda pk: stored[pk][:2],  # keep the stored sibling order
        banded={pk for pk, _parent, level, *_ in rows if level == "township"},
    )
    moved = [(*numbers[pk], pk) for pk in stored if pk in numbers and numbers[pk] != stored[pk]]
    write_numbers(schema_editor.connection, area._meta.db_table, moved)


class Migration(migrations.Migration):
    dependencies = [
        ("grids", "0003_ledger_permissions"),
    ]

    operations = [
        migrations.AlterField(
            model_name="area",
            name="level",
            field=models.CharField(
                choices=[
                    ("province", "省"),
                    ("city", "市"),
                    ("county", "区（县、市）"),
                    ("township", "乡镇（街道）"),
                    ("village", "村（社区）"),
                    ("grid", "网格"),
                    ("micro_grid", "微网格"),
                ],
                db_index=True,
                max_length=12,
                verbose_name="层级",
            ),
        ),
        migrations.RunPython(space_townships, migrations.RunPython.noop, elidable=True),
    ]
