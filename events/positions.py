"""Events' canonical positions: the reported pair, whatever its datum, in WGS 84 (Art. 9, issue 16).

An event keeps the position as it was reported (`Event.latitude`/`longitude` in
`Event.datum`: a phone's GPS gives WGS 84, a pin on AMap or Tencent GCJ-02, on Baidu
BD-09, a surveyed point CGCS2000) and, beside it, the same place in WGS 84
(`wgs84_latitude`/`wgs84_longitude`, float degrees), computed once when the event is
written. Maps filter, cluster and draw the WGS 84 pair only, so nothing is converted on
the read path. CGCS2000 is taken as WGS 84: the two frames agree to well under a metre,
less than a phone's GPS error. A pair with no datum (rows from before the datum was
asked) is taken as WGS 84, as the maps always did.
"""

import numpy as np

from grids.coords import TO_WGS84, to_wgs84_many

#: Rows converted per batch by `backfill` (two float64 arrays of this length in memory).
BATCH = 50_000


def canonical_position(latitude, longitude, datum: str) -> tuple[float | None, float | None]:
    """(latitude, longitude) in WGS 84 degrees of a position reported in `datum`.

    `latitude`/`longitude`: decimal degrees (Decimal, float or None), `datum` an
    events.choices.Datum value or "" (WGS 84). (None, None) when either is None.
    Raises KeyError for an unknown datum (the report's validation refuses it first)."""
    if latitude is None or longitude is None:
        return None, None
    lon, lat = TO_WGS84[datum or "wgs84"](float(longitude), float(latitude))
    return lat, lon


def backfill(connection, batch: int = BATCH) -> int:
    """Fill `wgs84_latitude`/`wgs84_longitude` of every event with a position; the number of rows.

    PostgreSQL: WGS 84, CGCS2000 and datum-less rows by one set-based UPDATE (a cast);
    GCJ-02 and BD-09 rows read `batch` at a time in id order (keyset), converted with
    numpy (`grids.coords.to_wgs84_many`) and written back by `UPDATE … FROM unnest(…)`.
    Other databases (SQLite, tests): the same conversion, written row by row."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE events_event SET wgs84_latitude = latitude, wgs84_longitude = longitude"
            " WHERE latitude IS NOT NULL AND longitude IS NOT NULL AND datum NOT IN ('gcj02', 'bd09')"
        )
        done = cursor.rowcount
        for datum in ("gcj02", "bd09"):
            last = 0
            while True:
                cursor.execute(
                    "SELECT id, longitude, latitude FROM events_event WHERE datum = %s AND id > %s"
                    " AND latitude IS NOT NULL AND longitude IS NOT NULL ORDER BY id LIMIT %s",
                    [datum, last, batch],
                )
                rows = cursor.fetchall()
                if not rows:
                    break
                ids = [row[0] for row in rows]
                lon, lat = to_wgs84_many(
                    np.array([row[1] for row in rows], dtype=np.float64),
                    np.array([row[2] for row in rows], dtype=np.float64),
                    datum,
                )
                _write(connection, cursor, ids, lat.tolist(), lon.tolist())
                done += len(rows)
                last = ids[-1]
    return done


def _write(connection, cursor, ids: list[int], lat: list[float], lon: list[float]) -> None:
    if connection.vendor == "postgresql":
        cursor.execute(
            "UPDATE events_event e SET wgs84_latitude = v.lat, wgs84_longitude = v.lon"
            " FROM unnest(%s::bigint[], %s::float8[], %s::float8[]) AS v(id, lat, lon)"
            " WHERE e.id = v.id AND e.id BETWEEN %s AND %s",  # the batch's id range: never a scan of the table
            [ids, lat, lon, ids[0], ids[-1]],
        )
    else:
        cursor.executemany(
            "UPDATE events_event SET wgs84_latitude = %s, wgs84_longitude = %s WHERE id = %s",
            list(zip(lat, lon, ids, strict=True)),
        )
