"""Rescue what can be read from a damaged NIX file into a new file.

A writer killed in the middle of a change, a truncated copy or a flipped bit can leave an
HDF5 file that no longer opens, or that fails part-way through a walk. :func:`recover`
copies everything that still reads (groups, attributes, data, and the hard links that
make NIX references) into a new file, object by object, and reports what it had to leave
behind. The original is never changed. ``nixkit recover FILE`` runs it from the shell.

A file whose writer was killed in SWMR mode is marked "open for writing" and HDF5 refuses
to open it normally; recovery reads it in SWMR mode, which ignores the mark. A damaged
string heap on which HDF5 would loop forever (see :mod:`nixkit.storage.heap`) is defused
in a temporary copy first, so recovery always ends.

HDF5 refuses to open a file shorter than the end-of-file address in its superblock, which
is what an interrupted copy or download leaves. Recovery then reads a temporary copy
padded with zeros up to that address (an address implausibly far beyond the file's end
means a damaged superblock instead, and the file is refused). Whatever lay in the lost
part must not come back as zeros: objects whose header starts or (for old, unchecksummed
headers) ends beyond the cut are skipped, and dataset chunks stored beyond the cut are
reported as lost rows.
Newer HDF5 metadata carries checksums, so zeroed metadata fails to read and is skipped.

A file whose writer died after its last flush has an undo journal beside it
(:mod:`nixkit.storage.journal`): recovery reads a copy rolled back to that flush.
A file longer than its recorded end (a writer killed before or inside a flush) is read
from a copy whose recorded end is moved to the physical one (see
:mod:`nixkit.storage.superblock`), so structure written by an interrupted flush can reach
the data it points to.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import numpy as np

from nixkit.exceptions import CorruptFile, FileInUse, InvalidFile, NixError
from nixkit.storage.attrs import copy_attrs
from nixkit.storage.dataset import DatasetNode
from nixkit.storage.file_handle import FileHandle
from nixkit.storage.group import GroupNode
from nixkit.storage.heap import defuse_heap_loops, heap_loops
from nixkit.storage.journal import journal_path, lock, pending, rollback
from nixkit.storage.superblock import Superblock, claim_tail, read_superblock

__all__ = ["Recovery", "recover"]

# Rows read at a time when a dataset cannot be read whole, so one bad chunk costs only its rows.
_BLOCK_ROWS = 1024

# How far past the bytes left a recorded end of file may lie and still be taken for a cut
# rather than a damaged superblock: generous for any real interrupted copy, yet it keeps a
# flipped bit from asking for a padded copy of exabytes (or of more than the disk holds).
_MAX_PADDING = (4, 1 << 30)  # factor on the size left, plus bytes


@dataclass
class Recovery:
    """What :func:`recover` did.

    Attributes
    ----------
    source, target : str
        The damaged file and the new file.
    objects : int
        Groups and datasets copied.
    links : int
        Extra hard links re-created (NIX references).
    skipped : list of (str, str)
        HDF5 paths that could not be copied, with the reason.
    lost_rows : list of (str, int, int)
        Dataset paths and row ranges ``[start, stop)`` that could not be read (filled with zeros).
    defused_heaps : int
        Damaged string heaps that had to be cut short so that HDF5 would not loop forever.
    restored : list of str
        Root attributes that were lost and written anew (``format``, ``id``, dates), so
        that the new file opens as a NIX file.
    truncated : tuple of (int, int), optional
        For a truncated source, its size and the size its superblock records.
    rolled_back : bool
        The source's writer died after its last flush, and the copy was made from the
        file as of that flush (its undo journal applied to a temporary copy).
    """

    source: str
    target: str
    objects: int = 0
    links: int = 0
    defused_heaps: int = 0
    restored: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    lost_rows: list[tuple[str, int, int]] = field(default_factory=list)
    truncated: tuple[int, int] | None = None
    rolled_back: bool = False

    @property
    def complete(self) -> bool:
        """Whether everything was copied."""
        return not (self.skipped or self.lost_rows or self.defused_heaps or self.restored or self.truncated)

    def to_text(self) -> str:
        """A short human-readable account."""
        lines = [
            f"recovered {self.source} into {self.target}: {self.objects} objects, {self.links} references",
        ]
        if self.truncated:
            size, eof = self.truncated
            lines.append(f"  the file is truncated: {size} of {eof} bytes are left; what lay beyond is lost")
        if self.rolled_back:
            lines.append("  its writer was killed: copied as of its last flush (the undo journal was applied)")
        lines += [f"  skipped {path}: {why}" for path, why in self.skipped]
        lines += [f"  lost rows {a}..{b} of {path}" for path, a, b in self.lost_rows]
        if self.restored:
            lines.append(f"  wrote lost root attributes anew: {', '.join(self.restored)}")
        if self.defused_heaps:
            lines.append(f"  cut {self.defused_heaps} damaged string heap(s) short; strings in them are lost")
        if self.complete:
            lines.append("  nothing was lost")
        return "\n".join(lines)


def _open_source(path: str) -> FileHandle:
    try:
        return FileHandle(path, "r")
    except FileInUse:
        # The "open for writing" mark of a killed SWMR writer: SWMR reading ignores it.
        return FileHandle(path, "r", swmr=True)


def recover(path: str | os.PathLike[str], target: str | os.PathLike[str] | None = None) -> Recovery:
    """Copy every readable part of the NIX file ``path`` into a new file.

    Parameters
    ----------
    path : str or os.PathLike
        The damaged file (opened read-only, never changed).
    target : str or os.PathLike, optional
        Where to write the rescued file; default ``<name>.recovered<suffix>`` beside it.
        An existing file there is replaced only when the recovery has finished.

    Returns
    -------
    Recovery
        Counts of what was copied, and the paths and rows that could not be read.

    Raises
    ------
    nixkit.exceptions.InvalidFile
        When not even the file's root can be read (:class:`~nixkit.exceptions.CorruptFile`
        when the file is truncated inside its superblock or root group).
    """
    source = str(path)
    if target is None:
        p = Path(source)
        target = p.with_name(f"{p.stem}.recovered{p.suffix or '.nix'}")
    target = str(target)
    tmp = target + ".partial"
    result = Recovery(source, target)
    rolled = target + ".rolledback"
    try:
        if pending(source):
            # Read the file as of its last flush: roll back a copy, the original stays as it is.
            _copy_unwritten(source, rolled)
            result.rolled_back = rollback(rolled, original=source)
            source = rolled
        _recover(source, target, tmp, result)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.remove(rolled)
    return result


def _recover(source: str, target: str, tmp: str, result: Recovery) -> None:
    size = os.path.getsize(source)
    superblock = read_superblock(source, size)
    cut: _Cut | None = None
    if superblock is not None and size < superblock.eof:
        _check_padding(source, size, superblock.eof)
        result.truncated = (size, superblock.eof)
        cut = _Cut(source, superblock, size)
    # A writer killed inside a flush can leave structure pointing past the recorded end.
    torn = superblock is not None and size > superblock.eof
    readable = source
    try:
        if cut is not None or torn or heap_loops(source):
            readable = target + ".source"
            _working_copy(source, readable, cut)
            if torn:
                claim_tail(readable)
            result.defused_heaps = defuse_heap_loops(readable)
        _copy_file(readable, tmp, result, cut)
    finally:
        if readable != source:
            with contextlib.suppress(FileNotFoundError):  # the copy may have failed to start
                os.remove(readable)
    os.replace(tmp, target)
    with contextlib.suppress(FileNotFoundError):
        os.remove(journal_path(target))  # it belonged to the file just replaced


def _copy_unwritten(source: str, copy: str) -> None:
    """Copy ``source`` while no writer has it (a live writer has a journal between flushes too)."""
    with open(source, "rb") as fh:
        if not lock(fh.fileno(), shared=True):
            raise FileInUse(f"cannot recover {source!r}: a writer has it open")
        shutil.copyfile(source, copy)


def _check_padding(path: str, size: int, eof: int) -> None:
    """Refuse a recorded end of file too far beyond the ``size`` bytes left to be a cut."""
    factor, extra = _MAX_PADDING
    if eof > factor * size + extra:
        raise CorruptFile(
            f"{path!r} has {size} bytes but its HDF5 superblock records an end of file at {eof} bytes: "
            "the superblock is damaged, nothing can be recovered"
        )


def _working_copy(source: str, copy: str, cut: _Cut | None) -> None:
    """Copy ``source`` to ``copy``, padded with zeros up to the recorded end of a cut file."""
    shutil.copyfile(source, copy)
    if cut is None:
        return
    try:
        os.truncate(copy, cut.eof)  # sparse zeros where the file system allows
    except OSError as exc:
        if exc.errno != errno.EFBIG:  # e.g. 4 GiB on FAT32
            raise
        raise CorruptFile(
            f"{source!r} records an end of file at {cut.eof} bytes, more than this file system allows: "
            "the file cannot be padded to it for reading"
        ) from exc


def _copy_file(source: str, tmp: str, result: Recovery, cut: _Cut | None) -> None:
    try:
        src = _open_source(source)
    except (InvalidFile, RuntimeError) as exc:
        if cut is None:
            raise
        _raise_root_lost(result, cut, exc)
    try:
        root_address = src.root.address
    except (NixError, RuntimeError) as exc:
        src.close()
        if cut is None:
            raise
        _raise_root_lost(result, cut, exc)
    try:
        dst = FileHandle(tmp, "w")
        try:
            _Copier(result, cut).group(src.root, dst.root, root_address)
            _restore_header(dst.root, result)
            dst.flush()
        finally:
            dst.close()
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    finally:
        src.close()


def _raise_root_lost(result: Recovery, cut: _Cut, exc: BaseException) -> NoReturn:
    raise CorruptFile(
        f"{result.source!r} is truncated ({cut.size} of {cut.eof} bytes left) and its root group lies "
        "in the lost part: nothing can be recovered"
    ) from exc


class _Cut:
    """Where a truncated file ends, and which of its objects and chunks lie beyond.

    Works in file offsets. HDF5 addresses of objects (and of header continuation chunks)
    count from the base, after any user block, so :meth:`header_lost` adds the base to
    them; the addresses of raw data (:meth:`DatasetNode.stored_pieces`) and of the end of
    file are file offsets already.
    """

    _CONTINUATION = 0x10  # object header message pointing to the next header chunk

    def __init__(self, path: str, superblock: Superblock, size: int) -> None:
        self.path = path
        self.size = size
        self.eof = superblock.eof
        self.base = superblock.base
        self.offset_size = superblock.offset_size
        self.length_size = superblock.length_size

    def beyond(self, start: int, length: int) -> bool:
        """Whether the bytes ``[start, start + length)`` (a file offset) reach past the cut."""
        return start + length > self.size

    def header_lost(self, address: int) -> bool:
        """Whether the object header at HDF5 ``address`` is (partly) beyond the cut.

        A version 2 header (``OHDR``) carries checksums, so HDF5 itself refuses one that
        was cut; a version 1 header has none and is followed chunk by chunk here.
        """
        at = self.base + address
        if self.beyond(at, 16):
            return True
        with open(self.path, "rb") as fh:
            fh.seek(at)
            prefix = fh.read(16)
            if prefix[:4] == b"OHDR" or prefix[0] != 1:
                return False
            chunks = [(at + 16, int.from_bytes(prefix[8:12], "little"))]
            seen = 0
            while chunks and seen < 1000:  # a damaged chain must not loop
                start, length = chunks.pop()
                seen += 1
                if self.beyond(start, length):
                    return True
                fh.seek(start)
                chunks += [(self.base + a, n) for a, n in self._continuations(fh.read(length))]
        return False

    def _continuations(self, chunk: bytes) -> list[tuple[int, int]]:
        # Version 1 messages: 2-byte type, 2-byte size, 4 bytes of flags, then the body.
        found = []
        pos = 0
        width = self.offset_size
        while pos + 8 <= len(chunk):
            kind = int.from_bytes(chunk[pos : pos + 2], "little")
            size = int.from_bytes(chunk[pos + 2 : pos + 4], "little")
            if kind == self._CONTINUATION and size >= width + self.length_size:
                body = chunk[pos + 8 : pos + 8 + width + self.length_size]
                found.append((int.from_bytes(body[:width], "little"), int.from_bytes(body[width:], "little")))
            pos += 8 + size
        return found


def _restore_header(root: GroupNode, result: Recovery) -> None:
    """Write the root attributes a NIX file needs to open, where the damage took them."""
    from nixkit.model.entity import new_id
    from nixkit.util.time import now_int, time_to_str

    fresh = {
        "format": "nix",
        "version": np.array((1, 2, 1), dtype=np.int32),
        "id": new_id(),
        "created_at": time_to_str(now_int()),
        "updated_at": time_to_str(now_int()),
    }
    for key, value in fresh.items():
        try:
            present = root.get_attr(key) is not None
        except NixError:
            present = False
        if not present:
            root.set_attr(key, value, ascii_str=key in ("format", "created_at", "updated_at"))
            result.restored.append(key)


class _Copier:
    """Depth-first copy that keeps hard-link topology and steps over unreadable parts."""

    def __init__(self, result: Recovery, cut: _Cut | None = None) -> None:
        self.result = result
        self.cut = cut
        self.done: dict[int, GroupNode | DatasetNode] = {}

    def skip(self, path: str, exc: BaseException | str) -> None:
        why = exc if isinstance(exc, str) else f"{type(exc).__name__}: {exc}"
        self.result.skipped.append((path, why))

    def attrs(self, src: Any, dst: Any) -> None:
        try:
            copy_attrs(src, dst)
            return
        except (NixError, OSError, RuntimeError, KeyError, ValueError, TypeError):
            pass
        # One bad attribute must not cost the others: copy them one by one as values.
        try:
            keys = src.attr_names()
        except (NixError, OSError, RuntimeError, KeyError, ValueError, TypeError) as exc:
            self.skip(f"{src.path}@", exc)
            return
        for key in keys:
            try:
                value = src.get_attr(key)
                if value is not None:
                    dst.set_attr(key, value, ascii_str=key in ("created_at", "updated_at", "format"))
            except (NixError, OSError, RuntimeError, KeyError, ValueError, TypeError) as exc:
                self.skip(f"{src.path}@{key}", exc)

    def group(self, src: GroupNode, dst: GroupNode, address: int) -> None:
        self.done[address] = dst
        self.attrs(src, dst)
        try:
            names = src.names()
        except NixError as exc:
            self.skip(src.path, exc)
            return
        for name in names:
            self.child(src, dst, name)

    def child(self, src: GroupNode, dst: GroupNode, name: str) -> None:
        path = f"{src.path.rstrip('/')}/{name}"
        try:
            address = src.link_address(name)
            if address is None:
                self.skip(path, "not a hard link (soft or external links are not NIX)")
                return
            if address in self.done:
                dst.link(self.done[address], name)
                self.result.links += 1
                return
            if self.cut is not None and self.cut.header_lost(address):
                self.skip(path, "its object header lies in the truncated part of the file")
                return
            node = src.child(name)
        except (NixError, OSError, RuntimeError, KeyError, ValueError) as exc:
            self.skip(path, exc)
            return
        self.result.objects += 1
        if isinstance(node, GroupNode):
            self.group(node, dst.create_group(name), address)
        else:
            self.dataset(node, dst, name, path, address)

    def dataset(self, src: DatasetNode, dst: GroupNode, name: str, path: str, address: int) -> None:
        try:
            shape, dtype = src.shape, src.dtype
            lost = self.lost_rows(src, shape)
            if lost and not shape:
                self.skip(path, "its value lies in the truncated part of the file")
                return
            if shape:
                out = dst.create_dataset(name, shape, dtype, chunks=src.chunks or True, compression=src.compression)
            else:  # HDF5 scalars cannot be chunked or resized
                out = dst.create_dataset(name, shape, dtype, chunks=None, resizable=False)
        except (NixError, OSError, RuntimeError, ValueError, TypeError) as exc:
            self.skip(path, exc)
            return
        self.done[address] = out
        self.attrs(src, out)
        if not shape:
            self.copy_rows(src, out, path, ())
            return
        self.result.lost_rows += [(path, a, b) for a, b in lost]
        start = 0
        for a, b in [*lost, (shape[0], shape[0])]:
            if start < a:
                self.copy_span(src, out, path, start, a)
            start = b

    def lost_rows(self, src: DatasetNode, shape: tuple[int, ...]) -> list[tuple[int, int]]:
        """Sorted, merged row ranges ``[a, b)`` whose stored chunks lie beyond the cut."""
        cut = self.cut
        if cut is None or not np.prod(shape):
            return []
        rows = shape[0] if shape else 1  # a scalar counts as one row
        height = src.chunks[0] if src.chunks else rows
        starts = [first[0] if first else 0 for first, where, size in src.stored_pieces() if cut.beyond(where, size)]
        ranges = sorted((a, min(a + height, rows)) for a in starts)
        merged: list[tuple[int, int]] = []
        for a, b in ranges:
            if merged and a <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
            else:
                merged.append((a, b))
        return merged

    def copy_span(self, src: DatasetNode, out: DatasetNode, path: str, start: int, stop: int) -> None:
        try:
            out.write(slice(start, stop), src.read(slice(start, stop)))
            return
        except (NixError, OSError, RuntimeError, ValueError, TypeError):
            pass
        for first in range(start, stop, _BLOCK_ROWS):
            self.copy_rows(src, out, path, slice(first, min(first + _BLOCK_ROWS, stop)))

    def copy_rows(self, src: DatasetNode, out: DatasetNode, path: str, rows: Any) -> None:
        try:
            out.write(rows, src.read(rows))
        except (NixError, OSError, RuntimeError, ValueError, TypeError) as exc:
            if isinstance(rows, slice):
                self.result.lost_rows.append((path, rows.start, rows.stop))
            else:
                self.skip(path, exc)
