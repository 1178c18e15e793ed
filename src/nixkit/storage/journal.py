"""An undo journal that makes a writer's flush all-or-nothing for a killed process.

HDF5 writes a flush as many writes in place (object headers, B-tree nodes, heaps, the
superblock last). A writer killed inside one leaves a torn file: a tool that kills a
writer at every write of a flush (``tools/torn_flush.py``) found flushed data damaged at
47% of those points, mostly beyond what ``nixkit recover`` can rescue.

So a writer's file goes through :class:`UndoJournal` (h5py's ``fileobj`` driver): before
a write overwrites bytes the file held at its last flush, those bytes are appended to
``<file>.undo``. When a flush completes, the journal is deleted. A journal found later
means a writer died after its last flush; its records put the file back exactly as of
that flush: :func:`rollback` does it in place before the next writer opens the file, and
:class:`RolledBack` shows it to a reader without changing the file.

The journal protects against a killed process, not against power loss, for which it
and the file would have to be synced to disk at every flush.
"""

from __future__ import annotations

import bisect
import hashlib
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from nixkit.exceptions import CorruptFile, FileInUse, WriteFailed

__all__ = [
    "RolledBack",
    "UndoJournal",
    "commit",
    "exclusively",
    "journal_path",
    "journals",
    "lock",
    "pending",
    "rollback",
    "usable",
    "SUFFIX",
]

T = TypeVar("T")

SUFFIX = ".undo"  # a journal's name is its file's name with this added
_MAGIC = b"NIXKUND2"
_HEAD = len(_MAGIC) + 24  # magic, the file's size at the last flush, its device and inode
_RECORD = 40  # offset, length, digest of the bytes written, length of the old bytes that follow
_DIGEST = 16
# Appended by a rollback before it writes anything: the journal was checked, and the file
# may now hold a mix of restored and journaled bytes, which a redo must accept.
_VERIFIED = (1 << 64) - 1
# A write within one page of the page cache is all done or not started when a process is
# killed; a longer one can be cut between pages.
_PAGE = 4096


def _digest(data: Any) -> bytes:
    return hashlib.blake2b(data, digest_size=_DIGEST).digest()


def journal_path(path: str) -> str:
    """Where the undo journal of the file ``path`` lives: beside the file itself.

    Symbolic links are resolved, so every name of a file leads to the same journal.
    """
    return os.path.realpath(path) + SUFFIX


def pending(path: str) -> bool:
    """Whether ``path`` has a journal left by a writer that did not finish a flush or close."""
    return os.name == "posix" and os.path.exists(journal_path(path))


def exclusively(path: str, action: Callable[[str], T]) -> T | None:
    """``action(path)``, run while holding an exclusive lock on ``path``.

    None, without running it, when the file cannot be opened for writing or another
    process (or handle) has it open; the open that follows then reports that.
    """
    try:
        fd = os.open(path, os.O_RDWR)
    except OSError:
        return None
    try:
        return action(path) if lock(fd) else None
    finally:
        os.close(fd)  # also drops the lock, just before HDF5 or the journal takes its own


def lock(fd: int, shared: bool = False) -> bool:
    """Lock ``fd`` (exclusive, or ``shared`` as a reader); False when another holder conflicts.

    Always True off POSIX, where there are no advisory locks to respect.
    """
    try:
        import fcntl
    except ImportError:
        return True
    try:
        fcntl.flock(fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError:  # a file system without locks (some network mounts): as HDF5, go on
        return True
    return True


def _read_at(fd: int, view: memoryview, offset: int) -> int:
    """Read into ``view`` from ``offset`` of ``fd`` until it is full or the file ends."""
    done = 0
    while done < len(view):
        if hasattr(os, "preadv"):  # straight into the buffer
            n = os.preadv(fd, [view[done:]], offset + done)
        else:  # macOS before 11
            data = os.pread(fd, len(view) - done, offset + done)
            n = len(data)
            view[done : done + n] = data
        if n == 0:
            break
        done += n
    return done


def _write_at(fd: int, data: Any, offset: int) -> None:
    """Write all of ``data`` at ``offset`` of ``fd`` (a single pwrite may write less)."""
    view = memoryview(data).cast("B")
    while len(view):
        n = os.pwrite(fd, view, offset)
        if n <= 0:
            raise OSError(f"could not write at offset {offset}")
        view = view[n:]
        offset += n


def usable(path: str) -> bool:
    """Whether a writer of ``path`` can keep a journal: POSIX file calls, and a writable folder."""
    folder = os.path.dirname(os.path.realpath(path))
    return os.name == "posix" and os.access(folder, os.W_OK)


@dataclass(frozen=True)
class _Record:
    offset: int
    length: int
    digest: bytes  # of the bytes the write put there
    old: bytes  # the bytes before; empty when a record at this offset saved at least as many


def _records(path: str, original: str | None = None) -> tuple[int, list[_Record]] | None:
    """The size at the last flush and the complete records of the journal of ``path``
    (or of ``original``, of which ``path`` is a byte-for-byte copy).

    None when there is no journal to apply. Raises :class:`CorruptFile` when the journal
    does not belong to the file as it is now (see :func:`_check`).
    """
    log = journal_path(original or path)
    try:
        with open(log, "rb") as fh:
            data = fh.read()
    except FileNotFoundError:  # committed by its writer meanwhile
        return None
    if not _MAGIC.startswith(data[: len(_MAGIC)]) or (len(data) >= _HEAD and data[: len(_MAGIC)] != _MAGIC):
        raise CorruptFile(f"{log!r} is not a nixkit undo journal; move it away to open {path!r}")
    if len(data) < _HEAD:
        # Killed while writing the head: no overwrite had started, the file is as it was.
        return -1, []
    base, dev, ino = (int.from_bytes(data[i : i + 8], "little") for i in range(len(_MAGIC), _HEAD, 8))
    records = []
    verified = False
    at = _HEAD
    while at + _RECORD <= len(data):
        offset, length = (int.from_bytes(data[i : i + 8], "little") for i in (at, at + 8))
        if offset == _VERIFIED:
            verified = True
            break
        digest = data[at + 16 : at + 16 + _DIGEST]
        old_length = int.from_bytes(data[at + 32 : at + 40], "little")
        if at + _RECORD + old_length > len(data):
            break  # cut by the kill: the write it guards never started
        records.append(_Record(offset, length, digest, data[at + _RECORD : at + _RECORD + old_length]))
        at += _RECORD + old_length
    _check(path, original or path, log, (dev, ino), [] if verified else records)
    return base, records


def _check(path: str, original: str, log: str, identity: tuple[int, int], records: list[_Record]) -> None:
    """Refuse a journal that does not fit the file: another file now at ``original``, or the
    same file changed by another program after its nixkit writer was killed.

    Every write of the journal must have left its bytes in ``path``, unless a later write
    covers them again. The last write may also not have started; a kill can cut it
    part-way only if it spans pages, and then it is not checked.
    """
    info = os.stat(original)
    why = "it is another file than the one the journal was written for"
    fits = (info.st_dev, info.st_ino) == identity
    if fits:
        covered: list[tuple[int, int]] = []  # sorted, disjoint ranges written later
        fd = os.open(path, os.O_RDONLY)
        try:
            for index in range(len(records) - 1, -1, -1):
                rec = records[index]
                end = rec.offset + rec.length
                later = bisect.bisect_left(covered, (rec.offset, -1))
                overlapped = any(lo < end and rec.offset < hi for lo, hi in covered[max(later - 1, 0) : later + 1])
                # A later write covered (part of) it: its own bytes may be gone, nothing to check.
                allowed = set() if overlapped else _allowed(records, index)
                if allowed:
                    now = bytearray(rec.length)
                    _read_at(fd, memoryview(now), rec.offset)
                    if _digest(now) not in allowed:
                        fits = False
                        why = f"bytes {rec.offset}-{end} changed after its writer stopped"
                        break
                _cover(covered, rec.offset, end)
        finally:
            os.close(fd)
    if not fits:
        raise CorruptFile(
            f"{log!r} does not fit {path!r} as it is now ({why}): another program wrote the file "
            "after its nixkit writer was killed. The journal is not applied; if the file reads "
            "correctly, delete the journal"
        )


def _allowed(records: list[_Record], index: int) -> set[bytes]:
    """Digests the bytes of the not later overwritten write ``index`` may show (empty: any)."""
    rec = records[index]
    if index < len(records) - 1:
        return {rec.digest}
    if rec.offset // _PAGE != (rec.offset + rec.length - 1) // _PAGE:
        return set()  # the kill may have cut it part-way
    # Or it never started: the bytes are those before it.
    if rec.old:
        return {rec.digest, _digest(rec.old)}
    end = rec.offset + rec.length
    for before in reversed(records[:index]):
        if before.offset < end and rec.offset < before.offset + before.length:
            # The newest write that touched the range tells what it held, if it was the same range.
            same = (before.offset, before.length) == (rec.offset, rec.length)
            return {rec.digest, before.digest} if same else set()
    return set()


def _cover(ranges: list[tuple[int, int]], lo: int, hi: int) -> None:
    """Add ``[lo, hi)`` to the sorted, disjoint ``ranges``, merging what it touches."""
    at = bisect.bisect_left(ranges, (lo, -1))
    if at and ranges[at - 1][1] >= lo:
        at -= 1
    while at < len(ranges) and ranges[at][0] <= hi:
        lo, hi = min(lo, ranges[at][0]), max(hi, ranges[at][1])
        del ranges[at]
    ranges.insert(at, (lo, hi))


def _old_segments(records: list[_Record]) -> list[tuple[int, bytes]]:
    """The bytes as of the last flush, as sorted disjoint pieces: the oldest image of a byte wins."""
    covered: list[tuple[int, int]] = []
    pieces: list[tuple[int, bytes]] = []
    for rec in records:
        if not rec.old:
            continue
        at, end = rec.offset, rec.offset + len(rec.old)
        for lo, hi in covered:  # cut away what an older record already restores
            if hi <= at or lo >= end:
                continue
            if lo > at:
                pieces.append((at, rec.old[at - rec.offset : lo - rec.offset]))
            at = max(at, hi)
        if at < end:
            pieces.append((at, rec.old[at - rec.offset :]))
        _cover(covered, rec.offset, end)
    return sorted(pieces, key=lambda piece: piece[0])


def rollback(path: str, original: str | None = None) -> bool:
    """Put ``path`` back as of its last completed flush; True when there was a journal.

    Killed during a rollback, the next one redoes it: the journal is marked as checked
    before the first byte goes back, and the same bytes are written again.
    With ``original``, ``path`` is a copy of it, rolled back with its journal, which stays.

    Raises
    ------
    nixkit.exceptions.CorruptFile
        When the journal does not fit the file (it is then left alone).
    """
    if not pending(original or path):
        return False
    found = _records(path, original)
    if found is None:
        return False
    base, records = found
    if base >= 0:
        if original is None:
            with open(journal_path(path), "ab") as log:
                log.write(_VERIFIED.to_bytes(8, "little") + bytes(_RECORD - 8))
        fd = os.open(path, os.O_RDWR)
        try:
            for offset, old in _old_segments(records):
                _write_at(fd, old, offset)
            os.ftruncate(fd, base)
        finally:
            os.close(fd)
    if original is None:
        os.unlink(journal_path(path))
    return True


class UndoJournal:
    """A writer's file for h5py's ``fileobj`` driver, journaling what it overwrites.

    Opening takes an exclusive lock on the file for the writer's life (HDF5's own
    locking does not apply to this driver), so readers and other writers get
    :class:`FileInUse` as they would from HDF5.

    Parameters
    ----------
    path : str
        The file.
    create : bool
        Start a new, empty file (after taking the lock, so a file in use is never cut).
    """

    def __init__(self, path: str, create: bool) -> None:
        self.path = os.path.realpath(path)
        self.log_path = journal_path(self.path)
        self.fd = os.open(self.path, os.O_RDWR | (os.O_CREAT if create else 0), 0o666)
        try:
            if not lock(self.fd):
                raise FileInUse(f"cannot open {path!r} for writing: another process (or File object) has it open")
            if create:
                if os.fstat(self.fd).st_size:
                    # Only when there is something to cut: ext4 writes back on close a file
                    # cut to zero, even an empty one (0.16 s for a new 400 MB file).
                    os.ftruncate(self.fd, 0)
                if os.path.exists(self.log_path):
                    os.unlink(self.log_path)  # the old file it guarded is gone
            self.base = os.fstat(self.fd).st_size
        except BaseException:
            os.close(self.fd)
            raise
        self.pos = 0
        self.log = -1
        self.log_size = 0
        self.poisoned = False  # a change failed half-way: the last flush must stay the state
        self.saved: dict[int, int] = {}  # offset -> length of old bytes journaled since the last flush

    # -- the file object h5py's fileobj driver calls ---------------------------------------
    def seek(self, pos: int, whence: int = os.SEEK_SET) -> int:
        """Move to ``pos``."""
        self.pos = os.lseek(self.fd, pos, whence)
        return self.pos

    def tell(self) -> int:
        """The current position."""
        return self.pos

    def readinto(self, buf: Any) -> int:
        """Read into ``buf`` from the current position."""
        n = _read_at(self.fd, memoryview(buf).cast("B"), self.pos)
        self.pos += n
        return n

    def write(self, buf: Any) -> int:
        """Write ``buf`` at the current position, journaling the old bytes first."""
        view = memoryview(buf).cast("B")
        self._save(self.pos, view)
        try:
            _write_at(self.fd, view, self.pos)
        except OSError:
            # What the range holds now replaces the digest just journaled, which the write
            # did not leave (HDF5 goes on writing after a failed write).
            self._save(self.pos, None, len(view))
            raise
        self.pos += len(view)
        return len(view)

    def truncate(self, size: int) -> int:
        """Cut or extend the file to ``size`` bytes."""
        if size < self.base:
            self._save(size, None)
        os.ftruncate(self.fd, size)
        return size

    def flush(self) -> None:
        """Nothing is buffered here: every write went to the operating system."""

    # -- the journal ----------------------------------------------------------------------
    def _save(self, offset: int, new: memoryview | None, failed: int = 0) -> None:
        """Journal the bytes from ``offset`` that existed at the last flush and ``new`` replaces
        (``None``: a cut, which removes everything from ``offset``; or, with ``failed``, the
        length of a write that failed, whose range is journaled as it is now)."""
        end = (
            min(offset + failed, self.base)
            if failed
            else self.base
            if new is None
            else min(offset + len(new), self.base)
        )
        if offset >= end:
            return  # new space only
        length = end - offset
        old = b""
        if self.saved.get(offset, -1) < length:
            buf = bytearray(length)
            _read_at(self.fd, memoryview(buf), offset)
            old = bytes(buf)
            self.saved[offset] = length
        if failed:
            now = bytearray(length)
            _read_at(self.fd, memoryview(now), offset)
            digest = _digest(now)
        else:
            # What this write leaves (zeros past a cut count as bytes of the file no more).
            digest = _digest(new[:length] if new is not None else bytes(length))
        if self.log < 0:
            self.log = os.open(
                self.log_path,
                os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND,
                stat.S_IMODE(os.fstat(self.fd).st_mode),  # the old bytes are as private as the file
            )
            self.log_size = 0
            info = os.fstat(self.fd)
            self._append(_MAGIC + b"".join(v.to_bytes(8, "little") for v in (self.base, info.st_dev, info.st_ino)))
        record = offset.to_bytes(8, "little") + length.to_bytes(8, "little") + digest + len(old).to_bytes(8, "little")
        self._append(record + old)

    def _append(self, data: bytes) -> None:
        """Append ``data`` to the journal whole, or not at all (a part would hide what follows)."""
        try:
            _write_all(self.log, data)
        except BaseException:
            os.ftruncate(self.log, self.log_size)
            raise
        self.log_size += len(data)

    def commit(self) -> None:
        """A flush completed: the file as it is now is the state to come back to.

        Raises
        ------
        nixkit.exceptions.WriteFailed
            When a change failed half-way since the last flush (see :attr:`poisoned`):
            the journal stays, so the file goes back to that flush.
        """
        if self.poisoned:
            raise WriteFailed(f"{self.path!r}: a change failed half-way; the file stays as of its last flush")
        if self.log >= 0:
            os.unlink(self.log_path)
            os.close(self.log)
            self.log = -1
        self.base = os.fstat(self.fd).st_size
        self.saved.clear()

    def release(self) -> None:
        """Let the file and its lock go, keeping any journal (the last flush failed)."""
        if self.log >= 0:
            os.close(self.log)
            self.log = -1
        os.close(self.fd)

    def close(self) -> None:
        """The file was closed cleanly: commit, and let the lock go."""
        self.commit()
        self.release()


def _write_all(fd: int, data: bytes) -> None:
    """Append all of ``data`` to the journal ``fd`` (opened with O_APPEND)."""
    view = memoryview(data)
    while len(view):
        n = os.write(fd, view)
        if n <= 0:
            raise OSError("could not write the undo journal")
        view = view[n:]


class RolledBack:
    """A read-only file object showing a file as of its last flush, journal applied in memory.

    For reading a file whose writer was killed, without changing it (``nixkit recover``
    and read-only opens use it).

    Raises
    ------
    nixkit.exceptions.FileInUse
        When a writer holds the file.
    nixkit.exceptions.CorruptFile
        When the journal does not fit the file.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self.fd = os.open(path, os.O_RDONLY)
        try:
            if not lock(self.fd, shared=True):
                raise FileInUse(f"cannot open {path!r}: a writer has it open")
            found = _records(path)
        except BaseException:
            os.close(self.fd)
            raise
        base, records = found if found is not None else (-1, [])
        self.size = base if base >= 0 else os.fstat(self.fd).st_size
        self.pieces = _old_segments(records)
        self.starts = [offset for offset, _ in self.pieces]
        self.pos = 0

    def seek(self, pos: int, whence: int = os.SEEK_SET) -> int:
        """Move to ``pos``; the end is the file's end at the last flush."""
        self.pos = pos + (self.size if whence == os.SEEK_END else self.pos if whence == os.SEEK_CUR else 0)
        return self.pos

    def tell(self) -> int:
        """The current position."""
        return self.pos

    def readinto(self, buf: Any) -> int:
        """Read into ``buf`` as of the last flush."""
        view = memoryview(buf).cast("B")
        start = self.pos
        n = max(0, min(len(view), self.size - start))
        got = _read_at(self.fd, view[:n], start) if n else 0
        view[got:n] = bytes(n - got)
        at = max(bisect.bisect_right(self.starts, start) - 1, 0)
        while at < len(self.pieces) and self.pieces[at][0] < start + n:
            offset, old = self.pieces[at]
            lo, hi = max(start, offset), min(start + n, offset + len(old))
            if lo < hi:
                view[lo - start : hi - start] = old[lo - offset : hi - offset]
            at += 1
        self.pos += n
        return n

    def write(self, buf: Any) -> int:
        """Refused: the view is read-only."""
        raise OSError("a rolled-back view is read-only")

    def truncate(self, size: int) -> int:
        """Refused: the view is read-only."""
        raise OSError("a rolled-back view is read-only")

    def flush(self) -> None:
        """Nothing to flush."""

    def close(self) -> None:
        """Close the file."""
        os.close(self.fd)


# The journals of this process's open writers, by the file key of durability.retired.
journals: dict[Any, UndoJournal] = {}


def commit(key: Any) -> None:
    """Delete the journal of the file with ``key`` after a completed flush."""
    journal = journals.get(key)
    if journal is not None:
        journal.commit()
