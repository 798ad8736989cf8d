"""Grid adjustments move the ledgers with them (Art. 9; issue #15 item 1).

`grids.services` retires micro-grids with a successor micro-grid when a grid is split
or merged (each re-created under the new grid), or when a micro-grid is retired naming
another as its successor, and says so once per adjustment
(`grids.signals.micro_grids_succeeded`); everything located in the old micro-grids then
moves to their successors, recorded per address (`ledgers.places.addresses_follow_grids`).
A split gives all of an old micro-grid's addresses to its copy under the part it went to;
moving some of them on to another part is done per address afterwards.
"""

from django.dispatch import receiver

from grids.models import Area
from grids.signals import micro_grids_succeeded


@receiver(micro_grids_succeeded, sender=Area, dispatch_uid="ledgers-follow-grid")
def follow_grids(sender, moves: list[tuple[Area, Area]], **kwargs) -> None:
    from .places import addresses_follow_grids

    addresses_follow_grids(moves)
