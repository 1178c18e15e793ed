"""Tag and MultiTag retrieval: the rules of reference section 1.11, against nixio 1.5.4.

Every case is written once with nixkit and once with nixio (same API calls), and each
library reads its own file; where nixio has a bug, the test says so and pins ours.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nixio
import numpy as np
import pytest

import nixkit as nix
from nixkit.exceptions import IncompatibleDimensions, InvalidSlice, OutOfBounds

INVALID = "invalid"
OOB = "out of bounds"
SAMPLES = np.arange(100, dtype=np.float64)


def _signal(module: Any, path: Path, unit: str | None = "s") -> tuple[Any, Any, Any]:
    f = module.File.open(str(path), module.FileMode.Overwrite)
    b = f.create_block("b", "t")
    da = b.create_data_array("signal", "t", data=SAMPLES)
    da.unit = "mV"
    dim = da.append_sampled_dimension(0.1)
    if unit:
        dim.unit = unit
    return f, b, da


def _outcome(call: Any) -> Any:
    """Indices selected (as the values equal the indices), INVALID or OOB."""
    try:
        view = call()
    except OutOfBounds:
        return OOB
    except nixio.exceptions.OutOfBounds:
        return OOB
    if not view.valid:
        return INVALID
    return [int(v) for v in np.asarray(view[:]).ravel()]


def _tag_outcome(
    module: Any, path: Path, position: Any, extent: Any, units: Any, rule: str, dim_unit: str = "s"
) -> Any:
    f, b, da = _signal(module, path, dim_unit)
    tag = b.create_tag("t", "t", position)
    if extent is not None:
        tag.extent = extent
    if units is not None:
        tag.units = units
    tag.references.append(da)
    try:
        return _outcome(lambda: tag.tagged_data(0, stop_rule=getattr(module.SliceMode, rule)))
    finally:
        f.close()


def _mtag_outcome(module: Any, path: Path, position: Any, extent: Any, units: Any, rule: str) -> Any:
    f, b, da = _signal(module, path)
    pos = b.create_data_array("pos", "t", data=np.array([position], dtype=float))
    mt = b.create_multi_tag("m", "t", pos)
    if extent is not None:
        mt.extents = b.create_data_array("ext", "t", data=np.array([extent], dtype=float))
    if units is not None:
        mt.units = units
    mt.references.append(da)
    try:
        return _outcome(lambda: mt.tagged_data(0, 0, stop_rule=getattr(module.SliceMode, rule)))
    finally:
        f.close()


# The measured table of reference section 1.11 (100 samples, interval 0.1 s).
TABLE = [
    ("point on a sample", [1.0], None, None, "Exclusive", [10]),
    ("point between samples", [1.05], None, None, "Exclusive", INVALID),
    ("region, exclusive", [1.0], [0.5], None, "Exclusive", list(range(10, 15))),
    ("region, inclusive", [1.0], [0.5], None, "Inclusive", list(range(10, 16))),
    ("region off the grid", [1.01], [0.5], None, "Exclusive", list(range(11, 16))),
    ("region end between samples", [1.0], [0.55], None, "Exclusive", list(range(10, 16))),
    ("tag in ms", [1000.0], [500.0], ["ms"], "Exclusive", list(range(10, 15))),
    ("region before the data", [-1.0], [1.5], None, "Exclusive", list(range(0, 5))),
    ("zero extent on a sample", [2.0], [0.0], None, "Exclusive", [20]),
    ("zero extent between samples", [2.05], [0.0], None, "Exclusive", INVALID),
    ("negative extent", [2.0], [-0.5], None, "Exclusive", INVALID),
    ("last sample", [9.9], None, None, "Exclusive", [99]),
    ("region up to the end", [9.5], [0.5], None, "Exclusive", list(range(95, 100))),
    ("region past the end", [20.0], [1.0], None, "Exclusive", OOB),
    ("region reaching past the end", [9.5], [1.0], None, "Exclusive", OOB),
    ("missing tag units", [1.0], [0.2], [], "Exclusive", [10, 11]),
    ("surplus position entries", [1.0, 7.0], [0.2, 1.0], None, "Exclusive", [10, 11]),
]


@pytest.mark.parametrize(("case", "position", "extent", "units", "rule", "expected"), TABLE, ids=[t[0] for t in TABLE])
def test_tag_rows_match_nixio(
    tmp_path: Path, case: str, position: Any, extent: Any, units: Any, rule: str, expected: Any
) -> None:
    assert _tag_outcome(nix, tmp_path / "ours.nix", position, extent, units, rule) == expected
    assert _tag_outcome(nixio, tmp_path / "theirs.nix", position, extent, units, rule) == expected


@pytest.mark.parametrize(("case", "position", "extent", "units", "rule", "expected"), TABLE, ids=[t[0] for t in TABLE])
def test_multi_tag_rows(
    tmp_path: Path, case: str, position: Any, extent: Any, units: Any, rule: str, expected: Any
) -> None:
    """Same rows for a MultiTag. nixio gives an invalid view instead of OutOfBounds for regions past
    the data (section 6.1 item 7); nixkit raises OutOfBounds for Tag and MultiTag alike."""
    assert _mtag_outcome(nix, tmp_path / "ours.nix", position, extent, units, rule) == expected
    theirs = _mtag_outcome(nixio, tmp_path / "theirs.nix", position, extent, units, rule)
    assert theirs == (INVALID if expected == OOB else expected)


def test_prefix_to_prefix_units(tmp_path: Path) -> None:
    """A tag in us on a dimension in ms: nixio scales by 1.0 (section 6.1 item 3) and so tags
    sample 1000 instead of sample 1, which lies past the data."""
    args = ([100.0], [200.0], ["us"], "Exclusive")
    assert _tag_outcome(nix, tmp_path / "ours.nix", *args, dim_unit="ms") == [1, 2]
    assert _tag_outcome(nixio, tmp_path / "theirs.nix", *args, dim_unit="ms") == OOB


def test_non_si_units_convert_through_pint(tmp_path: Path) -> None:
    assert _tag_outcome(nix, tmp_path / "a.nix", [1.0 / 60], [0.3 / 60], ["min"], "Exclusive") == [10, 11, 12]


@pytest.mark.parametrize(("tag_unit", "dim_unit"), [("mV", "s"), ("s", None), ("degC", "s")])
def test_incompatible_units_name_both(tmp_path: Path, tag_unit: str, dim_unit: str | None) -> None:
    with pytest.raises(IncompatibleDimensions) as info:
        _tag_outcome(nix, tmp_path / "a.nix", [1.0], None, [tag_unit], "Exclusive", dim_unit=dim_unit or "")
    assert tag_unit in str(info.value)
    if dim_unit:
        assert dim_unit in str(info.value)
    with pytest.raises(nixio.exceptions.IncompatibleDimensions):
        _tag_outcome(nixio, tmp_path / "b.nix", [1.0], None, [tag_unit], "Exclusive", dim_unit=dim_unit or "")


def _image(module: Any, path: Path) -> tuple[Any, Any, Any]:
    f = module.File.open(str(path), module.FileMode.Overwrite)
    b = f.create_block("b", "t")
    img = np.arange(20 * 30 * 3, dtype=np.float64).reshape(20, 30, 3)
    da = b.create_data_array("image", "t", data=img)
    da.append_sampled_dimension(1.0).unit = "px"
    da.append_sampled_dimension(1.0).unit = "px"
    da.append_set_dimension(["r", "g", "b"])
    return f, b, da


@pytest.mark.parametrize("module", [nix, nixio], ids=["nixkit", "nixio"])
def test_three_d_regions_on_an_image(tmp_path: Path, module: Any) -> None:
    f, b, da = _image(module, tmp_path / "img.nix")
    img = da[:]
    tag = b.create_tag("roi", "t", [5, 10, 0])
    tag.extent = [3, 4, 3]
    tag.references.append(da)
    np.testing.assert_array_equal(tag.tagged_data(0)[:], img[5:8, 10:14, 0:3])
    tag.extent = [3, 4, 1]
    tag.position = [5, 10, 2]
    np.testing.assert_array_equal(tag.tagged_data(0)[:], img[5:8, 10:14, 2:3])
    starts = np.array([[1, 2, 0], [10, 20, 1]], dtype=float)
    extents = np.array([[2, 2, 3], [5, 5, 1]], dtype=float)
    mt = b.create_multi_tag("rois", "t", b.create_data_array("p", "t", data=starts))
    mt.extents = b.create_data_array("e", "t", data=extents)
    mt.references.append(da)
    np.testing.assert_array_equal(mt.tagged_data(0, 0)[:], img[1:3, 2:4, 0:3])
    np.testing.assert_array_equal(mt.tagged_data(1, "image")[:], img[10:15, 20:25, 1:2])
    tag.units = ["px", "px", "mV"]
    with pytest.raises(module.exceptions.IncompatibleDimensions):
        tag.tagged_data(0)
    f.close()


@pytest.mark.parametrize("module", [nix, nixio], ids=["nixkit", "nixio"])
def test_positions_with_fewer_entries_take_whole_axes(tmp_path: Path, module: Any) -> None:
    f, b, da = _image(module, tmp_path / "img.nix")
    tag = b.create_tag("rows", "t", [4])
    tag.extent = [2]
    tag.references.append(da)
    np.testing.assert_array_equal(tag.tagged_data(0)[:], da[:][4:6])
    f.close()


def _range_data(module: Any, path: Path) -> tuple[Any, Any, Any]:
    f = module.File.open(str(path), module.FileMode.Overwrite)
    b = f.create_block("b", "t")
    da = b.create_data_array("events", "t", data=np.arange(5, dtype=float))
    da.append_range_dimension([0.1, 0.25, 0.3, 0.9, 1.7]).unit = "s"
    return f, b, da


@pytest.mark.parametrize(
    ("position", "extent", "expected"),
    [
        (0.25, None, [1]),
        (0.26, None, INVALID),
        (0.2, 0.2, [1, 2]),
        (0.3, 0.6, [2]),
        (0.3, 0.6001, [2, 3]),
        (1.0, 5.0, [4]),  # reaches past the last tick: cut at the last tick
        (2.0, 1.0, INVALID),  # entirely after the ticks
        (-1.0, 1.0, INVALID),  # entirely before the ticks
        (-1.0, 1.2, [0]),
    ],
)
def test_range_dimension_regions(tmp_path: Path, position: float, extent: float | None, expected: Any) -> None:
    for module, name in ((nix, "ours.nix"), (nixio, "theirs.nix")):
        f, b, da = _range_data(module, tmp_path / name)
        tag = b.create_tag("t", "t", [position])
        if extent is not None:
            tag.extent = [extent]
        tag.references.append(da)
        assert _outcome(lambda tag=tag: tag.tagged_data(0)) == expected, module.__name__
        f.close()


def test_range_region_in_other_units(tmp_path: Path) -> None:
    f, b, da = _range_data(nix, tmp_path / "a.nix")
    tag = b.create_tag("t", "t", [250.0])
    tag.extent = [400.0]
    tag.units = ["ms"]
    tag.references.append(da)
    assert tag.tagged_data(0)[:].tolist() == [1.0, 2.0]
    f.close()


def test_set_dimension_positions(tmp_path: Path) -> None:
    for module, name in ((nix, "ours.nix"), (nixio, "theirs.nix")):
        f = module.File.open(str(tmp_path / name), module.FileMode.Overwrite)
        b = f.create_block("b", "t")
        da = b.create_data_array("cats", "t", data=np.arange(4.0))
        da.append_set_dimension(["a", "b", "c", "d"])
        tag = b.create_tag("t", "t", [1])
        tag.extent = [2]
        tag.references.append(da)
        assert np.asarray(tag.tagged_data(0)[:]).tolist() == [1.0, 2.0]
        tag.units = ["none"]
        assert np.asarray(tag.tagged_data(0)[:]).tolist() == [1.0, 2.0]
        tag.units = ["s"]
        with pytest.raises(module.exceptions.IncompatibleDimensions):
            tag.tagged_data(0)
        f.close()


def test_data_without_dimension_descriptors_gives_invalid_view(tmp_path: Path) -> None:
    f = nix.File.open(tmp_path / "a.nix", nix.FileMode.Overwrite)
    b = f.create_block("b", "t")
    da = b.create_data_array("raw", "t", data=np.zeros(10))
    tag = b.create_tag("t", "t", [1.0])
    tag.references.append(da)
    view = tag.tagged_data(0)
    assert not view.valid
    assert "dimension descriptors" in view.debug_message
    f.close()


def test_invalid_views_say_why_and_raise_on_read(tmp_path: Path) -> None:
    """nixio reads an invalid view as an empty array; nixkit raises InvalidSlice with the reason
    (an IndexError), and len() is 0."""
    f, b, da = _signal(nix, tmp_path / "a.nix")
    tag = b.create_tag("t", "t", [1.05])
    tag.references.append(da)
    view = tag.tagged_data(0)
    assert not view.valid
    assert view.shape is None and view.data_extent is None and len(view) == 0 and view.size == 0
    assert "InvalidSlice error" in view.debug_message and "1.05" in view.debug_message
    with pytest.raises(InvalidSlice, match=r"1\.05"):
        view[:]
    with pytest.raises(IndexError):
        np.asarray(view)
    with pytest.raises(InvalidSlice):
        view[0] = 1.0
    assert list(view) == []
    f.close()


def test_tag_and_multi_tag_raise_out_of_bounds_alike(tmp_path: Path) -> None:
    """The documented rule: a region past the data raises OutOfBounds (an IndexError) from
    tagged_data and feature_data of Tag and MultiTag; nixio's MultiTag returns an invalid view."""
    f, b, da = _signal(nix, tmp_path / "a.nix")
    tag = b.create_tag("t", "t", [9.5])
    tag.extent = [1.0]
    tag.references.append(da)
    tag.create_feature(da, nix.LinkType.Tagged)
    mt = b.create_multi_tag("m", "t", [9.5])
    mt.extents = b.create_data_array("e", "t", data=[1.0])
    mt.references.append(da)
    mt.create_feature(da, nix.LinkType.Tagged)
    for call in (
        lambda: tag.tagged_data(0),
        lambda: tag.feature_data(0),
        lambda: mt.tagged_data(0, 0),
        lambda: mt.feature_data(0, 0),
    ):
        with pytest.raises(OutOfBounds, match=r"past the data extent \(100,\)"):
            call()
    f.close()


def test_index_errors(tmp_path: Path) -> None:
    f, b, da = _signal(nix, tmp_path / "a.nix")
    tag = b.create_tag("t", "t", [1.0])
    with pytest.raises(OutOfBounds, match="no references"):
        tag.tagged_data(0)
    tag.references.append(da)
    with pytest.raises(OutOfBounds):
        tag.tagged_data(1)
    with pytest.raises(KeyError):
        tag.tagged_data("nope")
    with pytest.raises(OutOfBounds, match="no features"):
        tag.feature_data(0)
    tag.extent = [1.0, 2.0]
    with pytest.raises(IncompatibleDimensions):
        tag.tagged_data(0)
    mt = b.create_multi_tag("m", "t", [1.0, 2.0])
    mt.references.append(da)
    with pytest.raises(OutOfBounds):
        mt.tagged_data(2, 0)
    assert mt.tagged_data(-1, 0)[:].tolist() == [20.0]
    mt.extents = b.create_data_array("e", "t", data=[1.0, 2.0, 3.0])
    with pytest.raises(IncompatibleDimensions):
        mt.tagged_data(0, 0)
    f.close()


@pytest.mark.parametrize("layout", ["1-D", "2-D"])
def test_multi_tag_positions_one_or_two_d(tmp_path: Path, layout: str) -> None:
    f, b, da = _signal(nix, tmp_path / "a.nix")
    pos = np.array([1.0, 2.0, 3.0])
    ext = np.array([0.2, 0.3, 0.1])
    if layout == "2-D":
        pos, ext = pos.reshape(-1, 1), ext.reshape(-1, 1)
    mt = b.create_multi_tag("m", "t", pos, ext)
    mt.references.append(da)
    assert [mt.tagged_data(i, 0)[:].tolist() for i in range(3)] == [[10.0, 11.0], [20.0, 21.0, 22.0], [30.0]]
    f.close()


def test_get_slice_data_mode_shares_the_tag_rule(tmp_path: Path) -> None:
    f, _b, da = _signal(nix, tmp_path / "a.nix")
    assert da.get_slice([1.0], [0.5], mode=nix.DataSliceMode.Data)[:].tolist() == list(range(10, 15))
    assert da.get_slice([1.0], mode=nix.DataSliceMode.Data)[:].tolist() == [10.0]
    assert not da.get_slice([1.05], mode=nix.DataSliceMode.Data).valid
    with pytest.raises(OutOfBounds):
        da.get_slice([9.5], [1.0], mode=nix.DataSliceMode.Data)
    with pytest.raises(IncompatibleDimensions):
        da.get_slice([1.0, 2.0], [1.0], mode=nix.DataSliceMode.Data)
    f.close()


def test_get_slice_index_mode(tmp_path: Path) -> None:
    """nixio crashes with TypeError for Index mode without extents (section 6.1 item 9)."""
    f, _b, da = _signal(nix, tmp_path / "a.nix")
    assert da.get_slice([3], [4])[:].tolist() == [3.0, 4.0, 5.0, 6.0]
    assert da.get_slice([3])[:].tolist() == [3.0]
    with pytest.raises(OutOfBounds):
        da.get_slice([98], [5])
    f.close()
    g = nixio.File.open(str(tmp_path / "a.nix"), nixio.FileMode.ReadOnly)
    with pytest.raises(TypeError):
        g.blocks[0].data_arrays[0].get_slice([3])
    g.close()


def test_get_slice_data_mode_against_nixio(tmp_path: Path) -> None:
    _signal(nix, tmp_path / "a.nix")[0].close()
    g = nixio.File.open(str(tmp_path / "a.nix"), nixio.FileMode.ReadOnly)
    f = nix.File.open(tmp_path / "a.nix", nix.FileMode.ReadOnly)
    theirs, ours = g.blocks[0].data_arrays[0], f.blocks[0].data_arrays[0]
    for pos, ext in (([1.0], [0.5]), ([0.0], [2.0]), ([5.0], [0.1])):
        np.testing.assert_array_equal(
            ours.get_slice(pos, ext, mode=nix.DataSliceMode.Data)[:],
            theirs.get_slice(pos, ext, mode=nixio.DataSliceMode.Data)[:],
        )
    # An end between samples: nixio's get_slice drops sample 15 (at 1.5 s, inside [1.01, 1.51))
    # although its Tag keeps it; nixkit's get_slice follows the tag rule.
    assert theirs.get_slice([1.01], [0.5], mode=nixio.DataSliceMode.Data)[:].tolist() == [11, 12, 13, 14]
    assert ours.get_slice([1.01], [0.5], mode=nix.DataSliceMode.Data)[:].tolist() == [11, 12, 13, 14, 15]
    f.close()
    g.close()


def test_identical_non_si_units_need_no_conversion(tmp_path: Path) -> None:
    """nixio refuses a tag in 'px' on a dimension in 'px' (its scaling only knows SI units);
    equal units scale by 1 in nixkit."""
    results = []
    for module, name in ((nix, "ours.nix"), (nixio, "theirs.nix")):
        f, b, da = _image(module, tmp_path / name)
        tag = b.create_tag("roi", "t", [5, 10, 0])
        tag.extent = [2, 2, 1]
        tag.units = ["px", "px", "none"]
        tag.references.append(da)
        try:
            results.append(np.asarray(tag.tagged_data(0)[:]).shape)
        except module.exceptions.IncompatibleDimensions:
            results.append("IncompatibleDimensions")
        f.close()
    assert results == [(2, 2, 1), "IncompatibleDimensions"]


def test_far_positions_are_not_snapped_to_a_neighbour(tmp_path: Path) -> None:
    """nixio treats any position within a relative 1e-5 of a sample index as on it (np.isclose),
    so 60000.3 samples counts as sample 60000 and the window starts before the position."""
    starts = []
    for module, name in ((nix, "ours.nix"), (nixio, "theirs.nix")):
        f = module.File.open(str(tmp_path / name), module.FileMode.Overwrite)
        b = f.create_block("b", "t")
        da = b.create_data_array("long", "t", data=np.arange(100_000, dtype=np.float64))
        da.append_sampled_dimension(1.0).unit = "s"
        tag = b.create_tag("t", "t", [60_000.3])
        tag.extent = [10.0]
        tag.references.append(da)
        starts.append(float(tag.tagged_data(0)[:][0]))
        f.close()
    assert starts == [60_001.0, 60_000.0]


def test_index_mode_get_slice_needs_whole_extents(tmp_path: Path) -> None:
    with nix.File.open(tmp_path / "s.nix", nix.FileMode.Overwrite) as f:
        da = f.create_block("b", "t").create_data_array("x", "t", data=np.arange(10.0))
        da.append_sampled_dimension(1.0)
        np.testing.assert_array_equal(da.get_slice([2], [3])[:], [2.0, 3.0, 4.0])
        with pytest.raises(TypeError, match="integer extents"):
            da.get_slice([2], [2.7])


def test_rewriting_a_tag_position_replaces_it_in_place(tmp_path: Path) -> None:
    with nix.File.open(tmp_path / "p.nix", nix.FileMode.Overwrite) as f:
        tag = f.create_block("b", "t").create_tag("t", "t", [1.0, 2.0])
        tag.position = [3.0]
        tag.units = ["ms"]
        tag.units = ["s"]
        assert tag.position == (3.0,) and tag.units == ("s",)
        assert sorted(tag._node.names()) == ["position", "units"]


def test_untagged_feature_data_needs_an_existing_position(tmp_path: Path) -> None:
    with nix.File.open(tmp_path / "u.nix", nix.FileMode.Overwrite) as f:
        b = f.create_block("b", "t")
        stim = b.create_data_array("stim", "t", data=np.arange(5.0))
        mt = b.create_multi_tag("m", "t", positions=[1.0, 2.0])
        mt.create_feature(stim, nix.LinkType.Untagged)
        np.testing.assert_array_equal(mt.feature_data(1, 0)[:], np.arange(5.0))
        with pytest.raises(OutOfBounds):
            mt.feature_data(2, 0)
