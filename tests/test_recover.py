"""nixkit.recover on truncated files: what lay before the cut comes back exactly, the rest is reported.

HDF5 refuses to open a file shorter than the end-of-file address in its superblock.
Recovery reads a zero-padded temporary copy instead; these tests make sure that the
zeros never pass for data: every array in the rescued file either equals the original
or is reported (skipped, or with the lost row ranges), and arrays stored wholly before
the cut are always rescued whole.
"""

from __future__ import annotations

import errno
from pathlib import Path

import h5py
import nixio
import numpy as np
import pytest
from click.testing import CliRunner

import nixkit as nix
from conftest import REALFILES, sha256
from nixkit.cli.main import cli
from nixkit.exceptions import CorruptFile
from nixkit.recover import Recovery, recover

ARRAYS = 6
FRACTIONS = (0.9, 0.7, 0.5)


def _values(i: int) -> np.ndarray:
    # Never zero, so data read from the zero padding cannot pass as the original.
    return np.arange(1, 20_000 * (i + 1) + 1, dtype=np.float64) + i


def _write(path: Path, library: str, mode: str = "Overwrite") -> None:
    lib = nix if library == "nixkit" else nixio
    f = lib.File.open(str(path), getattr(lib.FileMode, mode))
    try:
        block = f.create_block("session", "recording")
        for i in range(ARRAYS):
            da = block.create_data_array(f"arr{i}", "trace", data=_values(i))
            da.unit = "mV"
            da.label = f"voltage {i}"
    finally:
        f.close()


@pytest.fixture(scope="module", params=["nixkit", "nixio"])
def original(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp(request.param) / f"{request.param}.nix"
    _write(path, request.param)
    return path


def _cut(original: Path, folder: Path, size: int) -> Path:
    path = folder / "cut.nix"
    with original.open("rb") as fh:
        path.write_bytes(fh.read(size))
    return path


def _header_chunks(data: bytes, address: int) -> list[tuple[int, int]]:
    """``(start, length)`` of every chunk of the version 2 object header at ``address``.

    Read from the bytes (HDF5 file format spec, "Version 2 Object Header"), because HDF5
    does not say where the continuation chunks are.
    """
    assert data[address : address + 4] == b"OHDR", "the test files use version 2 headers"
    flags = data[address + 5]
    pos = address + 6 + (16 if flags & 0x20 else 0) + (4 if flags & 0x10 else 0)
    width = 1 << (flags & 3)
    size = int.from_bytes(data[pos : pos + width], "little")
    chunks = [(address, pos + width + size + 4 - address)]
    todo = [(pos + width, pos + width + size)]
    while todo:
        at, end = todo.pop()
        while at + 4 <= end:
            kind, length = data[at], int.from_bytes(data[at + 1 : at + 3], "little")
            body = at + 4 + (2 if flags & 0x04 else 0)
            if kind == 0x10:  # continuation: address and length of the next chunk
                start = int.from_bytes(data[body : body + 8], "little")
                span = int.from_bytes(data[body + 8 : body + 16], "little")
                chunks.append((start, span))
                todo.append((start + 4, start + span - 4))  # after "OCHK", before the checksum
            at = body + length
    return chunks


def _ends_before(obj: h5py.HLObject, size: int, data: bytes) -> bool:
    """Whether the object header of ``obj`` and of every group above it lie before ``size``."""
    while True:
        info = h5py.h5o.get_info(obj.id)
        chunks = _header_chunks(data, info.addr)
        assert len(chunks) == info.hdr.nchunks  # the parser found them all
        if any(start + length > size for start, length in chunks):
            return False
        if obj.name == "/":
            return True
        obj = obj.parent


def _wholly_before(original: Path, size: int) -> set[str]:
    """Names of the arrays whose headers, ancestors and data chunks all lie before ``size``."""
    found = set()
    data = original.read_bytes()
    with h5py.File(original, "r") as f:
        for name, group in f["data/session/data_arrays"].items():
            ds = group["data"]
            if _ends_before(ds, size, data) and all(a + n <= size for a, n in _chunks(ds)):
                found.add(name)
    return found


def _chunks(ds: h5py.Dataset) -> list[tuple[int, int]]:
    found: list[tuple[int, int]] = []
    ds.id.chunk_iter(lambda c: found.append((c.byte_offset, c.size)))
    return found


def _same_as_original(original: Path, result: Recovery) -> int:
    """Check every object of the rescued file against the original at the HDF5 level.

    Each attribute and dataset equals the original except for reported lost rows, and
    every object of the original that is missing is reported. Returns the number of
    datasets compared.
    """
    lost = {p: (a, b) for p, a, b in result.lost_rows}
    compared = 0
    with h5py.File(original, "r") as src, h5py.File(result.target, "r") as out:
        # An object is reported under the first path the copy reached it by.
        skipped = {h5py.h5o.get_info(src[p].id).addr for p, _why in result.skipped if "@" not in p and p in src}

        def reported(path: str) -> bool:
            parts = path.strip("/").split("/")
            ancestors = ["/" + "/".join(parts[:i]) for i in range(1, len(parts) + 1)]
            return _reported(result, path) or any(h5py.h5o.get_info(src[a].id).addr in skipped for a in ancestors)

        seen: set[int] = set()

        def check(path: str) -> None:
            nonlocal compared
            if path not in out:
                assert reported(path), f"{path} vanished without a report"
                return
            a, b = src[path], out[path]
            address = h5py.h5o.get_info(a.id).addr
            if address in seen:  # another hard link to an object already compared
                return
            seen.add(address)
            for key in a.attrs:
                if key not in b.attrs:
                    assert _reported(result, f"{path}@{key}") or _reported(result, path), f"{path}@{key} lost"
                else:
                    np.testing.assert_array_equal(b.attrs[key], a.attrs[key], err_msg=f"{path}@{key}")
            if isinstance(a, h5py.Group):
                for name in a:
                    check(f"{path.rstrip('/')}/{name}")
                return
            want, got = a[()], b[()]
            if path in lost:
                start, stop = lost[path]
                want, got = np.delete(want, np.s_[start:stop], axis=0), np.delete(got, np.s_[start:stop], axis=0)
            np.testing.assert_array_equal(got, want, err_msg=path)
            compared += 1

        check("/")
    return compared


def _reported(result: Recovery, path: str) -> bool:
    return any(path.startswith(skipped) for skipped, _why in result.skipped)


@pytest.mark.parametrize("fraction", FRACTIONS)
def test_truncated_file_gives_back_exactly_what_lay_before_the_cut(
    original: Path, fraction: float, tmp_path: Path
) -> None:
    """Arrays before the cut come back equal; nothing is silently zeros; the rest is reported."""
    full = original.stat().st_size
    size = int(full * fraction)
    path = _cut(original, tmp_path, size)
    before = sha256(path)
    result = recover(path, tmp_path / "out.nix")
    assert sha256(path) == before and path.stat().st_size == size
    assert result.truncated == (size, full) and not result.complete
    assert f"truncated: {size} of {full} bytes" in result.to_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cut.nix", "out.nix"]  # no temporary left

    lost = {p: (a, b) for p, a, b in result.lost_rows}
    whole = _wholly_before(original, size)
    rescued = set()
    f = nixio.File.open(str(tmp_path / "out.nix"), nixio.FileMode.ReadOnly)  # a valid NIX file for nixio
    try:
        arrays = f.blocks["session"].data_arrays if "session" in f.blocks else {}
        for i in range(ARRAYS):
            name = f"arr{i}"
            where = f"/data/session/data_arrays/{name}"
            if name not in arrays:
                assert _reported(result, where), f"{name} vanished without a report"
                continue
            if _reported(result, where + "/data"):
                continue
            da = arrays[name]
            if not _reported(result, where + "@"):
                assert (da.unit, da.label, da.type) == ("mV", f"voltage {i}", "trace")
            got, want = da[:], _values(i)
            if where + "/data" in lost:
                a, b = lost[where + "/data"]
                got, want = np.delete(got, np.s_[a:b]), np.delete(want, np.s_[a:b])
            else:
                rescued.add(name)
            np.testing.assert_array_equal(got, want)
    finally:
        f.close()
    assert whole <= rescued, f"arrays stored before the cut were not rescued whole: {whole - rescued}"
    if fraction == FRACTIONS[0]:
        assert whole, "a cut at 90% must leave whole arrays to rescue"
    _same_as_original(original, result)


@pytest.mark.parametrize("fraction", [0.95, 0.8, 0.6, 0.4])
def test_truncated_old_format_file_with_unchecksummed_headers(fraction: float, tmp_path: Path) -> None:
    """A C++ NIX file (HDF5 version 1 object headers, no checksums): nothing cut comes back as zeros."""
    original = REALFILES / "g-node_nix/docs_data_nix_test_v1.2.h5"
    path = _cut(original, tmp_path, int(original.stat().st_size * fraction))
    result = recover(path, tmp_path / "out.nix")
    assert result.truncated and not result.complete
    assert _same_as_original(original, result) > 0


@pytest.mark.parametrize("where", ["empty", "signature", "superblock", "root"])
def test_cut_in_the_superblock_or_root_is_a_clear_error(original: Path, where: str, tmp_path: Path) -> None:
    """A cut that takes the superblock or the root group leaves nothing: a nixkit error, no output."""
    with h5py.File(original, "r") as f:
        root = h5py.h5o.get_info(f.id).addr
    size = {"empty": 0, "signature": 7, "superblock": 20, "root": root + 8}[where]
    path = _cut(original, tmp_path, size)
    with pytest.raises(nix.exceptions.InvalidFile) as err:
        recover(path, tmp_path / "out.nix")
    if size >= 8:  # shorter: not even the HDF5 signature is left
        assert isinstance(err.value, CorruptFile) and "truncated" in str(err.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cut.nix"]
    result = CliRunner().invoke(cli, ["recover", str(path), "-o", str(tmp_path / "out.nix")])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert result.output.count("\n") == 1 and result.output.startswith("nixkit: error:")


def test_cli_recovers_a_truncated_file_and_says_what_was_lost(original: Path, tmp_path: Path) -> None:
    path = _cut(original, tmp_path, int(original.stat().st_size * 0.9))
    result = CliRunner().invoke(cli, ["recover", str(path), "-o", str(tmp_path / "out.nix")])
    assert result.exit_code == 1, result.output
    assert "the file is truncated" in result.output and " objects, " in result.output
    with nix.File.open(tmp_path / "out.nix", nix.FileMode.ReadOnly) as f:
        assert f.blocks["session"].data_arrays


def test_whole_file_is_not_taken_for_truncated(original: Path, tmp_path: Path) -> None:
    result = recover(original, tmp_path / "out.nix")
    assert result.truncated is None and result.complete, result.to_text()


def _eof_field(data: bytes) -> int:
    """File offset of the end-of-file address in the superblock at the start of ``data``.

    HDF5 file format spec, "Superblock": versions 0 and 1 keep the addresses from byte 24
    (28) after the signature, versions 2 and 3 from byte 12; end of file is the third.
    """
    fields = {0: 16, 1: 20}.get(data[8], 4)
    return len(b"\x89HDF\r\n\x1a\n") + fields + 2 * 8  # 8-byte addresses, checked by the caller


@pytest.mark.parametrize("eof", [1 << 62, 1 << 31])
def test_damaged_end_of_file_address_is_refused(original: Path, eof: int, tmp_path: Path) -> None:
    """An end of file far beyond the bytes left means a damaged superblock, not a cut: CorruptFile.

    2**62 made padding the working copy fail with a raw OSError (and left the copy behind);
    2**31 for a file of half a megabyte would have padded a 2 GiB copy.
    """
    data = bytearray(original.read_bytes())
    at = _eof_field(bytes(data))
    assert int.from_bytes(data[at : at + 8], "little") == len(data)  # found the field
    data[at : at + 8] = eof.to_bytes(8, "little")
    path = tmp_path / "damaged.nix"
    path.write_bytes(bytes(data))
    with pytest.raises(CorruptFile, match="superblock is damaged"):
        recover(path, tmp_path / "out.nix")
    assert path.read_bytes() == data
    assert sorted(p.name for p in tmp_path.iterdir()) == ["damaged.nix"]  # no padded copy left
    result = CliRunner().invoke(cli, ["recover", str(path), "-o", str(tmp_path / "out.nix")])
    assert result.exit_code == 2 and result.output.startswith("nixkit: error:")
    assert "superblock is damaged" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["damaged.nix"]


@pytest.mark.parametrize("failure", ["disk full", "file too large"])
def test_failed_working_copy_is_removed(
    original: Path, failure: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A padded copy that fails half-way is removed; a file system that cannot hold it is a CorruptFile."""
    path = _cut(original, tmp_path, int(original.stat().st_size * 0.9))

    def full_disk(source: str, copy: str) -> None:
        Path(copy).write_bytes(Path(source).read_bytes()[:1000])
        raise OSError(errno.ENOSPC, "No space left on device")

    def too_large(path: str, length: int) -> None:
        raise OSError(errno.EFBIG, "File too large")

    if failure == "disk full":
        monkeypatch.setattr("nixkit.recover.shutil.copyfile", full_disk)
        expected: type[Exception] = OSError
    else:
        monkeypatch.setattr("nixkit.recover.os.truncate", too_large)
        expected = CorruptFile
    with pytest.raises(expected) as err:
        recover(path, tmp_path / "out.nix")
    assert type(err.value) is expected
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cut.nix"]


@pytest.fixture(scope="module")
def with_user_block(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A NIX file behind a 512-byte user block (nixkit and nixio never write one; HDF5 tools can)."""
    folder = tmp_path_factory.mktemp("userblock")
    empty = folder / "empty.nix"
    nix.File.open(empty, nix.FileMode.Overwrite).close()
    path = folder / "userblock.nix"
    # h5py lays out an empty NIX file behind the user block, nixkit fills it: the layout
    # stays nixkit's (a copy with h5py would move the root group's header to the end).
    with h5py.File(empty, "r") as src, h5py.File(path, "w", userblock_size=512, libver=src.libver) as dst:
        for key, value in src.attrs.items():
            dst.attrs[key] = value
        for name in src:
            dst.create_group(name, track_order=True)
    with path.open("r+b") as fh:
        fh.write(b"a user block, ignored by HDF5".ljust(512, b"\0"))
    _write(path, "nixkit", "ReadWrite")
    # Appending re-chunks arr0 into a new dataset at the end, after every object header
    # (those of the arrays grow when their attributes are set), so a cut there loses rows only.
    with nix.File.open(path, nix.FileMode.ReadWrite) as f:
        f.blocks["session"].data_arrays["arr0"].append(np.arange(1, 100_001, dtype=np.float64))
    return path


def test_whole_file_with_a_user_block_is_not_taken_for_truncated(with_user_block: Path, tmp_path: Path) -> None:
    """The superblock stores the end of file as a file offset: adding the user block again cut no file."""
    result = recover(with_user_block, tmp_path / "out.nix")
    assert result.truncated is None and result.complete, result.to_text()
    assert _same_as_original(with_user_block, result) == ARRAYS


def test_truncated_file_with_a_user_block_reports_only_the_rows_lost(with_user_block: Path, tmp_path: Path) -> None:
    """Chunk addresses are file offsets: a chunk ending just before the cut is rescued, not reported lost."""
    full = with_user_block.stat().st_size
    assert with_user_block.read_bytes()[:12] == b"a user block"
    chunks: dict[str, list[tuple[int, int]]] = {}  # path: (first row, end in the file) per chunk
    heights: dict[str, tuple[int, int]] = {}  # path: (rows per chunk, rows)
    with h5py.File(with_user_block, "r") as f:
        for name in f["data/session/data_arrays"]:
            ds = f[f"data/session/data_arrays/{name}/data"]
            found: list[tuple[int, int]] = []
            ds.id.chunk_iter(lambda c, found=found: found.append((c.chunk_offset[0], c.byte_offset + c.size)))
            chunks[ds.name], heights[ds.name] = found, (ds.chunks[0], ds.shape[0])
    # Cut 100 bytes after the chunk ending nearest 90%: within 512 bytes (the user block) of its end.
    end = min((stop for found in chunks.values() for _, stop in found), key=lambda stop: abs(stop - 0.9 * full))
    size = end + 100
    path = _cut(with_user_block, tmp_path, size)
    result = recover(path, tmp_path / "out.nix")
    assert result.truncated == (size, full) and not result.skipped, result.to_text()
    want = {}
    for where, found in chunks.items():
        lost = sorted(row for row, stop in found if stop > size)
        if lost:  # the chunks of an array lie in order, so the lost ones are its last
            height, rows = heights[where]
            want[where] = (lost[0], min(lost[-1] + height, rows))
    assert want, "the cut must take some rows"
    assert {p: (a, b) for p, a, b in result.lost_rows} == want and len(result.lost_rows) == len(want)
    _same_as_original(with_user_block, result)
