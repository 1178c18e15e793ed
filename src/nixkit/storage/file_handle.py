"""Opening HDF5 files: :func:`open_file` and :class:`FileHandle`, an open file seen as a root group."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import h5py
from h5py import h5f, h5fd, h5p

from nixkit.exceptions.exceptions import FileInUse, NixError, ReadOnlyError, WriteFailed
from nixkit.storage.compact import compact_file
from nixkit.storage.durability import hold_metadata, holds_too_much, needs_flush, retired, settle, trim_metadata
from nixkit.storage.errors import open_error
from nixkit.storage.group import GroupNode
from nixkit.storage.journal import (
    RolledBack,
    UndoJournal,
    exclusively,
    journal_path,
    journals,
    lock,
    pending,
    rollback,
    usable,
)
from nixkit.storage.superblock import claim_tail, restore_superblock
from nixkit.storage.swmr import swmr_readers

T = TypeVar("T")


def open_file(path: str | Path, mode: str, swmr: bool = False, fileobj: Any = None) -> h5py.File:
    """Open an HDF5 file, mapping low-level failures to nixkit errors.

    Parameters
    ----------
    path : str or Path
        Location of the file.
    mode : str
        ``"r"``, ``"r+"`` or ``"w"``.
    swmr : bool
        Single-writer/multiple-reader use: a reader (``"r"``) follows a file that a writer
        process is appending to; a writer (``"r+"``/``"w"``) uses the newest HDF5 file format,
        which SWMR writing needs (see :meth:`FileHandle.start_swmr`).
    fileobj : UndoJournal or RolledBack, optional
        The file object HDF5 reads and writes through (h5py's ``fileobj`` driver) instead
        of the file at ``path`` (see :mod:`nixkit.storage.journal`).

    Returns
    -------
    h5py.File
        The open file.
    """
    if mode == "w" and fileobj is None:
        _refuse_if_open(path)
    try:
        return _open_h5(path, mode, swmr, fileobj)
    except FileNotFoundError:
        raise
    except PermissionError as exc:
        raise ReadOnlyError(f"cannot open {str(path)!r} for writing: {exc}") from exc
    except OSError as exc:
        raise open_error(path, exc) from exc


def _open_h5(path: str | Path, mode: str, swmr: bool, fileobj: Any) -> h5py.File:
    fapl = h5p.create(h5p.FILE_ACCESS)
    # HDF5 knows a file-object file by this name, unique while the object lives.
    name = f"{path}#{id(fileobj)}".encode() if fileobj is not None else str(path).encode()
    if fileobj is not None:
        fapl.set_fileobj_driver(h5fd.fileobj_driver, fileobj)
    if mode == "w":
        # Like nixio: links in creation order (tracked and indexed), attributes not.
        fcpl = h5p.create(h5p.FILE_CREATE)
        fcpl.set_link_creation_order(h5p.CRT_ORDER_TRACKED | h5p.CRT_ORDER_INDEXED)
        compact_file(fcpl)
        if swmr:
            fapl.set_libver_bounds(h5f.LIBVER_LATEST, h5f.LIBVER_LATEST)
        return h5py.File(h5f.create(name, h5f.ACC_TRUNC, fapl=fapl, fcpl=fcpl))
    if fileobj is not None:
        return h5py.File(h5f.open(name, h5f.ACC_RDWR if mode == "r+" else h5f.ACC_RDONLY, fapl=fapl))
    if swmr:
        return h5py.File(path, mode, libver="latest", swmr=mode == "r")
    return h5py.File(path, mode)


def _claim_tail(path: str | Path) -> bytes | None:
    """:func:`~nixkit.storage.superblock.claim_tail` while no other process has ``path`` open.

    Another writer or reader holds a lock on the file; the open that follows then fails
    with :class:`FileInUse`, and the superblock must stay as that process wrote it.
    """
    return exclusively(str(path), claim_tail)


def _file_object(path: str, mode: str, swmr: bool) -> UndoJournal | RolledBack | None:
    """What HDF5 should read and write through instead of ``path`` itself, if anything.

    Writers go through an undo journal, except in SWMR mode, which HDF5's file-object
    driver does not support, and where no journal can be kept (see
    :func:`~nixkit.storage.journal.usable`); they then have only what
    :mod:`~nixkit.storage.durability` gives. A reader of a file with a journal sees it
    rolled back.
    """
    if mode == "r":
        if not pending(path):
            return None
        if swmr:
            raise FileInUse(
                f"cannot follow {path!r} with swmr=True: its writer was killed after its last flush "
                "(it left an undo journal); open it without swmr to read it as of that flush"
            )
        return RolledBack(path)
    if swmr or not usable(path):
        return None
    return UndoJournal(path, create=mode == "w")


def _storage_errors(path: str, action: Callable[[], T]) -> T:
    """``action()``, with operating-system errors of the journal's file calls as nixkit errors."""
    try:
        return action()
    except FileNotFoundError:
        raise
    except PermissionError as exc:
        raise ReadOnlyError(f"cannot open {path!r} for writing: {exc}") from exc
    except NixError:
        raise
    except OSError as exc:
        raise open_error(path, exc) from exc


def _refuse_if_open(path: str | Path) -> None:
    """FileInUse when another handle has ``path`` open (HDF5 truncates before it locks)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return  # nothing there to protect
    try:
        if not lock(fd):
            raise FileInUse(
                f"cannot overwrite {str(path)!r}: another process (or another File object) has it open; "
                "close that first"
            )
    finally:
        os.close(fd)


# HDF5 lets a reader's metadata cache grow to 32 MiB, and keeps several KB of RAM per
# entry on top: walking 10,000 small arrays peaked at 276 MiB. Capped at 2 MiB the same walk
# peaks at 42 MiB and runs as fast (a metadata walk: 37 MiB, 15% faster).
READ_CACHE_BYTES = 2 * 1024 * 1024


def _small_read_cache(f: h5py.File) -> None:
    """Cap the metadata cache of a file opened for reading at ``READ_CACHE_BYTES``."""
    config = f.id.get_mdc_config()
    config.max_size = READ_CACHE_BYTES
    config.min_size = min(config.min_size, READ_CACHE_BYTES)
    config.set_initial_size = True
    config.initial_size = min(config.initial_size, READ_CACHE_BYTES)
    f.id.set_mdc_config(config)


class FileHandle:
    """An open HDF5 file seen as a root :class:`GroupNode`."""

    __slots__ = ("_claimed", "_f", "_fileobj", "_holding", "_key", "_path", "_writer", "root")

    def __init__(self, path: str | Path, mode: str, swmr: bool = False) -> None:
        self._path = str(path)
        self._claimed: bytes | None = None
        self._fileobj: UndoJournal | RolledBack | None = None
        if mode == "r+":
            # A flush a killed writer left unfinished is undone first (nixkit.storage.journal),
            # then any tail past the recorded end is claimed (nixkit.storage.superblock).
            if pending(self._path):
                _storage_errors(self._path, lambda: exclusively(self._path, rollback))
            self._claimed = _claim_tail(path)
        try:
            self._fileobj = _storage_errors(self._path, lambda: _file_object(self._path, mode, swmr))
            self._f = open_file(path, mode, swmr, self._fileobj)
            if mode == "w" and self._fileobj is None and pending(self._path):
                os.unlink(journal_path(self._path))  # it belonged to the file just replaced
        except BaseException:
            if isinstance(self._fileobj, UndoJournal):
                self._fileobj.release()  # a journal, if HDF5 wrote any, must stay
            elif self._fileobj is not None:
                self._fileobj.close()
            self._unclaim(path)
            raise
        # The key of this file's handles in durability.retired (a writer has its file to itself).
        self._key = h5f.get_name(self._f.id)
        if isinstance(self._fileobj, UndoJournal):
            journals[self._key] = self._fileobj
        self.root = GroupNode(self._f, mode == "r")
        self._holding = False
        self._writer = mode != "r"
        if mode == "r":
            _small_read_cache(self._f)
        if swmr and mode == "r":
            swmr_readers[0] += 1
        elif mode != "r":
            hold_metadata(self._f)
            self._holding = True

    def checkpoint(self) -> None:
        """Flush when the metadata held since the last flush exceeds ``durability.HOLD_LIMIT_BYTES``,
        more than ``durability.RETIRE_LIMIT`` unlinked objects wait for a flush, or a re-chunk
        asked for one; then hold changed metadata until the next flush.

        Called between writes, never inside one, so the flushed structure is consistent.
        """
        if self._holding and needs_flush(self._f, self._key):
            self.flush()
        if self._writer and not self._holding:
            # A write is about to start: from here until the next flush, HDF5 may not write
            # changed structure by itself (see durability.hold_metadata).
            hold_metadata(self._f)
            self._holding = True

    def start_swmr(self) -> None:
        """Start single-writer/multiple-reader writing: from now on readers may follow the file.

        Readers see writes to existing datasets (appends included) after each flush; HDF5
        makes no promise about objects created later. The file must be opened with ``swmr=True``.
        """
        self._f.swmr_mode = True

    @property
    def swmr(self) -> bool:
        """Whether the file is in SWMR mode (a following reader, or a writer after :meth:`start_swmr`)."""
        return bool(self._f.swmr_mode)

    @property
    def filename(self) -> str:
        """Path of the file on disk."""
        return self._path

    @property
    def is_open(self) -> bool:
        """Whether the handle is still usable."""
        return bool(self._f.id.valid)

    @property
    def writable(self) -> bool:
        """Whether the file was opened with write intent."""
        return bool(self._f.mode == "r+")

    def flush(self) -> None:
        """Push HDF5's buffers to the operating system, then free the objects unlinked
        before (see :func:`durability.settle`) and stop holding changed metadata until the
        next write's checkpoint.

        Raises
        ------
        nixkit.exceptions.WriteFailed
            When HDF5 cannot write (a full disk); the journal keeps the last flush.
        """
        self._settle()
        if self._holding:
            if holds_too_much(self._f):
                trim_metadata(self._f)
            # Nothing is changed until the next write, whose checkpoint holds again; reads
            # in between evict freely, so they neither grow memory nor force flushes (a
            # writer that read everything after each flush flushed before every write).
            hold_metadata(self._f, hold=False)
            self._holding = False

    def _unclaim(self, path: str | Path) -> None:
        if self._claimed is not None:
            restore_superblock(str(path), self._claimed)
            self._claimed = None

    def abandon(self) -> None:
        """Close a file whose opening failed after HDF5 opened it, before anything was written.

        The file is left byte for byte as it was: a tail claimed on opening is given back.
        """
        path = self.filename
        self.close()
        self._unclaim(path)

    def _settle(self) -> None:
        try:
            settle(self._f.id)
        except (OSError, RuntimeError, SystemError) as exc:
            # h5py's file-object driver reports a failed write as a SystemError.
            cause = exc.__cause__ or exc.__context__ or exc
            raise WriteFailed(f"cannot flush {self._path!r}: {cause}") from exc

    def close(self) -> None:
        """Close the file (idempotent).

        Raises
        ------
        nixkit.exceptions.WriteFailed
            When the last flush fails; the file is closed all the same. If HDF5 could not
            finish writing it, or a change failed half-way, the journal (if any) keeps it
            as of the flush before.
        """
        if not self._f.id.valid:
            return
        closed = False
        try:
            if self.writable:
                self._settle()
        finally:
            # Even when the last flush fails, the file is closed and its held handles go.
            try:
                for held in retired.pop(self._key, ()):
                    if held.valid:
                        held.close()
                if self._f.id.get_intent() & h5f.ACC_SWMR_READ:
                    swmr_readers[0] -= 1
                self._f.close()
                closed = True
            finally:
                journals.pop(self._key, None)
                if isinstance(self._fileobj, UndoJournal) and (not closed or self._fileobj.poisoned):
                    self._fileobj.release()  # the journal stays: the next writer rolls back
                elif self._fileobj is not None:
                    self._fileobj.close()
