"""Integrity checks of the area tree, for `manage.py verify_tree` and the tests.

The MPTT numbers are checked against the parent links: every child lies inside its
parent's range, one level deeper, in the same tree; siblings follow one another
(in their stored order) without overlapping. From the township down the numbers are
tight (a node's range holds exactly its subtree, first child at `lft + 1`, next
sibling at the previous one's `rght + 1`), as django-mptt keeps them; above it, the
province, city and county ranges may hold the gaps left after each township
(`grids.treebuild`). A node whose numbers break this, or that no root reaches (a
cycle, a dangling parent), is broken. Also checked: the root is the province or a
city; each level under its parent level (`grids.choices.PARENT_LEVEL`); the unified
code (12-digit divisions sharing their parent's prefix, grid = village code + 3 digits,
micro-grid = grid code + 3 digits); no active node under a retired one.
"""

from collections import defaultdict

from .choices import DIVISION_LEVELS, PARENT_LEVEL, ROOT_LEVELS, SPACED_LEVELS, Status
from .importing import PREFIX_DIGITS
from .models import Area


def tree_problems() -> tuple[int, list[tuple[str, str]]]:
    """Return (number of nodes, [(code, problem), …]) ordered by code; empty list if sound."""
    fields = ("pk", "code", "parent_id", "level", "status", "tree_id", "lft", "rght", "depth")
    nodes = {row[0]: dict(zip(fields, row, strict=True)) for row in Area.objects.order_by().values_list(*fields)}
    problems = [(nodes[pk]["code"], problem) for pk, problem in _numbering_problems(nodes)]
    for node in nodes.values():
        parent = nodes.get(node["parent_id"])
        for problem in _node_problems(node, parent):
            problems.append((node["code"], problem))
    return len(nodes), sorted(problems)


def _numbering_problems(nodes: dict[int, dict]):
    """Yield (pk, problem) for nodes whose MPTT numbers do not fit the parent links."""
    children = defaultdict(list)
    roots = []
    for pk, node in nodes.items():
        if node["parent_id"] is None:
            roots.append(pk)
        elif node["parent_id"] in nodes:
            children[node["parent_id"]].append(pk)
    reached = set(roots)
    trees = defaultdict(list)
    for pk in roots:
        trees[nodes[pk]["tree_id"]].append(pk)
        if nodes[pk]["depth"] != 0:
            yield pk, f"a root at depth {nodes[pk]['depth']}, expected 0"
    for tree_id, pks in trees.items():
        for pk in pks[1:]:
            yield pk, f"shares tree {tree_id} with another root"
    stack = list(roots)
    while stack:
        parent = nodes[stack.pop()]
        kids = sorted((nodes[pk] for pk in children[parent["pk"]]), key=lambda n: (n["lft"], n["pk"]))
        tight = parent["level"] not in SPACED_LEVELS
        previous = None
        for child in kids:
            reached.add(child["pk"])
            stack.append(child["pk"])
            if previous is None:
                starts_right = child["lft"] == parent["lft"] + 1 if tight else child["lft"] > parent["lft"]
            else:
                starts_right = child["lft"] == previous["rght"] + 1 if tight else child["lft"] > previous["rght"]
            fits = (
                child["tree_id"] == parent["tree_id"]
                and child["depth"] == parent["depth"] + 1
                and starts_right
                and child["lft"] < child["rght"] < parent["rght"]
            )
            if not fits:
                numbers = (child["tree_id"], child["lft"], child["rght"], child["depth"])
                parent_numbers = (parent["tree_id"], parent["lft"], parent["rght"], parent["depth"])
                yield (
                    child["pk"],
                    (
                        f"MPTT numbers (tree, lft, rght, depth) are {numbers}: they do not follow"
                        f" the parent {parent['code']} {parent_numbers} and the siblings before"
                    ),
                )
            previous = child
        end = previous["rght"] + 1 if previous else parent["lft"] + 1
        if (parent["rght"] != end) if tight else (parent["rght"] < end):
            yield parent["pk"], f"MPTT rght is {parent['rght']}, expected {end} from its children"
    for pk in nodes.keys() - reached:
        yield pk, "not reachable from the root (cycle or missing parent)"


def _node_problems(node: dict, parent: dict | None):
    code, level = node["code"], node["level"]
    if parent is None:
        if node["parent_id"] is None and level not in ROOT_LEVELS:
            yield f"a {level} at the root: only the province or a city may be a root"
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
