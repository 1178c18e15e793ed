"""Find and defuse damaged HDF5 global heap collections that make HDF5 loop forever.

HDF5 keeps variable-length strings (every NIX name, type and id) in "global heap
collections": blocks that start with ``GCOL``, a version byte, and the collection size,
followed by objects of a 16-byte header (index, reference count, size) and their data.
HDF5 2.0 reads a collection object by object; an object of index 0 and size 0 (which
zeroed bytes inside a collection produce) never moves the reader on, so any read of a
string from that collection spins forever inside the C library, where Python cannot
interrupt it. This module finds such objects from the raw bytes, and can mark the rest
of the collection as free space so that HDF5 reads what comes before and reports the
rest as missing instead of hanging.
"""

from __future__ import annotations

import mmap
import os
from collections.abc import Iterator

__all__ = ["defuse_heap_loops", "heap_loops"]

_HEADER = 16  # "GCOL", version, 3 reserved bytes, 8-byte collection size
_OBJECT = 16  # 2-byte index, 2-byte reference count, 4 reserved bytes, 8-byte size


def _scan(data: bytes | mmap.mmap) -> Iterator[tuple[int, int]]:
    """``(offset of the looping object header, end of its collection)`` for each defect."""
    start = data.find(b"GCOL")
    while start >= 0:
        if data[start + 4 : start + 5] == b"\x01" and start + _HEADER <= len(data):
            size = int.from_bytes(data[start + 8 : start + 16], "little")
            end = min(start + size, len(data))
            pos = start + _HEADER
            while pos + _OBJECT <= end:
                index = int.from_bytes(data[pos : pos + 2], "little")
                obj_size = int.from_bytes(data[pos + 8 : pos + 16], "little")
                if index == 0 and obj_size == 0:
                    yield pos, end
                    break
                # Objects are 8-byte aligned; free space (index 0) counts its own header.
                pos += _OBJECT + -(-obj_size // 8) * 8 if index else obj_size
        start = data.find(b"GCOL", start + 4)


def heap_loops(path: str | os.PathLike[str]) -> list[int]:
    """File offsets of object headers on which HDF5 would loop forever (empty: none)."""
    with open(path, "rb") as fh:
        if os.fstat(fh.fileno()).st_size == 0:
            return []
        with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
            return [pos for pos, _end in _scan(data)]


def defuse_heap_loops(path: str | os.PathLike[str]) -> int:
    """Rewrite each looping object header in ``path`` as free space up to its collection's end.

    Strings stored in the rest of such a collection become unreadable (HDF5 reports them
    as errors); everything else reads again. Changes the file in place: use it on a copy.

    Returns
    -------
    int
        The number of headers rewritten.
    """
    with open(path, "rb") as fh:
        if os.fstat(fh.fileno()).st_size == 0:
            return 0
        with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
            defects = list(_scan(data))
    if defects:
        with open(path, "r+b") as fh:
            for pos, end in defects:
                fh.seek(pos + 8)
                fh.write((end - pos).to_bytes(8, "little"))
    return len(defects)
