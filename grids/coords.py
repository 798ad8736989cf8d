"""Datum conversions for display on Chinese commercial base maps only (Art. 9 boundaries stay WGS 84).

The platform stores WGS 84 (CGCS2000 agrees with it to well under a metre). AMap
and Tencent draw their tiles in GCJ-02 (the obfuscated "Mars" datum of GB 20263)
and Baidu in BD-09, so a WGS 84 point drawn on them lands 300–700 m off. These
functions move a point to the map's datum just before it is drawn, and back for a
position picked on such a map. They are the widely published algorithm (Krasovsky
1940 ellipsoid parameters; BD-09 as Baidu's offset of GCJ-02). Positions outside
China's rough box are returned unchanged, as the datum is not applied there.

All functions take and return (longitude, latitude) in decimal degrees; the `*_many`
ones numpy arrays of them (float64, same shape), for converting a table at a time.
"""

import math
from types import SimpleNamespace

import numpy as np

_A = 6378245.0  # semi-major axis of the Krasovsky 1940 ellipsoid, metres
_EE = 0.00669342162296594323  # its first eccentricity squared
_X_PI = math.pi * 3000.0 / 180.0
#: numpy's functions under math's names, so one formula serves a point and an array.
_NP = SimpleNamespace(sin=np.sin, cos=np.cos, sqrt=np.sqrt, fabs=np.fabs, atan2=np.arctan2, pi=np.pi)


def out_of_china(lon: float, lat: float) -> bool:
    """True outside the rough box (72.004–137.8347 E, 0.8293–55.8271 N) where GCJ-02 applies."""
    return not (72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _delta(lon, lat, m=math):
    """GCJ-02's offset (dlon, dlat) in degrees at a WGS 84 point; `m` is math or `_NP`."""
    x, y = lon - 105.0, lat - 35.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * m.sqrt(m.fabs(x))
    dlat += (20.0 * m.sin(6.0 * x * m.pi) + 20.0 * m.sin(2.0 * x * m.pi)) * 2.0 / 3.0
    dlat += (20.0 * m.sin(y * m.pi) + 40.0 * m.sin(y / 3.0 * m.pi)) * 2.0 / 3.0
    dlat += (160.0 * m.sin(y / 12.0 * m.pi) + 320 * m.sin(y * m.pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * m.sqrt(m.fabs(x))
    dlon += (20.0 * m.sin(6.0 * x * m.pi) + 20.0 * m.sin(2.0 * x * m.pi)) * 2.0 / 3.0
    dlon += (20.0 * m.sin(x * m.pi) + 40.0 * m.sin(x / 3.0 * m.pi)) * 2.0 / 3.0
    dlon += (150.0 * m.sin(x / 12.0 * m.pi) + 300.0 * m.sin(x / 30.0 * m.pi)) * 2.0 / 3.0
    radlat = lat / 180.0 * m.pi
    magic = 1 - _EE * m.sin(radlat) ** 2
    sqrtmagic = m.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * m.pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * m.cos(radlat) * m.pi)
    return dlon, dlat


def wgs84_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    """WGS 84 → GCJ-02 (to draw a stored point on an AMap or Tencent base map)."""
    if out_of_china(lon, lat):
        return lon, lat
    dlon, dlat = _delta(lon, lat)
    return lon + dlon, lat + dlat


def gcj02_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    """GCJ-02 → WGS 84, by fixed-point iteration to 1e-9° (about 0.1 mm; no closed form exists)."""
    if out_of_china(lon, lat):
        return lon, lat
    wlon, wlat = lon, lat
    for _ in range(30):
        glon, glat = wgs84_to_gcj02(wlon, wlat)
        dlon, dlat = glon - lon, glat - lat
        wlon, wlat = wlon - dlon, wlat - dlat
        if abs(dlon) < 1e-9 and abs(dlat) < 1e-9:
            break
    return wlon, wlat


def out_of_china_many(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """`out_of_china` over arrays: a boolean array."""
    return ~((lon >= 72.004) & (lon <= 137.8347) & (lat >= 0.8293) & (lat <= 55.8271))


def gcj02_to_wgs84_many(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`gcj02_to_wgs84` over arrays: the same iteration, until every point has converged."""
    inside = ~out_of_china_many(lon, lat)
    wlon, wlat = lon.astype(np.float64), lat.astype(np.float64)
    for _ in range(30):
        dlon, dlat = _delta(wlon, wlat, _NP)
        dlon, dlat = np.where(inside, wlon + dlon - lon, 0.0), np.where(inside, wlat + dlat - lat, 0.0)
        wlon, wlat = wlon - dlon, wlat - dlat
        if np.all(np.abs(dlon) < 1e-9) and np.all(np.abs(dlat) < 1e-9):
            break
    return wlon, wlat


def gcj02_to_bd09(lon: float, lat: float) -> tuple[float, float]:
    """GCJ-02 → BD-09 (Baidu)."""
    z = math.sqrt(lon * lon + lat * lat) + 0.00002 * math.sin(lat * _X_PI)
    theta = math.atan2(lat, lon) + 0.000003 * math.cos(lon * _X_PI)
    return z * math.cos(theta) + 0.0065, z * math.sin(theta) + 0.006


def bd09_to_gcj02(lon, lat, m=math):
    """BD-09 (Baidu) → GCJ-02; of arrays with `m=_NP`."""
    x, y = lon - 0.0065, lat - 0.006
    z = m.sqrt(x * x + y * y) - 0.00002 * m.sin(y * _X_PI)
    theta = m.atan2(y, x) - 0.000003 * m.cos(x * _X_PI)
    return z * m.cos(theta), z * m.sin(theta)


def wgs84_to_bd09(lon: float, lat: float) -> tuple[float, float]:
    """WGS 84 → BD-09 (to draw a stored point on a Baidu base map)."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def bd09_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    """BD-09 → WGS 84 (a position picked on a Baidu map, to store)."""
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


def to_wgs84_many(lon: np.ndarray, lat: np.ndarray, datum: str) -> tuple[np.ndarray, np.ndarray]:
    """Arrays of positions in `datum` (events.choices.Datum values) → WGS 84, as `TO_WGS84`.

    WGS 84 and CGCS2000 come back unchanged (CGCS2000 is WGS 84 to well under a metre).
    Raises KeyError for an unknown datum."""
    lon, lat = np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)
    if datum == "gcj02":
        return gcj02_to_wgs84_many(lon, lat)
    if datum == "bd09":
        return gcj02_to_wgs84_many(*bd09_to_gcj02(lon, lat, _NP))
    if datum not in TO_WGS84:
        raise KeyError(datum)
    return lon, lat


#: Datum name (events.choices.Datum values) → function to WGS 84.
TO_WGS84 = {"wgs84": lambda lon, lat: (lon, lat), "cgcs2000": lambda lon, lat: (lon, lat)}
TO_WGS84 |= {"gcj02": gcj02_to_wgs84, "bd09": bd09_to_wgs84}
