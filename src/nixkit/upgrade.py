"""Bring NIX files of format 1.0.x, 1.1.x and 1.2.0 to the current format 1.2.1.

The upgrade never edits the original in place. It writes a complete new file next to
it (a hidden temporary name in the same folder), converting on the way, and only then
swaps it in with :func:`os.replace`, an atomic rename. An error, a full disk or a
killed process therefore leaves the original file exactly as it was.

The temporary file is named ``.NAME.HOST.PID.XXXXXXXX.upgrading`` after the host and
process writing it. A process killed outright (``SIGKILL``, power loss) cannot remove
it, so each upgrade of ``NAME`` first removes the temporary files of ``NAME`` left by
processes of this host that no longer run. Those of live processes, of other hosts (a
shared folder) or of another naming are left alone.

Conversions (reference section 2.8), each reported in :class:`UpgradeReport`:

- a missing or invalid file ``id`` is added, and ``version`` becomes int32 ``[1, 2, 1]``;
- compound property datasets (format < 1.2.0) become plain value datasets that stay
  resizable; ``definition``, ``unit`` and the entity attributes are kept, a common
  uncertainty or reference becomes the ``uncertainty``/``reference`` attribute, and
  per-value uncertainties, references, filenames, encoders or checksums become sibling
  properties ``<name>.uncertainty`` and so on (as nixio's tool does);
- legacy HDF5 bitfield booleans become the NIX bool type, and fixed-length string
  datasets become variable-length UTF-8;
- alias range dimensions become range dimensions with a ``link/`` DimensionLink;
- the C++ library's ``data_frame`` dimensions become range dimensions linked to their
  DataFrame column;
- DataFrame ``units`` stored on the ``data`` dataset (C++) move to the DataFrame group;
- the C++ Group container ``data_frame`` is renamed ``data_frames``;
- Features without ``target_type`` get one;
- every group has link creation order tracked and indexed, and all links keep their order.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nixkit.exceptions import FileMissing, FormatVersionError, InvalidFile, ReadOnlyError
from nixkit.model.entity import is_uuid, new_id
from nixkit.model.file import FILE_FORMAT, HDF_FF_VERSION, can_read
from nixkit.storage.attrs import copy_attrs
from nixkit.storage.copy import Node, copy_contents, count_objects
from nixkit.storage.dataset import DatasetNode, bitfield_members
from nixkit.storage.dtypes import STR_DTYPE
from nixkit.storage.file_handle import FileHandle
from nixkit.storage.group import GroupNode
from nixkit.storage.journal import SUFFIX, journal_path
from nixkit.util.time import now_int, time_to_str

__all__ = ["UpgradeReport", "file_upgrade", "needs_upgrade", "upgrade"]

_log = logging.getLogger(__name__)

ProgressCallback = Callable[[int, int], None]

# Per-record fields of compound (pre-1.2.0) property values besides ``value``.
_EXTRA_FIELDS = ("filename", "encoder", "checksum")

_CHANGE_TEXT = {
    "file id": "added a file id",
    "property": "flattened {n} compound property dataset(s) into plain values",
    "sibling property": "stored per-value details in {n} sibling propert(y/ies) (<name>.uncertainty, ...)",
    "bitfield": "converted {n} bitfield boolean dataset(s) to the NIX bool type",
    "fixed string": "converted {n} fixed-length string dataset(s) to variable-length UTF-8",
    "alias dimension": "converted {n} alias range dimension(s) to DimensionLinks",
    "data_frame dimension": "converted {n} C++ data_frame dimension(s) to range dimensions linked to a column",
    "data_frame dimension without column": (
        "converted {n} C++ data_frame dimension(s) without a column index to set dimensions"
    ),
    "data frame units": "moved the units of {n} DataFrame(s) from the data set to the DataFrame",
    "group data_frame": "renamed the C++ container data_frame of {n} group(s) to data_frames",
    "feature target": "recorded the target_type of {n} feature(s)",
}


@dataclass
class UpgradeReport:
    """What :func:`upgrade` found and did.

    Attributes
    ----------
    path : str
        The file.
    old_version : tuple of int
        Format version before the upgrade.
    new_version : tuple of int
        Format version afterwards (equal to ``old_version`` when nothing was needed).
    changes : list of str
        One line per kind of conversion made.
    """

    path: str
    old_version: tuple[int, ...]
    new_version: tuple[int, ...]
    changes: list[str] = field(default_factory=list)

    @property
    def upgraded(self) -> bool:
        """Whether the file was rewritten."""
        return self.old_version != self.new_version

    def __str__(self) -> str:
        old = ".".join(map(str, self.old_version))
        if not self.upgraded:
            return f"{self.path} is up to date ({old})"
        new = ".".join(map(str, self.new_version))
        return "\n  - ".join([f"{self.path}: {old} -> {new}", *self.changes])


def _read_version(path: str) -> tuple[int, ...]:
    """The format version of the NIX file at ``path``; named errors for anything else."""
    if not os.path.exists(path):
        raise FileMissing(f"cannot upgrade {path!r}: no such file")
    handle = FileHandle(path, "r")
    try:
        root = handle.root
        if root.get_attr("format") != FILE_FORMAT:
            raise InvalidFile(f"{path!r} is an HDF5 file but not a NIX file (no format='nix' attribute)")
        value = root.get_attr("version")
        version = () if value is None else tuple(int(v) for v in np.atleast_1d(value))
    finally:
        handle.close()
    if len(version) != 3:
        raise FormatVersionError(f"{path!r} has an invalid format version {version!r}")
    return version


def needs_upgrade(path: str | os.PathLike[str]) -> bool:
    """Whether the NIX file at ``path`` is of an older format that :func:`upgrade` converts."""
    version = _read_version(str(path))
    return version < HDF_FF_VERSION


def upgrade(path: str | os.PathLike[str], progress: ProgressCallback | None = None) -> UpgradeReport:
    """Convert the NIX file at ``path`` to the current format version (1.2.1).

    A new file is written next to the original and swapped in atomically, so a failure
    at any point leaves the original untouched. Files already at 1.2.1 are left alone.
    Temporary files that killed upgrades of this file left behind (hidden
    ``.NAME.HOST.PID.*.upgrading`` files of processes of this host that no longer run)
    are removed first.

    Parameters
    ----------
    path : str or os.PathLike
        The file to upgrade.
    progress : callable, optional
        Called as ``progress(done, total)`` while objects are copied (for progress bars).

    Returns
    -------
    UpgradeReport
        The versions before and after, and the list of changes made.

    Raises
    ------
    FileMissing
        ``path`` does not exist.
    InvalidFile
        ``path`` is not an HDF5 file, or not a NIX file.
    FormatVersionError
        The file's version is invalid or newer than this library.
    ReadOnlyError
        The folder of ``path`` is not writable.
    """
    path = str(path)
    version = _read_version(path)
    # Through a symbolic link the file it points to is replaced, not the link.
    target = os.path.realpath(path)
    folder, base = os.path.split(target)
    _remove_stale(folder, base)
    if version >= HDF_FF_VERSION:
        if not can_read(version):
            raise FormatVersionError(
                f"{path!r} has format version {'.'.join(map(str, version))}, newer than this "
                f"library ({'.'.join(map(str, HDF_FF_VERSION))}); update nixkit"
            )
        return UpgradeReport(path, version, version)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{base}.{_host()}.{os.getpid()}.", suffix=_SUFFIX, dir=folder)
    except PermissionError as exc:
        raise ReadOnlyError(
            f"cannot upgrade {path!r}: the new file is written beside it, but {folder!r} is not writable"
        ) from exc
    os.close(fd)
    try:
        counts = _write_upgraded(target, tmp, progress)
        _sync(tmp)
        with contextlib.suppress(OSError):
            os.chmod(tmp, os.stat(target).st_mode & 0o7777)
        os.replace(tmp, target)
        with contextlib.suppress(FileNotFoundError):
            os.remove(journal_path(target))  # it belonged to the file just replaced
    except BaseException:
        for leftover in (tmp, journal_path(tmp)):
            with contextlib.suppress(OSError):
                os.unlink(leftover)
        raise
    _sync_folder(folder)
    changes = [_CHANGE_TEXT[key].format(n=n) for key, n in counts.items() if n]
    changes.append(f"set the format version to {'.'.join(map(str, HDF_FF_VERSION))}")
    return UpgradeReport(path, version, HDF_FF_VERSION, changes)


def file_upgrade(fname: str | os.PathLike[str], quiet: bool = True) -> bool:
    """nixio-compatible upgrade: True when the file is (now) current, False on failure.

    Unlike nixio, nothing is printed when ``quiet`` is true; failures are logged on the
    ``nixkit.upgrade`` logger. Use :func:`upgrade` to get the exception and the report.
    """
    try:
        report = upgrade(fname)
    except Exception as exc:  # the nixio API reports any failure as False
        _log.error("upgrading %s failed: %s", fname, exc)
        if not quiet:
            print(f"An exception occurred while upgrading file {fname}: {exc}")
        return False
    if not quiet:
        print(report)
    return True


_SUFFIX = ".upgrading"


def _host() -> str:
    # Dots would make the temporary name ambiguous to parse.
    return socket.gethostname().replace(".", "_") or "host"


def _remove_stale(folder: str, base: str) -> None:
    """Remove temporary files of ``base`` whose writer (a process of this host) is gone.

    Not on Windows: there ``os.kill(pid, 0)`` does not probe, it sends CTRL_C_EVENT to the
    process group ``pid``, and the standard library has no harmless check. Leftovers, which
    only killed upgrades leave, do not get in the way of later ones: keeping them costs disk
    space only.
    """
    if os.name == "nt":
        return
    prefix = f".{base}.{_host()}."
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        # The temporary file, or the undo journal its killed writer left beside it.
        stem = name.removesuffix(SUFFIX)
        if not (name.startswith(prefix) and stem.endswith(_SUFFIX)):
            continue
        pid = stem[len(prefix) : -len(_SUFFIX)].split(".", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            with contextlib.suppress(OSError):
                os.unlink(os.path.join(folder, name))


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)  # signal 0 only checks that the process exists
    except ProcessLookupError:
        return False
    except OSError:  # exists, but belongs to someone else
        return True
    return True


def _sync(path: str) -> None:
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())


def _sync_folder(folder: str) -> None:
    # Makes the rename itself durable; not every platform can open a folder.
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _write_upgraded(source: str, target: str, progress: ProgressCallback | None) -> Counter[str]:
    """Write the converted copy of ``source`` to ``target``; returns counts per change kind."""
    counts: Counter[str] = Counter()
    src = FileHandle(source, "r")
    try:
        dst = FileHandle(target, "w")
        try:
            meter = _Progress(src.root, progress) if progress is not None else None
            copy_contents(src.root, dst.root, convert_dataset=_DatasetConverter(counts), visit=meter)
            _fix_header(dst.root, counts)
            _fix_blocks(dst.root, counts)
            dst.flush()
            if meter is not None:
                meter.finish()
        finally:
            dst.close()
    finally:
        src.close()
    return counts


class _Progress:
    """Counts copied objects for a ``progress(done, total)`` callback."""

    def __init__(self, root: GroupNode, progress: ProgressCallback) -> None:
        self.progress = progress
        self.total = count_objects(root)
        self.done = 1  # the root exists from the start
        progress(0, self.total)

    def __call__(self, _node: Node) -> None:
        self.done += 1
        self.progress(min(self.done, self.total), self.total)

    def finish(self) -> None:
        self.progress(self.total, self.total)


# -- datasets ------------------------------------------------------------------------------
class _DatasetConverter:
    """Rewrites datasets of old layouts while the tree is copied (so link order is kept)."""

    def __init__(self, counts: Counter[str]) -> None:
        self.counts = counts

    def __call__(self, ds: DatasetNode, dest: GroupNode, name: str) -> bool:
        names = ds.dtype.names
        if names and "value" in names and dest.name == "properties":
            self._flatten_property(ds, dest, name)
            return True
        if bitfield_members(ds) == [""]:
            self._replace(ds, dest, name, np.asarray(ds.read(), dtype=np.bool_), np.bool_)
            self.counts["bitfield"] += 1
            return True
        if ds.dtype.kind == "S":
            self._replace(ds, dest, name, _as_str_array(ds.read()), STR_DTYPE)
            self.counts["fixed string"] += 1
            return True
        return False

    @staticmethod
    def _replace(ds: DatasetNode, dest: GroupNode, name: str, values: Any, dtype: Any) -> DatasetNode:
        new = dest.create_dataset(name, values.shape, dtype, data=values, chunks=_chunks(ds, values.shape))
        copy_attrs(ds, new)
        return new

    def _flatten_property(self, ds: DatasetNode, dest: GroupNode, name: str) -> None:
        records = ds.read()
        values = records["value"]
        if "value" in bitfield_members(ds):
            values = values.astype(np.bool_)
            self.counts["bitfield"] += 1
        if values.dtype.kind in ("O", "S", "U"):
            values, dtype = _as_str_array(values), STR_DTYPE
        else:
            dtype = values.dtype
        new = self._replace(ds, dest, name, values, dtype)
        self.counts["property"] += 1
        fields = records.dtype.names
        if "uncertainty" in fields:
            self._fold(new, dest, name, "uncertainty", np.asarray(records["uncertainty"], dtype=np.float64))
        if "reference" in fields:
            self._fold(new, dest, name, "reference", _as_str_array(records["reference"]))
        for extra in _EXTRA_FIELDS:
            if extra in fields:
                texts = _as_str_array(records[extra])
                if any(texts):
                    self._sibling(new, dest, f"{name}.{extra}", texts)

    def _fold(self, prop: DatasetNode, dest: GroupNode, name: str, key: str, column: np.ndarray[Any, Any]) -> None:
        """One common non-empty value becomes an attribute; differing values a sibling property."""
        distinct = set(column.tolist())
        if len(distinct) > 1:
            self._sibling(prop, dest, f"{name}.{key}", column)
        elif distinct and any(distinct):
            common = distinct.pop()
            prop.set_attr(key, np.float64(common) if key == "uncertainty" else str(common))

    def _sibling(self, prop: DatasetNode, dest: GroupNode, name: str, values: np.ndarray[Any, Any]) -> None:
        if name in dest:
            _log.warning("not storing %s: a property of that name exists", name)
            return
        dtype = STR_DTYPE if values.dtype.kind in ("O", "U") else values.dtype
        node = dest.create_dataset(name, values.shape, dtype, data=values, chunks=(max(len(values), 8),))
        node.set_attr("name", name)
        node.set_attr("entity_id", new_id())
        stamp = prop.get_attr("created_at") or time_to_str(now_int())
        node.set_attr("created_at", stamp, ascii_str=True)
        node.set_attr("updated_at", stamp, ascii_str=True)
        self.counts["sibling property"] += 1


def _as_str_array(values: Any) -> np.ndarray[Any, Any]:
    flat = np.asarray(values, dtype=object)
    out = np.empty(flat.shape, dtype=object)
    out.flat[:] = [
        v.decode("utf-8", errors="replace") if isinstance(v, bytes) else ("" if v is None else str(v))
        for v in flat.flat
    ]
    return out


def _chunks(ds: DatasetNode, shape: tuple[int, ...]) -> tuple[int, ...] | bool:
    if ds.chunks is not None and len(ds.chunks) == len(shape):
        return ds.chunks
    if len(shape) == 1 and shape[0] == 0:
        return (8,)
    return True


# -- groups --------------------------------------------------------------------------------
def _fix_header(root: GroupNode, counts: Counter[str]) -> None:
    if not is_uuid(root.get_attr("id")):
        root.set_attr("id", new_id())
        counts["file id"] += 1
    stamp = time_to_str(now_int())
    for key in ("created_at", "updated_at"):
        if not root.get_attr(key):
            root.set_attr(key, stamp, ascii_str=True)
    root.set_attr("version", np.array(HDF_FF_VERSION, dtype=np.int32))
    for name in ("data", "metadata"):
        root.require_group(name)


def _fix_blocks(root: GroupNode, counts: Counter[str]) -> None:
    # Every group is classified by its content, so arrays only reachable through a link
    # (such as nixio's hidden copies under a tag's references) are converted too.
    groups: list[GroupNode] = []
    root.walk_groups(groups.append)
    for group in groups:
        data = group.get_dataset("data")
        if group.has_attr("link_type"):
            _fix_feature(group, counts)
        elif data is not None and data.dtype.names:
            _fix_frame_units(group, data, counts)
        elif data is not None:
            _fix_dimensions(group.get_group("dimensions"), counts)
        elif not group.has_attr("dimension_type") and group.get_group("data_frame") is not None:
            _fix_group_frames(group, counts)


def _new_link(dim: GroupNode, target: GroupNode, object_type: str, index: Any) -> None:
    link = dim.create_group("link")
    stamp = time_to_str(now_int())
    link.set_attr("entity_id", new_id())
    link.set_attr("created_at", stamp, ascii_str=True)
    link.set_attr("updated_at", stamp, ascii_str=True)
    link.set_attr("data_object_type", object_type)
    link.set_attr("index", index)
    link.link(target, str(target.get_attr("entity_id", "")) or "target")


def _fix_dimensions(dims: GroupNode | None, counts: Counter[str]) -> None:
    if dims is None:
        return
    for key in dims.names():
        dim = dims.get_group(key)
        if dim is not None:
            _fix_dimension(dim, counts)


def _fix_dimension(dim: GroupNode, counts: Counter[str]) -> None:
    kind = dim.get_attr("dimension_type")
    if kind == "range" and "ticks" not in dim and "link" not in dim:
        for name in dim.names():
            target = dim.get_group(name)
            if target is not None and target.get_dataset("data") is not None:
                ndim = len(target.dataset("data").shape)
                _new_link(dim, target, "DataArray", np.array([-1] + [0] * (ndim - 1), dtype=np.int64))
                dim.unlink(name)
                counts["alias dimension"] += 1
                return
    elif kind == "data_frame":
        frame = dim.get_group("data_frame")
        if frame is None:
            frame = next((g for g in (dim.get_group(n) for n in dim.names()) if g is not None), None)
        column = dim.get_attr("column_index")
        for name in dim.names():
            dim.unlink(name)
        dim.del_attr("column_index")
        if frame is None or column is None:
            dim.set_attr("dimension_type", "set")
            counts["data_frame dimension without column"] += 1
            return
        dim.set_attr("dimension_type", "range")
        _new_link(dim, frame, "DataFrame", np.int64(int(np.asarray(column).reshape(-1)[0])))
        counts["data_frame dimension"] += 1


def _fix_frame_units(df: GroupNode, data: DatasetNode, counts: Counter[str]) -> None:
    if not data.has_attr("units"):
        return
    if not df.has_attr("units"):
        _copy_units(data, df)
    data.del_attr("units")
    counts["data frame units"] += 1


def _copy_units(data: DatasetNode, df: GroupNode) -> None:
    # Rewritten as a vlen UTF-8 array, the layout nixio reads, whatever the C++ type was.
    texts = [str(v) for v in np.atleast_1d(np.asarray(data.get_attr("units"), dtype=object)).tolist()]
    if texts:
        df.set_attr("units", texts)


def _fix_group_frames(group: GroupNode, counts: Counter[str]) -> None:
    legacy = group.get_group("data_frame")
    if legacy is None:
        return
    target = group.require_group("data_frames")
    for name in legacy.names():
        if name not in target:
            target.link(legacy.child(name), name)
    group.unlink("data_frame")
    counts["group data_frame"] += 1


def _fix_feature(feature: GroupNode, counts: Counter[str]) -> None:
    if feature.has_attr("target_type"):
        return
    target = feature.get_group("data")
    if target is None:
        return
    data = target.get_dataset("data")
    is_frame = data is not None and bool(data.dtype.names)
    feature.set_attr("target_type", "DataFrame" if is_frame else "DataArray")
    counts["feature target"] += 1
