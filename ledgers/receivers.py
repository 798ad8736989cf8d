"""Grid adjustments move the ledgers with them (Art. 9; issue #15 item 1).

`grids.services` retires a micro-grid with a `successor` when it is split, merged or
re-created under another grid (`_transfer_one`); everything located in it then moves
to the successor, recorded per address (`ledgers.services.addresses_follow_grid`).
A split gives all of the old micro-grid's addresses to its first part; moving some of
them on to another part is done per address afterwards.
"""

from django.db.models.signals import post_save
from django.dispatch import receiver

from grids.choices import Level, Status
from grids.models import Area


@receiver(post_save, sender=Area, dispatch_uid="ledgers-follow-grid")
def follow_grid(sender, instance: Area, created: bool, raw: bool = False, **kwargs) -> None:
    if raw or created or instance.level != Level.MICRO_GRID or instance.status != Status.RETIRED:
        return
    successor = instance.successor
    if successor is None or successor.level != Level.MICRO_GRID:
        return
    from .services import addresses_follow_grid

    addresses_follow_grid(instance, successor)
