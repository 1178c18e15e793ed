"""Real NIX files written by other libraries: nixkit reads what nixio 1.5.4 reads.

Each file in ``shared/testdata/realfiles`` is opened read-only by both libraries and
walked completely (see ``walk.py``); the walks must be equal except where nixio is
wrong, and each such place has its own test below saying so. The files' documented
contents (``realfiles/README.md``) are checked too.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nixio
import numpy as np
import pytest

import nixkit as nix
from conftest import REALFILES, realfile_paths, sha256
from nixkit.exceptions import FormatVersionError, IncompatibleDimensions
from walk import differences, walk_file

pytestmark = pytest.mark.compat

CPP_MASTER = "generated/cpp-nix-1.5.0-master_representative.nix"
CPP_145 = "generated/cpp-nix-1.4.5_representative.nix"
FULLFILE = "generated/cpp-nix-1.5.0-master_writefullfile.nix"
DOCS = "g-node_nix/docs_data_nix_test_v1.2.h5"
NIXVIEW = "bendalab_NixView/nix_test.h5"
V100 = "g-node_nix/nix_test_v1.0.0.h5"
EMPTY = "g-node_nix-mx/testOverwrite.h5"
NIXTRACK = "bendalab_nixtrack/test.nix"
EEG = "generated/nixio-1.5.4_nixodmlconverter-0.0.7_eeg_metadata.nix"

# Places where nixkit deliberately differs from nixio (each pinned by a test below).
KNOWN_DIFFERENCES = {
    FULLFILE: ["/blocks[blockyblock]/data_frames[table]/units"],
}


def _ids(paths: list[Path]) -> list[str]:
    return [p.relative_to(REALFILES).as_posix() for p in paths]


def _walk_nixkit(path: Path) -> dict[str, Any]:
    with nix.File.open(path, nix.FileMode.ReadOnly) as f:
        return walk_file(f)


def _walk_nixio(path: Path) -> dict[str, Any]:
    f = nixio.File.open(str(path), nixio.FileMode.ReadOnly)
    try:
        return walk_file(f)
    finally:
        f.close()


@pytest.fixture
def open_real(realfiles: Path) -> Any:
    """Open a real file read-only with nixkit by its path relative to the realfiles folder."""
    opened: list[nix.File] = []

    def opener(rel: str) -> nix.File:
        f = nix.File.open(realfiles / rel, nix.FileMode.ReadOnly)
        opened.append(f)
        return f

    yield opener
    for f in opened:
        f.close()


def test_every_real_file_is_found() -> None:
    """The suite sees all nine documented files (a missing folder must not pass silently)."""
    assert len(realfile_paths()) == 9


@pytest.mark.parametrize("path", realfile_paths(), ids=_ids(realfile_paths()))
def test_walk_equals_nixio(path: Path) -> None:
    """A full walk of the file through nixkit equals the same walk through nixio 1.5.4."""
    before = sha256(path)
    ours, theirs = _walk_nixkit(path), _walk_nixio(path)
    allowed = KNOWN_DIFFERENCES.get(path.relative_to(REALFILES).as_posix(), [])
    diffs = [d for d in differences(ours, theirs) if not any(d.startswith(a) for a in allowed)]
    assert diffs == []
    assert sha256(path) == before


@pytest.mark.parametrize("path", realfile_paths(), ids=_ids(realfile_paths()))
def test_old_formats_open_read_only_and_refuse_writing(path: Path, tmp_path: Path) -> None:
    """Older formats open read-only without an upgrade; read-write names the upgrade."""
    with nix.File.open(path, nix.FileMode.ReadOnly) as f:
        version = f.version
    if version >= (1, 2, 1):
        return
    copy = tmp_path / path.name
    copy.write_bytes(path.read_bytes())
    before = sha256(copy)
    with pytest.raises(FormatVersionError, match="upgrade"):
        nix.File.open(copy, nix.FileMode.ReadWrite)
    assert sha256(copy) == before


@pytest.mark.parametrize("rel", [CPP_MASTER, CPP_145])
def test_representative_content(open_real: Any, rel: str) -> None:
    """The C++ representative files hold what their README lists."""
    f = open_real(rel)
    assert f.version == ((1, 2, 0) if rel == CPP_MASTER else (1, 1, 0))
    assert [b.name for b in f.blocks] == ["recording"]
    b = f.blocks["recording"]
    assert (b.type, b.definition, b.created_at) == ("nix.session", "block written by C++ NIX", 1600000000)
    exp = b.metadata
    assert (exp.name, exp.type) == ("experiment", "nix.experiment")
    props = {p.name: p for p in exp.props}
    assert props["experimenter"].values == ("Jane Doe",)
    assert props["temperature"].values == (21.5,) and props["temperature"].unit == "degC"
    assert props["trials"].values == (12,) and np.asarray(props["trials"].values).dtype == np.int64
    assert props["flag"].values == (True,) and np.asarray(props["flag"].values).dtype == np.bool_
    assert props["gains"].values == (1.0, 2.5, 4.0) and props["gains"].unit == "mV"
    assert props["labels"].values == ("a", "bb", "ccc")
    amp = exp.sections["amplifier"]
    assert amp.type == "hardware" and amp["model"] == "EXT-02"

    voltage = b.data_arrays["voltage"]
    assert (voltage.type, voltage.unit, voltage.label, voltage.definition) == (
        "nix.sampled",
        "mV",
        "voltage",
        "3 channels",
    )
    i, j = np.meshgrid(np.arange(1000), np.arange(3), indexing="ij")
    np.testing.assert_allclose(voltage[:], np.sin(0.01 * i * (j + 1)))
    assert voltage.metadata.name == "amplifier"
    assert [s.name for s in voltage.sources] == ["cell 1"]
    time_dim, set_dim = voltage.dimensions
    assert (time_dim.sampling_interval, time_dim.unit, time_dim.label, time_dim.offset) == (0.001, "s", "time", 0.5)
    assert set_dim.labels == ("ch0", "ch1", "ch2")

    irregular = b.data_arrays["irregular"]
    assert irregular.dtype == np.float32 and list(irregular[:]) == [1, 2, 3, 4, 5]
    rdim = irregular.dimensions[0]
    assert (rdim.ticks, rdim.unit, rdim.label) == ((0.1, 0.25, 0.3, 0.9, 1.7), "s", "time")

    spikes = b.data_arrays["spike times"]
    alias = spikes.dimensions[0]
    assert alias.ticks == (0.55, 0.7, 1.1) and not alias.has_link and alias.is_alias
    assert (alias.unit, alias.label) == ("s", "time")

    ints = b.data_arrays["ints"]
    assert ints.dtype == np.int32 and list(ints[:]) == [1, -2, 3, -4]
    assert ints.dimensions[0].labels == ()

    tag = b.tags["stimulus"]
    assert (tag.type, tag.position, tag.extent, tag.units) == ("nix.stimulus", (0.6, 0.0), (0.2, 2.0), ("s", ""))
    assert [r.name for r in tag.references] == ["voltage"]
    assert [(ft.link_type, ft.data.name) for ft in tag.features] == [(nix.LinkType.Untagged, "irregular")]

    mt = b.multi_tags["spikes"]
    assert mt.positions.name == "mt positions" and list(mt.positions[:]) == [0.55, 0.7, 1.1]
    assert mt.extents.name == "mt extents" and list(mt.extents[:]) == [0.01] * 3
    assert mt.units == ("s",)
    assert [r.name for r in mt.references] == ["voltage"]
    (feature,) = mt.features
    assert (feature.link_type, feature.data.name) == (nix.LinkType.Indexed, "spike amplitudes")
    assert list(feature.data[:]) == [10, 11, 12] and feature.data.unit == "mV"
    assert [s.name for s in mt.sources] == ["cell 1"]

    cell = b.sources["cell 1"]
    assert cell.type == "nix.cell" and [s.name for s in cell.sources] == ["electrode"]
    group = b.groups["trial 1"]
    assert group.type == "nix.trial"
    assert [d.name for d in group.data_arrays] == ["voltage"]
    assert [t.name for t in group.tags] == ["stimulus"]
    assert [m.name for m in group.multi_tags] == ["spikes"]


def test_writefullfile_content(open_real: Any) -> None:
    """The C++ writefullfile file: 4 blocks, 22 arrays of all 12 types, 12 sections, tagu fails."""
    f = open_real(FULLFILE)
    assert len(f.blocks) == 4
    assert sum(len(b.data_arrays) for b in f.blocks) == 22
    assert len(f.find_sections()) == 12
    dtypes = {da.name: da.dtype for da in f.blocks["datablock"].data_arrays}
    for name in ("UInt8", "UInt16", "UInt32", "UInt64", "Int8", "Int16", "Int32", "Int64", "Float", "Double", "Bool"):
        assert dtypes[name] == np.dtype(getattr(nix.DataType, name)), name
    assert f.blocks["datablock"].data_arrays["String"].data_type == nix.DataType.String
    theirs = nixio.File.open(str(REALFILES / FULLFILE), nixio.FileMode.ReadOnly)
    expected = list(theirs.blocks["datablock"].data_arrays["unicodedata"][:])
    theirs.close()
    assert list(f.blocks["datablock"].data_arrays["unicodedata"][:]) == expected
    tagu = f.blocks["blockyblock"].tags["tagu"]
    # tag unit mV against a dimension in ms: nixio raises, and so must we.
    with pytest.raises(IncompatibleDimensions):
        tagu.tagged_data(0)
    table = f.blocks["blockyblock"].data_frames["table"]
    assert table.column_names == ("str", "Double", "int64", "bool")
    assert table.shape == (2,)


def test_writefullfile_frame_units_are_read_from_the_dataset(open_real: Any) -> None:
    """nixio bug (reference 2.9): C++ stores DataFrame units on the dataset and nixio loses them.

    nixkit reads them from there when the group has none.
    """
    table = open_real(FULLFILE).blocks["blockyblock"].data_frames["table"]
    assert list(table.units[1:3]) == ["A", "ms"]
    theirs = nixio.File.open(str(REALFILES / FULLFILE), nixio.FileMode.ReadOnly)
    assert theirs.blocks["blockyblock"].data_frames["table"].units is None
    theirs.close()


def test_docs_data_content(open_real: Any) -> None:
    """The 2016 docs file: 4 blocks, 15 arrays (one uint8 image), 3+3 tags, 4 features, 3 sources."""
    f = open_real(DOCS)
    assert [b.name for b in f.blocks] == ["1D data", "Categorical data", "2D data", "3D data"]
    arrays = [da for b in f.blocks for da in b.data_arrays]
    assert len(arrays) == 15
    images = [da for da in arrays if da.dtype == np.uint8]
    assert [da.shape for da in images] == [(512, 512, 3)]
    assert sum(len(b.tags) for b in f.blocks) == 3
    assert sum(len(b.multi_tags) for b in f.blocks) == 3
    features = [ft for b in f.blocks for t in [*b.tags, *b.multi_tags] for ft in t.features]
    assert len(features) == 4 and {ft.link_type for ft in features} == {nix.LinkType.Untagged}
    assert sum(len(b.find_sources()) for b in f.blocks) == 3
    assert len(f.find_sections()) == 6


def test_old_bitfield_boolean_reads_as_bool(open_real: Any) -> None:
    """nixio bug: a format-1.0 bitfield boolean comes back as uint8 1 from nixio; it is True."""
    f = open_real(DOCS)
    adult = f.sections["2015_albi_10"].props["adult"]
    assert adult.values == (True,) and isinstance(adult.values[0], (bool, np.bool_))
    theirs = nixio.File.open(str(REALFILES / DOCS), nixio.FileMode.ReadOnly)
    value = theirs.sections["2015_albi_10"].props["adult"].values[0]
    theirs.close()
    assert isinstance(value, np.uint8)


def test_v100_metadata(open_real: Any) -> None:
    """nixio bug 6.1.25: old-format references are bytes in nixio; nixkit gives str, and bools."""
    f = open_real(V100)
    (section,) = f.sections
    assert (section.name, section.type) == ("several values", "nix_test")
    props = {p.name: p for p in section.props}
    assert props["true_or_false"].values == (True,)
    assert isinstance(props["true_or_false"].values[0], (bool, np.bool_))
    assert props["uncertain value"].values == (3.1416,)
    assert props["uncertain value"].uncertainty == 0.001
    assert props["extended value"].values == ("some content",)
    assert all(p.reference is None or isinstance(p.reference, str) for p in props.values())


def test_nixview_file(open_real: Any) -> None:
    """The NixView file: the docs file's 4 blocks, 'adult' missing from '2015_albi_10'."""
    f = open_real(NIXVIEW)
    assert len(f.blocks) == 4
    assert "adult" not in f.sections["2015_albi_10"].props


def test_empty_file(open_real: Any) -> None:
    """The nix-mx file has no blocks and no sections."""
    f = open_real(EMPTY)
    assert len(f.blocks) == 0 and len(f.sections) == 0


def test_nixtrack_content(open_real: Any) -> None:
    """The SLEAP tracking file: dimension links, set labels, indexed features, data frames."""
    f = open_real(NIXTRACK)
    assert f.version == (1, 2, 1)
    (b,) = f.blocks
    assert len(b.data_arrays) == 8
    frame = b.data_arrays["frame"]
    for da in b.data_arrays:
        dim = da.dimensions[0]
        assert dim.has_link and dim.dimension_link.index == (-1,)
        assert dim.label == "frame index"
        np.testing.assert_array_equal(dim.ticks, frame[:])
    assert any(d.labels for da in b.data_arrays for d in da.dimensions if d.dimension_type == nix.DimensionType.Set)
    (mt,) = b.multi_tags
    assert len(mt.features) == 6 and {ft.link_type for ft in mt.features} == {nix.LinkType.Indexed}
    assert len(b.data_frames) == 2
    (source,) = b.sources
    assert source.metadata is not None
    bools = [p for s in f.find_sections() for p in s.props if np.asarray(p.values).dtype == np.bool_]
    assert bools


def test_eeg_metadata_counts(open_real: Any) -> None:
    """The nixodmlconverter file: 42 sections and 82 properties with odML attributes."""
    f = open_real(EEG)
    sections = f.find_sections()
    assert len(sections) == 42
    props = [p for s in sections for p in s.props]
    assert len(props) == 82
    assert any(p.odml_type is not None for p in props)
