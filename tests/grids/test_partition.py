"""The partitioner: pieces proportional to weights, covering the outline, never overlapping, same seed same pieces."""

import pytest
import shapely

from grids.geometry import to_shape
from grids.partition import partition

L_SHAPE = shapely.Polygon([(121.0, 29.0), (121.2, 29.0), (121.2, 29.1), (121.1, 29.1), (121.1, 29.2), (121.0, 29.2)])


@pytest.mark.parametrize("outline", [shapely.box(121.0, 29.0, 121.3, 29.1), L_SHAPE], ids=["rectangle", "l-shape"])
def test_pieces_cover_the_outline_without_overlap_in_proportion(outline):
    weights = [1, 2, 3, 1, 1, 2, 5]
    pieces = [to_shape(piece) for piece in partition(outline, weights, seed="330203001001")]
    assert all(piece.is_valid and not piece.is_empty for piece in pieces)
    union = shapely.union_all(pieces)
    assert union.symmetric_difference(outline).area < 1e-9
    assert sum(piece.area for piece in pieces) == pytest.approx(outline.area, rel=1e-6)
    for piece, weight in zip(pieces, weights, strict=True):
        assert piece.area / outline.area == pytest.approx(weight / sum(weights), abs=1e-4)


def test_the_same_seed_draws_the_same_pieces():
    assert partition(L_SHAPE, [1, 1, 1], seed="a") == partition(L_SHAPE, [1, 1, 1], seed="a")


def test_weights_must_be_positive():
    with pytest.raises(ValueError, match="positive"):
        partition(L_SHAPE, [1, 0], seed="a")
