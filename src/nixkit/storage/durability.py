"""Crash safety for writers: the structure on disk is always that of the last flush.

Changed HDF5 metadata is held in memory until a flush (bounded by :data:`HOLD_LIMIT_BYTES`),
and objects whose last link nixkit removed are kept open, so their space is not reused,
until the flush after which no structure on disk reaches them. A flush itself is made
all-or-nothing by the undo journal of :mod:`nixkit.storage.journal`, committed here.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import h5py
from h5py import h5f, h5o

from nixkit.storage.journal import commit as commit_journal

# Changed metadata held in memory before a write starts with a checkpoint flush: bounds a
# writer's memory: HDF5 needs about 8 bytes of RAM per cached byte, and without a bound
# creating 10,000 arrays held ~400 MiB.
HOLD_LIMIT_BYTES = 2 * 1024 * 1024
# Size of a writer's metadata cache once trimmed (below HOLD_LIMIT_BYTES, or every
# checkpoint would flush).
CACHE_BYTES = 1024 * 1024


def hold_metadata(f: h5py.File, hold: bool = True) -> None:
    """Keep changed HDF5 metadata in memory until the next flush (``hold=False``: undo).

    HDF5's metadata cache otherwise writes changed structure (B-tree nodes, link heaps,
    object headers) whenever it runs out of room, so a writer killed between two
    flushes can leave a mix of old and new structure that no longer reads. With
    evictions off, the structure on disk is always that of the last flush; the price
    is memory, which :meth:`~nixkit.storage.file_handle.FileHandle.checkpoint` and
    :meth:`~nixkit.storage.file_handle.FileHandle.flush` give back.
    """
    config = f.id.get_mdc_config()
    config.evictions_enabled = not hold
    # Adaptive resizing must be off while evictions are (HDF5 requires it); the values
    # restored afterwards are HDF5's defaults (threshold, add space, age out with threshold).
    config.incr_mode = 0 if hold else 1
    config.flash_incr_mode = 0 if hold else 1
    config.decr_mode = 0 if hold else 3
    # A small cache: a trim evicts down to this size. HDF5 keeps several KB of RAM per
    # cached entry beyond the entry's size on disk, so the number of entries, not their
    # bytes, sets a writer's memory.
    config.set_initial_size = True
    config.initial_size = config.max_size = CACHE_BYTES
    config.min_size = min(config.min_size, CACHE_BYTES)
    f.id.set_mdc_config(config)


def trim_metadata(f: h5py.File) -> None:
    """Drop clean cached metadata after a flush, so held memory does not grow forever.

    HDF5 evicts only when it inserts a new cache entry, so after turning evictions on an
    anonymous scratch group is created and closed; everything it evicts is clean (just
    flushed). The group is linked nowhere: a named one dirtied the root group, which the
    eviction could then write, pointing past the flushed end of the file (a writer killed
    before its next flush left a root that no longer read).
    """
    hold_metadata(f, hold=False)
    try:
        h5py.h5g.create(f.id, None).close()
    finally:
        hold_metadata(f, hold=True)


# Open handles, per file (by the name HDF5 opened it by), of objects whose last link nixkit removed
# since the last flush. HDF5 frees an unlinked object (its chunks, its header, a group's
# whole subtree) only when its last handle closes. Freed earlier, its space could take new
# raw data, which goes to disk at once, while the structure on disk (that of the last
# flush) still points there: a writer killed before the next flush would leave deleted or
# replaced objects reading garbage.
retired: dict[Any, list[Any]] = {}
# More retired handles than this make the next checkpoint flush, so their number stays bounded.
RETIRE_LIMIT = 4096


def hard_target(gid: Any, name: bytes) -> Any:
    """A new handle to the object hard link ``name`` of group ``gid`` leads to, or None."""
    try:
        if gid.links.get_info(name).type != h5py.h5l.TYPE_HARD:
            return None  # soft and external links own nothing
        return h5o.open(gid, name)
    except (KeyError, OSError, ValueError, RuntimeError):
        return None  # missing or dangling: nothing to keep


def retire(handles: Iterator[Any] | Sequence[Any]) -> None:
    """Keep those of ``handles`` whose objects no link reaches any more open until the next flush."""
    for oid in handles:
        if h5o.get_info(oid).rc == 0:
            retired.setdefault(h5f.get_name(oid), []).append(oid)


# Keys of files that should flush at their next checkpoint (between two operations), so
# that what they hold is freed soon: a re-chunked stream's old copy.
settle_soon: set[Any] = set()


def settle(oid: Any) -> None:
    """Flush the file of ``oid``, then free the objects unlinked before: the structure on
    disk no longer reaches them, so HDF5 may reuse their space."""
    h5f.flush(oid)
    key = h5f.get_name(oid)
    commit_journal(key)
    settle_soon.discard(key)
    for held in retired.pop(key, ()):
        if held.valid:
            held.close()


def holds_too_much(f: h5py.File) -> bool:
    """Whether the metadata ``f`` holds since its last flush exceeds :data:`HOLD_LIMIT_BYTES`."""
    return bool(f.id.get_mdc_size()[2] > HOLD_LIMIT_BYTES)


def needs_flush(f: h5py.File, key: Any) -> bool:
    """Whether ``f`` holds too much metadata or more than :data:`RETIRE_LIMIT` unlinked objects.

    ``key`` is the file's key in :data:`retired` (``h5f.get_name`` of the file), kept by the
    caller: checkpoints come before every write.
    """
    return key in settle_soon or holds_too_much(f) or len(retired.get(key, ())) > RETIRE_LIMIT


def remove_link(group: h5py.Group, name: str) -> None:
    """Remove link ``name`` of ``group``; an object that loses its last link here is freed
    only after the next flush."""
    held = hard_target(group.id, name.encode())
    del group[name]
    if held is not None:
        retire((held,))
