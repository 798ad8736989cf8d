"""Two authorities acting on the same version at once: one wins, the other gets a clear refusal."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from catalog.choices import Step
from catalog.models import LifecycleStep
from catalog.services.entry import version_review

from .conftest import propose


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_reviews_write_one_step(people):
    version = propose(people.city_admin)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def review():
        try:
            barrier.wait()
            version_review(actor=people.city_admin, version=version)
            outcomes.append("ok")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=review) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok", "refused"]
    assert LifecycleStep.objects.filter(version=version, step=Step.REVIEWED).count() == 1
