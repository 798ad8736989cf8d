"""Signals the area tree sends to the apps above it (which grids never imports).

`micro_grids_succeeded` is sent by `grids.services` inside the adjustment's transaction
whenever micro-grids are retired with another micro-grid as successor (a split or a
merge re-creating them under a new grid, Art. 9; or a retirement naming a micro-grid
successor), once per adjustment, with `moves`: a list of (old micro-grid, successor)
`Area` pairs. Receivers move what is located in the old micro-grids (the ledgers).
"""

from django.dispatch import Signal

micro_grids_succeeded = Signal()
