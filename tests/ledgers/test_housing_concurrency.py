"""PostgreSQL: two workers saving the same dwelling at once, both having read version 1."""

import pytest

from ledgers import places
from ledgers.models import Dwelling
from tests.events.test_concurrency import run_in_threads

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_concurrent_edits_of_one_dwelling_exactly_one_is_saved(lw):
    read_a, read_b = (Dwelling.objects.select_related("address__area").get(pk=lw.room.dwelling.pk) for _ in "ab")
    results = run_in_threads(
        lambda: places.dwelling_update(actor=lw.world.worker, dwelling=read_a, version=1, use="rented"),
        lambda: places.dwelling_update(actor=lw.world.leader, dwelling=read_b, version=1, use="vacant"),
    )
    assert sorted(type(r).__name__ for r in results) == ["Dwelling", "StaleVersion"]
    saved = next(r for r in results if isinstance(r, Dwelling))
    fresh = Dwelling.objects.get(pk=lw.room.dwelling.pk)
    assert (fresh.use, fresh.version) == (saved.use, 2)
