"""copy_from=: copies own what the source owns and link what it only refers to.

nixio (reference 6.2) copies with one HDF5 H5Ocopy, which also copies every referred
object (data arrays of a copied tag, the Section of a copied block) into hidden places,
and with ``keep_copy_id=False`` leaves links named by ids that no longer exist.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nixio
import numpy as np
import pytest

import nixkit as nix
from nixkit.exceptions import CopyNameClash, DuplicateName, InvalidName, ReadOnlyError


def _build(path: Path) -> None:
    """A block with every kind of owned and referred object."""
    with nix.File.open(path, nix.FileMode.Overwrite) as f:
        section = f.create_section("recording", "nix.recording")
        section["experimenter"] = "Ada"
        b = f.create_block("session", "nix.session")
        b.metadata = section
        cell = b.create_source("cell", "nix.cell")
        electrode = cell.create_source("electrode", "nix.electrode")
        sig = b.create_data_array("signal", "nix.sampled", data=np.arange(20.0), unit="mV", label="voltage")
        sig.append_sampled_dimension(0.5, label="time", unit="s")
        sig.sources.append(electrode)
        sig.metadata = section
        times = b.create_data_array("times", "nix.events", data=[1.0, 2.0, 4.0], unit="s")
        times.append_range_dimension_using_self()
        extents = b.create_data_array("extents", "nix.extents", data=[1.0, 1.0, 1.0], unit="s")
        amp = b.create_data_array("amplitudes", "nix.feature", data=[5.0, 6.0, 7.0], unit="mV")
        tag = b.create_tag("stim", "nix.stimulus", position=[2.0])
        tag.extent = [3.0]
        tag.units = ["s"]
        tag.references.append(sig)
        tag.create_feature(amp, nix.LinkType.Untagged)
        tag.sources.append(cell)
        mt = b.create_multi_tag("events", "nix.events", positions=times)
        mt.extents = extents
        mt.references.append(sig)
        mt.create_feature(amp, nix.LinkType.Indexed)
        b.create_data_frame("table", "nix.table", col_dict={"n": np.int64, "x": float}, data=[(1, 0.5), (2, 1.5)])
        group = b.create_group("trial", "nix.trial")
        group.data_arrays.append(sig)
        group.tags.append(tag)
        group.sources.append(electrode)


@pytest.fixture
def built(tmp_path: Path) -> Path:
    path = tmp_path / "src.nix"
    _build(path)
    return path


def _addr(entity: Any) -> int:
    return entity._node.address  # type: ignore[no-any-return]


def test_data_array_copy_in_the_same_block_links_what_it_refers_to(built: Path) -> None:
    """A copied array owns data and dimensions, and links the original sources and metadata."""
    with nix.File.open(built, nix.FileMode.ReadWrite) as f:
        b = f.blocks["session"]
        sig = b.data_arrays["signal"]
        copy = b.create_data_array("signal copy", copy_from=sig)
        assert (copy.name, copy.id, copy.type, copy.unit, copy.label) == (
            "signal copy",
            sig.id,
            "nix.sampled",
            "mV",
            "voltage",
        )
        np.testing.assert_array_equal(copy[:], sig[:])
        assert copy.dimensions[0].sampling_interval == 0.5
        assert _addr(copy.sources[0]) == _addr(sig.sources[0])
        assert _addr(copy.metadata) == _addr(f.sections["recording"])
        copy[0] = 100.0
        assert sig[0] == 0.0  # the data is the copy's own
        assert [da.name for da in b.data_arrays][-1] == "signal copy"


def test_fresh_ids_keep_references_resolvable(built: Path) -> None:
    """keep_copy_id=False renews every id and renames the links named by them.

    nixio kept the old link names, so a self-linked range dimension of a copy still
    pointed at an id that no longer matches its target.
    """
    with nix.File.open(built, nix.FileMode.ReadWrite) as f:
        b = f.blocks["session"]
        times = b.data_arrays["times"]
        copy = b.create_data_array("times copy", copy_from=times, keep_copy_id=False)
        assert copy.id != times.id
        link = copy.dimensions[0].dimension_link
        assert link.id != times.dimensions[0].dimension_link.id
        assert _addr(link.linked_data) == _addr(copy)
        assert copy.dimensions[0].ticks == (1.0, 2.0, 4.0)
        assert copy.id in copy.dimensions[0]._node.group("link")
    g = nixio.File.open(str(built), nixio.FileMode.ReadOnly)
    ticks = g.blocks["session"].data_arrays["times copy"].dimensions[0].ticks
    g.close()
    assert tuple(ticks) == (1.0, 2.0, 4.0)


def test_block_copy_keeps_its_inner_links(built: Path) -> None:
    """Inside a copied block, references lead to the copies; the Section stays shared."""
    with nix.File.open(built, nix.FileMode.ReadWrite) as f:
        b = f.blocks["session"]
        c = f.create_block("session 2", "nix.session", copy_from=b)
        assert [da.name for da in c.data_arrays] == [da.name for da in b.data_arrays]
        sig = c.data_arrays["signal"]
        assert _addr(sig) != _addr(b.data_arrays["signal"])
        assert _addr(c.tags["stim"].references[0]) == _addr(sig)
        assert _addr(c.tags["stim"].features[0].data) == _addr(c.data_arrays["amplitudes"])
        assert _addr(c.multi_tags["events"].positions) == _addr(c.data_arrays["times"])
        assert _addr(c.multi_tags["events"].extents) == _addr(c.data_arrays["extents"])
        assert _addr(c.groups["trial"].data_arrays[0]) == _addr(sig)
        electrode = c.sources["cell"].sources["electrode"]
        assert _addr(sig.sources[0]) == _addr(electrode) != _addr(b.find_sources(lambda s: s.name == "electrode")[0])
        assert _addr(c.metadata) == _addr(f.sections["recording"])
        assert _addr(sig.metadata) == _addr(f.sections["recording"])
        times = c.data_arrays["times"]
        assert _addr(times.dimensions[0].dimension_link.linked_data) == _addr(times)
        assert list(c.data_frames["table"].read_columns(name=["n"])) == [1, 2]
        assert len(f.sections) == 1


def test_block_copy_with_fresh_ids(built: Path) -> None:
    """With fresh ids every entity of the copy differs from the original and ids still resolve."""
    with nix.File.open(built, nix.FileMode.ReadWrite) as f:
        b = f.blocks["session"]
        c = f.create_block("session 3", "nix.session", copy_from=b, keep_copy_id=False)
        old = {e.id for e in [b, *b.data_arrays, *b.tags, *b.multi_tags, *b.groups, *b.find_sources(), *b.data_frames]}
        new = {e.id for e in [c, *c.data_arrays, *c.tags, *c.multi_tags, *c.groups, *c.find_sources(), *c.data_frames]}
        assert not old & new and len(new) == len(old)
        sig = c.data_arrays["signal"]
        assert _addr(c.tags["stim"].references[sig.id]) == _addr(sig)
        assert _addr(c.groups["trial"].data_arrays[sig.id]) == _addr(sig)
        electrode = c.sources["cell"].sources["electrode"]
        assert _addr(sig.sources[electrode.id]) == _addr(electrode)
        assert c.tags["stim"].features[0].id != b.tags["stim"].features[0].id
    g = nixio.File.open(str(built), nixio.FileMode.ReadOnly)
    gc = g.blocks["session 3"]
    assert gc.tags["stim"].references[0].name == "signal"
    assert gc.groups["trial"].data_arrays[0].id == gc.data_arrays["signal"].id
    g.close()


def test_tag_copy_in_the_same_block_refers_to_the_originals(built: Path) -> None:
    """A tag copied within its block references the block's arrays: no hidden duplicates."""
    with nix.File.open(built, nix.FileMode.ReadWrite) as f:
        b = f.blocks["session"]
        tag = b.create_tag("stim 2", copy_from=b.tags["stim"])
        assert _addr(tag.references[0]) == _addr(b.data_arrays["signal"])
        assert _addr(tag.features[0].data) == _addr(b.data_arrays["amplitudes"])
        assert (tag.position, tag.extent, tag.units) == ((2.0,), (3.0,), ("s",))
        mt = b.create_multi_tag("events 2", copy_from=b.multi_tags["events"])
        assert _addr(mt.positions) == _addr(b.data_arrays["times"])
        np.testing.assert_array_equal(mt.tagged_data(1, 0)[:], b.multi_tags["events"].tagged_data(1, 0)[:])


def test_tag_copy_into_another_block_takes_its_references_along(built: Path) -> None:
    """Across blocks the referred arrays cannot be shared, so the copy carries private ones.

    This is nixio's behaviour for every copy; here it is kept only where a link would
    break the rule that references stay inside their block.
    """
    with nix.File.open(built, nix.FileMode.ReadWrite) as f:
        b = f.blocks["session"]
        other = f.create_block("other", "nix.session")
        tag = other.create_tag("stim", copy_from=b.tags["stim"])
        ref = tag.references[0]
        assert _addr(ref) != _addr(b.data_arrays["signal"])
        np.testing.assert_array_equal(ref[:], b.data_arrays["signal"][:])
        np.testing.assert_array_equal(tag.tagged_data(0)[:], b.tags["stim"].tagged_data(0)[:])


def test_copy_between_files(built: Path, tmp_path: Path) -> None:
    """A block copied into another file brings its content; its Section comes along privately."""
    target = tmp_path / "target.nix"
    with nix.File.open(built, nix.FileMode.ReadOnly) as src, nix.File.open(target, nix.FileMode.Overwrite) as dst:
        c = dst.create_block(copy_from=src.blocks["session"])
        assert c.name == "session" and c.id == src.blocks["session"].id
        np.testing.assert_array_equal(c.data_arrays["signal"][:], np.arange(20.0))
        assert c.metadata["experimenter"] == "Ada"
        assert len(dst.sections) == 0
        assert _addr(c.tags["stim"].references[0]) == _addr(c.data_arrays["signal"])
    g = nixio.File.open(str(target), nixio.FileMode.ReadWrite)
    gb = g.blocks["session"]
    assert gb.tags["stim"].references[0].name == "signal"
    assert gb.metadata["experimenter"] == "Ada"
    gb.create_data_array("added by nixio", "t", data=[1, 2])
    g.close()
    with nix.File.open(target, nix.FileMode.ReadOnly) as f:
        assert list(f.blocks["session"].data_arrays["added by nixio"][:]) == [1, 2]


def test_name_clash_is_duplicate_name_and_name_error(built: Path) -> None:
    """nixio raised NameError on a copy name clash: ours is that and DuplicateName, and writes nothing."""
    with nix.File.open(built, nix.FileMode.ReadWrite) as f:
        b = f.blocks["session"]
        count = len(b.data_arrays)
        with pytest.raises(CopyNameClash) as err:
            b.create_data_array("times", copy_from=b.data_arrays["signal"])
        assert isinstance(err.value, NameError) and isinstance(err.value, DuplicateName)
        with pytest.raises(NameError):
            f.create_block(copy_from=b)
        with pytest.raises(InvalidName):
            b.create_data_array("a/b", copy_from=b.data_arrays["signal"])
        with pytest.raises(TypeError):
            b.create_data_array("x", copy_from=b.tags["stim"])
        assert len(b.data_arrays) == count and len(f.blocks) == 1


def test_copy_into_read_only_file_is_refused(built: Path) -> None:
    """A read-only file refuses a copy before anything is written."""
    with nix.File.open(built, nix.FileMode.ReadOnly) as f:
        b = f.blocks["session"]
        with pytest.raises(ReadOnlyError):
            b.create_data_array("copy", copy_from=b.data_arrays["signal"])
        with pytest.raises(ReadOnlyError):
            f.create_block("copy", copy_from=b)


def test_copy_keeps_creation_order(built: Path) -> None:
    """Containers of a copy list their members in the original order."""
    with nix.File.open(built, nix.FileMode.ReadWrite) as f:
        b = f.blocks["session"]
        c = f.create_block("ordered", copy_from=b, keep_copy_id=False)
        assert [da.name for da in c.data_arrays] == [da.name for da in b.data_arrays]
        assert [da.name for da in c.data_arrays] == ["signal", "times", "extents", "amplitudes"]
        assert [r.name for r in c.groups["trial"].data_arrays] == ["signal"]
        assert c.data_arrays[2].name == "extents"


def test_data_frame_copy(built: Path) -> None:
    """A copied data frame has the same columns and rows and its own storage."""
    with nix.File.open(built, nix.FileMode.ReadWrite) as f:
        b = f.blocks["session"]
        df = b.create_data_frame("table 2", copy_from=b.data_frames["table"])
        assert df.column_names == ("n", "x") and df.shape == (2,)
        df.append_rows([(3, 2.5)])
        assert b.data_frames["table"].shape == (2,)


def test_entities_named_like_reference_links_are_copied(tmp_path: Path) -> None:
    """An array named "positions" or "metadata" is owned by its block, not a reference."""
    path = tmp_path / "names.nix"
    with nix.File.open(path, nix.FileMode.Overwrite) as f:
        b = f.create_block("b", "t")
        positions = b.create_data_array("positions", "t", data=[1.0, 2.0])
        b.create_data_array("metadata", "t", data=[3.0])
        b.create_multi_tag("mt", "t", positions=positions)
        c = f.create_block("c", "t", copy_from=b)
        assert _addr(c.data_arrays["positions"]) != _addr(positions)
        assert _addr(c.data_arrays["metadata"]) != _addr(b.data_arrays["metadata"])
        assert _addr(c.multi_tags["mt"].positions) == _addr(c.data_arrays["positions"])
        assert c.metadata is None
