"""Integrity checks of the area tree, for `manage.py verify_tree` and the tests.

The MPTT numbers are recomputed from the parent links (siblings in their stored
order) and compared with the stored ones; a node whose numbers differ, or that no
root reaches (a cycle, a dangling parent), is broken. Also checked: one root, the
city; each level under its parent level (`grids.choices.PARENT_LEVEL`); the unified
code (12-digit divisions sharing their parent's prefix, grid = village code + 3 digits,
micro-grid = grid code + 3 digits); no active node under a retired one.
"""

from .choices import DIVISION_LEVELS, PARENT_LEVEL, Level, Status
from .importing import PREFIX_DIGITS
from .models import Area
from .treebuild import number_tree


def tree_problems() -> tuple[int, list[tuple[str, str]]]:
    """Return (number of nodes, [(code, problem), …]) ordered by code; empty list if sound."""
    fields = ("pk", "code", "parent_id", "level", "status", "tree_id", "lft", "rght", "depth")
    nodes = {row[0]: dict(zip(fields, row, strict=True)) for row in Area.objects.order_by().values_list(*fields)}
    stored = {pk: (n["tree_id"], n["lft"], n["rght"], n["depth"]) for pk, n in nodes.items()}
    parent_of = {pk: n["parent_id"] for pk, n in nodes.items()}
    expected = number_tree(parent_of, sort_key=lambda pk: stored[pk][:2])
    problems = []
    for pk, node in nodes.items():
        parent = nodes.get(node["parent_id"])
        for problem in _node_problems(node, parent, stored[pk], expected.get(pk)):
            problems.append((node["code"], problem))
    return len(nodes), sorted(problems)


def _node_problems(node: dict, parent: dict | None, stored: tuple, expected: tuple | None):
    if expected is None:
        yield "not reachable from the root (cycle or missing parent)"
    elif stored != expected:
        yield f"MPTT numbers (tree, lft, rght, depth) are {stored}, expected {expected} from the parent links"
    code, level = node["code"], node["level"]
    if parent is None:
        if node["parent_id"] is None and level != Level.CITY:
            yield f"a {level} at the root: only the city may be a root"
        return
    if PARENT_LEVEL.get(level) != parent["level"]:
        yield f"a {level} under a {parent['level']} ({parent['code']})"
    if level in DIVISION_LEVELS:
        digits = PREFIX_DIGITS.get(level)
        if len(code) != 12 or not code.isdigit() or (digits and code[:digits] != parent["code"][:digits]):
            yield f"division code does not extend its parent's code {parent['code']}"
    elif len(code) != len(parent["code"]) + 3 or not code.startswith(parent["code"]) or not code[-3:].isdigit():
        yield f"grid code is not its parent's code {parent['code']} + 3 digits"
    if node["status"] == Status.ACTIVE and parent["status"] != Status.ACTIVE:
        yield f"active under the retired {parent['code']}"
