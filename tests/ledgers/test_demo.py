"""seed_demo's ledgers: generated residents with valid IDs and tags, overdue visits for gridworker."""

import io
import random

import pytest
from django.utils import timezone

from ledgers import demo, visits
from ledgers.models import Address, Dwelling, Person, Unit
from personnel.validators import validate_id_number
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_demo_fills_the_workers_grid_and_is_safe_to_run_twice(world):
    world.worker.username = "gridworker"
    world.worker.save(update_fields=["username"])
    UserFactory(username="admin", is_superuser=True, is_staff=True)
    out = io.StringIO()
    demo.seed(scale="demo", rng=random.Random(1), stdout=out)
    persons = Person.objects.filter(area=world.tree.micro_grid)
    assert persons.count() > 50 and Unit.objects.count() == 8
    for person in persons[:20]:
        validate_id_number(person.id_number)
    rented = Dwelling.objects.filter(address__area=world.tree.micro_grid, use="rented").first()
    assert rented is not None and rented.tenants.exists() and rented.rental_ends_on > rented.rental_registered_on
    assert Dwelling.objects.restrict(world.worker, "keep_ledgers").filter(pk=rented.pk).exists()  # they may edit it
    due = list(visits.due_visits(world.worker))
    assert any(p.next_visit_due < timezone.localdate() for p in due)
    before = Address.objects.count()
    demo.seed(scale="demo", rng=random.Random(1), stdout=out)
    assert Address.objects.count() == before and "already there" in out.getvalue()
