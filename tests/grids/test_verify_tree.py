"""manage.py verify_tree passes on a sound tree and fails, naming nodes, on a broken one."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from grids.models import Area

pytestmark = pytest.mark.django_db


def test_sound_tree_passes(tree):
    out = StringIO()
    call_command("verify_tree", stdout=out)
    assert "tree ok" in out.getvalue()


def test_corrupted_numbers_fail_with_a_non_zero_exit_naming_the_node(tree):
    Area.objects.filter(pk=tree.grid2.pk).update(lft=tree.grid2.lft + 1)
    err = StringIO()
    with pytest.raises(CommandError, match="the tree is broken"):
        call_command("verify_tree", stderr=err)
    assert tree.grid2.code in err.getvalue()


def test_non_zero_exit_status_from_the_command_line(tree):
    Area.objects.filter(pk=tree.grid.pk).update(parent=tree.village2)  # parent link without renumbering
    with pytest.raises(SystemExit) as excinfo:
        from django.core.management import execute_from_command_line

        execute_from_command_line(["manage.py", "verify_tree"])
    assert excinfo.value.code != 0


def test_wrong_level_and_code_prefix_are_reported(tree):
    Area.objects.filter(pk=tree.micro_grid.pk).update(level="grid")
    Area.objects.filter(pk=tree.other_grid.pk).update(code=tree.village.code + "099")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("verify_tree", stderr=err)
    assert f"{tree.micro_grid.code}: a grid under a grid" in err.getvalue()
    assert "grid code is not its parent's code" in err.getvalue()
