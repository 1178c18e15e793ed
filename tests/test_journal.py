"""The undo journal: a writer killed anywhere, even inside a flush, leaves the file as of its last flush.

The first tests drive the journal by hand: a flush completed by HDF5 but not yet
committed is exactly the state a kill between those two steps leaves. The last test
kills a real writer at every write of a flush, through the LD_PRELOAD shim of
``tools/torn_flush`` (built with gcc), and checks the file after each kill.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import pytest

import nixkit as nix
from nixkit.exceptions import CorruptFile, FileInUse
from nixkit.recover import recover
from nixkit.storage.journal import journal_path, pending, rollback

ROOT = Path(__file__).resolve().parents[1]
SHIM = ROOT / "tools/torn_flush/shim.c"


def _build(path: Path) -> None:
    with nix.File.open(str(path), nix.FileMode.Overwrite) as f:
        b = f.create_block("b", "session")
        for i in range(14):
            da = b.create_data_array(f"a{i}", "signal", data=np.arange(300.0) + i)
            da.append_sampled_dimension(0.5, unit="ms")
        sec = f.create_section("setup", "recording")
        sec.create_property("gain", [1.0, 2.0])
        sec.create_property("who", "me")


def _state(f: nix.File) -> dict[str, Any]:
    """Everything the tests change, in a comparable form."""
    b = f.blocks["b"]
    arrays = {da.name: hashlib.sha256(np.asarray(da).tobytes()).hexdigest() for da in b.data_arrays}
    props = {p.name: [str(v) for v in p.values] for p in f.sections["setup"].props}
    return {"arrays": arrays, "props": props, "tags": sorted(t.name for t in b.tags)}


def _change(f: nix.File) -> None:
    """A round that rewrites structure in place: the kind of flush a kill can tear."""
    b = f.blocks["b"]
    for i in range(14, 20):  # past 16 links the group moves to dense storage
        b.create_data_array(f"a{i}", "signal", data=np.full(50, float(i)))
    for i in range(3):
        b.data_arrays[f"a{i}"].append(np.ones(700))
    del b.data_arrays["a5"]
    b.create_tag("t", "event", [1.0]).references.append(b.data_arrays["a6"])
    f.sections["setup"]["gain"] = [3.0, 4.0, 5.0]


def test_a_clean_writer_leaves_no_journal(tmp_path: Path) -> None:
    path = tmp_path / "f.nix"
    _build(path)
    with nix.File.open(str(path), nix.FileMode.ReadWrite) as f:
        _change(f)
        assert pending(str(path))  # old bytes were overwritten since the last flush
        f.flush()
        assert not pending(str(path))
        f.blocks["b"].data_arrays["a7"].append(np.zeros(10))
    assert not pending(str(path))  # closing is a flush too


def test_a_flush_not_committed_rolls_back_to_the_bytes_of_the_last_one(tmp_path: Path) -> None:
    path = tmp_path / "f.nix"
    _build(path)
    before = path.read_bytes()
    with nix.File.open(str(path), nix.FileMode.ReadWrite) as f:
        old = _state(f)
        _change(f)
        # HDF5 writes the whole flush; the kill comes before the journal is committed.
        h5py.h5f.flush(f._handle._f.id)
        torn = tmp_path / "torn.nix"
        shutil.copyfile(path, torn)
        shutil.copyfile(journal_path(str(path)), journal_path(str(torn)))
        new = _state(f)
    assert new != old
    with nix.File.open(str(torn), nix.FileMode.ReadOnly) as f:  # a reader sees the last flush
        assert _state(f) == old
    assert pending(str(torn))  # and changes nothing
    assert rollback(str(torn))
    assert torn.read_bytes() == before
    assert not pending(str(torn))


def test_a_writer_rolls_back_first_and_carries_on(tmp_path: Path) -> None:
    path = tmp_path / "f.nix"
    _build(path)
    with nix.File.open(str(path), nix.FileMode.ReadWrite) as f:
        old = _state(f)
        _change(f)
        h5py.h5f.flush(f._handle._f.id)
        torn = tmp_path / "torn.nix"
        shutil.copyfile(path, torn)
        shutil.copyfile(journal_path(str(path)), journal_path(str(torn)))
    with nix.File.open(str(torn), nix.FileMode.ReadWrite) as f:
        assert not pending(str(torn))
        assert _state(f) == old
        f.blocks["b"].data_arrays["a1"].append(np.zeros(5))
    with nix.File.open(str(torn), nix.FileMode.ReadOnly) as f:
        assert len(f.blocks["b"].data_arrays["a1"]) == 305
        assert f.validate().ok


def test_recover_uses_the_journal_and_leaves_the_original(tmp_path: Path) -> None:
    path = tmp_path / "f.nix"
    _build(path)
    with nix.File.open(str(path), nix.FileMode.ReadWrite) as f:
        old = _state(f)
        _change(f)
        h5py.h5f.flush(f._handle._f.id)
        torn = tmp_path / "torn.nix"
        shutil.copyfile(path, torn)
        shutil.copyfile(journal_path(str(path)), journal_path(str(torn)))
    before = torn.read_bytes()
    result = recover(torn, tmp_path / "out.nix")
    assert result.rolled_back and result.complete, result.to_text()
    assert "undo journal" in result.to_text()
    assert torn.read_bytes() == before and pending(str(torn))
    with nix.File.open(result.target, nix.FileMode.ReadOnly) as f:
        assert _state(f) == old


def test_overwrite_drops_a_stale_journal(tmp_path: Path) -> None:
    path = tmp_path / "f.nix"
    _build(path)
    Path(journal_path(str(path))).write_bytes(b"NIXKUNDO" + (10).to_bytes(8, "little"))
    with nix.File.open(str(path), nix.FileMode.Overwrite) as f:
        f.create_block("fresh", "t")
    assert not pending(str(path))
    with nix.File.open(str(path), nix.FileMode.ReadOnly) as f:
        assert [b.name for b in f.blocks] == ["fresh"]


def test_a_journal_cut_inside_a_record_ignores_that_record(tmp_path: Path) -> None:
    path = tmp_path / "f.nix"
    _build(path)
    before = path.read_bytes()
    with nix.File.open(str(path), nix.FileMode.ReadWrite) as f:
        _change(f)
        h5py.h5f.flush(f._handle._f.id)
        log = Path(journal_path(str(path))).read_bytes()
        torn = tmp_path / "torn.nix"
        shutil.copyfile(path, torn)
    # Keep whole records only up to some point, then half of the next: as if killed while
    # journaling that record (so its overwrite never started).
    records = []
    at = 16
    while at < len(log):
        length = int.from_bytes(log[at + 8 : at + 16], "little")
        records.append((at, length))
        at += 16 + length
    assert len(records) > 2
    keep, length = records[-1]
    # For the test, the bytes the last record guards are put back by hand: its overwrite "never ran".
    offset = int.from_bytes(log[keep : keep + 8], "little")
    data = bytearray(torn.read_bytes())
    data[offset : offset + length] = log[keep + 16 : keep + 16 + length]
    torn.write_bytes(bytes(data))
    Path(journal_path(str(torn))).write_bytes(log[: keep + 16 + length // 2])
    assert rollback(str(torn))
    assert torn.read_bytes() == before


def test_a_foreign_journal_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "f.nix"
    _build(path)
    Path(journal_path(str(path))).write_bytes(b"something else entirely")
    with pytest.raises(CorruptFile, match="not a nixkit undo journal"):
        nix.File.open(str(path), nix.FileMode.ReadOnly)
    with pytest.raises(CorruptFile, match="not a nixkit undo journal"):
        nix.File.open(str(path), nix.FileMode.ReadWrite)


def test_a_writer_keeps_others_out(tmp_path: Path) -> None:
    path = tmp_path / "f.nix"
    _build(path)
    with nix.File.open(str(path), nix.FileMode.ReadWrite):
        with pytest.raises(FileInUse):
            nix.File.open(str(path), nix.FileMode.ReadWrite)
        with pytest.raises(FileInUse):
            nix.File.open(str(path), nix.FileMode.ReadOnly)
        with pytest.raises(FileInUse):
            nix.File.open(str(path), nix.FileMode.Overwrite)
        holder = subprocess.run(
            [sys.executable, "-c", "import sys, h5py; h5py.File(sys.argv[1], 'r')", str(path)],
            capture_output=True,
            text=True,
        )
        assert holder.returncode != 0 and "lock" in holder.stderr


# -- killed for real, at every write of a flush ---------------------------------------------

WRITER = r"""
import ctypes, sys
import numpy as np
sys.path.insert(0, sys.argv[4])
import nixkit as nix
from test_journal import _change
path, n, partial = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
shim = ctypes.CDLL(None)  # the preloaded shim
f = nix.File.open(path, nix.FileMode.ReadWrite)
_change(f)
shim.torn_arm(n, partial)
f.flush()
print(shim.torn_count(), flush=True)
shim.torn_arm(0, 0)
f.close()
"""


def _run(shim: Path, path: Path, n: int, partial: int) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LD_PRELOAD": str(shim)}
    args = [sys.executable, "-c", WRITER, str(path), str(n), str(partial), str(Path(__file__).parent)]
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.skipif(sys.platform != "linux" or shutil.which("gcc") is None, reason="needs Linux and gcc")
def test_a_writer_killed_at_any_write_of_a_flush_loses_nothing_flushed(tmp_path: Path) -> None:
    shim = tmp_path / "shim.so"
    subprocess.run(["gcc", "-shared", "-fPIC", "-O2", "-o", str(shim), str(SHIM), "-ldl"], check=True)
    base = tmp_path / "base.nix"
    _build(base)
    with nix.File.open(str(base), nix.FileMode.ReadOnly) as f:
        old = _state(f)
    dry = tmp_path / "dry.nix"
    shutil.copyfile(base, dry)
    done = _run(shim, dry, 0, 0)
    assert done.returncode == 0, done.stderr
    writes = int(done.stdout.split()[0])
    with nix.File.open(str(dry), nix.FileMode.ReadOnly) as f:
        new = _state(f)
    assert writes > 10 and new != old
    outcomes = {"killed": 0, "as of the last flush": 0}
    points = [(n, 0) for n in range(1, writes + 1)] + [(n, 1) for n in range(1, writes + 1, 3)]
    for n, partial in points:
        path = tmp_path / "crash.nix"
        shutil.copyfile(base, path)
        run = _run(shim, path, n, partial)
        assert run.returncode == 137, (n, partial, run.stderr)
        outcomes["killed"] += 1
        with nix.File.open(str(path), nix.FileMode.ReadOnly) as f:
            assert _state(f) == old, (n, partial)
        with nix.File.open(str(path), nix.FileMode.ReadWrite) as f:
            assert _state(f) == old, (n, partial)
            f.blocks["b"].data_arrays["a0"].append(np.zeros(3))
        assert not pending(str(path))
        outcomes["as of the last flush"] += 1
    print(f"\n{writes} writes in the flush; {outcomes}")
    assert outcomes["killed"] == len(points) == outcomes["as of the last flush"]
