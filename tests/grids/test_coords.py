"""GCJ-02 / BD-09 conversions against published reference points.

Reference values: the test script of wandergis/coordtransform (test/app.js, MIT), the
most widely copied implementation (hutool's CoordinateUtilTest and the Rust
coordtransform crate assert the same numbers), for the point (116.404, 39.915) in Beijing.
"""

import pytest

from grids import coords

POINT = (116.404, 39.915)


@pytest.mark.parametrize(
    ("function", "expected"),
    [
        (coords.wgs84_to_gcj02, (116.41024449916938, 39.91640428150164)),
        (coords.gcj02_to_bd09, (116.41036949371029, 39.92133699351021)),
        (coords.bd09_to_gcj02, (116.39762729119315, 39.90865673957631)),
    ],
)
def test_published_reference_points(function, expected):
    assert function(*POINT) == pytest.approx(expected, abs=1e-9)


def test_gcj02_to_wgs84_inverts_the_forward_conversion():
    # the reference's one-step inverse gives (116.39775550083061, 39.91359571849836), ~1e-5° off;
    # the iteration is exact to 1e-9° and agrees with it to that one-step error
    back = coords.gcj02_to_wgs84(*POINT)
    assert coords.wgs84_to_gcj02(*back) == pytest.approx(POINT, abs=1e-9)
    assert back == pytest.approx((116.39775550083061, 39.91359571849836), abs=2e-5)


def test_a_ningbo_point_round_trips_through_baidu():
    tianyi_square = (121.5540, 29.8706)
    # BD-09's published inverse is itself approximate (~1e-7°, about a centimetre)
    assert coords.bd09_to_wgs84(*coords.wgs84_to_bd09(*tianyi_square)) == pytest.approx(tianyi_square, abs=1e-6)
    shifted = coords.wgs84_to_gcj02(*tianyi_square)
    assert 0.003 < shifted[0] - tianyi_square[0] < 0.006  # a few hundred metres east, as on AMap


def test_positions_outside_china_are_unchanged():
    assert coords.wgs84_to_gcj02(2.35, 48.85) == (2.35, 48.85)
    assert coords.gcj02_to_wgs84(2.35, 48.85) == (2.35, 48.85)
