#!/usr/bin/env python
"""Benchmark grid adjustments (create, split, merge) on a province-sized tree.

    python bench/generate.py --province        # the Zhejiang tree, ~560,000 nodes
    python bench/adjust.py [--rounds 20] [--full-rounds 3] [--seed 1]

Runs the real services (`grids.services.area_create`, `area_split`, `area_merge`, as
the system actor, each in its own committed transaction under the tree lock) on
grids drawn at random (seeded) across the province, and prints p50 / p95 / max per
kind in seconds and the queries one adjustment sends (median, max). Two modes:

- `banded`: the platform as it is: an insert shifts only the rows of its township
  (`grids.models.AreaManager`, the gaps of `grids.treebuild.number_tree`);
- `full`: django-mptt's own shift of every later row of the tree (the township band
  switched off), which is what a tree numbered without gaps costs: the "before".

Also times subtree reads before and after the adjustments (a township's and a
county's first 20 grids by tree order, and their node counts: one range of the area
index each), and checks the tree with `grids.verify.tree_problems` at the end.
Every adjustment stays in the database (the tree grows by a few hundred nodes a run).
"""

import argparse
import os
import random
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ningbo_grid.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Count, Q  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from grids import services  # noqa: E402
from grids.choices import Level, Status  # noqa: E402
from grids.models import Area, AreaManager  # noqa: E402
from grids.verify import tree_problems  # noqa: E402


def quantiles(values: list[float]) -> str:
    """`p50 … p95 … max …` of `values` in seconds (p95 by linear interpolation)."""
    values = sorted(values)
    p95 = statistics.quantiles(values, n=20, method="inclusive")[-1] if len(values) > 1 else values[0]
    return f"p50 {statistics.median(values):6.3f}  p95 {p95:6.3f}  max {values[-1]:6.3f}  (n={len(values)})"


def timed(fn, *args, **kwargs) -> float:
    """Seconds `fn(*args, **kwargs)` takes."""
    start = time.perf_counter()
    fn(*args, **kwargs)
    return time.perf_counter() - start


def counted(queries: list[int], fn, *args, **kwargs) -> float:
    """Seconds `fn(*args, **kwargs)` takes; appends the number of queries it sent to `queries`."""
    with CaptureQueriesContext(connection) as captured:
        seconds = timed(fn, *args, **kwargs)
    queries.append(len(captured.captured_queries))
    return seconds


def read_subtree(node: Area) -> None:
    """A node's first 20 grids in tree order and its node count."""
    list(Area.objects.within(node).grids().order_by("lft").values("code", "name")[:20])
    Area.objects.within(node).count()


def subtree_reads(nodes: list[Area], repeat: int) -> list[float]:
    """Seconds per read of one node's first 20 grids (tree order) plus its node count."""
    times = []
    for _ in range(repeat):
        for node in nodes:
            times.append(timed(read_subtree, node))
    return times


def adjust(rng: random.Random, rounds: int, tag: str) -> tuple[dict[str, list[float]], dict[str, list[int]]]:
    """`rounds` creates, splits and merges on random places of the tree: seconds and queries per call."""
    villages = list(Area.objects.filter(level=Level.VILLAGE).values_list("pk", flat=True))
    times: dict[str, list[float]] = {"create": [], "split": [], "merge": []}
    queries: dict[str, list[int]] = {"create": [], "split": [], "merge": []}
    for i in range(rounds):
        village = Area.objects.get(pk=rng.choice(villages))
        times["create"].append(
            counted(
                queries["create"],
                services.area_create,
                actor=None,
                parent=village,
                name=f"基准{tag}新建{i}",
                households=400,
            )
        )
        grids = list(
            Area.objects.filter(parent_id=rng.choice(villages), status=Status.ACTIVE, level=Level.GRID)
            .annotate(micro=Count("children", filter=Q(children__status=Status.ACTIVE)))
            .filter(micro__gt=0)
        )
        if grids:
            grid = grids[0]
            micro = list(Area.objects.filter(parent=grid, status=Status.ACTIVE).values_list("code", flat=True))
            parts = [{"name": f"{grid.name}甲{tag}{i}"}, {"name": f"{grid.name}乙{tag}{i}"}]
            split_map = {code: n % 2 for n, code in enumerate(micro)}
            times["split"].append(
                counted(
                    queries["split"],
                    services.area_split,
                    actor=None,
                    area=grid,
                    parts=parts,
                    micro_grid_parts=split_map,
                )
            )
        siblings = list(
            Area.objects.filter(parent_id=rng.choice(villages), status=Status.ACTIVE, level=Level.GRID).order_by(
                "code"
            )[:2]
        )
        if len(siblings) == 2:
            merge = services.area_merge
            # The sum may leave the city's household rule (grids.rules): a written exception, as in life.
            reason = "基准测试"
            times["merge"].append(
                counted(queries["merge"], merge, actor=None, areas=siblings, into=siblings[0], exception_reason=reason)
            )
    return times, queries


def report(mode: str, times: dict[str, list[float]], queries: dict[str, list[int]]) -> None:
    """One line per kind: seconds (p50, p95, max) and queries per adjustment (median, max)."""
    for kind, values in times.items():
        if values:
            sent = queries[kind]
            print(f"{mode:7} {kind:6} {quantiles(values)}  queries p50 {statistics.median(sent):g} max {max(sent)}")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=20, help="create+split+merge rounds, banded mode (default 20)")
    parser.add_argument("--full-rounds", type=int, default=3, help="rounds, full-tree shift (default 3; 0: skip)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--reads", type=int, default=20, help="repeats of each subtree read (default 20)")
    parser.add_argument("--skip-verify", action="store_true", help="leave out the tree check at the end")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    run = uuid.uuid4().hex[:4]  # in the names of the new grids: a second run on the same tree does not clash
    nodes = Area.objects.count()
    counts = dict(Area.objects.order_by().values_list("level").annotate(n=Count("id")))
    print(f"tree: {nodes:,} nodes " + ", ".join(f"{level} {counts.get(level, 0):,}" for level in Level.values))
    townships = list(Area.objects.filter(level=Level.TOWNSHIP).order_by("code"))
    counties = list(Area.objects.filter(level=Level.COUNTY).order_by("code"))
    read_nodes = rng.sample(townships, 3) + rng.sample(counties, 2)
    subtree_reads(read_nodes, 2)  # warm the cache
    before = subtree_reads(read_nodes, args.reads)
    print(f"subtree read before   {quantiles(before)}")
    print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    report("banded", *adjust(rng, args.rounds, f"b{run}"))
    if args.full_rounds:
        original = AreaManager._band
        AreaManager._band = lambda self, size, target, tree_id: None  # type: ignore[method-assign,assignment]
        try:
            full = adjust(rng, args.full_rounds, f"f{run}")
        finally:
            AreaManager._band = original  # type: ignore[method-assign]
        report("full", *full)
    print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    after = subtree_reads(read_nodes, args.reads)
    print(f"subtree read after    {quantiles(after)}")
    if not args.skip_verify:
        start = time.perf_counter()
        total, problems = tree_problems()
        print(f"verify_tree: {total:,} nodes, {len(problems)} problems ({time.perf_counter() - start:.1f} s)")
        for code, problem in problems[:10]:
            print(f"  {code}: {problem}")


if __name__ == "__main__":
    main()
