"""File compatibility with nixio 1.5.4 in both directions, header checks and bad input.

One writer function fills a file through the API the two libraries share, using every
entity kind and every data type. A file written by either library must walk (see
``walk.py``) identically through both, must open read-write in the other library, and
what the other library adds must read back in the first.
"""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path
from types import ModuleType
from typing import Any

import h5py
import nixio
import numpy as np
import pytest

import nixkit as nix
from conftest import sha256
from nixkit.exceptions import (
    DuplicateName,
    FileMissing,
    FormatVersionError,
    InvalidAttrType,
    InvalidData,
    InvalidFile,
    InvalidName,
    NixError,
    ReadOnlyError,
)
from walk import differences, walk_file

pytestmark = pytest.mark.compat

# name -> (numpy type, sample data); Char is int8 and Opaque raw bytes, as in NIX.
DTYPES: dict[str, tuple[Any, Any]] = {
    "Bool": (np.bool_, np.array([True, False, True], dtype=np.bool_)),
    "Char": (np.int8, np.array([ord("a"), ord("b"), -1], dtype=np.int8)),
    "Int8": (np.int8, np.array([-128, 0, 127], dtype=np.int8)),
    "Int16": (np.int16, np.array([-32768, 1, 32767], dtype=np.int16)),
    "Int32": (np.int32, np.array([-(2**31), 2, 2**31 - 1], dtype=np.int32)),
    "Int64": (np.int64, np.array([-(2**63), 3, 2**63 - 1], dtype=np.int64)),
    "UInt8": (np.uint8, np.array([0, 1, 255], dtype=np.uint8)),
    "UInt16": (np.uint16, np.array([0, 2, 65535], dtype=np.uint16)),
    "UInt32": (np.uint32, np.array([0, 3, 2**32 - 1], dtype=np.uint32)),
    "UInt64": (np.uint64, np.array([0, 4, 2**64 - 1], dtype=np.uint64)),
    "Float": (np.float32, np.array([0.5, -1.25, 3.0e38], dtype=np.float32)),
    "Double": (np.float64, np.array([0.1, -2.5, 1.0e300], dtype=np.float64)),
    "String": (str, ["a", "bé", "日本語"]),
    "Opaque": (np.dtype("V2"), np.array([b"ab", b"\x00\xff", b"zz"], dtype="V2")),
}


def _dtype(lib: ModuleType, dtype: Any) -> Any:
    # nixio needs its DataType.String for text; a plain str gives a numpy '<U' it cannot store.
    return lib.DataType.String if dtype is str else dtype


def _open(lib: ModuleType, path: Path, mode: str) -> Any:
    return lib.File.open(str(path), getattr(lib.FileMode, mode))


def populate(lib: ModuleType, f: Any) -> None:
    """Write every entity kind and data type through the API nixio and nixkit share."""
    session = f.create_section("session", "nix.session")
    session.definition = "a recording day"
    session["experimenter"] = "Ada"
    gains = session.create_property("gains", [1.0, 2.5, 4.0])
    gains.unit = "mV"
    gains.uncertainty = 0.01
    gains.definition = "amplifier gains"
    gains.reference = "manual p. 3"
    gains.odml_type = lib.OdmlType.Float
    gains.dependency = "temperature"
    gains.dependency_value = "21 degC"
    gains.value_origin = "datasheet"
    session.create_property("count", 12)
    session.create_property("flags", [True, False])
    session.create_property("labels", ["x", "y", "z"])
    hardware = session.create_section("amplifier", "hardware")
    hardware["model"] = "EXT-02"

    b = f.create_block("recording", "nix.session")
    b.definition = "all kinds of things"
    b.metadata = session
    cell = b.create_source("cell", "nix.cell")
    electrode = cell.create_source("electrode", "nix.electrode")
    cell.metadata = hardware

    for name, (dtype, values) in DTYPES.items():
        da = b.create_data_array(f"type {name}", "nix.dtype", dtype=_dtype(lib, dtype), data=values)
        da.append_set_dimension()

    signal = b.create_data_array("signal", "nix.sampled", data=np.sin(np.arange(400.0) / 20).reshape(100, 4))
    signal.unit = "mV"
    signal.label = "voltage"
    signal.polynom_coefficients = [0.5, 2.0]
    signal.expansion_origin = 1.5
    time = signal.append_sampled_dimension(0.01, label="time", unit="s")
    time.offset = 0.25
    signal.append_set_dimension(labels=["ch0", "ch1", "ch2", "ch3"])
    signal.sources.append(electrode)
    signal.metadata = hardware

    packed = b.create_data_array(
        "packed", "nix.compressed", data=np.arange(1000, dtype=np.int32), compression=lib.Compression.DeflateNormal
    )
    # Ticks half-way between the tag boundaries: retrieval does not hinge on float rounding.
    packed.append_range_dimension(ticks=np.arange(1000) * 0.001 + 0.0005, label="time", unit="s")

    events = b.create_data_array("events", "nix.events", data=[0.1, 0.4, 0.5, 0.9], unit="s", label="time")
    events.append_range_dimension_using_self()
    extents = b.create_data_array("extents", "nix.extents", data=[0.05, 0.1, 0.05, 0.02], unit="s")
    extents.append_set_dimension()
    amplitudes = b.create_data_array("amplitudes", "nix.feature", data=[1.0, 2.0, 3.0, 4.0], unit="mV")
    amplitudes.append_set_dimension()

    table = b.create_data_frame(
        "trials",
        "nix.table",
        col_dict=OrderedDict([("name", str), ("onset", np.float64), ("count", np.int32), ("ok", np.bool_)]),
        data=[("first", 0.1, 3, True), ("second", 0.5, 4, False), ("third", 0.9, 5, True)],
    )
    table.units = ["", "s", "", ""]
    table.metadata = hardware
    by_frame = b.create_data_array("by trial", "nix.trials", data=[7.0, 8.0, 9.0])
    by_frame.append_range_dimension().link_data_frame(table, 1)

    tag = b.create_tag("stimulus", "nix.stimulus", position=[0.3, 0])
    tag.extent = [0.2, 2]
    tag.units = ["s", ""]
    tag.definition = "a pulse"
    tag.references.append(signal)
    tag.create_feature(amplitudes, lib.LinkType.Untagged)
    tag.create_feature(signal, lib.LinkType.Tagged)
    tag.create_feature(extents, lib.LinkType.Indexed)
    tag.sources.append(cell)
    tag.metadata = session

    mt = b.create_multi_tag("spikes", "nix.spikes", positions=events)
    mt.extents = extents
    mt.units = ["s"]
    mt.references.append(packed)
    mt.create_feature(amplitudes, lib.LinkType.Indexed)
    mt.sources.append(electrode)

    group = b.create_group("trial 1", "nix.trial")
    group.data_arrays.append(signal)
    group.data_frames.append(table)
    group.tags.append(tag)
    group.multi_tags.append(mt)
    group.sources.append(electrode)
    group.metadata = hardware


def extend(lib: ModuleType, f: Any) -> None:
    """Additions a second library makes to a file the first wrote."""
    b = f.blocks["recording"]
    b.data_arrays["signal"].append(np.zeros((5, 4)))
    b.data_arrays["type String"].append(["added"])
    b.data_frames["trials"].append_rows([("fourth", 1.3, 6, False)])
    extra = b.create_data_array("added", "nix.added", data=[1, 2, 3])
    extra.append_sampled_dimension(1.0)
    tag = b.create_tag("added tag", "nix.added", position=[0.0])
    tag.references.append(extra)
    b.groups["trial 1"].data_arrays.append(extra)
    extra.sources.append(b.sources["cell"].sources["electrode"])
    f.sections["session"]["added"] = 42
    f.create_block("added block", "nix.added").create_source("s", "nix.source")


def _walk(lib: ModuleType, path: Path) -> dict[str, Any]:
    f = _open(lib, path, "ReadOnly")
    try:
        return walk_file(f)
    finally:
        f.close()


def _write(lib: ModuleType, path: Path) -> None:
    f = _open(lib, path, "Overwrite")
    try:
        populate(lib, f)
    finally:
        f.close()


def _extend(lib: ModuleType, path: Path) -> None:
    f = _open(lib, path, "ReadWrite")
    try:
        extend(lib, f)
    finally:
        f.close()


@pytest.mark.parametrize(("writer", "extender"), [(nix, nixio), (nixio, nix)], ids=["nixkit-nixio", "nixio-nixkit"])
def test_round_trip(tmp_path: Path, writer: ModuleType, extender: ModuleType) -> None:
    """Written by one library, read identically by both; extended by the other, read by both."""
    path = tmp_path / "everything.nix"
    _write(writer, path)
    first = _walk(writer, path)
    assert differences(first, _walk(extender, path)) == []
    assert "error" not in str(first)  # every part of the walk was readable

    _extend(extender, path)
    second = _walk(writer, path)
    assert differences(second, _walk(extender, path)) == []
    b = second["blocks"][0]
    names = [da["name"] for da in b["data_arrays"]]
    assert names[-1] == "added"
    signal = next(da for da in b["data_arrays"] if da["name"] == "signal")
    assert signal["shape"] == [105, 4]
    assert [t["name"] for t in b["tags"]] == ["stimulus", "added tag"]
    assert [blk["name"] for blk in second["blocks"]] == ["recording", "added block"]
    session = second["sections"][0]
    assert session["properties"][-1]["name"] == "added"
    assert session["properties"][-1]["values"] == [42]


def test_both_writers_store_the_same_content(tmp_path: Path) -> None:
    """The file nixkit writes reads (in nixio) like the file nixio writes, ids aside."""
    ours, theirs = tmp_path / "ours.nix", tmp_path / "theirs.nix"
    _write(nix, ours)
    _write(nixio, theirs)

    def names_for_ids(w: Any) -> Any:
        """The walk with every entity id replaced by the entity's name, other ids dropped."""
        names: dict[str, str] = {}

        def collect(x: Any) -> None:
            if isinstance(x, dict):
                if isinstance(x.get("id"), str) and "name" in x:
                    names[x["id"]] = x["name"]
                for v in x.values():
                    collect(v)
            elif isinstance(x, list):
                for v in x:
                    collect(v)

        def replace(x: Any) -> Any:
            if isinstance(x, dict):
                return {k: replace(v) for k, v in x.items() if k != "id"}
            if isinstance(x, list):
                return [replace(v) for v in x]
            return names.get(x, x) if isinstance(x, str) else x

        collect(w)
        return replace(w)

    assert differences(names_for_ids(_walk(nixio, ours)), names_for_ids(_walk(nixio, theirs))) == []


@pytest.mark.parametrize("name", list(DTYPES))
def test_every_data_type_is_stored_as_nixio_stores_it(tmp_path: Path, name: str) -> None:
    """Each data type has the same HDF5 type whichever library wrote it, and reads back equal."""
    dtype, values = DTYPES[name]
    stored = {}
    for lib in (nix, nixio):
        path = tmp_path / f"{lib.__name__}.nix"
        f = _open(lib, path, "Overwrite")
        f.create_block("b", "t").create_data_array("a", "t", dtype=_dtype(lib, dtype), data=values)
        f.close()
        with h5py.File(path, "r") as h:
            ds = h["data/b/data_arrays/a/data"]
            stored[lib.__name__] = (ds.id.get_type().get_class(), ds.dtype.str, ds.chunks is not None, ds.maxshape)
        for reader in (nix, nixio):
            g = _open(reader, path, "ReadOnly")
            got = g.blocks["b"].data_arrays["a"][:]
            g.close()
            assert list(np.asarray(got).tolist()) == list(np.asarray(values).tolist())
    assert stored["nixkit"] == stored["nixio"]


def test_nixkit_file_layout_matches_nixio(tmp_path: Path) -> None:
    """Root header: format, int32 version (1,2,1), uuid id, and /data and /metadata groups."""
    path = tmp_path / "h.nix"
    nix.File.open(path, nix.FileMode.Overwrite).close()
    with h5py.File(path, "r") as h:
        assert h.attrs["format"] == "nix"
        assert h.attrs["version"].dtype == np.int32 and h.attrs["version"].tolist() == [1, 2, 1]
        assert list(h) == ["data", "metadata"]
        root = h5py.h5g.open(h.id, b"/")
        assert root.get_create_plist().get_link_creation_order() == 3
    g = nixio.File.open(str(path), nixio.FileMode.ReadWrite)
    assert g.id == nix.File.open(path, nix.FileMode.ReadOnly).id
    g.close()


# -- format version and header checks (reference 2.8) -------------------------------------------
def _with_header(tmp_path: Path, version: Any, file_id: Any = "keep", fmt: str | None = None) -> Path:
    path = tmp_path / "v.nix"
    nix.File.open(path, nix.FileMode.Overwrite).close()
    with h5py.File(path, "r+") as h:
        h.attrs["version"] = np.array(version, dtype=np.int32)
        if file_id != "keep":
            h.attrs["id"] = file_id
        if fmt is not None:
            h.attrs["format"] = fmt
    return path


@pytest.mark.parametrize("lib", [nix, nixio], ids=["nixkit", "nixio"])
def test_version_rules(tmp_path: Path, lib: ModuleType) -> None:
    """(1,2,1) opens read-write; (1,2,3) read-only only; newer minor or major versions not at all."""
    _open(lib, _with_header(tmp_path, [1, 2, 1]), "ReadWrite").close()
    path = _with_header(tmp_path, [1, 2, 3])
    _open(lib, path, "ReadOnly").close()
    with pytest.raises(RuntimeError):
        _open(lib, path, "ReadWrite")
    for version in ([1, 5, 3], [1, 3, 1], [2, 2, 1], [-1, -1, -1], [1, 2]):
        path = _with_header(tmp_path, version)
        for mode in ("ReadOnly", "ReadWrite"):
            with pytest.raises(RuntimeError):
                _open(lib, path, mode)


@pytest.mark.parametrize("lib", [nix, nixio], ids=["nixkit", "nixio"])
def test_id_rules(tmp_path: Path, lib: ModuleType) -> None:
    """An empty id is refused from 1.2.0 on and accepted for 1.1.1, 1.1.0 and 1.0.0."""
    with pytest.raises(RuntimeError):
        _open(lib, _with_header(tmp_path, [1, 2, 1], file_id=""), "ReadWrite")
    for version in ([1, 1, 1], [1, 1, 0], [1, 0, 0]):
        _open(lib, _with_header(tmp_path, version, file_id=""), "ReadOnly").close()


def test_version_errors_are_nixkit_errors(tmp_path: Path) -> None:
    """Version errors are FormatVersionError: a NixError and the RuntimeError nixio raised."""
    path = _with_header(tmp_path, [2, 0, 0])
    with pytest.raises(FormatVersionError) as err:
        nix.File.open(path, nix.FileMode.ReadOnly)
    assert isinstance(err.value, NixError) and isinstance(err.value, RuntimeError)
    with pytest.raises(InvalidFile):
        nix.File.open(_with_header(tmp_path, [1, 2, 1], fmt="NOT_A_NIX_FILE"), nix.FileMode.ReadOnly)


# -- bad input ---------------------------------------------------------------------------------
def _bad_files(tmp_path: Path) -> dict[str, tuple[Path, type[NixError]]]:
    text = tmp_path / "text.nix"
    text.write_text("this is not HDF5\n" * 64)
    plain = tmp_path / "plain.h5"
    with h5py.File(plain, "w") as h:
        h["values"] = np.arange(10)
        h.attrs["format"] = "something else"
    good = tmp_path / "good.nix"
    _write(nix, good)
    truncated = tmp_path / "truncated.nix"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 3])
    newer = _with_header(tmp_path, [2, 0, 0])
    return {
        "not HDF5": (text, InvalidFile),
        "HDF5 but not NIX": (plain, InvalidFile),
        "truncated": (truncated, InvalidFile),
        "newer major version": (newer, FormatVersionError),
    }


@pytest.mark.parametrize("mode", ["ReadOnly", "ReadWrite"])
def test_bad_files_raise_named_errors_and_stay_unchanged(tmp_path: Path, mode: str) -> None:
    """Each bad file raises its nixkit error (also the fitting builtin); its bytes do not change."""
    for label, (path, error) in _bad_files(tmp_path).items():
        before = sha256(path)
        with pytest.raises(error) as err:
            nix.File.open(path, getattr(nix.FileMode, mode))
        assert isinstance(err.value, NixError), label
        assert isinstance(err.value, OSError if error is InvalidFile else RuntimeError), label
        assert sha256(path) == before, label


def test_missing_file_read_only(tmp_path: Path) -> None:
    """ReadOnly on a missing path raises FileMissing (a FileNotFoundError) and creates nothing."""
    with pytest.raises(FileMissing) as err:
        nix.File.open(tmp_path / "missing.nix", nix.FileMode.ReadOnly)
    assert isinstance(err.value, FileNotFoundError)
    assert list(tmp_path.iterdir()) == []


def test_bad_calls_raise_named_errors_and_change_nothing(tmp_path: Path) -> None:
    """Each bad call raises its nixkit error (also the builtin) and the file walks as before.

    nixio bug 6.1.10: its append_range_dimension left a dimension with the unsorted ticks
    behind before raising; here nothing is written.
    """
    path = tmp_path / "bad.nix"
    _write(nix, path)
    before = _walk(nixio, path)
    with nix.File.open(path, nix.FileMode.ReadWrite) as f:
        b = f.blocks["recording"]
        signal = b.data_arrays["signal"]
        calls = {
            "duplicate name": (lambda: b.create_data_array("signal", "t", data=[1.0]), DuplicateName, ValueError),
            "duplicate block": (lambda: f.create_block("recording", "t"), DuplicateName, ValueError),
            "empty name": (lambda: b.create_source("", "t"), InvalidName, ValueError),
            "name with slash": (lambda: b.create_data_array("a/b", "t", data=[1.0]), InvalidName, ValueError),
            "unit not a str": (lambda: setattr(signal, "unit", 5), InvalidAttrType, TypeError),
            "type not a str": (lambda: setattr(b, "type", 3), InvalidAttrType, TypeError),
            "unsorted ticks": (lambda: signal.append_range_dimension(ticks=[3.0, 1.0, 2.0]), InvalidData, ValueError),
            "out of range": (lambda: b.create_data_array("x", "t", dtype="i1", data=[1000]), InvalidData, ValueError),
            "text into numbers": (lambda: b.data_arrays["type Int32"].append(["a"]), InvalidData, ValueError),
        }
        for label, (call, error, builtin) in calls.items():
            with pytest.raises(error) as err:
                call()
            assert isinstance(err.value, NixError) and isinstance(err.value, builtin), label
    assert differences(_walk(nixio, path), before) == []
    with nix.File.open(path, nix.FileMode.ReadOnly) as f, pytest.raises(ReadOnlyError):
        f.blocks["recording"].create_data_array("y", "t", data=[1.0])
    assert differences(_walk(nixio, path), before) == []
