"""DataView indexing and MultiTag.tagged_data_all, the one-call retrieval of every region."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import nixkit as nix
from nixkit.exceptions import InvalidSlice, OutOfBounds


@pytest.fixture
def block(tmp_path: Path) -> Any:
    f = nix.File.open(tmp_path / "v.nix", nix.FileMode.Overwrite)
    yield f.create_block("b", "t")
    f.close()


def _grid(block: nix.Block) -> tuple[Any, np.ndarray]:
    values = np.arange(200, dtype=np.int32).reshape(20, 10)
    da = block.create_data_array("grid", "t", data=values)
    da.append_sampled_dimension(1.0)
    da.append_sampled_dimension(1.0)
    tag = block.create_tag("t", "t", [5, 2])
    tag.extent = [6, 5]
    tag.references.append(da)
    return tag.tagged_data(0), values[5:11, 2:7]


@pytest.mark.parametrize(
    "index",
    [
        (),
        Ellipsis,
        slice(None),
        0,
        -1,
        (2, 3),
        (-2, -1),
        (slice(1, 4), slice(None, None, 2)),
        (slice(None, None, -1),),
        (Ellipsis, 1),
        (slice(4, 1, -2), 0),
        np.array([3, 0, 3]),
        (slice(None), [4, 1]),
        np.array([True, False, True, False, False, True]),
        slice(10, 20),
    ],
    ids=repr,
)
def test_view_indexing_is_numpy_like(block: nix.Block, index: Any) -> None:
    view, expected = _grid(block)
    got = view[index]
    want = expected[index]
    np.testing.assert_array_equal(got, want)
    assert np.shape(got) == np.shape(want)


def test_view_description(block: nix.Block) -> None:
    view, expected = _grid(block)
    assert view.valid and view.debug_message == ""
    assert view.shape == view.data_extent == (6, 5)
    assert len(view) == 6 and view.size == 30 and view.ndim == 2
    assert view.dtype == np.int32 and view.data_type == np.int32
    assert np.asarray(view).dtype == np.int32
    assert np.asarray(view, dtype=np.float64).dtype == np.float64
    assert np.array(view, copy=True).tolist() == expected.tolist()
    assert [row.tolist() for row in view] == expected.tolist()
    assert "shape (6, 5)" in repr(view)
    assert view.slices == (slice(5, 11), slice(2, 7))
    out = np.empty((6, 5), dtype=np.int32)
    view.read_direct(out)
    assert out.tolist() == expected.tolist()
    assert isinstance(view[0, 0], np.integer)


def test_view_bounds(block: nix.Block) -> None:
    view, _ = _grid(block)
    with pytest.raises(OutOfBounds):
        view[6]
    with pytest.raises(OutOfBounds):
        view[0, -6]
    with pytest.raises(OutOfBounds):
        view[np.array([0, 6])]
    with pytest.raises(IndexError):
        view[0, 0, 0]
    with pytest.raises(IndexError):
        view[..., 0, ...]
    with pytest.raises(TypeError):
        view["a"]


def test_writing_through_a_view(block: nix.Block) -> None:
    view, _ = _grid(block)
    view[0, 0] = -1
    view[1] = np.arange(5)
    view[2:4, ::2] = 7
    grid = block.data_arrays["grid"][:]
    assert grid[5, 2] == -1
    assert grid[6, 2:7].tolist() == [0, 1, 2, 3, 4]
    assert grid[7:9, 2:7:2].tolist() == [[7, 7, 7]] * 2
    with pytest.raises(ValueError):
        view[::-1] = 0


def test_views_read_only_their_selection(block: nix.Block) -> None:
    """A view over a 1,000,000-sample array reads 10 values, not the array."""
    da = block.create_data_array("big", "t", data=np.arange(1_000_000, dtype=np.float64))
    da.append_sampled_dimension(1.0)
    view = da.get_slice([500_000], [10], mode=nix.DataSliceMode.Index)
    calls: list[Any] = []
    node = da._node.dataset("data")
    reader = node.region_reader()

    def spy(first: Any, end: Any) -> Any:
        calls.append((list(first), list(end)))
        return reader(first, end)

    view._reader = lambda: spy
    assert np.asarray(view).tolist() == list(range(500_000, 500_010))
    assert calls == [([500_000], [500_010])]


def _spikes(block: nix.Block, positions: Any, extents: Any, n: int = 1000) -> nix.MultiTag:
    signal = block.create_data_array("signal", "t", data=np.arange(n, dtype=np.float64))
    signal.append_sampled_dimension(0.01).unit = "s"
    mt = block.create_multi_tag("m", "t", positions, extents)
    mt.references.append(signal)
    return mt


@pytest.mark.parametrize("layout", ["1-D", "2-D"])
def test_tagged_data_all_equals_one_by_one(block: nix.Block, layout: str) -> None:
    rng = np.random.default_rng(3)
    positions = np.sort(rng.uniform(0, 9.0, 200))
    extents = rng.uniform(0, 0.5, 200)
    if layout == "2-D":
        positions, extents = positions.reshape(-1, 1), extents.reshape(-1, 1)
    mt = _spikes(block, positions, extents)
    everything = mt.tagged_data_all(0)
    assert len(everything) == 200
    for i, segment in enumerate(everything):
        view = mt.tagged_data(i, 0)
        if view.valid:
            np.testing.assert_array_equal(segment, view[:])
        else:
            assert segment.size == 0
    inclusive = mt.tagged_data_all("signal", stop_rule=nix.SliceMode.Inclusive)
    assert all(len(b) >= len(a) for a, b in zip(everything, inclusive, strict=True))


def test_tagged_data_all_reads_dense_regions_in_one_call(block: nix.Block) -> None:
    mt = _spikes(block, np.arange(0.0, 9.9, 0.1), np.full(99, 0.1))
    prepared = mt._ref_prepared(mt._cache(), 0, nix.SliceMode.Exclusive)
    calls: list[Any] = []
    reader = prepared.reader()

    def spy(first: Any, end: Any) -> Any:
        calls.append((first, end))
        return reader(first, end)

    prepared._reader = spy
    segments = mt.tagged_data_all(0)
    assert len(calls) == 1
    assert [s.tolist() for s in segments[:2]] == [list(range(0, 10)), list(range(10, 20))]


def test_tagged_data_all_sparse_regions_one_call_each(block: nix.Block) -> None:
    mt = _spikes(block, [0.5, 9.0], [0.02, 0.02], n=1_000_000)
    prepared = mt._ref_prepared(mt._cache(), 0, nix.SliceMode.Exclusive)
    calls: list[Any] = []
    reader = prepared.reader()
    prepared._reader = lambda first, end: calls.append((first, end)) or reader(first, end)
    assert [s.tolist() for s in mt.tagged_data_all(0)] == [[50.0, 51.0], [900.0, 901.0]]
    assert calls == [([50], [52]), ([900], [902])]


def test_tagged_data_all_edges(block: nix.Block) -> None:
    mt = _spikes(block, [1.0, 1.005, 9.95, 20.0], [0.05, 0.0, 0.1, 0.1])
    with pytest.raises(OutOfBounds, match="2 of 4 regions") as info:
        mt.tagged_data_all(0)
    assert info.value.index == 2
    segments = mt.tagged_data_all(0, clip=True)
    assert [s.tolist() for s in segments] == [list(range(100, 105)), [], list(range(995, 1000)), []]
    assert all(s.dtype == np.float64 for s in segments)
    with pytest.raises(InvalidSlice):
        mt.tagged_data(1, 0)[:]


def test_tagged_data_all_applies_calibration_and_units(block: nix.Block) -> None:
    mt = _spikes(block, [1000.0, 2000.0], [20.0, 30.0])
    mt.units = ["ms"]
    mt.references[0].polynom_coefficients = [0.0, 0.5]
    assert [s.tolist() for s in mt.tagged_data_all(0)] == [[50.0, 50.5], [100.0, 100.5, 101.0]]


def test_tagged_data_all_on_images(block: nix.Block) -> None:
    img = np.arange(40 * 50 * 3, dtype=np.uint8).reshape(40, 50, 3)
    da = block.create_data_array("img", "t", data=img)
    da.append_sampled_dimension(1.0)
    da.append_sampled_dimension(1.0)
    da.append_set_dimension()
    mt = block.create_multi_tag("rois", "t", np.array([[1, 2, 0], [30, 40, 1]]), np.array([[3, 4, 3], [5, 5, 1]]))
    mt.references.append(da)
    a, b = mt.tagged_data_all(0)
    assert a.dtype == np.uint8
    np.testing.assert_array_equal(a, img[1:4, 2:6, 0:3])
    np.testing.assert_array_equal(b, img[30:35, 40:45, 1:2])
