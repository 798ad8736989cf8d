"""Concurrent tree writers on PostgreSQL: the advisory lock keeps codes distinct and the tree sound."""

import threading

import pytest
from django.db import connection

from grids import services
from grids.models import Area
from grids.verify import tree_problems
from tests.scenario import make_tree


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_grid_creations_give_ten_distinct_codes():
    tree = make_tree()
    barrier = threading.Barrier(10)
    codes, errors = [], []

    def create(n: int) -> None:
        try:
            barrier.wait()
            grid = services.area_create(actor=None, parent=tree.village2, name=f"南门社区第{n}网格", households=400)
            codes.append(grid.code)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=create, args=(n,)) for n in range(1, 11)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(codes) == [f"{tree.village2.code}{n:03d}" for n in range(1, 11)]
    assert Area.objects.filter(parent=tree.village2).count() == 10
    assert tree_problems()[1] == []
