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

import os
from collections.abc import Callable
from typing import Any

from nixkit.exceptions import CorruptFile, FileInUse

__all__ = [
    "RolledBack",
    "UndoJournal",
    "commit",
    "exclusively",
    "journal_path",
    "journals",
    "pending",
    "rollback",
    "usable",
]

_MAGIC = b"NIXKUNDO"
_HEAD = len(_MAGIC) + 8  # magic, then the file's size at the last flush
_RECORD = 16  # offset and length of the old bytes that follow


def journal_path(path: str) -> str:
    """Where the undo journal of the file ``path`` lives."""
    return path + ".undo"


def pending(path: str) -> bool:
    """Whether ``path`` has a journal left by a writer that did not finish a flush or close."""
    return os.path.exists(journal_path(path))


def exclusively(path: str, action: Callable[[str], Any]) -> bool:
    """Run ``action(path)`` while holding an exclusive lock on ``path``.

    Returns False, without running it, when another process (or handle) has the file
    open; the open that follows then reports that.
    """
    try:
        fd = os.open(path, os.O_RDWR)
    except OSError:
        return False
    try:
        if not _lock(fd):
            return False
        action(path)
        return True
    finally:
        os.close(fd)


def _lock(fd: int, shared: bool = False) -> bool:
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
    """Read into ``view`` from ``offset`` of ``fd``; the number of bytes read."""
    if hasattr(os, "preadv"):  # straight into the buffer
        return os.preadv(fd, [view], offset)
    data = os.pread(fd, len(view), offset)  # macOS before 11
    view[: len(data)] = data
    return len(data)


def usable(path: str) -> bool:
    """Whether a writer of ``path`` can keep a journal: POSIX file calls, and a writable folder."""
    folder = os.path.dirname(os.path.abspath(path))
    return os.name == "posix" and os.access(folder, os.W_OK)


def _records(path: str) -> tuple[int, list[tuple[int, bytes]]]:
    """The size at the last flush and the complete records of the journal of ``path``."""
    with open(journal_path(path), "rb") as fh:
        data = fh.read()
    if len(data) < _HEAD:
        # Killed while writing the head: no overwrite had started, the file is as it was.
        return -1, []
    if data[: len(_MAGIC)] != _MAGIC:
        raise CorruptFile(f"{journal_path(path)!r} is not a nixkit undo journal; move it away to open {path!r}")
    base = int.from_bytes(data[len(_MAGIC) : _HEAD], "little")
    records = []
    at = _HEAD
    while at + _RECORD <= len(data):
        offset = int.from_bytes(data[at : at + 8], "little")
        length = int.from_bytes(data[at + 8 : at + 16], "little")
        if at + _RECORD + length > len(data):
            break  # cut by the kill: the overwrite it guards never started
        records.append((offset, data[at + _RECORD : at + _RECORD + length]))
        at += _RECORD + length
    return base, records


def rollback(path: str) -> bool:
    """Put ``path`` back as of its last completed flush; True when there was a journal.

    Records go back newest first, so where several cover the same bytes the oldest,
    the bytes as of the flush, stays. Killed during a rollback, the next one redoes it.
    """
    if not pending(path):
        return False
    base, records = _records(path)
    if base >= 0:
        fd = os.open(path, os.O_RDWR)
        try:
            for offset, old in reversed(records):
                os.pwrite(fd, old, offset)
            os.ftruncate(fd, base)
        finally:
            os.close(fd)
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
        self.path = path
        self.fd = os.open(path, os.O_RDWR | (os.O_CREAT if create else 0), 0o644)
        if not _lock(self.fd):
            os.close(self.fd)
            raise FileInUse(f"cannot open {path!r} for writing: another process (or File object) has it open")
        if create:
            os.ftruncate(self.fd, 0)
            if pending(path):
                os.unlink(journal_path(path))  # the old file it guarded is gone
        self.pos = 0
        self.base = os.fstat(self.fd).st_size
        self.log = -1
        self.saved: dict[int, int] = {}  # offset -> length journaled since the last flush

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
        self._save(self.pos, len(view))
        n = os.pwrite(self.fd, view, self.pos)
        self.pos += n
        return n

    def truncate(self, size: int) -> int:
        """Cut or extend the file to ``size`` bytes."""
        if size < self.base:
            self._save(size, self.base - size)
        os.ftruncate(self.fd, size)
        return size

    def flush(self) -> None:
        """Nothing is buffered here: every write went to the operating system."""

    # -- the journal ----------------------------------------------------------------------
    def _save(self, offset: int, length: int) -> None:
        end = min(offset + length, self.base)
        if offset >= end or self.saved.get(offset, -1) >= end - offset:
            return  # new space, or bytes whose flushed state is journaled already
        old = os.pread(self.fd, end - offset, offset)
        if self.log < 0:
            self.log = os.open(journal_path(self.path), os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND, 0o644)
            os.write(self.log, _MAGIC + self.base.to_bytes(8, "little"))
        os.write(self.log, offset.to_bytes(8, "little") + len(old).to_bytes(8, "little") + old)
        self.saved[offset] = len(old)

    def commit(self) -> None:
        """A flush completed: the file as it is now is the state to come back to."""
        self.base = os.fstat(self.fd).st_size
        self.saved.clear()
        if self.log >= 0:
            os.close(self.log)
            self.log = -1
            os.unlink(journal_path(self.path))

    def close(self) -> None:
        """The file was closed cleanly: commit, and let the lock go."""
        self.commit()
        os.close(self.fd)


class RolledBack:
    """A read-only file object showing a file as of its last flush, journal applied in memory.

    For reading a file whose writer was killed, without changing it (``nixkit recover``
    and read-only opens use it).
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self.fd = os.open(path, os.O_RDONLY)
        try:
            if not _lock(self.fd, shared=True):
                raise FileInUse(f"cannot open {path!r}: a writer has it open")
            base, self.records = _records(path)
        except BaseException:
            os.close(self.fd)
            raise
        self.size = base if base >= 0 else os.fstat(self.fd).st_size
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
        # Oldest record last, so it wins where records overlap (see rollback).
        for offset, old in reversed(self.records):
            lo, hi = max(start, offset), min(start + n, offset + len(old))
            if lo < hi:
                view[lo - start : hi - start] = old[lo - offset : hi - offset]
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
