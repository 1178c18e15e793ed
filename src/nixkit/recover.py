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
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from nixkit.exceptions import FileInUse, NixError
from nixkit.storage.hdf5 import DatasetNode, FileHandle, GroupNode, copy_attrs
from nixkit.storage.heap import defuse_heap_loops, heap_loops

__all__ = ["Recovery", "recover"]

# Rows read at a time when a dataset cannot be read whole, so one bad chunk costs only its rows.
_BLOCK_ROWS = 1024


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
    """

    source: str
    target: str
    objects: int = 0
    links: int = 0
    defused_heaps: int = 0
    restored: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    lost_rows: list[tuple[str, int, int]] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """Whether everything was copied."""
        return not (self.skipped or self.lost_rows or self.defused_heaps or self.restored)

    def to_text(self) -> str:
        """A short human-readable account."""
        lines = [
            f"recovered {self.source} into {self.target}: {self.objects} objects, {self.links} references",
        ]
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
        When not even the file's root can be read.
    """
    source = str(path)
    if target is None:
        p = Path(source)
        target = p.with_name(f"{p.stem}.recovered{p.suffix or '.nix'}")
    target = str(target)
    tmp = target + ".partial"
    result = Recovery(source, target)
    readable = source
    if heap_loops(source):
        readable = target + ".source"
        shutil.copyfile(source, readable)
        result.defused_heaps = defuse_heap_loops(readable)
    try:
        _copy_file(readable, tmp, result)
    finally:
        if readable != source:
            os.remove(readable)
    os.replace(tmp, target)
    return result


def _copy_file(source: str, tmp: str, result: Recovery) -> None:
    src = _open_source(source)
    try:
        dst = FileHandle(tmp, "w")
        try:
            _Copier(result).group(src.root, dst.root)
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

    def __init__(self, result: Recovery) -> None:
        self.result = result
        self.done: dict[int, GroupNode | DatasetNode] = {}

    def skip(self, path: str, exc: BaseException) -> None:
        self.result.skipped.append((path, f"{type(exc).__name__}: {exc}"))

    def attrs(self, src: Any, dst: Any) -> None:
        try:
            copy_attrs(src, dst)
            return
        except (NixError, OSError, RuntimeError, KeyError, ValueError, TypeError):
            pass
        # One bad attribute must not cost the others: copy them one by one as values.
        for key in src.attr_names():
            try:
                value = src.get_attr(key)
                if value is not None:
                    dst.set_attr(key, value, ascii_str=key in ("created_at", "updated_at", "format"))
            except (NixError, OSError, RuntimeError, KeyError, ValueError, TypeError) as exc:
                self.skip(f"{src.path}@{key}", exc)

    def group(self, src: GroupNode, dst: GroupNode) -> None:
        self.done[src.address] = dst
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
                self.result.skipped.append((path, "not a hard link (soft or external links are not NIX)"))
                return
            if address in self.done:
                dst.link(self.done[address], name)
                self.result.links += 1
                return
            node = src.child(name)
        except (NixError, OSError, RuntimeError, KeyError, ValueError) as exc:
            self.skip(path, exc)
            return
        self.result.objects += 1
        if isinstance(node, GroupNode):
            self.group(node, dst.create_group(name))
        else:
            self.dataset(node, dst, name, path)

    def dataset(self, src: DatasetNode, dst: GroupNode, name: str, path: str) -> None:
        try:
            shape, dtype = src.shape, src.dtype
            if shape:
                out = dst.create_dataset(name, shape, dtype, chunks=src.chunks or True, compression=src.compression)
            else:  # HDF5 scalars cannot be chunked or resized
                out = dst.create_dataset(name, shape, dtype, chunks=None, resizable=False)
        except (NixError, OSError, RuntimeError, ValueError, TypeError) as exc:
            self.skip(path, exc)
            return
        self.done[src.address] = out
        self.attrs(src, out)
        if not shape or not np.prod(shape):
            if not shape:
                self.copy_rows(src, out, path, ())
            return
        try:
            out.write((), src.read(()))
            return
        except (NixError, OSError, RuntimeError, ValueError, TypeError):
            pass
        for start in range(0, shape[0], _BLOCK_ROWS):
            self.copy_rows(src, out, path, slice(start, min(start + _BLOCK_ROWS, shape[0])))

    def copy_rows(self, src: DatasetNode, out: DatasetNode, path: str, rows: Any) -> None:
        try:
            out.write(rows, src.read(rows))
        except (NixError, OSError, RuntimeError, ValueError, TypeError) as exc:
            if isinstance(rows, slice):
                self.result.lost_rows.append((path, rows.start, rows.stop))
            else:
                self.skip(path, exc)
