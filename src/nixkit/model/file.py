"""The NIX File: format header checks, modes, blocks and root sections."""

from __future__ import annotations

import contextlib
import os
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from nixkit.exceptions import (
    DuplicateName,
    FileMissing,
    FormatVersionError,
    InvalidFile,
    ReadOnlyError,
)
from nixkit.model.container import Container
from nixkit.model.entity import check_name, check_type, is_uuid, new_id, write_header
from nixkit.model.enums import Compression, FileMode
from nixkit.model.timestamps import Timestamped
from nixkit.storage.file_handle import FileHandle
from nixkit.storage.group import GroupNode
from nixkit.util.time import now_int, time_to_str

if TYPE_CHECKING:
    from nixkit.model.block import Block
    from nixkit.model.section import Section

FILE_FORMAT = "nix"
HDF_FF_VERSION = (1, 2, 1)

_MODES = {FileMode.ReadOnly, FileMode.ReadWrite, FileMode.Overwrite}


def can_read(version: tuple[int, ...]) -> bool:
    """Whether this library reads files of ``version`` (same major, minor not newer)."""
    return len(version) == 3 and version[0] == HDF_FF_VERSION[0] and version[1] <= HDF_FF_VERSION[1]


def can_write(version: tuple[int, ...]) -> bool:
    """Whether this library writes files of ``version`` (the exact current version)."""
    return tuple(version) == HDF_FF_VERSION


class File(Timestamped):
    """An open NIX file.

    Parameters
    ----------
    path : str or os.PathLike
        Location of the file.
    mode : str
        ``FileMode.ReadWrite`` (default: open, or create when missing),
        ``FileMode.ReadOnly`` or ``FileMode.Overwrite``.
    compression : Compression
        Default compression for data arrays created through this object.
    auto_update_timestamps : bool
        Whether setters refresh the ``updated_at`` time of the entity they change.
    swmr : bool
        HDF5 single-writer/multiple-reader mode, for following a recording live. With
        ``FileMode.ReadOnly`` the file is read as another process appends to it: shapes
        and data show what the writer has flushed. With a writing mode the file uses the
        newest HDF5 format (which nixio 1.5.4 reads and writes too); create the entities,
        then call :meth:`start_swmr` and append.
    """

    def __init__(
        self,
        path: str | os.PathLike[str] | bytes,
        mode: str = FileMode.ReadWrite,
        compression: Compression = Compression.Auto,
        auto_update_timestamps: bool = True,
        swmr: bool = False,
    ) -> None:
        if isinstance(path, bytes):
            path = path.decode()
        self._path = str(Path(path))
        if mode not in _MODES:
            raise ValueError(f"Invalid file mode specified: {mode!r}; use a FileMode value")
        exists = os.path.exists(self._path)
        if mode == FileMode.ReadOnly and not exists:
            raise FileMissing(f"Cannot open non-existent file in ReadOnly mode: {self._path!r}")
        if not exists:
            mode = FileMode.Overwrite
        self.mode = mode
        self._compression = Compression.No if compression == Compression.Auto else compression
        self._auto_ts = bool(auto_update_timestamps)
        self._id_index: dict[str, dict[str, str]] = {}
        # Values derived from file content (tag positions, dimension maps); every write
        # passes _check_writable, which empties it, so entries are never stale.
        self._read_cache: dict[Any, Any] = {}
        h5mode = {"r": "r", "a": "r+", "w": "w"}[mode]
        self._handle = FileHandle(self._path, h5mode, swmr)
        self._node: GroupNode = self._handle.root
        try:
            if mode == FileMode.Overwrite:
                self._write_header()
            else:
                self._check_header(mode)
        except BaseException:
            self._handle.abandon()
            raise

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str] | bytes,
        mode: str = FileMode.ReadWrite,
        compression: Compression = Compression.Auto,
        backend: object = None,
        auto_update_timestamps: bool = True,
        swmr: bool = False,
    ) -> File:
        """Open or create a NIX file; same parameters as :class:`File`."""
        if backend is not None:
            warnings.warn("Backend selection is deprecated. Ignoring value.", DeprecationWarning, stacklevel=2)
        return cls(path, mode, compression, auto_update_timestamps, swmr)

    # -- header -----------------------------------------------------------------------
    def _write_header(self) -> None:
        root = self._node
        root.set_attr("format", FILE_FORMAT, ascii_str=True)
        root.set_attr("version", np.array(HDF_FF_VERSION, dtype=np.int32))
        root.set_attr("id", new_id())
        stamp = time_to_str(now_int())
        root.set_attr("created_at", stamp, ascii_str=True)
        root.set_attr("updated_at", stamp, ascii_str=True)
        root.create_group("data")
        root.create_group("metadata")

    def _check_header(self, mode: str) -> None:
        root = self._node
        fmt = root.get_attr("format")
        if fmt != FILE_FORMAT:
            raise InvalidFile(
                f"{self._path!r} is an HDF5 file but not a NIX file (format attribute {fmt!r}, expected 'nix')"
            )
        version = self.version
        if len(version) != 3:
            raise FormatVersionError(f"Invalid version specified in file {self._path!r}: {version!r}")
        if mode == FileMode.ReadOnly:
            if not can_read(version):
                raise FormatVersionError(
                    f"Cannot open file {self._path!r}: its NIX format version "
                    f"{'.'.join(map(str, version))} is newer than this library reads "
                    f"({'.'.join(map(str, HDF_FF_VERSION))}); update nixkit"
                )
        elif not can_write(version):
            if can_read(version):
                hint = "open it with FileMode.ReadOnly, or convert it with nixkit.upgrade(path)"
            else:
                hint = "update nixkit"
            raise FormatVersionError(
                f"Cannot open file {self._path!r} for writing. Incompatible version "
                f"{'.'.join(map(str, version))} (this library writes "
                f"{'.'.join(map(str, HDF_FF_VERSION))}): {hint}"
            )
        if tuple(version) >= (1, 2, 0) and not is_uuid(root.get_attr("id")):
            raise FormatVersionError(f"Cannot open file {self._path!r}. The file does not have an ID.")
        if mode != FileMode.ReadOnly:
            for name in ("data", "metadata"):
                if root.get_group(name) is None:
                    root.create_group(name)

    # -- properties -------------------------------------------------------------------
    @property
    def version(self) -> tuple[int, ...]:
        """The format version stored in the file, e.g. ``(1, 2, 1)``."""
        value = self._node.get_attr("version")
        if value is None:
            return ()
        try:
            return tuple(int(v) for v in np.atleast_1d(value))
        except (TypeError, ValueError) as exc:
            raise FormatVersionError(f"Invalid version specified in file {self._path!r}: {value!r}") from exc

    @property
    def format(self) -> str | None:
        """The format name, ``"nix"``."""
        return self._node.get_attr("format")

    @property
    def id(self) -> str | None:
        """The file's UUID."""
        return self._node.get_attr("id")

    @property
    def auto_update_timestamps(self) -> bool:
        """Whether setters refresh ``updated_at`` (not stored in the file)."""
        return self._auto_ts

    @auto_update_timestamps.setter
    def auto_update_timestamps(self, value: bool) -> None:
        self._auto_ts = bool(value)

    @property
    def filename(self) -> str:
        """Path of the file."""
        return self._path

    @property
    def file(self) -> File:
        """The file itself (so every object has ``.file``)."""
        return self

    # -- contents -----------------------------------------------------------------------
    @property
    def blocks(self) -> Container[Block]:
        """The blocks, in creation order."""
        from nixkit.model.block import Block

        return _FileContainer(self, "data", Block)

    @property
    def sections(self) -> Container[Section]:
        """The root metadata sections."""
        from nixkit.model.section import Section, SectionContainer

        return SectionContainer(self, "metadata", Section)

    def create_block(
        self,
        name: str = "",
        type_: str = "",
        compression: Compression = Compression.Auto,
        copy_from: Block | None = None,
        keep_copy_id: bool = True,
    ) -> Block:
        """Create a Block (an empty name makes the block's id its name)."""
        from nixkit.model.block import Block

        self._check_writable(f"create block {name!r}")
        data = self._data_group()
        if copy_from is not None:
            return self._copy_into(copy_from, Block, data, name, keep_copy_id)
        eid = new_id()
        name = name or eid
        check_name(name)
        check_type(type_)
        if name in data:
            raise DuplicateName("create_block", name)
        node = data.create_group(name)
        try:
            write_header(node, name, type_, eid)
        except BaseException:
            data.unlink(name)  # text HDF5 cannot store (not UTF-8) shows only now
            raise
        block = Block(self, node, self)
        block._compression = self._compression if compression == Compression.Auto else compression
        return block

    def create_section(self, name: str, type_: str = "undefined", oid: str | None = None) -> Section:
        """Create a root metadata Section."""
        from nixkit.model.section import create_section

        return create_section(self, self, self._metadata_group(), name, type_, oid)

    def find_sections(self, filtr: Callable[[Any], bool] = lambda _: True, limit: int | None = None) -> list[Section]:
        """Sections of all root trees (breadth first) for which ``filtr`` is true; ``limit`` is the depth."""
        from nixkit.model.section import find_sections

        return find_sections(list(self.sections), filtr, limit, start_level=1)

    def copy_section(self, obj: Section, children: bool = True, keep_id: bool = True, name: str = "") -> Section:
        """Copy a Section (with its subtree unless ``children`` is False) to the root."""
        from nixkit.model.section import Section, copy_section_into

        self._check_writable("copy a section")
        return copy_section_into(self, self, self._metadata_group(), obj, children, keep_id, name, Section)

    def _copy_into(self, source: Any, cls: type, target: GroupNode, name: str, keep_id: bool) -> Any:
        from nixkit.model.copy import copy_entity

        return copy_entity(self, source, cls, target, name, keep_id, self)

    def _data_group(self) -> GroupNode:
        return self._node.require_group("data") if self.is_open() else self._closed()

    def _metadata_group(self) -> GroupNode:
        return self._node.require_group("metadata")

    # -- state ------------------------------------------------------------------------
    def is_open(self) -> bool:
        """Whether the file has not been closed."""
        return self._handle.is_open

    def _closed(self) -> Any:
        raise ValueError(f"the file {self._path!r} is closed")

    def _writable(self, action: str) -> None:
        self._check_writable(action)

    def _check_writable(self, action: str = "write", entity: object = None) -> None:
        if entity is not None and (self.mode == FileMode.ReadOnly or not self._handle.is_open):
            # The entity's repr reads attributes: build it only for the error message.
            action = f"{action} on {entity!r}"
        if self.mode == FileMode.ReadOnly:
            raise ReadOnlyError(
                f"cannot {action}: {self._path!r} is open read-only; reopen it with FileMode.ReadWrite to change it"
            )
        if not self._handle.is_open:
            raise ValueError(f"cannot {action}: the file {self._path!r} is closed")
        self._read_cache.clear()
        self._handle.checkpoint()

    def _changed(self, group: GroupNode) -> None:
        """Forget cached indices of ``group`` after its children changed."""
        path = group.path
        self._id_index.pop(path, None)
        self._id_index.pop(path + "#names", None)

    def _delete_object(self, node: Any, scope: GroupNode) -> None:
        """Remove every link to ``node`` found below ``scope`` (the object is then freed)."""
        from nixkit.storage.group import unlink_all

        unlink_all(scope, {node.address})
        self._id_index.clear()

    def validate(self) -> Any:
        """Check the file against the NIX rules; see :mod:`nixkit.validate`."""
        from nixkit.validate import validate_file

        return validate_file(self)

    def flush(self) -> None:
        """Write all buffered changes to the file.

        After it returns, every entity, attribute and data value written through this
        object is in the file as the operating system sees it, and the file is
        consistent: if this process is then killed, the file opens and holds all of it
        (later, unflushed changes may be partly there or missing, but never damage what
        was flushed; ``nixkit recover`` rescues a file that a killed writer left unopenable).
        A crash of the machine itself can still lose what the OS has not yet written to
        the disk. With :meth:`start_swmr`, a flush is also what makes appended data
        visible to following readers.
        """
        if self.is_open():
            self._handle.flush()

    def start_swmr(self) -> None:
        """Let reader processes follow this file live (HDF5 single-writer/multiple-reader).

        The file must have been opened for writing with ``swmr=True``. Create the entities
        first: SWMR is made for writes to existing data (``DataArray.append`` and writes),
        which readers opened with ``File.open(path, FileMode.ReadOnly, swmr=True)`` see
        after each :meth:`flush`; HDF5 does not promise readers anything created later.
        """
        self._check_writable("start SWMR writing")
        self._handle.start_swmr()

    def close(self) -> None:
        """Flush and close the file; further use of its entities raises an error."""
        self._handle.close()

    def __enter__(self) -> File:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        handle = getattr(self, "_handle", None)
        if handle is not None:
            # At interpreter shutdown h5py may already be gone: nothing is left to report to.
            with contextlib.suppress(Exception):
                handle.close()

    def __repr__(self) -> str:
        state = "open" if self.is_open() else "closed"
        return f"File: {{path = {self._path}, mode = {self.mode}, {state}}}"

    def _repr_html_(self) -> str:
        """Notebook view built from metadata only (see :mod:`nixkit.display.html`)."""
        from nixkit.display.html import repr_html

        return repr_html(self)

    def pprint(self, indent: int = 2, max_length: int = 120, extra: bool = True, max_depth: int = 3) -> None:
        """Print the tree of every block, then of the metadata (to ``max_depth`` levels)."""
        from nixkit.display.text import print_file

        print_file(self, indent=indent, max_length=max_length, extra=extra, max_depth=max_depth)


class _FileContainer(Container[Any]):
    """The blocks container: owned by the file's root group."""

    def __init__(self, file: File, group_name: str, cls: type) -> None:
        self._owner = file
        self._file = file
        self._group_name = group_name
        self._cls = cls
        self._item_parent = file

    def _make(self, group: GroupNode, key: str) -> Any:
        block = self._cls(self._file, group.child(key), self._file)
        block._compression = self._file._compression
        return block
