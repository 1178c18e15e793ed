"""The HDF5 superblock read (and, for one repair, written) byte by byte, without HDF5.

HDF5 writes the superblock, and with it the end of the file's allocated space (the
"end-of-file address"), last in a flush. A writer killed inside a flush can therefore
leave structure that already points at space allocated in that flush, beyond the
recorded end. HDF5 opens such a file, but takes the space past the recorded end for
free: it refuses to read those bytes ("addr overflow") and the next writer hands them out
again, overwriting data the file still refers to. :func:`claim_tail` moves the recorded
end to the physical end of the file before a writer opens it, so that space stays taken.
After a clean close HDF5 truncates the file to its recorded end, and nothing changes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from nixkit.exceptions import CorruptFile

__all__ = ["Superblock", "claim_tail", "lookup3", "read_superblock", "restore_superblock"]

_SIGNATURE = b"\x89HDF\r\n\x1a\n"
_UNDEFINED = 0xFFFFFFFFFFFFFFFF  # HDF5's "no address", masked to the address width


@dataclass(frozen=True)
class Superblock:
    """The parts of an HDF5 superblock that say where the file's data ends.

    Attributes
    ----------
    version : int
        Superblock format version (0 to 3).
    at : int
        File offset of the signature (after any user block).
    base : int
        File offset of HDF5 address 0 (the size of the user block).
    eof : int
        File offset of the end the writer recorded (HDF5 stores it absolute).
    offset_size, length_size : int
        Bytes per file address and per stored length.
    """

    version: int
    at: int
    base: int
    eof: int
    offset_size: int
    length_size: int

    @property
    def fields(self) -> int:
        """File offset of the first address field (the base address)."""
        return self.at + (len(_SIGNATURE) + 16 + 4 * self.version if self.version < 2 else len(_SIGNATURE) + 4)

    def address_at(self, i: int) -> int:
        """File offset of the ``i``-th address field (0 base, 2 end of file, 3 driver info in v0/1)."""
        return self.fields + i * self.offset_size


def read_superblock(path: str, size: int) -> Superblock | None:
    """The superblock of the HDF5 file ``path`` of ``size`` bytes; None without an HDF5 signature.

    The signature sits at offset 0, 512, 1024, 2048, ... (after a user block). Versions
    0 and 1 keep the sizes at bytes 13-14 and the addresses from byte 24 (28 in version
    1); versions 2 and 3 keep them at bytes 9-10 and from byte 12. The addresses are
    base, free-space (v0/1) or extension (v2/3), then end of file.

    Raises
    ------
    nixkit.exceptions.CorruptFile
        For an unknown version, or a file cut inside its superblock.
    """
    with open(path, "rb") as fh:
        where = 0
        while where + len(_SIGNATURE) <= size:
            fh.seek(where)
            if fh.read(len(_SIGNATURE)) == _SIGNATURE:
                head = fh.read(64)
                break
            where = 512 if where == 0 else where * 2
        else:
            return None
    version = head[0] if head else -1
    if version in (0, 1):
        sizes, fields = head[5:7], 16 + 4 * version
    elif version in (2, 3):
        sizes, fields = head[1:3], 4
    else:
        raise CorruptFile(f"{path!r} has an HDF5 signature but an unknown superblock version ({version})")
    offset_size, length_size = (sizes[0], sizes[1]) if len(sizes) == 2 else (0, 0)
    if offset_size not in (2, 4, 8) or length_size not in (2, 4, 8) or len(head) < fields + 4 * offset_size + 4:
        raise CorruptFile(f"{path!r} is truncated inside its HDF5 superblock: nothing can be recovered")

    def address(i: int) -> int:
        start = fields + i * offset_size
        return int.from_bytes(head[start : start + offset_size], "little")

    return Superblock(version, where, address(0), address(2), offset_size, length_size)


def claim_tail(path: str) -> bytes | None:
    """Record the physical end of ``path`` as its end of file, when it lies beyond the recorded one.

    Parameters
    ----------
    path : str
        An HDF5 file about to be opened for writing, by this process alone.

    Returns
    -------
    bytes or None
        The superblock bytes as they were (for :func:`restore_superblock` should the open
        fail), or None when nothing was changed: the file ends where recorded, is not
        HDF5, uses a multi-file driver, or its superblock checksum does not match (HDF5
        then reports the damage itself).
    """
    size = os.path.getsize(path)
    try:
        sb = read_superblock(path, size)
    except CorruptFile:
        return None
    if sb is None or size <= sb.eof or sb.eof < sb.base:
        return None
    end = sb.address_at(4)  # v2/3: the checksum follows; v0/1: the root group's entry
    with open(path, "r+b") as fh:
        fh.seek(sb.at)
        old = fh.read(end - sb.at + 4)
        new = bytearray(old)
        eof_at = sb.address_at(2) - sb.at
        new[eof_at : eof_at + sb.offset_size] = size.to_bytes(sb.offset_size, "little")
        if sb.version >= 2:
            body = end - sb.at
            if int.from_bytes(old[body : body + 4], "little") != lookup3(old[:body]):
                return None
            new[body : body + 4] = lookup3(bytes(new[:body])).to_bytes(4, "little")
        else:
            driver_at = sb.address_at(3) - sb.at
            driver = int.from_bytes(old[driver_at : driver_at + sb.offset_size], "little")
            if driver != _UNDEFINED >> (64 - 8 * sb.offset_size):
                return None  # family/multi files: their ends live in the driver block
        fh.seek(sb.at)
        fh.write(new)
    return old


def restore_superblock(path: str, old: bytes) -> None:
    """Put back the superblock bytes :func:`claim_tail` returned."""
    size = os.path.getsize(path)
    sb = read_superblock(path, size)
    if sb is None:
        return
    with open(path, "r+b") as fh:
        fh.seek(sb.at)
        fh.write(old)


_MASK = 0xFFFFFFFF


def _rot(x: int, k: int) -> int:
    return ((x << k) | (x >> (32 - k))) & _MASK


def lookup3(data: bytes, initval: int = 0) -> int:
    """Bob Jenkins' lookup3 ``hashlittle``: the checksum of HDF5's newer metadata."""
    n = len(data)
    a = b = c = (0xDEADBEEF + n + initval) & _MASK
    i = 0
    while n - i > 12:
        a = (a + int.from_bytes(data[i : i + 4], "little")) & _MASK
        b = (b + int.from_bytes(data[i + 4 : i + 8], "little")) & _MASK
        c = (c + int.from_bytes(data[i + 8 : i + 12], "little")) & _MASK
        a = ((a - c) & _MASK) ^ _rot(c, 4)
        c = (c + b) & _MASK
        b = ((b - a) & _MASK) ^ _rot(a, 6)
        a = (a + c) & _MASK
        c = ((c - b) & _MASK) ^ _rot(b, 8)
        b = (b + a) & _MASK
        a = ((a - c) & _MASK) ^ _rot(c, 16)
        c = (c + b) & _MASK
        b = ((b - a) & _MASK) ^ _rot(a, 19)
        a = (a + c) & _MASK
        c = ((c - b) & _MASK) ^ _rot(b, 4)
        b = (b + a) & _MASK
        i += 12
    if i == n:
        return c
    rest = data[i:] + bytes(12 - (n - i))
    a = (a + int.from_bytes(rest[0:4], "little")) & _MASK
    b = (b + int.from_bytes(rest[4:8], "little")) & _MASK
    c = (c + int.from_bytes(rest[8:12], "little")) & _MASK
    c = ((c ^ b) - _rot(b, 14)) & _MASK
    a = ((a ^ c) - _rot(c, 11)) & _MASK
    b = ((b ^ a) - _rot(a, 25)) & _MASK
    c = ((c ^ b) - _rot(b, 16)) & _MASK
    a = ((a ^ c) - _rot(c, 4)) & _MASK
    b = ((b ^ a) - _rot(a, 14)) & _MASK
    c = ((c ^ b) - _rot(b, 24)) & _MASK
    return c
