"""The undo journal: a writer killed anywhere, even inside a flush, leaves the file as of its last flush.

Most tests leave the state of a writer that died after HDF5 wrote a whole flush but
before the journal was committed (a subprocess that exits there). The last test kills a
real writer at every write of a round of changes and its flush (and inside every write
that crosses a page), through the LD_PRELOAD shim of ``tools/torn_flush`` (built with
gcc), and checks the file after each kill.
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
from nixkit.exceptions import CorruptFile, FileInUse, WriteFailed
from nixkit.recover import recover
from nixkit.storage.journal import RolledBack, UndoJournal, journal_path, pending, rollback

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
    stream = b.data_arrays["a3"]
    for _ in range(8):  # re-chunks: the old copy is freed at once and its space reused
        stream.append(np.arange(5000.0))
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


UNCOMMITTED = r"""
import os, sys
sys.path.insert(0, sys.argv[2])
import h5py
import nixkit as nix
from test_journal import _change
f = nix.File.open(sys.argv[1], nix.FileMode.ReadWrite)
_change(f)
h5py.h5f.flush(f._handle._f.id)  # HDF5 writes the whole flush ...
os._exit(0)  # ... and the writer dies before it commits its journal
"""


def _uncommitted(path: Path) -> None:
    """Leave ``path`` as a writer does that dies between HDF5's flush and the journal's commit."""
    args = [sys.executable, "-c", UNCOMMITTED, str(path), str(Path(__file__).parent)]
    done = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert pending(str(path))


def _torn(tmp_path: Path) -> tuple[Path, bytes, dict[str, Any]]:
    path = tmp_path / "f.nix"
    _build(path)
    before = path.read_bytes()
    with nix.File.open(str(path), nix.FileMode.ReadOnly) as f:
        old = _state(f)
    _uncommitted(path)
    return path, before, old


def test_a_flush_not_committed_rolls_back_to_the_bytes_of_the_last_one(tmp_path: Path) -> None:
    path, before, old = _torn(tmp_path)
    torn = path.read_bytes()
    assert torn != before
    with nix.File.open(str(path), nix.FileMode.ReadOnly) as f:  # a reader sees the last flush
        assert _state(f) == old
    assert path.read_bytes() == torn and pending(str(path))  # and changes nothing
    assert rollback(str(path))
    assert path.read_bytes() == before
    assert not pending(str(path))


def test_a_writer_rolls_back_first_and_carries_on(tmp_path: Path) -> None:
    path, _, old = _torn(tmp_path)
    with nix.File.open(str(path), nix.FileMode.ReadWrite) as f:
        assert not pending(str(path))
        assert _state(f) == old
        f.blocks["b"].data_arrays["a1"].append(np.zeros(5))
    with nix.File.open(str(path), nix.FileMode.ReadOnly) as f:
        assert len(f.blocks["b"].data_arrays["a1"]) == 305
        assert f.validate().ok


def test_recover_uses_the_journal_and_leaves_the_original(tmp_path: Path) -> None:
    path, _, old = _torn(tmp_path)
    torn = path.read_bytes()
    result = recover(path, tmp_path / "out.nix")
    assert result.rolled_back and result.complete, result.to_text()
    assert "undo journal" in result.to_text()
    assert path.read_bytes() == torn and pending(str(path))
    with nix.File.open(result.target, nix.FileMode.ReadOnly) as f:
        assert _state(f) == old


def test_recover_into_a_file_with_a_journal_drops_that_journal(tmp_path: Path) -> None:
    path, _, old = _torn(tmp_path)
    other = tmp_path / "other.nix"
    _build(other)
    _uncommitted(other)
    recover(path, other)
    assert not pending(str(other))  # it belonged to the file recover replaced
    with nix.File.open(str(other), nix.FileMode.ReadOnly) as f:
        assert _state(f) == old


def test_overwrite_drops_a_stale_journal(tmp_path: Path) -> None:
    path, _, _ = _torn(tmp_path)
    with nix.File.open(str(path), nix.FileMode.Overwrite) as f:
        f.create_block("fresh", "t")
    assert not pending(str(path))
    with nix.File.open(str(path), nix.FileMode.ReadOnly) as f:
        assert [b.name for b in f.blocks] == ["fresh"]


def test_a_journal_cut_inside_its_last_record_ignores_that_record(tmp_path: Path) -> None:
    path, before, _ = _torn(tmp_path)
    log = Path(journal_path(str(path)))
    data = log.read_bytes()
    records = []
    at = 32  # magic, size, device, inode
    while at < len(data):
        old_length = int.from_bytes(data[at + 32 : at + 40], "little")
        records.append((at, old_length))
        at += 40 + old_length
    last, old_length = records[-1]
    assert len(records) > 2 and old_length > 1  # the superblock, first written in this flush
    # Killed while journaling the last write, so that write never ran: its bytes are the old ones.
    offset = int.from_bytes(data[last : last + 8], "little")
    with open(path, "r+b") as fh:
        fh.seek(offset)
        fh.write(data[last + 40 : last + 40 + old_length])
    log.write_bytes(data[: last + 40 + old_length // 2])
    assert rollback(str(path))
    assert path.read_bytes() == before


def test_a_journal_of_another_file_is_refused(tmp_path: Path) -> None:
    path, _, _ = _torn(tmp_path)
    swapped = tmp_path / "swapped.nix"
    shutil.copyfile(path, swapped)
    os.replace(swapped, path)  # the same bytes, but another file
    with pytest.raises(CorruptFile, match="another file than the one"):
        nix.File.open(str(path), nix.FileMode.ReadOnly)
    with pytest.raises(CorruptFile, match="another file than the one"):
        nix.File.open(str(path), nix.FileMode.ReadWrite)
    assert pending(str(path))


def test_a_journal_is_refused_after_another_program_wrote_the_file(tmp_path: Path) -> None:
    path, _, _ = _torn(tmp_path)
    with h5py.File(path, "r+") as h:  # h5py knows nothing of the journal
        h["data/b/data_arrays/a7"].attrs["note"] = "changed by h5py"
        h.attrs["updated_at"] = "2026-11-25T00:00:00"
    torn = path.read_bytes()
    with pytest.raises(CorruptFile, match=r"changed after its writer stopped.*delete the journal"):
        nix.File.open(str(path), nix.FileMode.ReadWrite)
    assert path.read_bytes() == torn


def test_the_journal_follows_the_file_through_links_and_folder_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "f.nix"
    _build(path)
    os.symlink(path, tmp_path / "link.nix")
    monkeypatch.chdir(tmp_path)
    with nix.File.open("link.nix", nix.FileMode.ReadWrite) as f:
        _change(f)
        assert os.path.exists(journal_path(str(path)))  # beside the file, not the link
        monkeypatch.chdir(tmp_path.parent)
        f.flush()  # commits the journal though the relative name now points elsewhere
        assert not pending(str(path))


def test_the_journal_is_as_private_as_the_file(tmp_path: Path) -> None:
    path = tmp_path / "f.nix"
    _build(path)
    path.chmod(0o600)
    _uncommitted(path)
    assert os.stat(journal_path(str(path))).st_mode & 0o777 == 0o600


def test_a_swmr_reader_is_told_about_a_pending_journal(tmp_path: Path) -> None:
    path, _, _ = _torn(tmp_path)
    with pytest.raises(FileInUse, match="undo journal"):
        nix.File.open(str(path), nix.FileMode.ReadOnly, swmr=True)


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
if len(sys.argv) > 5:
    shim.torn_log(sys.argv[5].encode())  # index, offset and length of every write
shim.torn_arm(n, partial)
_change(f)
f.flush()
print(shim.torn_count(), flush=True)
shim.torn_arm(0, 0)
f.close()
"""


def _run(shim: Path, path: Path, n: int, partial: int, log: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LD_PRELOAD": str(shim)}
    args = [sys.executable, "-c", WRITER, str(path), str(n), str(partial), str(Path(__file__).parent)]
    return subprocess.run([*args, *([str(log)] if log else [])], env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.skipif(sys.platform != "linux" or shutil.which("gcc") is None, reason="needs Linux and gcc")
def test_a_writer_killed_at_any_write_of_a_round_and_its_flush_loses_nothing_flushed(tmp_path: Path) -> None:
    shim = tmp_path / "shim.so"
    subprocess.run(["gcc", "-shared", "-fPIC", "-O2", "-o", str(shim), str(SHIM), "-ldl"], check=True)
    base = tmp_path / "base.nix"
    _build(base)
    with nix.File.open(str(base), nix.FileMode.ReadOnly) as f:
        old = _state(f)
    dry = tmp_path / "dry.nix"
    shutil.copyfile(base, dry)
    log = tmp_path / "writes.txt"
    done = _run(shim, dry, 0, 0, log)
    assert done.returncode == 0, done.stderr
    writes = int(done.stdout.split()[0])
    # A kill cuts a write only between pages of the page cache: those are the half writes.
    spans = [tuple(int(v) for v in line.split()[:3]) for line in log.read_text().splitlines()]
    cut = [n for n, offset, size in spans[:writes] if offset // 4096 != (offset + size - 1) // 4096]
    with nix.File.open(str(dry), nix.FileMode.ReadOnly) as f:
        new = _state(f)
    assert writes > 10 and new != old
    outcomes = {"killed": 0, "as of the last flush": 0}
    points = [(n, 0) for n in range(1, writes + 1)] + [(n, 1) for n in cut]
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
    print(f"\n{writes} writes in the round and its flush, {len(cut)} across pages; {outcomes}")
    assert outcomes["killed"] == len(points) == outcomes["as of the last flush"]


# -- the journal on its own: write sequences HDF5 may make between two flushes ----------------


def _raw(tmp_path: Path) -> tuple[Path, bytes, UndoJournal]:
    """A file of 3 pages (not HDF5: the journal does not care) opened through a journal."""
    path = tmp_path / "raw.nix"
    original = bytes(range(256)) * 48
    path.write_bytes(original)
    return path, original, UndoJournal(str(path), create=False)


def _died_after(tmp_path: Path, writes: list[tuple[str, int, bytes | int]]) -> tuple[Path, bytes]:
    """``writes`` through the journal of :func:`_raw`, whose writer dies before committing."""
    path, original, journal = _raw(tmp_path)
    for kind, offset, what in writes:
        journal.seek(offset)
        if kind == "write":
            assert isinstance(what, bytes)
            journal.write(what)
        else:
            journal.truncate(offset)
    journal.release()  # killed: the journal stays
    return path, original


@pytest.mark.parametrize(
    "writes",
    [
        [("write", 0, b"A" * 100), ("write", 0, b"B" * 100), ("write", 5000, b"C" * 10)],
        [("write", 100, b"A" * 300), ("write", 200, b"B" * 300), ("write", 50, b"C" * 100), ("write", 9, b"x")],
        [("write", 12000, b"D" * 2000), ("write", 4000, b"E" * 8)],  # past the end of the flushed file
        [("truncate", 6000, 0), ("write", 5990, b"F" * 4000), ("write", 0, b"G" * 8)],
    ],
    ids=["same range twice", "overlapping ranges", "growing", "cut then written again"],
)
def test_any_write_sequence_rolls_back_to_the_flushed_bytes(
    tmp_path: Path, writes: list[tuple[str, int, bytes | int]]
) -> None:
    path, original = _died_after(tmp_path, writes)
    assert path.read_bytes() != original
    view = RolledBack(str(path))
    try:
        seen = bytearray(len(original) + 100)
        view.seek(0)
        assert view.readinto(seen) == len(original)
        assert bytes(seen[: len(original)]) == original
    finally:
        view.close()
    assert rollback(str(path))
    assert path.read_bytes() == original


def test_a_rollback_cut_short_is_redone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path, original = _died_after(tmp_path, [("write", 0, b"A" * 100), ("write", 5000, b"B" * 100)])
    from nixkit.storage import journal as journal_module

    real = journal_module._write_at
    calls = []

    def first_only(fd: int, data: Any, offset: int) -> None:
        if calls:
            raise KeyboardInterrupt  # stopped after the first piece went back
        calls.append(offset)
        real(fd, data, offset)

    monkeypatch.setattr(journal_module, "_write_at", first_only)
    with pytest.raises(KeyboardInterrupt):
        rollback(str(path))
    monkeypatch.undo()
    assert pending(str(path))
    assert rollback(str(path))  # the half-restored file is accepted: the journal was checked
    assert path.read_bytes() == original


def test_the_last_write_may_not_have_started_after_an_overlapping_one(tmp_path: Path) -> None:
    path, original, journal = _raw(tmp_path)
    for offset, data in ((100, b"A" * 200), (150, b"B" * 10)):
        journal.seek(offset)
        journal.write(data)
    journal._save(100, memoryview(b"C" * 200))  # journaled, then killed before writing
    journal.release()
    assert rollback(str(path))
    assert path.read_bytes() == original


def test_a_failed_write_keeps_the_journal_usable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path, original, journal = _raw(tmp_path)
    from nixkit.storage import journal as journal_module

    real = journal_module._write_at

    def half_then_full_disk(fd: int, data: Any, offset: int) -> None:
        real(fd, memoryview(data)[: len(data) // 2], offset)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(journal_module, "_write_at", half_then_full_disk)
    journal.seek(300)
    with pytest.raises(OSError, match="No space"):
        journal.write(b"X" * 400)
    monkeypatch.undo()
    journal.seek(7000)
    journal.write(b"Y" * 50)  # HDF5 goes on writing after a failed write
    journal.release()
    assert rollback(str(path))
    assert path.read_bytes() == original


def test_a_failed_journal_append_leaves_no_half_record(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path, original, journal = _raw(tmp_path)
    journal.seek(0)
    journal.write(b"A" * 10)
    from nixkit.storage import journal as journal_module

    real = journal_module._write_all

    def half(fd: int, data: bytes) -> None:
        real(fd, data[: len(data) // 2])
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(journal_module, "_write_all", half)
    journal.seek(2000)
    with pytest.raises(OSError, match="No space"):
        journal.write(b"B" * 100)  # not journaled, so not written either
    monkeypatch.undo()
    journal.seek(9000)
    journal.write(b"C" * 100)  # journaled after the failed append: must not be hidden by it
    journal.release()
    assert rollback(str(path))
    assert path.read_bytes() == original


def test_a_rechunk_that_fails_half_way_leaves_the_last_flush(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "f.nix"
    _build(path)
    with nix.File.open(str(path), nix.FileMode.ReadOnly) as f:
        old = _state(f)
    f = nix.File.open(str(path), nix.FileMode.ReadWrite)
    stream = f.blocks["b"].data_arrays["a3"]

    def full_disk(self: Any, *args: Any, **kwargs: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(h5py.Dataset, "write_direct", full_disk)
    with pytest.raises(OSError, match="No space"):
        for _ in range(8):  # until an append re-chunks
            stream.append(np.arange(5000.0))
    monkeypatch.undo()
    with pytest.raises(WriteFailed, match="failed half-way"):
        f.close()
    assert pending(str(path))
    with nix.File.open(str(path), nix.FileMode.ReadWrite) as f:
        assert _state(f) == old
