"""Reads of the ledgers asked for by other apps' pages (over the API, so no import cycle).

`nearest_address`: the report form's position picker (static/grids/maps.js) suggests
the standard address nearest the pin (issue #16 item 4, Art. 12(2)).
"""

import math
from dataclasses import dataclass

from django.db.models import F, FloatField, Value
from django.db.models.functions import Cast

from .models import Address

#: Mean Earth radius (metres, IUGG), for distances of a few hundred metres.
EARTH_RADIUS_M = 6_371_008.8
#: How far (metres) from the position a standard address may lie to be suggested.
NEAREST_WITHIN_M = 150.0


@dataclass(frozen=True)
class Nearest:
    """A standard address and its distance (metres, rounded to 1 m) from the position asked."""

    address: Address
    distance_m: float


def nearest_address(user, lat: float, lon: float, within_m: float = NEAREST_WITHIN_M) -> Nearest | None:
    """The active standard address with a position nearest (`lat`, `lon`), within `within_m` metres.

    `lat`/`lon`: WGS 84 decimal degrees (a phone's GPS; addresses store WGS 84). Only
    addresses in `user`'s reach (`Address.objects.restrict`) are considered: an address
    out of reach is never named, even if it is the nearest. Ties go to the lower code.
    None when no address in reach with a position lies that close. Distances are
    equirectangular (error < 0.1 % at this range). One query, through the
    (latitude, longitude) index on the box around the point."""
    dlat = math.degrees(within_m / EARTH_RADIUS_M)
    dlon = dlat / max(math.cos(math.radians(lat)), 1e-6)
    stretch = math.cos(math.radians(lat))
    lat_m = Cast(F("latitude"), FloatField()) - Value(lat)
    lon_m = (Cast(F("longitude"), FloatField()) - Value(lon)) * Value(stretch)
    candidate = (
        Address.objects.restrict(user)
        .filter(
            is_active=True,
            latitude__gte=lat - dlat,
            latitude__lte=lat + dlat,
            longitude__gte=lon - dlon,
            longitude__lte=lon + dlon,
        )
        .select_related("area")
        .annotate(d2=lat_m * lat_m + lon_m * lon_m)
        .order_by("d2", "code")
        .first()
    )
    if candidate is None:
        return None
    metres = math.radians(math.sqrt(candidate.d2)) * EARTH_RADIUS_M
    if metres > within_m:
        return None
    return Nearest(candidate, round(metres))
