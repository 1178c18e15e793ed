"""Metadata across libraries: nixkit and nixio 1.5.4 read each other's sections and
properties, and nixkit reads the metadata of real files, old compound layouts included."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import h5py
import nixio
import numpy as np
import pytest

import nixkit as nix

pytestmark = pytest.mark.compat

REALFILES = Path(__file__).resolve().parents[2] / "shared" / "testdata" / "realfiles"
OLD_FILE = REALFILES / "g-node_nix" / "nix_test_v1.0.0.h5"
CPP_145 = REALFILES / "generated" / "cpp-nix-1.4.5_representative.nix"


# -- a library-neutral dump -------------------------------------------------------------------
def dump_property(p: Any, with_dtype: bool = True) -> dict[str, Any]:
    out = {
        "name": p.name,
        "id": p.id,
        "values": p.values,
        "scalar types": [type(v).__name__ for v in p.values],
        "unit": p.unit,
        "uncertainty": p.uncertainty,
        "definition": p.definition,
        "reference": p.reference,
        "dependency": p.dependency,
        "dependency_value": p.dependency_value,
        "value_origin": p.value_origin,
        "odml_type": None if p.odml_type is None else str(p.odml_type),
        "created_at": p.created_at,
    }
    if with_dtype:
        out["data_type"] = np.dtype(p.data_type)
    return out


def dump_section(s: Any) -> dict[str, Any]:
    return {
        "name": s.name,
        "type": s.type,
        "id": s.id,
        "definition": s.definition,
        "reference": s.reference,
        "repository": s.repository,
        "link": None if s.link is None else s.link.id,
        "parent": None if s.parent is None else s.parent.id,
        "created_at": s.created_at,
        "updated_at": s.updated_at,
        "props": [dump_property(p) for p in s.props],
    }


def dump(f: Any) -> list[dict[str, Any]]:
    """Every section of the file (breadth first) with its properties."""
    return [dump_section(s) for s in f.find_sections()]


def nixio_dump(path: Path) -> list[dict[str, Any]]:
    f = nixio.File.open(str(path), nixio.FileMode.ReadOnly)
    try:
        return dump(f)
    finally:
        f.close()


def nixkit_dump(path: Path) -> list[dict[str, Any]]:
    with nix.File.open(path, nix.FileMode.ReadOnly) as f:
        return dump(f)


# -- nixkit writes, nixio reads -----------------------------------------------------------------
def write_with(lib: Any, path: Path) -> None:
    """The same metadata tree through either library's API."""
    f = lib.File.open(str(path), lib.FileMode.Overwrite)
    root = f.create_section("recording", "odml.recording")
    root.definition = "a session"
    root.reference = "https://example.org/session"
    root.repository = "https://example.org/terms.xml"
    root["experimenter"] = "Jane Doe"
    root["date"] = "2024-05-01"
    root["trials"] = 12
    root["counts"] = [1, -2, 3]
    root["temperature"] = 21.5
    root["gains"] = [1.0, 2.5, 4.0]
    root["flag"] = True
    root["flags"] = [True, False, True]
    root["labels"] = ["a", "Bräu", "🍺"]
    p = root.props["gains"]
    p.unit = "mV"
    p.uncertainty = 0.25
    p.definition = "amplifier gains"
    p.reference = "datasheet"
    p.dependency = "trials"
    p.dependency_value = "12"
    p.value_origin = "measured"
    p.odml_type = lib.OdmlType.Float
    root.props["date"].odml_type = lib.OdmlType.Date
    root.create_property("float32", lib.DataType.Float)
    root.create_property("empty text", lib.DataType.String)
    subject = root.create_section("subject", "odml.subject")
    subject["species"] = "Mus musculus"
    cell = subject.create_section("cell", "odml.cell")
    cell["resting potential"] = -64.5
    cell.props["resting potential"].unit = "mV"
    hardware = f.create_section("hardware", "odml.hardware")
    hardware["model"] = "EXT-02"
    cell.link = hardware
    block = f.create_block("b", "nix.session")
    block.metadata = subject
    f.close()


def test_nixio_reads_what_nixkit_writes(tmp_path: Path) -> None:
    ours, theirs = tmp_path / "nixkit.nix", tmp_path / "nixio.nix"
    write_with(nix, ours)
    write_with(nixio, theirs)
    got = nixio_dump(ours)
    assert got == nixkit_dump(ours)
    # The same calls through nixio give the same content (ids and times aside).
    volatile = {"id", "created_at", "updated_at", "link", "parent"}

    def strip(d: list[dict[str, Any]]) -> list[Any]:
        return [
            {k: v for k, v in s.items() if k not in volatile}
            | {"props": [{k: v for k, v in p.items() if k not in volatile} for p in s["props"]]}
            for s in d
        ]

    assert strip(got) == strip(nixio_dump(theirs))
    f = nixio.File.open(str(ours), nixio.FileMode.ReadOnly)
    try:
        assert f.blocks["b"].metadata.name == "subject"
        cell = f.sections["recording"].sections["subject"].sections["cell"]
        assert cell.link.name == "hardware"
        assert f.sections["recording"]["labels"] == ["a", "Bräu", "🍺"]
    finally:
        f.close()


def test_nixio_extends_and_adds_to_nixkit_metadata(tmp_path: Path) -> None:
    path = tmp_path / "m.nix"
    write_with(nix, path)
    f = nixio.File.open(str(path), nixio.FileMode.ReadWrite)
    root = f.sections["recording"]
    root.props["counts"].extend_values([4, 5])
    root.props["gains"].extend_values([8.0])
    root.props["flags"].extend_values([False])
    root.props["labels"].extend_values(["more text"])
    root.props["trials"].values = [13, 14, 15, 16, 17, 18, 19, 20, 21]
    root.props["empty text"].values = ["now", "filled"]
    root["added by nixio"] = 3.5
    root.sections["subject"].create_section("added", "t")["x"] = "y"
    f.close()
    with nix.File.open(path, nix.FileMode.ReadOnly) as g:
        root = g.sections["recording"]
        assert root["counts"] == [1, -2, 3, 4, 5]
        assert root["gains"] == [1.0, 2.5, 4.0, 8.0]
        assert root["flags"] == [True, False, True, False]
        assert root["labels"] == ["a", "Bräu", "🍺", "more text"]
        assert root["trials"] == list(range(13, 22))
        assert root["empty text"] == ["now", "filled"]
        assert root["added by nixio"] == 3.5
        assert root.sections["subject"].sections["added"]["x"] == "y"


# -- nixio writes, nixkit reads ----------------------------------------------------------------------
def test_nixkit_reads_and_extends_nixio_metadata(tmp_path: Path) -> None:
    path = tmp_path / "m.nix"
    write_with(nixio, path)
    expected = nixio_dump(path)
    assert nixkit_dump(path) == expected
    with nix.File.open(path, nix.FileMode.ReadWrite) as f:
        root = f.sections["recording"]
        root.props["counts"].extend_values([4])
        root.props["gains"].extend_values(np.array([8.0, 16.0]))
        root.props["labels"].extend_values("more")
        root.props["flags"].values = [False]
        root.props["float32"].values = [0.5]
        root.create_property("ints32", np.array([7, 8], dtype=np.int32))
        root["subject"]["weight"] = 21.0
    f2 = nixio.File.open(str(path), nixio.FileMode.ReadOnly)
    try:
        root = f2.sections["recording"]
        assert root["counts"] == [1, -2, 3, 4]
        assert root["gains"] == [1.0, 2.5, 4.0, 8.0, 16.0]
        assert root["labels"] == ["a", "Bräu", "🍺", "more"]
        assert root["flags"] is np.False_
        assert root["float32"] == np.float32(0.5)
        assert root["ints32"] == [7, 8] and root.props["ints32"].data_type == np.int32
        assert root.sections["subject"]["weight"] == 21.0
    finally:
        f2.close()


def test_deleting_a_section_leaves_a_file_nixio_reads(tmp_path: Path) -> None:
    path = tmp_path / "m.nix"
    write_with(nix, path)
    with nix.File.open(path, nix.FileMode.ReadWrite) as f:
        del f.sections["recording"].sections["subject"]
        assert f.blocks["b"].metadata is None
    f2 = nixio.File.open(str(path), nixio.FileMode.ReadOnly)
    try:
        assert f2.blocks["b"].metadata is None
        assert [s.name for s in f2.find_sections()] == ["recording", "hardware"]
    finally:
        f2.close()


# -- real files ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name",
    [
        "generated/nixio-1.5.4_nixodmlconverter-0.0.7_eeg_metadata.nix",
        "generated/cpp-nix-1.5.0-master_writefullfile.nix",
        "generated/cpp-nix-1.5.0-master_representative.nix",
        "bendalab_nixtrack/test.nix",
    ],
)
def test_real_files_read_as_nixio_reads_them(name: str) -> None:
    path = REALFILES / name
    expected = nixio_dump(path)
    assert expected, "the file should hold metadata"
    got = nixkit_dump(path)
    # nixio finds parents by child *name* (see the next test); compare the rest.
    for section in expected + got:
        del section["parent"]
    assert got == expected


def test_parent_is_the_real_parent_not_a_namesake() -> None:
    """nixio bug 6.1.18: ``Section.parent`` tests membership by name, so a section whose
    name also occurs in an earlier part of the tree gets that wrong parent."""
    path = REALFILES / "generated" / "nixio-1.5.4_nixodmlconverter-0.0.7_eeg_metadata.nix"
    with nix.File.open(path, nix.FileMode.ReadOnly) as f:
        sections = f.find_sections()
        for s in sections:
            unknown = nix.Section(f, s._node, None)  # as if reached through a metadata link
            expected = s._parent if isinstance(s._parent, nix.Section) else None
            assert unknown.parent == expected
            if expected is not None:
                assert unknown._node.address in {c._node.address for c in expected.sections}
        analysis = next(s for s in sections if s.id == "0c7bd7dc-de47-4132-953a-0d21b6eb22c2")
        assert analysis.parent is not None and analysis.parent.name == "Recording"
    g = nixio.File.open(str(path), nixio.FileMode.ReadOnly)
    try:
        theirs = next(s for s in g.find_sections() if s.id == "0c7bd7dc-de47-4132-953a-0d21b6eb22c2")
        assert theirs.parent.name == "Experiment"
    finally:
        g.close()


def test_real_file_metadata_links_and_parents() -> None:
    path = REALFILES / "g-node_nix" / "docs_data_nix_test_v1.2.h5"
    g = nixio.File.open(str(path), nixio.FileMode.ReadOnly)
    try:
        expected = [
            (b.name, b.metadata.id, None if b.metadata.parent is None else b.metadata.parent.id)
            for b in g.blocks
            if b.metadata is not None
        ]
        values = {s.id: [p.values for p in s.props] for s in g.find_sections()}
    finally:
        g.close()
    with nix.File.open(path, nix.FileMode.ReadOnly) as f:
        got = [
            (b.name, b.metadata.id, None if b.metadata.parent is None else b.metadata.parent.id)
            for b in f.blocks
            if b.metadata is not None
        ]
        assert got == expected
        assert {s.id: [p.values for p in s.props] for s in f.find_sections()} == values


def test_old_compound_properties() -> None:
    """Format 1.0 stores one compound record per value; the bool is an HDF5 bitfield.

    nixio returns the bitfield as uint8, the compound dtype as ``data_type`` and the
    reference as bytes (bug 6.1.25); nixkit gives bool, the value type and str.
    """
    with nix.File.open(OLD_FILE, nix.FileMode.ReadOnly) as f:
        assert f.version == (1, 0, 0)
        sec = f.sections["several values"]
        assert sec.type == "nix_test"
        flag, number, text = (sec.props[n] for n in ("true_or_false", "uncertain value", "extended value"))
        assert flag.values == (True,) and type(flag.values[0]) is np.bool_
        assert flag.data_type == np.bool_
        assert number.values == (3.1416,) and number.data_type == np.float64
        assert number.uncertainty == 0.001
        assert text.values == ("some content",) and text.data_type is nix.DataType.String
        assert text.reference == "" and type(text.reference) is str
        assert sec["true_or_false"] is np.True_
        # nixio agrees on everything but the bitfield, the dtype and the reference type.
        g = nixio.File.open(str(OLD_FILE), nixio.FileMode.ReadOnly)
        try:
            theirs = g.sections["several values"]
            for p in sec.props:
                assert theirs.props[p.name].values == p.values
                assert theirs.props[p.name].uncertainty == p.uncertainty
                assert theirs.props[p.name].reference.decode() == p.reference
            assert theirs.props["true_or_false"].values[0].dtype == np.uint8
        finally:
            g.close()


def test_old_compound_properties_from_cpp_1_4() -> None:
    with nix.File.open(CPP_145, nix.FileMode.ReadOnly) as f:
        meta = f.blocks["recording"].metadata
        assert meta is not None and meta.name == "experiment"
        assert meta["experimenter"] == "Jane Doe"
        assert meta["temperature"] == 21.5 and meta.props["temperature"].unit == "degC"
        assert meta["trials"] == 12 and meta.props["trials"].data_type == np.int64
        assert meta["flag"] is np.True_
        assert meta["gains"] == [1.0, 2.5, 4.0] and meta.props["gains"].unit == "mV"
        assert meta["labels"] == ["a", "bb", "ccc"]
        assert meta["amplifier"]["model"] == "EXT-02"
        assert meta.props["gains"].uncertainty == 0.0


def test_compound_layout_is_recognised_by_type_not_version(tmp_path: Path) -> None:
    """nixio bug 6.1.25: compound values are read as such only below version 1.1.1,
    though they were written until 1.2.0; nixkit looks at the dataset type."""
    path = tmp_path / "v111.h5"
    shutil.copy(OLD_FILE, path)
    path.chmod(0o644)
    with h5py.File(path, "r+") as h:
        h.attrs["version"] = np.array([1, 1, 1], dtype=np.int32)
    with nix.File.open(path, nix.FileMode.ReadOnly) as f:
        sec = f.sections["several values"]
        assert sec["uncertain value"] == 3.1416 and sec.props["uncertain value"].uncertainty == 0.001
        assert sec["extended value"] == "some content"
    g = nixio.File.open(str(path), nixio.FileMode.ReadOnly)
    try:
        theirs = g.sections["several values"].props["uncertain value"]
        # nixio returns the raw record as the value and loses the uncertainty.
        assert theirs.uncertainty is None
        assert isinstance(theirs.values[0], np.void)
    finally:
        g.close()


def test_copying_old_properties_flattens_them(tmp_path: Path) -> None:
    with (
        nix.File.open(OLD_FILE, nix.FileMode.ReadOnly) as old,
        nix.File.open(tmp_path / "new.nix", nix.FileMode.Overwrite) as new,
    ):
        copy = new.copy_section(old.sections["several values"])
        number = copy.props["uncertain value"]
        assert number.values == (3.1416,) and number.uncertainty == 0.001
        assert copy["true_or_false"] is np.True_ and copy.props["true_or_false"].data_type == np.bool_
        assert copy.props["extended value"].reference is None
        number.extend_values(2.0)
        assert number.values == (3.1416, 2.0)
    assert nixio_dump(tmp_path / "new.nix") == nixkit_dump(tmp_path / "new.nix")


def test_empty_old_compound_property(tmp_path: Path) -> None:
    path = tmp_path / "empty.h5"
    shutil.copy(OLD_FILE, path)
    path.chmod(0o644)
    with h5py.File(path, "r+") as h:
        props = h["metadata/several values/properties"]
        record = props["uncertain value"].dtype
        empty = props.create_dataset("empty", shape=(0,), dtype=record, maxshape=(None,), chunks=(8,))
        empty.attrs["name"] = "empty"
        empty.attrs["entity_id"] = "0f0f0f0f-0000-4000-8000-000000000000"
    with nix.File.open(path, nix.FileMode.ReadOnly) as f:
        prop = f.sections["several values"].props["empty"]
        assert prop.values == () and prop.data_type == np.float64
        assert prop.uncertainty is None and prop.reference is None
