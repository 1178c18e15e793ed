"""A file longer than its recorded end (a writer killed inside a flush) keeps its tail.

HDF5 writes the superblock, which records where the file's allocated space ends, last in
a flush. A kill inside a flush can leave structure pointing at space allocated in that
flush, past the recorded end. These tests build that state by hand: a finished file whose
recorded end is moved back to the start of its last data chunk.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import h5py
import numpy as np
import pytest

import nixkit as nix
import nixkit.storage.file_handle as file_handle
from nixkit.exceptions import CorruptFile, FileInUse, FormatVersionError, WriteFailed
from nixkit.recover import recover
from nixkit.storage.superblock import claim_tail, lookup3, read_superblock

REALFILES = Path(__file__).resolve().parents[2] / "shared/testdata/realfiles"
STREAM = np.tile(np.arange(700, dtype=np.float32), 50)


def _stream_file(path: Path) -> int:
    """A file whose last bytes are the last chunk of an appended array; that chunk's offset."""
    with nix.File.open(str(path), nix.FileMode.Overwrite) as f:
        da = f.create_block("rec", "s").create_data_array("x", "sig", data=np.zeros(0, dtype=np.float32))
        for piece in np.split(STREAM, 50):
            da.append(piece)
    with h5py.File(path, "r") as h:
        ds = h["data/rec/data_arrays/x/data"].id
        last = max((ds.get_chunk_info(i) for i in range(ds.get_num_chunks())), key=lambda c: c.byte_offset)
    assert last.byte_offset + last.size == os.path.getsize(path)  # nothing but the chunk follows it
    return int(last.byte_offset)


def _record_end(path: Path, eof: int) -> None:
    """Write ``eof`` as the recorded end of a version 2 superblock, with a fresh checksum."""
    with open(path, "r+b") as fh:
        head = bytearray(fh.read(48))
        assert head[8] == 2 and head[9] == 8  # version 2, 8-byte addresses
        head[28:36] = eof.to_bytes(8, "little")
        head[44:48] = lookup3(bytes(head[:44])).to_bytes(4, "little")
        fh.seek(0)
        fh.write(head)


def _torn_file(path: Path) -> int:
    chunk = _stream_file(path)
    _record_end(path, chunk)
    return chunk


def _recorded_end(path: Path) -> int:
    sb = read_superblock(str(path), os.path.getsize(path))
    assert sb is not None
    return sb.eof


def test_lookup3_matches_published_values_and_hdf5s_checksums(tmp_path: Path) -> None:
    assert lookup3(b"") == 0xDEADBEEF
    assert lookup3(b"Four score and seven years ago") == 0x17770551
    assert lookup3(b"Four score and seven years ago", 1) == 0xCD628161
    _stream_file(tmp_path / "mine.nix")
    theirs = REALFILES / "generated/nixio-1.5.4_nixodmlconverter-0.0.7_eeg_metadata.nix"
    for path in (tmp_path / "mine.nix", theirs):
        head = path.read_bytes()[:48]
        assert head[8] == 2
        assert lookup3(head[:44]) == int.from_bytes(head[44:48], "little")


def test_the_torn_state_is_real_without_the_claim(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without moving the recorded end, HDF5 refuses the chunk past it: the failure CI met."""
    path = tmp_path / "torn.nix"
    _torn_file(path)
    with nix.File.open(str(path), nix.FileMode.ReadOnly) as f:
        x = f.blocks["rec"].data_arrays["x"]
        with pytest.raises(CorruptFile, match="addr overflow"):
            x[:]
    monkeypatch.setattr(file_handle, "_claim_tail", lambda path: None)
    with nix.File.open(str(path), nix.FileMode.ReadWrite) as f:
        x = f.blocks["rec"].data_arrays["x"]
        with pytest.raises(WriteFailed, match=r"/data/rec/data_arrays/x/data.*addr overflow.*nixkit recover"):
            x.append(np.ones(10, dtype=np.float32))


def test_writer_keeps_data_past_the_recorded_end(tmp_path: Path) -> None:
    path = tmp_path / "torn.nix"
    _torn_file(path)
    size = os.path.getsize(path)
    with nix.File.open(str(path), nix.FileMode.ReadWrite) as f:
        assert _recorded_end(path) == size
        block = f.blocks["rec"]
        # New space comes after the tail, so it cannot overwrite the chunk there.
        block.create_data_array("y", "sig", data=np.full(5000, -1.0))
        block.data_arrays["x"].append(np.ones(10, dtype=np.float32))
    with nix.File.open(str(path), nix.FileMode.ReadOnly) as f:
        x = f.blocks["rec"].data_arrays["x"][:]
        assert np.array_equal(x, np.concatenate([STREAM, np.ones(10, dtype=np.float32)]))
        assert np.array_equal(f.blocks["rec"].data_arrays["y"][:], np.full(5000, -1.0))


def test_a_file_that_ends_where_recorded_is_not_touched(tmp_path: Path) -> None:
    path = tmp_path / "clean.nix"
    _stream_file(path)
    before = path.read_bytes()
    assert claim_tail(str(path)) is None
    assert path.read_bytes() == before


def test_a_failed_open_puts_the_superblock_back(tmp_path: Path) -> None:
    path = tmp_path / "broken.nix"
    _torn_file(path)
    with h5py.File(path, "r") as h:
        root = h5py.h5o.get_info(h.id).addr
    with open(path, "r+b") as fh:
        fh.seek(root)
        fh.write(b"XXXX")  # the root group's header signature: HDF5 cannot open the file
    before = path.read_bytes()
    with pytest.raises(CorruptFile):
        nix.File.open(str(path), nix.FileMode.ReadWrite)
    assert path.read_bytes() == before


def test_a_file_held_open_elsewhere_is_not_touched(tmp_path: Path) -> None:
    path = tmp_path / "held.nix"
    chunk = _torn_file(path)
    with nix.File.open(str(path), nix.FileMode.ReadOnly):
        before = path.read_bytes()
        with pytest.raises(FileInUse, match="has it open"):
            nix.File.open(str(path), nix.FileMode.ReadWrite)
        assert path.read_bytes() == before
    assert _recorded_end(path) == chunk


def test_version_0_superblock(tmp_path: Path) -> None:
    path = tmp_path / "v0.nix"
    shutil.copyfile(REALFILES / "bendalab_nixtrack/test.nix", path)
    assert path.read_bytes()[8] == 0
    with nix.File.open(str(path), nix.FileMode.ReadOnly) as f:
        names = sorted(b.name for b in f.blocks)
    with open(path, "ab") as fh:
        fh.write(b"\0" * 4096)  # a tail past the recorded end
    size = os.path.getsize(path)
    with nix.File.open(str(path), nix.FileMode.ReadWrite) as f:
        assert _recorded_end(path) == size
        assert sorted(b.name for b in f.blocks) == names
        f.create_block("added", "t")
    with nix.File.open(str(path), nix.FileMode.ReadOnly) as f:
        assert sorted(b.name for b in f.blocks) == sorted([*names, "added"])


def test_a_refused_older_version_keeps_its_tail_unclaimed(tmp_path: Path) -> None:
    path = tmp_path / "old.nix"
    shutil.copyfile(REALFILES / "generated/cpp-nix-1.5.0-master_representative.nix", path)
    with open(path, "ab") as fh:
        fh.write(b"\0" * 4096)
    before = path.read_bytes()
    with pytest.raises(FormatVersionError, match="upgrade"):
        nix.File.open(str(path), nix.FileMode.ReadWrite)
    assert path.read_bytes() == before


def test_a_superblock_with_a_wrong_checksum_is_left_to_hdf5(tmp_path: Path) -> None:
    path = tmp_path / "sum.nix"
    chunk = _torn_file(path)
    with open(path, "r+b") as fh:
        fh.seek(44)
        fh.write(b"\0\0\0\0")
    before = path.read_bytes()
    assert claim_tail(str(path)) is None
    assert path.read_bytes() == before
    assert _recorded_end(path) == chunk


def test_recover_reads_past_the_recorded_end(tmp_path: Path) -> None:
    path = tmp_path / "torn.nix"
    _torn_file(path)
    before = path.read_bytes()
    result = recover(path, tmp_path / "rescued.nix")
    assert result.complete, result.to_text()
    assert path.read_bytes() == before
    with nix.File.open(result.target, nix.FileMode.ReadOnly) as f:
        assert np.array_equal(f.blocks["rec"].data_arrays["x"][:], STREAM)
