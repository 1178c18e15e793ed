"""nixkit.upgrade: files of format 1.0.x, 1.1.x and 1.2.0 become 1.2.1, safely.

Every real old-format file is upgraded on a copy; afterwards both nixkit and nixio open
it read-write and read what nixio read from the original, apart from the conversions
the upgrade exists for. Failures, kills and bad input leave the original byte-identical.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import h5py
import nixio
import numpy as np
import pytest

import nixkit as nix
from conftest import REALFILES, realfile_paths, sha256
from nixkit.exceptions import FileMissing, FormatVersionError, InvalidFile, NixError, ReadOnlyError
from nixkit.upgrade import UpgradeReport, file_upgrade, needs_upgrade, upgrade
from walk import differences, walk_file

pytestmark = pytest.mark.compat


def _version(path: Path) -> list[int]:
    with h5py.File(path, "r") as f:
        return [int(v) for v in f.attrs["version"]]


OLD_FILES = [p for p in realfile_paths() if _version(p) < [1, 2, 1]]
CPP_MASTER = REALFILES / "generated/cpp-nix-1.5.0-master_representative.nix"
FULLFILE = REALFILES / "generated/cpp-nix-1.5.0-master_writefullfile.nix"
V100 = REALFILES / "g-node_nix/nix_test_v1.0.0.h5"
CURRENT = REALFILES / "bendalab_nixtrack/test.nix"
# ``nixkit.upgrade`` is also the name of the function, so fetch the module itself.
upgrade_module = importlib.import_module("nixkit.upgrade")
SIBLING_SUFFIXES = (".uncertainty", ".reference", ".filename", ".encoder", ".checksum")


def _copy(src: Path, folder: Path) -> Path:
    dst = folder / src.name
    dst.write_bytes(src.read_bytes())
    dst.chmod(0o644)
    return dst


def _nixio_walk(path: Path, mode: str = nixio.FileMode.ReadOnly) -> dict[str, Any]:
    f = nixio.File.open(str(path), mode)
    try:
        return walk_file(f)
    finally:
        f.close()


def _normalise(w: Any) -> Any:
    """Remove what an upgrade changes on purpose: header, alias links, empty old-format details."""
    if isinstance(w, list):
        return [_normalise(x) for x in w]
    if not isinstance(w, dict):
        return w
    out = {k: _normalise(v) for k, v in w.items() if k not in ("id", "version", "has_link", "link")}
    if "id" in w and "version" not in w:
        out["id"] = w["id"]  # entity ids stay; only the file id is new
    if "values" in w and "odml_type" in w:  # a property: old records held 0.0 and b'' for "unset"
        out["uncertainty"] = None if w["uncertainty"] in (0.0, None) else w["uncertainty"]
        out["reference"] = w["reference"] or None
    if "properties" in w:
        out["properties"] = [p for p in out["properties"] if not p["name"].endswith(SIBLING_SUFFIXES)]
    return out


def _leftovers(folder: Path, keep: Path) -> list[Path]:
    return [p for p in folder.iterdir() if p != keep]


@pytest.mark.parametrize("src", OLD_FILES, ids=[p.name for p in OLD_FILES])
def test_upgraded_real_file_reads_as_before_in_both_libraries(src: Path, tmp_path: Path) -> None:
    """After the upgrade both libraries open the file read-write and read the original content."""
    path = _copy(src, tmp_path)
    before = _nixio_walk(path)
    report = upgrade(path)
    assert report.upgraded and report.new_version == (1, 2, 1)
    with nix.File.open(path, nix.FileMode.ReadWrite) as f:
        ours = walk_file(f)
    theirs = _nixio_walk(path, nixio.FileMode.ReadWrite)
    assert differences(ours, theirs) == []
    expected = [
        "/blocks[blockyblock]/data_frames[table]/units",  # C++ units on the dataset: now on the group
        "/blocks[blockyblock]/groups[grp000]/data_frames",  # C++ container data_frame: now data_frames
    ]
    diffs = differences(_normalise(ours), _normalise(before))
    assert [d for d in diffs if not any(d.startswith(e) for e in expected)] == []
    assert _leftovers(tmp_path, path) == []


def _ids_dropped(w: Any) -> Any:
    """Ids (fresh in nixio's upgrade) removed, properties by name (nixio's upgrade reorders them)."""
    if isinstance(w, list):
        return [_ids_dropped(x) for x in w]
    if not isinstance(w, dict):
        return w
    out = {k: _ids_dropped(v) for k, v in w.items() if k != "id"}
    if "properties" in out:
        out["properties"] = sorted(out["properties"], key=lambda p: p["name"])
    return out


@pytest.mark.parametrize("src", OLD_FILES, ids=[p.name for p in OLD_FILES])
def test_same_content_as_nixios_own_upgrade(src: Path, tmp_path: Path) -> None:
    """nixio reads our upgraded file as it reads the file nixio's upgrade tool made.

    Beyond nixio's tool, ours also keeps C++ DataFrame units and Group data frames.
    """
    (tmp_path / "ours").mkdir()
    (tmp_path / "theirs").mkdir()
    ours, theirs = _copy(src, tmp_path / "ours"), _copy(src, tmp_path / "theirs")
    upgrade(ours)
    assert nixio.file_upgrade(str(theirs)) is True
    diffs = differences(_ids_dropped(_nixio_walk(ours)), _ids_dropped(_nixio_walk(theirs)))
    expected = ["/blocks[blockyblock]/data_frames[table]/units", "/blocks[blockyblock]/groups[grp000]/data_frames"]
    assert [d.split(":")[0] for d in diffs] == (expected if src == FULLFILE else [])


@pytest.mark.parametrize("src", OLD_FILES, ids=[p.name for p in OLD_FILES])
def test_every_group_tracks_and_indexes_creation_order(src: Path, tmp_path: Path) -> None:
    """Creation order is tracked and indexed on every group of the new file, root included."""
    path = _copy(src, tmp_path)
    upgrade(path)
    wanted = h5py.h5p.CRT_ORDER_TRACKED | h5py.h5p.CRT_ORDER_INDEXED
    with h5py.File(path, "r") as f:
        groups = [h5py.Group(h5py.h5g.open(f.id, b"/"))]  # f.id itself is the file, not the root group
        f.visititems(lambda _n, obj: groups.append(obj) if isinstance(obj, h5py.Group) else None)
        assert all(g.id.get_create_plist().get_link_creation_order() == wanted for g in groups)
        assert f.attrs["version"].dtype == np.int32 and f.attrs["version"].tolist() == [1, 2, 1]
        assert nix.File.open(path, nix.FileMode.ReadOnly).id == f.attrs["id"]


def test_alias_dimension_becomes_a_link_and_links_stay_shared(tmp_path: Path) -> None:
    """Alias range dimensions become DimensionLinks; every hard link still reaches one object."""
    path = _copy(CPP_MASTER, tmp_path)
    report = upgrade(path)
    assert any("alias range dimension" in line for line in report.changes)
    with nix.File.open(path, nix.FileMode.ReadOnly) as f:
        b = f.blocks["recording"]
        spikes = b.data_arrays["spike times"]
        dim = spikes.dimensions[0]
        assert dim.has_link and dim.dimension_link.index == (-1,)
        assert dim.dimension_link.linked_data._node.address == spikes._node.address
        assert dim.ticks == (0.55, 0.7, 1.1) and (dim.unit, dim.label) == ("s", "time")
        voltage = b.data_arrays["voltage"]
        assert b.tags["stimulus"].references[0]._node.address == voltage._node.address
        assert b.groups["trial 1"].data_arrays[0]._node.address == voltage._node.address
        assert b.multi_tags["spikes"].positions._node.address == b.data_arrays["mt positions"]._node.address
        assert voltage.metadata._node.address == f.sections["experiment"].sections["amplifier"]._node.address
        assert voltage.sources[0]._node.address == b.sources["cell 1"]._node.address


def test_property_order_and_values_are_kept(tmp_path: Path) -> None:
    """Flattened properties keep their order, values, units and ids (nixio reorders them)."""
    path = _copy(REALFILES / "generated/cpp-nix-1.4.5_representative.nix", tmp_path)
    with nix.File.open(path, nix.FileMode.ReadOnly) as f:
        before = [(p.name, p.id, p.values, p.unit) for p in f.sections["experiment"].props]
    upgrade(path)
    with nix.File.open(path, nix.FileMode.ReadOnly) as f:
        after = [(p.name, p.id, p.values, p.unit) for p in f.sections["experiment"].props]
    assert after == before


def test_upgraded_properties_stay_resizable(tmp_path: Path) -> None:
    """nixio bug 6.1.26: its upgrade writes fixed-size property datasets; ours can grow."""
    path = _copy(V100, tmp_path)
    upgrade(path)
    f = nixio.File.open(str(path), nixio.FileMode.ReadWrite)
    prop = f.sections["several values"].props["uncertain value"]
    prop.values = [1.0, 2.0, 3.0]
    f.close()
    with nix.File.open(path, nix.FileMode.ReadWrite) as f:
        prop = f.sections["several values"].props["uncertain value"]
        assert prop.values == (1.0, 2.0, 3.0)
        assert prop.uncertainty == 0.001
        prop.values = [4.0, 5.0, 6.0, 7.0]
        assert len(prop.values) == 4


def test_per_value_details_become_sibling_properties(tmp_path: Path) -> None:
    """Encoder and checksum of an old record are kept as sibling properties, as nixio does."""
    path = _copy(V100, tmp_path)
    report = upgrade(path)
    assert any("sibling" in line for line in report.changes)
    with nix.File.open(path, nix.FileMode.ReadOnly) as f:
        props = f.sections["several values"].props
        assert props["extended value.encoder"].values == ("base64",)
        assert props["extended value.checksum"].values == ("achekcsum",)
        assert props["true_or_false"].values == (True,)
        assert np.asarray(props["true_or_false"].values).dtype == np.bool_


def test_cpp_data_frame_units_and_group_container(tmp_path: Path) -> None:
    """C++ DataFrame units move to the group and the Group container data_frame is renamed."""
    path = _copy(FULLFILE, tmp_path)
    upgrade(path)
    f = nixio.File.open(str(path), nixio.FileMode.ReadOnly)
    b = f.blocks["blockyblock"]
    assert list(b.data_frames["table"].units)[1:3] == ["A", "ms"]
    assert [df.name for df in b.groups["grp000"].data_frames] == ["table"]
    f.close()


def test_up_to_date_file_is_left_alone(tmp_path: Path) -> None:
    """A 1.2.1 file is not rewritten: same bytes, and the report says so."""
    path = _copy(CURRENT, tmp_path)
    before = sha256(path)
    report = upgrade(path)
    assert not report.upgraded and report.changes == [] and "up to date" in str(report)
    assert sha256(path) == before and not needs_upgrade(path)


def _nix_header(path: Path, version: list[int], fmt: str = "nix") -> None:
    with h5py.File(path, "w") as f:
        f.attrs["format"] = fmt
        f.attrs["version"] = np.array(version, dtype=np.int32)
        f.create_group("data")
        f.create_group("metadata")


@pytest.mark.parametrize("version", [[1, 3, 0], [2, 0, 0], [1, 2]])
def test_newer_or_invalid_version_is_refused(tmp_path: Path, version: list[int]) -> None:
    """Newer major/minor versions and malformed ones raise FormatVersionError, touching nothing."""
    path = tmp_path / "new.nix"
    _nix_header(path, version)
    before = sha256(path)
    with pytest.raises(FormatVersionError):
        upgrade(path)
    assert sha256(path) == before and _leftovers(tmp_path, path) == []


def test_bad_input_raises_named_errors(tmp_path: Path) -> None:
    """Missing, non-HDF5, non-NIX and truncated files raise nixkit errors and stay unchanged."""
    with pytest.raises(FileMissing) as missing:
        upgrade(tmp_path / "nope.nix")
    assert isinstance(missing.value, FileNotFoundError)

    text = tmp_path / "text.nix"
    text.write_text("not an HDF5 file\n" * 100)
    hdf = tmp_path / "plain.h5"
    with h5py.File(hdf, "w") as f:
        f["x"] = np.arange(3)
    truncated = tmp_path / "truncated.nix"
    truncated.write_bytes(V100.read_bytes()[:5000])
    for path in (text, hdf, truncated):
        before = sha256(path)
        with pytest.raises(InvalidFile) as err:
            upgrade(path)
        assert isinstance(err.value, OSError) and isinstance(err.value, NixError)
        assert sha256(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plain.h5", "text.nix", "truncated.nix"]


def test_failure_midway_leaves_the_original(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An error after the new file was half written leaves the original and no temporary file."""
    path = _copy(CPP_MASTER, tmp_path)
    before = sha256(path)

    def explode(*_args: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(upgrade_module, "_fix_blocks", explode)
    with pytest.raises(RuntimeError, match="disk full"):
        upgrade(path)
    assert sha256(path) == before and _leftovers(tmp_path, path) == []
    assert file_upgrade(path) is False
    assert sha256(path) == before


def test_kill_midway_leaves_the_original(tmp_path: Path) -> None:
    """A process killed in the middle of an upgrade leaves the original readable and unchanged."""
    path = _copy(REALFILES / "g-node_nix/docs_data_nix_test_v1.2.h5", tmp_path)
    before = sha256(path)
    script = textwrap.dedent(
        f"""
        import os, signal
        import nixkit

        def progress(done, total):
            if done > total // 2:
                os.kill(os.getpid(), signal.SIGKILL)

        nixkit.upgrade({str(path)!r}, progress=progress)
        """
    )
    result = subprocess.run([sys.executable, "-c", script], check=False, capture_output=True)
    assert result.returncode == -9
    assert sha256(path) == before
    with nix.File.open(path, nix.FileMode.ReadOnly) as f:
        assert f.version == (1, 0, 0) and len(f.blocks) == 4
    # The abandoned temporary file is hidden, does not stop a later upgrade, and that
    # upgrade removes it: its writer no longer runs.
    stale = _leftovers(tmp_path, path)
    assert len(stale) == 1 and stale[0].name.startswith(f".{path.name}.") and stale[0].name.endswith(".upgrading")
    assert upgrade(path).upgraded
    assert _leftovers(tmp_path, path) == []


def test_stale_temporary_files_of_live_or_foreign_writers_are_kept(tmp_path: Path) -> None:
    """Only temporary files of this file whose writer process is gone are removed."""
    path = _copy(CPP_MASTER, tmp_path)
    host = upgrade_module._host()
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], check=True, capture_output=True)
    dead = int(finished.stdout)
    names = {
        "dead": f".{path.name}.{host}.{dead}.abc123.upgrading",
        "dead writer's undo journal": f".{path.name}.{host}.{dead}.abc123.upgrading.undo",
        "alive": f".{path.name}.{host}.{os.getppid()}.abc123.upgrading",
        "live writer's undo journal": f".{path.name}.{host}.{os.getppid()}.abc123.upgrading.undo",
        "other host": f".{path.name}.elsewhere.{dead}.abc123.upgrading",
        "other file": f".other.nix.{host}.{dead}.abc123.upgrading",
        "old naming": f".{path.name}.k3j4h5.upgrading",
    }
    for name in names.values():
        (tmp_path / name).write_bytes(b"partial")
    assert upgrade(path).upgraded
    left = {p.name for p in _leftovers(tmp_path, path)}
    assert left == set(names.values()) - {names["dead"], names["dead writer's undo journal"]}


def test_no_process_probing_on_windows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """On Windows ``os.kill(pid, 0)`` sends CTRL_C_EVENT to a process group, so it is never called there.

    Stale temporary files are then kept, even those of a writer that is gone.
    """
    path = _copy(CPP_MASTER, tmp_path)
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], check=True, capture_output=True)
    stale = tmp_path / f".{path.name}.{upgrade_module._host()}.{int(finished.stdout)}.abc123.upgrading"
    stale.write_bytes(b"partial")
    kills: list[tuple[int, int]] = []
    monkeypatch.setattr(os, "kill", lambda pid, sig: kills.append((pid, sig)))
    monkeypatch.setattr(os, "name", "nt")
    upgrade_module._remove_stale(str(tmp_path), path.name)
    monkeypatch.undo()
    assert kills == [] and stale.exists()
    upgrade_module._remove_stale(str(tmp_path), path.name)  # elsewhere the dead writer's file goes
    assert not stale.exists()


def test_progress_counts_up_to_the_total(tmp_path: Path) -> None:
    """The progress callback goes from 0 to total without going back."""
    path = _copy(CPP_MASTER, tmp_path)
    calls: list[tuple[int, int]] = []
    upgrade(path, progress=lambda done, total: calls.append((done, total)))
    totals = {t for _, t in calls}
    assert len(totals) == 1 and calls[0][0] == 0 and calls[-1] == (calls[-1][1], calls[-1][1])
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)


def test_file_upgrade_is_nixio_compatible(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """file_upgrade(fname, quiet=True) returns a bool like nixio's, silent when quiet."""
    path = _copy(CPP_MASTER, tmp_path)
    assert file_upgrade(str(path)) is True
    assert capsys.readouterr().out == ""
    assert file_upgrade(str(path), quiet=False) is True  # already current
    assert "up to date" in capsys.readouterr().out
    assert nix.file_upgrade is file_upgrade and nix.upgrade is upgrade
    text = tmp_path / "text.nix"
    text.write_text("nope")
    assert file_upgrade(str(text)) is False
    assert capsys.readouterr().out == ""


def test_report_text() -> None:
    """The report names the file, both versions and one line per change."""
    report = UpgradeReport("a.nix", (1, 1, 0), (1, 2, 1), ["added a file id"])
    assert str(report) == "a.nix: 1.1.0 -> 1.2.1\n  - added a file id"


# -- synthetic legacy layouts ------------------------------------------------------------------
def _cpp_frame_dimension_file(path: Path) -> None:
    """A C++ NIX 1.2.0 style file: a range axis described by a ``data_frame`` dimension."""
    with nix.File.open(path, nix.FileMode.Overwrite) as f:
        b = f.create_block("b", "session")
        df = b.create_data_frame(
            "frame", "table", col_dict={"name": str, "time": float}, data=[("a", 0.5), ("b", 1.5), ("c", 2.5)]
        )
        df.units = ["", "s"]
        da = b.create_data_array("values", "sig", data=[1.0, 2.0, 3.0])
        da.append_range_dimension(ticks=[0.0, 1.0, 2.0])
    with h5py.File(path, "r+") as h:
        h.attrs["version"] = np.array([1, 2, 0], dtype=np.int32)
        frame = h["data/b/data_frames/frame"]
        frame["data"].attrs["units"] = frame.attrs["units"]
        del frame.attrs["units"]
        dim = h["data/b/data_arrays/values/dimensions/1"]
        del dim["ticks"]
        dim.attrs["dimension_type"] = "data_frame"
        dim.attrs["column_index"] = np.uint32(1)
        dim["data_frame"] = frame


def test_cpp_data_frame_dimension_read_only_and_upgraded(tmp_path: Path) -> None:
    """A C++ data_frame dimension reads as a range over the column; nixio cannot read it at all.

    The upgrade turns it into a range dimension with a DimensionLink to the column.
    """
    path = tmp_path / "cpp.nix"
    _cpp_frame_dimension_file(path)
    with nix.File.open(path, nix.FileMode.ReadOnly) as f:
        dim = f.blocks["b"].data_arrays["values"].dimensions[0]
        assert isinstance(dim, nix.RangeDimension)
        assert (dim.ticks, dim.label, dim.unit) == ((0.5, 1.5, 2.5), "time", "s")
        assert f.blocks["b"].data_frames["frame"].units is not None
    g = nixio.File.open(str(path), nixio.FileMode.ReadOnly)
    with pytest.raises(ValueError, match="data_frame"):
        list(g.blocks["b"].data_arrays["values"].dimensions)
    g.close()

    report = upgrade(path)
    assert any("data_frame dimension" in line for line in report.changes)
    g = nixio.File.open(str(path), nixio.FileMode.ReadWrite)
    dim = g.blocks["b"].data_arrays["values"].dimensions[0]
    assert dim.has_link and dim.dimension_link.index == 1
    assert tuple(dim.ticks) == (0.5, 1.5, 2.5) and dim.unit == "s" and dim.label == "time"
    g.close()


def test_groups_without_creation_order(tmp_path: Path) -> None:
    """Old groups without a creation-order index read in name order and get one on upgrade."""
    path = tmp_path / "plain.nix"
    with h5py.File(path, "w") as h:  # h5py default: no creation order anywhere
        h.attrs["format"] = "nix"
        h.attrs["version"] = np.array([1, 1, 0], dtype=np.int32)
        data = h.create_group("data")
        h.create_group("metadata")
        for i, name in enumerate(("zeta", "alpha", "mid")):
            block = data.create_group(name)
            block.attrs["name"] = name
            block.attrs["type"] = "t"
            block.attrs["entity_id"] = f"00000000-0000-4000-8000-00000000000{i}"
    with nix.File.open(path, nix.FileMode.ReadOnly) as f:
        assert [b.name for b in f.blocks] == ["alpha", "mid", "zeta"]
        assert f.blocks[0].name == "alpha" and f.blocks[-1].name == "zeta"
    upgrade(path)
    with h5py.File(path, "r") as h:
        assert h["data"].id.get_create_plist().get_link_creation_order() == 3
    g = nixio.File.open(str(path), nixio.FileMode.ReadWrite)
    assert [b.name for b in g.blocks] == ["alpha", "mid", "zeta"] and g.blocks[2].name == "zeta"
    g.close()


def test_fixed_length_strings_and_bitfield_booleans(tmp_path: Path) -> None:
    """Fixed-length strings read as str, bitfield bools as bool; the upgrade stores them natively."""
    path = tmp_path / "legacy.nix"
    with nix.File.open(path, nix.FileMode.Overwrite) as f:
        b = f.create_block("b", "t")
        b.create_data_array("names", "t", data=["x", "y"]).append_set_dimension(labels=["p", "q"])
        b.create_data_array("flags", "t", data=np.array([True, False]))
    with h5py.File(path, "r+") as h:
        h.attrs["version"] = np.array([1, 1, 0], dtype=np.int32)
        names = h["data/b/data_arrays/names"]
        del names["data"]
        names.create_dataset("data", data=np.array([b"x", b"y"], dtype="S1"), maxshape=(None,))
        labels = names["dimensions/1"]
        del labels["labels"]
        labels.create_dataset("labels", data=np.array([b"p", b"q"], dtype="S1"), maxshape=(None,))
        flags = h["data/b/data_arrays/flags"]
        del flags["data"]
        tid = h5py.h5t.NATIVE_B8.copy()
        space = h5py.h5s.create_simple((2,), (h5py.h5s.UNLIMITED,))
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        dcpl.set_chunk((2,))
        h5py.h5d.create(flags.id, b"data", tid, space, dcpl=dcpl).write(
            h5py.h5s.ALL, h5py.h5s.ALL, np.array([1, 0], dtype=np.uint8), mtype=h5py.h5t.NATIVE_UINT8
        )
    with nix.File.open(path, nix.FileMode.ReadOnly) as f:
        b = f.blocks["b"]
        assert list(b.data_arrays["names"][:]) in (["x", "y"], [b"x", b"y"])
        assert b.data_arrays["names"].dimensions[0].labels == ("p", "q")
    report = upgrade(path)
    assert any("fixed-length" in line for line in report.changes)
    assert any("bitfield" in line for line in report.changes)
    with nix.File.open(path, nix.FileMode.ReadWrite) as f:
        b = f.blocks["b"]
        assert list(b.data_arrays["names"][:]) == ["x", "y"]
        assert b.data_arrays["names"].data_type == nix.DataType.String
        assert b.data_arrays["flags"].dtype == np.bool_ and list(b.data_arrays["flags"][:]) == [True, False]
        b.data_arrays["names"].append(["longer text"])
    g = nixio.File.open(str(path), nixio.FileMode.ReadOnly)
    assert list(g.blocks["b"].data_arrays["names"][:]) == ["x", "y", "longer text"]
    g.close()


def test_unwritable_folder_is_a_read_only_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """When no file can be made beside the original, ReadOnlyError says why; nothing changes."""
    path = _copy(CPP_MASTER, tmp_path)
    before = sha256(path)

    def refuse(*_args: Any, **_kwargs: Any) -> Any:
        raise PermissionError("read-only folder")

    monkeypatch.setattr(upgrade_module.tempfile, "mkstemp", refuse)
    with pytest.raises(ReadOnlyError, match="not writable") as err:
        upgrade(path)
    assert isinstance(err.value, PermissionError)
    assert sha256(path) == before


def test_symbolic_link_keeps_pointing_to_the_upgraded_file(tmp_path: Path) -> None:
    """Upgrading through a symbolic link replaces the file it points to and keeps the link."""
    path = _copy(CPP_MASTER, tmp_path)
    path.chmod(0o640)
    link = tmp_path / "link.nix"
    link.symlink_to(path)
    upgrade(link)
    assert link.is_symlink() and link.resolve() == path.resolve()
    assert path.stat().st_mode & 0o777 == 0o640
    with nix.File.open(link, nix.FileMode.ReadWrite) as f:
        assert f.version == (1, 2, 1)


def test_frame_dimension_without_column_and_soft_links(tmp_path: Path) -> None:
    """A C++ data_frame dimension without a column becomes a set dimension; soft links survive."""
    path = tmp_path / "cpp.nix"
    _cpp_frame_dimension_file(path)
    with h5py.File(path, "r+") as h:
        del h["data/b/data_arrays/values/dimensions/1"].attrs["column_index"]
        h["data/b/shortcut"] = h5py.SoftLink("/data/b/data_arrays")
    report = upgrade(path)
    assert any("without a column index" in line for line in report.changes)
    with nix.File.open(path, nix.FileMode.ReadOnly) as f:
        dim = f.blocks["b"].data_arrays["values"].dimensions[0]
        assert dim.dimension_type == nix.DimensionType.Set and not dim.has_link
    with h5py.File(path, "r") as h:
        assert h["data/b"].get("shortcut", getlink=True).path == "/data/b/data_arrays"
