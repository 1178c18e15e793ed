"""HDF5 storage nodes: the only place in nixkit that talks to h5py.

The model layer sees two node kinds, :class:`GroupNode` and :class:`DatasetNode`.
They are thin, slot-only wrappers: every call maps to one or two HDF5 calls, so the
cost of a NIX operation stays close to the raw HDF5 work it needs.
"""

from __future__ import annotations

import functools
import math
import numbers
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import h5py
import numpy as np
from h5py import h5, h5a, h5d, h5f, h5g, h5i, h5o, h5p, h5s, h5t

from nixkit.exceptions.exceptions import (
    CorruptFile,
    EntityNotFound,
    FileInUse,
    InvalidFile,
    NixError,
    ReadOnlyError,
)
from nixkit.storage.compact import compact_file, compact_links

STR_DTYPE = h5py.string_dtype("utf-8")
ASCII_DTYPE = h5py.string_dtype("ascii")

_gcpl_cache: list[h5p.PropGCID] = []


def _gcpl() -> h5p.PropGCID:
    """Group creation properties that NIX needs: link creation order tracked and indexed."""
    if not _gcpl_cache:
        plist = h5p.create(h5p.GROUP_CREATE)
        plist.set_link_creation_order(h5p.CRT_ORDER_TRACKED | h5p.CRT_ORDER_INDEXED)
        compact_links(plist)
        _gcpl_cache.append(plist)
    return _gcpl_cache[0]


# Scalar attributes of the kinds every entity carries are written through h5py's
# low-level API with these cached type and space objects: the high-level
# ``attrs[key] = value`` re-derives both on every call, at several times the cost.
_SCALAR_SPACE = h5s.create(h5s.SCALAR)
_FAST_ATTR_TYPES: dict[type, tuple[np.dtype[Any], Any]] = {
    float: (np.dtype(np.float64), h5t.py_create(np.dtype(np.float64))),
    int: (np.dtype(np.int64), h5t.py_create(np.dtype(np.int64))),
}
_STR_TYPES = {
    False: (STR_DTYPE, h5t.py_create(STR_DTYPE, logical=True)),
    True: (ASCII_DTYPE, h5t.py_create(ASCII_DTYPE, logical=True)),
}
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1
_MEMORY_TYPES: dict[np.dtype[Any], Any] = {}
_KINDS = {h5o.TYPE_GROUP: "group", h5o.TYPE_DATASET: "dataset"}


def memory_type(dtype: np.dtype[Any]) -> Any:
    """The HDF5 type of numpy ``dtype``, made once: low-level reads and writes given it
    skip h5py's conversion on every call (a third of the cost of a small read)."""
    found = _MEMORY_TYPES.get(dtype)
    if found is None:
        found = _MEMORY_TYPES[dtype] = h5t.py_create(dtype)
    return found

# Appends re-create a dataset whose chunks are small for streaming with chunks that grow
# geometrically along the appended axis up to this size; only while the data is small,
# so the copy stays cheap and a small array never gets a chunk much bigger than itself.
STREAM_CHUNK_BYTES = 1 << 18
# Below this size an array keeps the chunks it has: re-creating it would cost more file
# space (a new object header) than its few chunks do.
_STREAM_MIN_BYTES = 1 << 14


def decode(value: Any) -> Any:
    """Turn HDF5 string flavours (bytes, fixed or variable length) into ``str``."""
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, np.ndarray):
        if value.dtype.kind in ("S", "O", "U"):
            return [decode(v) for v in value.tolist()]
        return value
    if isinstance(value, np.str_):
        return str(value)
    return value


def is_string_dtype(dtype: np.dtype[Any]) -> bool:
    """True for vlen and fixed-length HDF5 string types."""
    if dtype.kind in ("S", "U"):
        return True
    return h5py.check_string_dtype(dtype) is not None


def open_file(path: str | Path, mode: str, swmr: bool = False) -> h5py.File:
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

    Returns
    -------
    h5py.File
        The open file.
    """
    if mode == "w":
        _refuse_if_open(path)
    try:
        if mode == "w":
            # Like nixio: links in creation order (tracked and indexed), attributes not.
            fcpl = h5p.create(h5p.FILE_CREATE)
            fcpl.set_link_creation_order(h5p.CRT_ORDER_TRACKED | h5p.CRT_ORDER_INDEXED)
            compact_file(fcpl)
            fapl = h5p.create(h5p.FILE_ACCESS)
            if swmr:
                fapl.set_libver_bounds(h5py.h5f.LIBVER_LATEST, h5py.h5f.LIBVER_LATEST)
            fid = h5py.h5f.create(str(path).encode(), h5py.h5f.ACC_TRUNC, fapl=fapl, fcpl=fcpl)
            return h5py.File(fid)
        if swmr:
            return h5py.File(path, mode, libver="latest", swmr=mode == "r")
        return h5py.File(path, mode)
    except FileNotFoundError:
        raise
    except PermissionError as exc:
        raise ReadOnlyError(f"cannot open {str(path)!r} for writing: {exc}") from exc
    except OSError as exc:
        raise _open_error(path, exc) from exc


def _refuse_if_open(path: str | Path) -> None:
    """FileInUse when another handle has ``path`` open (HDF5 truncates before it locks)."""
    try:
        import fcntl
    except ImportError:  # not POSIX: HDF5's own locking is all there is
        return
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return  # nothing there to protect
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise FileInUse(
            f"cannot overwrite {str(path)!r}: another process (or another File object) has it open; close that first"
        ) from None
    finally:
        os.close(fd)


def _open_error(path: str | Path, exc: OSError) -> NixError:
    text = str(exc)
    if "unable to lock" in text:  # not just "lock": "sblock" appears in truncation errors
        return FileInUse(
            f"cannot open {str(path)!r}: another process (or another File object) has it open for "
            f"writing; close that first ({text})"
        )
    if "already open for" in text:
        # A file in the newest format records that a writer has it open. After a killed
        # writer the mark stays: the file is still readable with swmr=True.
        return FileInUse(
            f"cannot open {str(path)!r}: it is marked as open for writing ({text}). If no process "
            "is writing it, its writer was killed: open it with swmr=True to read it, or run "
            "'nixkit recover' to copy it into a new file"
        )
    if _looks_like_hdf5(path):
        return CorruptFile(
            f"{str(path)!r} is a damaged HDF5 file ({text}); 'nixkit recover' copies what can still "
            "be read into a new file"
        )
    return InvalidFile(f"{str(path)!r} is not a readable HDF5 file ({text}); NIX files are HDF5 files")


# Attributes with a fixed kind in the NIX layout: a stored value of another kind means
# damage, reported with the object's path instead of failing later in arithmetic.
_TEXT_ATTRS = frozenset(
    (
        "name",
        "type",
        "entity_id",
        "created_at",
        "updated_at",
        "definition",
        "label",
        "unit",
        "link_type",
        "target_type",
        "dimension_type",
        "data_object_type",
        "odml_type",
        "repository",
        "format",
        "id",
    )
)
_NUMBER_ATTRS = frozenset(("sampling_interval", "offset", "expansion_origin", "uncertainty"))
_INDEX_ATTRS = frozenset(("index",))


_CHOICES = {
    "link_type": ("tagged", "untagged", "indexed"),
    "odml_type": ("boolean", "int", "float", "string", "text", "url", "person", "datetime", "date", "time"),
    "data_object_type": ("dataarray", "dataframe"),
    "target_type": ("dataarray", "dataframe"),
}


def _checked(node: Any, key: str, value: Any) -> Any:
    if key in _TEXT_ATTRS:
        if isinstance(value, str) and (key not in _CHOICES or value.lower() in _CHOICES[key]):
            return value
        if isinstance(value, list) and len(value) == 1 and isinstance(value[0], str):
            return value[0]
    elif key in _NUMBER_ATTRS:
        if isinstance(value, np.ndarray) and value.size == 1:
            value = value.reshape(()).item()
        if isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_)):
            return value
    elif key in _INDEX_ATTRS:
        if isinstance(value, (numbers.Integral, np.integer)) or (
            isinstance(value, np.ndarray) and value.ndim <= 1 and value.size and value.dtype.kind in "iu"
        ):
            return value
    else:
        return value
    expected = "text" if key in _TEXT_ATTRS else "integers" if key in _INDEX_ATTRS else "a number"
    if key in _CHOICES:
        expected = " or ".join(map(repr, _CHOICES[key]))
    raise CorruptFile(f"attribute {key!r} of {_path_of(node)} holds {value!r} where {expected} belongs")


# Datasets whose element kind the NIX layout fixes.
_NUMBER_DATASETS = frozenset(("position", "extent", "ticks", "polynom_coefficients"))
_TEXT_DATASETS = frozenset(("labels", "units"))


def _checked_dataset(parent: Any, name: str, ds: h5py.Dataset) -> DatasetNode:
    node = DatasetNode(_fresh(ds))
    if name in _NUMBER_DATASETS or name in _TEXT_DATASETS:
        numeric = ds.dtype.kind in "biuf"
        if numeric != (name in _NUMBER_DATASETS) or ds.ndim > 1:
            expected = "numbers" if name in _NUMBER_DATASETS else "text"
            where = _target(parent, (name,))
            raise CorruptFile(f"{where} holds {ds.dtype} {ds.shape} where a list of {expected} belongs")
    return node


def _path_of(node: Any) -> str:
    try:
        return str(node._h.name)
    except Exception:  # the handle itself may be what is broken
        return "an object of the file"


# Open SWMR readers in this process; while there are none, opening a dataset costs nothing extra.
_swmr_readers = [0]


def _fresh(ds: h5py.Dataset) -> h5py.Dataset:
    """``ds``, refreshed when it belongs to a SWMR reader (so it shows what the writer appended)."""
    if _swmr_readers[0] and h5py.h5i.get_file_id(ds.id).get_intent() & h5py.h5f.ACC_SWMR_READ:
        ds.refresh()
    return ds


def _target(node: Any, args: tuple[Any, ...]) -> str:
    """The path a node method was working on: the node's, or its child's when named."""
    base = _path_of(node)
    return f"{base.rstrip('/')}/{args[0]}" if args and isinstance(args[0], str) else base


def _guarded(method: Callable[..., Any]) -> Callable[..., Any]:
    """Turn HDF5 read failures into nixkit errors that name the object's path.

    A missing child becomes :class:`EntityNotFound` (a KeyError); an unreadable object
    (damaged metadata, truncated file) becomes :class:`CorruptFile`.
    """

    @functools.wraps(method)
    def guarded(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except NixError:
            raise
        except KeyError as exc:
            reason = exc.args[0] if exc.args else exc
            raise EntityNotFound(f"{_target(self, args)} does not exist or cannot be opened ({reason})") from exc
        except (ValueError, TypeError) as exc:
            if args or kwargs:
                raise  # may be about the caller's input (a selection, a value)
            raise CorruptFile(f"cannot read {_path_of(self)}: {exc}; the file may be damaged") from exc
        except (OSError, RuntimeError) as exc:
            what = _target(self, args)
            raise CorruptFile(
                f"cannot read {what}: {exc}; the file may be damaged ('nixkit recover' rescues what is readable)"
            ) from exc

    return guarded


def _looks_like_hdf5(path: str | Path) -> bool:
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
    except OSError:
        return False
    return head == b"\x89HDF\r\n\x1a\n"


# Scalar attributes of the common kinds are read through h5py's low-level API into a
# 0-d buffer with a cached memory type: ``attrs[key]`` derives a numpy dtype and an HDF5
# type from the stored type on every read, which costs more than the read itself.
# Keys: (HDF5 type class, size in bytes, signedness or -1) -> (buffer dtype, memory type).
_SCALAR_READS: dict[tuple[int, int, int], tuple[np.dtype[Any], Any]] = {}
for _code in ("f2", "f4", "f8", "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8"):
    _dtype = np.dtype(_code)
    _tid = h5t.py_create(_dtype)
    _sign = _tid.get_sign() if _dtype.kind in "iu" else -1
    _SCALAR_READS[(_tid.get_class(), _dtype.itemsize, _sign)] = (_dtype, _tid)
del _code, _dtype, _tid, _sign
# h5py's opaque object type: HDF5 converts a variable-length string of either character
# set into a ``bytes`` object in the buffer.
_VLEN_READ = (np.dtype(object), h5t.py_create(STR_DTYPE))
# Returned by _read_scalar for attributes it leaves to h5py's general path.
_GENERAL = object()


def _read_scalar(aid: Any) -> Any:
    """Value of the scalar number or variable-length string attribute ``aid``, else ``_GENERAL``.

    Values come out as h5py's ``attrs[key]`` gives them: numpy scalars of the stored
    width (any byte order) and ``str`` decoded like h5py (UTF-8, undecodable bytes kept
    as surrogate escapes). Other types and shapes (enums, fixed-length strings,
    arrays, empty attributes) go the general way.
    """
    if aid.get_space().get_simple_extent_type() != h5s.SCALAR:
        return _GENERAL
    tid = aid.get_type()
    cls = tid.get_class()
    if cls == h5t.STRING:
        if not tid.is_variable_str():
            return _GENERAL
        dtype, mtype = _VLEN_READ
    elif cls == h5t.FLOAT or cls == h5t.INTEGER:
        found = _SCALAR_READS.get((cls, tid.get_size(), tid.get_sign() if cls == h5t.INTEGER else -1))
        if found is None:
            return _GENERAL
        dtype, mtype = found
    else:
        return _GENERAL
    buf = np.empty((), dtype=dtype)
    aid.read(buf, mtype=mtype)
    value = buf[()]
    if type(value) is bytes:
        return value.decode("utf-8", errors="surrogateescape")
    return value


class _AttrMixin:
    """Attribute access shared by group and dataset nodes."""

    __slots__ = ()
    _h: Any

    @_guarded
    def get_attr(self, key: str, default: Any = None) -> Any:
        """Return attribute ``key`` decoded to Python/numpy, or ``default``.

        Attributes whose kind the NIX layout fixes (names and units are text, intervals
        and offsets are numbers) raise :class:`CorruptFile` when they hold anything else.
        """
        oid = self._h.id
        name = key.encode()
        # Checking first is cheaper than failing to open: most missing keys are optional.
        if not h5a.exists(oid, name):
            return default
        try:
            value = _read_scalar(h5a.open(oid, name))
        except (OSError, TypeError, ValueError):
            value = _GENERAL  # the general path below decides what the failure means
        if value is _GENERAL:
            try:
                value = decode(self._h.attrs[key])
            except (OSError, TypeError):
                # An attribute whose type h5py cannot convert reads as missing.
                return default
        return _checked(self, key, value)

    @_guarded
    def has_attr(self, key: str) -> bool:
        """Whether attribute ``key`` exists."""
        return bool(h5a.exists(self._h.id, key.encode()))

    @_guarded
    def attr_names(self) -> list[str]:
        """Names of all attributes."""
        return list(self._h.attrs)

    def set_attr(self, key: str, value: Any, ascii_str: bool = False) -> None:
        """Write attribute ``key``; strings become variable-length UTF-8 (or ASCII)."""
        kind = type(value)
        if kind is str:
            dtype, tid = _STR_TYPES[ascii_str]
        elif kind in _FAST_ATTR_TYPES and (kind is float or _INT64_MIN <= value <= _INT64_MAX):
            dtype, tid = _FAST_ATTR_TYPES[kind]
        else:
            self._set_attr_general(key, value, ascii_str)
            return
        oid = self._h.id
        name = key.encode()
        data = np.array(value, dtype=dtype)
        if h5a.exists(oid, name):
            old = h5a.open(oid, name)
            if old.get_type().equal(tid) and old.get_space().get_simple_extent_type() == h5s.SCALAR:
                # Same type and shape: overwrite in place (timestamps are rewritten often).
                old.write(data)
                return
            h5a.delete(oid, name)
        h5a.create(oid, name, tid, _SCALAR_SPACE).write(data)

    def _set_attr_general(self, key: str, value: Any, ascii_str: bool) -> None:
        attrs = self._h.attrs
        if isinstance(value, str):
            attrs.create(key, value, dtype=ASCII_DTYPE if ascii_str else STR_DTYPE)
        elif isinstance(value, (list, tuple)) and value and all(isinstance(v, str) for v in value):
            attrs.create(key, np.array(value, dtype=object), dtype=STR_DTYPE)
        else:
            attrs[key] = value

    def del_attr(self, key: str) -> None:
        """Delete attribute ``key`` if present."""
        if key in self._h.attrs:
            del self._h.attrs[key]

    @property
    @_guarded
    def address(self) -> int:
        """File address of the object: equal for every hard link to it."""
        return int(h5o.get_info(self._h.id).addr)

    @property
    def path(self) -> str:
        """Absolute HDF5 path the node was reached by."""
        return str(self._h.name)

    @property
    def name(self) -> str:
        """Last component of :attr:`path`."""
        return str(self._h.name).rsplit("/", 1)[-1]

    @property
    def writable(self) -> bool:
        """Whether the file is open with write intent."""
        return bool(self._h.file.mode == "r+")

    def same(self, other: object) -> bool:
        """Whether ``other`` wraps the same HDF5 object."""
        return isinstance(other, _AttrMixin) and self._h.id == other._h.id


def _wrong_kind(node: Any, name: str, api: frozenset[str], kind: str) -> Any:
    # Reached only when normal lookup failed: the model asked a node of the other kind.
    if name in api:
        other = "group" if kind == "dataset" else "dataset"
        raise CorruptFile(f"{_path_of(node)} is a {kind} where the NIX layout has a {other}")
    raise AttributeError(f"{type(node).__name__!r} object has no attribute {name!r}")


class DatasetNode(_AttrMixin):
    """A stored n-d array."""

    __slots__ = ("_h", "_settled", "_str")

    def __getattr__(self, name: str) -> Any:
        return _wrong_kind(self, name, _GROUP_API, "dataset")

    def __contains__(self, name: str) -> bool:
        return bool(_wrong_kind(self, "names", _GROUP_API, "dataset"))

    def __len__(self) -> int:
        return int(_wrong_kind(self, "names", _GROUP_API, "dataset"))

    def __init__(self, handle: h5py.Dataset) -> None:
        self._h = handle
        self._str: bool | None = None
        # True once appends can no longer re-chunk this dataset (see _stream_chunk).
        self._settled = False

    def follow(self) -> DatasetNode:
        """This node, refreshed first if it is read while a SWMR writer appends."""
        _fresh(self._h)
        return self

    @property
    @_guarded
    def shape(self) -> tuple[int, ...]:
        """Current extent."""
        return tuple(self._h.shape)

    @property
    @_guarded
    def dtype(self) -> np.dtype[Any]:
        """Stored element type."""
        return self._h.dtype

    @property
    def chunks(self) -> tuple[int, ...] | None:
        """Chunk shape, or None for contiguous storage."""
        return self._h.chunks

    @property
    def maxshape(self) -> tuple[int | None, ...]:
        """Maximum extent per axis (None: unlimited)."""
        return tuple(self._h.maxshape)

    @property
    def compression(self) -> str | None:
        """Name of the compression filter, if any."""
        return self._h.compression

    @property
    @_guarded
    def is_string(self) -> bool:
        """Whether the elements are strings."""
        if self._str is None:
            self._str = is_string_dtype(self._h.dtype)
        return self._str

    @_guarded
    def read(self, index: Any = ()) -> Any:
        """Read ``index`` (h5py selection rules); strings come back as ``str`` objects."""
        h = self._h
        if self.is_string:
            # Damaged text must still read: undecodable bytes become U+FFFD, as in attributes.
            return h.asstr(errors="replace")[index]
        return h[index]

    def write(self, index: Any, value: Any) -> None:
        """Write ``value`` into selection ``index``."""
        self._h[index] = value

    @_guarded
    def read_direct(self, dest: np.ndarray[Any, Any], source_sel: Any = None) -> None:
        """Read straight into ``dest`` without an intermediate copy."""
        self._h.read_direct(dest, source_sel)

    def write_direct(self, source: np.ndarray[Any, Any], dest_sel: Any = None) -> None:
        """Write ``source`` straight from its buffer."""
        self._h.write_direct(source, dest_sel=dest_sel)

    def write_field(self, field: str, values: np.ndarray[Any, Any], start: int = 0) -> None:
        """Write ``values`` into member ``field`` of rows ``start:start + len(values)``.

        For a 1-D dataset of a compound type: the memory type holds that one member, so
        HDF5 leaves the other members of the rows as they are and nothing else passes
        through Python. h5py's ``dset[sel, field] = values`` cannot do this for text members.
        """
        h = self._h
        member = np.dtype([(field, h.dtype.fields[field][0])])
        buf = np.empty(len(values), dtype=member)
        buf[field] = values
        fspace = h.id.get_space()
        fspace.select_hyperslab((start,), (len(values),))
        # Not the logical type: text members go through h5py's Python-object conversion.
        h.id.write(h5s.create_simple((len(values),)), fspace, buf, h5t.py_create(member))

    def append(self, values: np.ndarray[Any, Any], axis: int, shape: tuple[int, ...] | None = None) -> DatasetNode:
        """Append ``values`` (same dtype and rank, same extent off ``axis``) along ``axis``.

        A numeric dataset whose chunks are small along ``axis`` (HDF5 derives them from the
        first, often tiny, write) is re-created with chunks twice as long or more, up to
        :data:`STREAM_CHUNK_BYTES` and never above 1/16 of the data, so a stream of appends
        ends up in large chunks that read back fast. ``shape`` is the current extent, if the caller has it at hand.
        Returns the node that holds the data afterwards.
        """
        node = self
        h = self._h
        if shape is None:
            shape = h.shape
        start = shape[axis]
        total = start + values.shape[axis]
        chunk = self._stream_chunk(axis, total)
        if chunk is not None:
            node = self._rechunked(chunk)
            h = node._h
        new_shape = list(shape)
        new_shape[axis] = total
        dsid = h.id
        dsid.set_extent(tuple(new_shape))
        if values.size == 0:
            return node
        if values.dtype == h.dtype and not node.is_string and values.flags.c_contiguous:
            offset = [0] * len(shape)
            offset[axis] = start
            fspace = dsid.get_space()
            fspace.select_hyperslab(tuple(offset), values.shape)
            dsid.write(h5s.create_simple(values.shape), fspace, values, memory_type(values.dtype))
        else:
            h[tuple(slice(start, None) if i == axis else slice(None) for i in range(len(shape)))] = values
        return node

    def _stream_chunk(self, axis: int, total: int) -> tuple[int, ...] | None:
        """Chunk shape to re-create with before growing to ``total`` along ``axis``, or None."""
        if self._settled:
            return None
        h = self._h
        chunks = h.chunks
        if not chunks or self.is_string or h.dtype.kind not in "biufc":
            self._settled = True
            return None
        row = h.dtype.itemsize * math.prod(c for i, c in enumerate(chunks) if i != axis)
        limit = max(1, STREAM_CHUNK_BYTES // row)
        current = chunks[axis]
        if current >= limit or total * row > 32 * STREAM_CHUNK_BYTES:
            # Big enough, or too big to copy cheaply: appends just extend it from now on.
            self._settled = True
            return None
        # Chunks of at most 1/16 of the data keep the unfilled end of the last chunk small.
        grown_len = min(limit, 1 << max(0, (total // 16).bit_length() - 1))
        if grown_len < 2 * current or total * row < _STREAM_MIN_BYTES:
            return None
        fid = h5i.get_file_id(h.id)
        if fid.get_intent() & h5f.ACC_SWMR_WRITE or h5o.get_info(h.id).rc != 1:
            # SWMR writers may not create datasets; other hard links would keep the old one.
            self._settled = True
            return None
        grown = list(chunks)
        grown[axis] = grown_len
        return tuple(grown)

    def _rechunked(self, chunks: tuple[int, ...]) -> DatasetNode:
        """Replace this dataset by a copy with ``chunks`` (same type, filters, attributes, link)."""
        h = self._h
        parent = h.parent
        name = h.name.rsplit("/", 1)[-1]
        dcpl = h.id.get_create_plist()
        dcpl.set_chunk(chunks)
        temp = f"{name}.rechunking"
        new = h5py.Dataset(h5d.create(parent.id, temp.encode(), h.id.get_type(), h.id.get_space(), dcpl=dcpl))
        if h.size:
            data = np.empty(h.shape, dtype=h.dtype)
            h.read_direct(data)
            new.write_direct(data)
        copy_attrs(self, DatasetNode(new))
        GroupNode(parent).unlink(name)
        parent.move(temp, name)
        # Flushing now frees the old copy (see _retire) while the stream is young, so the
        # appends that follow reuse its space: waiting for the next flush, often at close,
        # left appended files ~10% bigger than nixio's. Re-chunking happens a few times
        # per stream at most, so the flushes are few.
        _settle(new.id)
        return DatasetNode(new)

    def resize(self, shape: tuple[int, ...]) -> None:
        """Change the extent (the dataset must be chunked).

        A shrink is flushed at once: HDF5 frees the chunks it cuts off immediately (a held
        handle cannot keep them), and new raw data written into their space before the
        next flush would land in chunks the structure on disk still lists.
        """
        shrinks = any(new < old for new, old in zip(shape, self._h.shape, strict=False))
        self._h.resize(shape)
        if shrinks:
            _settle(self._h.id)

    @_guarded
    def stored_pieces(self) -> list[tuple[tuple[int, ...], int, int]]:
        """Where the elements lie in the file: ``(first index, file address, bytes)`` per piece.

        A chunked dataset has one piece per written chunk, contiguous storage one piece
        from index 0; elements never written, or kept inside the object header (compact
        layout), have none. Addresses are relative to the HDF5 base address.
        """
        dsid = self._h.id
        if self._h.chunks is None:
            offset = dsid.get_offset()
            if offset is None:
                return []
            return [((0,) * self._h.ndim, int(offset), int(dsid.get_storage_size()))]
        pieces: list[tuple[tuple[int, ...], int, int]] = []

        def collect(info: Any) -> None:
            pieces.append((tuple(info.chunk_offset), int(info.byte_offset), int(info.size)))

        dsid.chunk_iter(collect)
        return pieces

    def region_reader(self) -> Callable[[Sequence[int], Sequence[int]], np.ndarray[Any, Any]]:
        """A function ``read(start, stop)`` returning the box ``start:stop`` per axis.

        The reader keeps the dataset's id, type and file space, so each box costs one
        low-level hyperslab read: about a third of what h5py's slicing costs per box in a
        writable file. In a read-only file h5py keeps its compiled slice reader, which
        is cheaper still, so the boxes are plain slices there.
        """
        h = self._h
        dtype = h.dtype
        if h.ndim == 0 or dtype.kind not in "biufc":
            # Strings and compound rows need h5py's type conversion.
            return lambda first, end: self.read(tuple(slice(a, b) for a, b in zip(first, end, strict=True)))
        if h.file.mode == "r":
            return lambda first, end: h[tuple(map(slice, first, end))]
        dsid = h.id
        fspace = dsid.get_space()
        mtype = memory_type(dtype)
        spaces: dict[tuple[int, ...], Any] = {}

        def read(first: Sequence[int], end: Sequence[int]) -> np.ndarray[Any, Any]:
            count = tuple(b - a for a, b in zip(first, end, strict=True))
            buf = np.empty(count, dtype=dtype)
            if buf.size:
                mspace = spaces.get(count)
                if mspace is None:
                    mspace = spaces[count] = h5s.create_simple(count)
                fspace.select_hyperslab(tuple(first), count)
                dsid.read(mspace, fspace, buf, mtype)
            return buf

        return read


class GroupNode(_AttrMixin):
    """A stored group: attributes, ordered children and hard links."""

    __slots__ = ("_h", "_ro")

    def __getattr__(self, name: str) -> Any:
        return _wrong_kind(self, name, _DATASET_API, "group")

    def __init__(self, handle: h5py.Group, readonly: bool | None = None) -> None:
        self._h = handle
        self._ro = readonly

    def _readonly(self) -> bool:
        # h5py caches its fast slice reader only on datasets it knows to be read-only;
        # asking the file on every open would cost more than the open itself.
        if self._ro is None:
            self._ro = self._h.file.mode == "r"
        return self._ro

    def _open(self, name: str) -> Any:
        """Child ``name`` opened with one low-level call (KeyError if missing)."""
        oid = h5o.open(self._h.id, name.encode())
        if isinstance(oid, h5g.GroupID):
            return h5py.Group(oid)
        if isinstance(oid, h5d.DatasetID):
            return h5py.Dataset(oid, readonly=self._readonly())
        return self._h[name]

    # -- children -------------------------------------------------------------------
    def __contains__(self, name: str) -> bool:
        try:
            return bool(self._h.id.links.exists(name.encode()))
        except (KeyError, ValueError, RuntimeError):
            return False

    @_guarded
    def __len__(self) -> int:
        return int(self._h.id.get_num_objs())

    def _index_type(self) -> int:
        order = self._h.id.get_create_plist().get_link_creation_order()
        return h5.INDEX_CRT_ORDER if order & h5p.CRT_ORDER_INDEXED else h5.INDEX_NAME

    @_guarded
    def names(self) -> list[str]:
        """Child names in creation order (name order if the file has no order index)."""
        out: list[bytes] = []
        self._h.id.links.iterate(out.append, idx_type=self._index_type())
        return [n.decode("utf-8", errors="surrogateescape") for n in out]

    @_guarded
    def name_at(self, index: int) -> str:
        """Name of the child at creation-order position ``index`` (may be negative)."""
        n = len(self)
        if index < 0:
            index += n
        if not 0 <= index < n:
            raise IndexError(index)
        name, _next = self._h.id.links.iterate(lambda x: x, idx_type=self._index_type(), idx=index)
        return bytes(name).decode("utf-8", errors="surrogateescape")

    def kind(self, name: str) -> str | None:
        """``"group"``, ``"dataset"`` or None for a missing or dangling child."""
        try:
            kind = h5o.get_info(self._h.id, name.encode()).type
        except (KeyError, OSError, ValueError, RuntimeError):
            return None
        return _KINDS.get(kind)

    @_guarded
    def child(self, name: str) -> GroupNode | DatasetNode:
        """The group or dataset named ``name``; KeyError if missing or of another kind."""
        obj = self._open(name)
        if isinstance(obj, h5py.Dataset):
            return DatasetNode(_fresh(obj))
        if isinstance(obj, h5py.Group):
            return GroupNode(obj, self._ro)
        raise EntityNotFound(f"{_target(self, (name,))} is neither a group nor a dataset")

    @_guarded
    def group(self, name: str) -> GroupNode:
        """Child group ``name``; KeyError if missing or not a group."""
        obj = self._open(name)
        if not isinstance(obj, h5py.Group):
            raise EntityNotFound(f"{_path_of(self)}/{name} is not a group")
        return GroupNode(obj, self._ro)

    def get_group(self, name: str) -> GroupNode | None:
        """Child group ``name``, or None when there is no such group.

        A link of that name that leads nowhere raises :class:`CorruptFile`: a broken
        reference is damage, not absence.
        """
        obj = self._get(name)
        return GroupNode(obj, self._ro) if isinstance(obj, h5py.Group) else None

    def _get(self, name: str) -> Any:
        """Child ``name``, None when there is no such link, CorruptFile when the link is broken."""
        try:
            return self._open(name)
        except (KeyError, OSError, ValueError, RuntimeError) as exc:
            if name in self:
                raise CorruptFile(f"cannot follow the link {_target(self, (name,))}: {exc}") from exc
            return None

    @_guarded
    def dataset(self, name: str) -> DatasetNode:
        """Child dataset ``name``; KeyError if missing or not a dataset."""
        obj = self._open(name)
        if not isinstance(obj, h5py.Dataset):
            raise EntityNotFound(f"{_path_of(self)}/{name} is not a dataset")
        return _checked_dataset(self, name, obj)

    def get_dataset(self, name: str) -> DatasetNode | None:
        """Child dataset ``name``, or None when there is none (a broken link raises CorruptFile)."""
        obj = self._get(name)
        return _checked_dataset(self, name, obj) if isinstance(obj, h5py.Dataset) else None

    def create_group(self, name: str) -> GroupNode:
        """Create child group ``name`` with creation order tracked and indexed."""
        gid = h5py.h5g.create(self._h.id, name.encode(), gcpl=_gcpl())
        return GroupNode(h5py.Group(gid), self._ro)

    def require_group(self, name: str) -> GroupNode:
        """Child group ``name``, created if missing."""
        found = self.get_group(name)
        return found if found is not None else self.create_group(name)

    def create_dataset(
        self,
        name: str,
        shape: tuple[int, ...],
        dtype: Any,
        data: Any = None,
        chunks: bool | tuple[int, ...] | None = True,
        resizable: bool = True,
        compression: str | None = None,
    ) -> DatasetNode:
        """Create a dataset; resizable datasets get unlimited maxshape on every axis."""
        kwargs: dict[str, Any] = {}
        if resizable:
            kwargs["maxshape"] = (None,) * len(shape)
            kwargs["chunks"] = chunks if chunks is not None else True
        elif chunks not in (None, False, True):
            kwargs["chunks"] = chunks
        if compression:
            kwargs["compression"] = compression
            if compression == "gzip":
                kwargs["compression_opts"] = 6
            kwargs.setdefault("chunks", True)
        ds = self._h.create_dataset(name, shape=shape, dtype=dtype, data=data, **kwargs)
        return DatasetNode(ds)

    def link(self, target: GroupNode | DatasetNode, name: str) -> None:
        """Create (or replace) the hard link ``name`` to ``target``."""
        if name in self:
            self.unlink(name)
        self._h[name] = target._h

    def unlink(self, name: str) -> None:
        """Remove link ``name`` (the object lives on while other links point to it).

        An object that loses its last link here is freed only after the next flush.
        """
        held = _hard_target(self._h.id, name.encode())
        del self._h[name]
        if held is not None:
            _retire((held,))

    def rename(self, old: str, new: str) -> None:
        """Move child ``old`` to ``new`` within this group."""
        self._h.move(old, new)

    @_guarded
    def link_address(self, name: str) -> int | None:
        """Object address a hard link points to, without opening the object."""
        info = self._h.id.links.get_info(name.encode())
        if info.type != 0:  # not a hard link
            return None
        return int(info.u)

    def walk_groups(self, visit: Callable[[GroupNode], None]) -> None:
        """Call ``visit`` once for this group and every group reachable below it."""
        seen: set[int] = set()
        stack: list[h5py.Group] = [self._h]
        while stack:
            g = stack.pop()
            addr = int(h5o.get_info(g.id).addr)
            if addr in seen:
                continue
            seen.add(addr)
            visit(GroupNode(g))
            for child in g.values():
                if isinstance(child, h5py.Group):
                    stack.append(child)

    def iter_children(self) -> Iterator[tuple[str, GroupNode | DatasetNode]]:
        """Yield ``(name, node)`` for every child in creation order."""
        for n in self.names():
            kind = self.kind(n)
            if kind is not None:
                yield n, self.child(n)


# What only one node kind has (slots excluded: an unset slot must stay an AttributeError).
def _own_api(cls: type) -> frozenset[str]:
    return frozenset(n for n in vars(cls) if n[:2] != "__") - set(vars(_AttrMixin)) - set(getattr(cls, "__slots__", ()))


_GROUP_API = _own_api(GroupNode)
_DATASET_API = _own_api(DatasetNode)


# Changed metadata held in memory before a write starts with a checkpoint flush: bounds a
# writer's memory: HDF5 needs about 8 bytes of RAM per cached byte, and without a bound
# creating 10,000 arrays held ~400 MiB.
HOLD_LIMIT_BYTES = 2 * 1024 * 1024
# Size of a writer's metadata cache once trimmed (below HOLD_LIMIT_BYTES, or every
# checkpoint would flush).
CACHE_BYTES = 1024 * 1024
_TRIM_NAME = ".nixkit-cache-trim"


def _hold_metadata(f: h5py.File, hold: bool = True) -> None:
    """Keep changed HDF5 metadata in memory until the next flush (``hold=False``: undo).

    HDF5's metadata cache otherwise writes changed structure (B-tree nodes, link heaps,
    object headers) whenever it runs out of room, so a writer killed between two
    flushes can leave a mix of old and new structure that no longer reads. With
    evictions off, the structure on disk is always that of the last flush; the price
    is memory, which :meth:`FileHandle.checkpoint` and :meth:`FileHandle.flush` give back.
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


def _trim_metadata(f: h5py.File) -> None:
    """Drop clean cached metadata after a flush, so held memory does not grow forever.

    HDF5 evicts only when it inserts a new cache entry, so after turning evictions on a
    scratch group is created and removed; everything it evicts is clean (just flushed).
    """
    _hold_metadata(f, hold=False)
    try:
        gid = h5py.h5g.create(f.id, _TRIM_NAME.encode())
        gid.close()
        f.id.unlink(_TRIM_NAME.encode())
    finally:
        _hold_metadata(f, hold=True)


# Open handles, per file (by the name HDF5 opened it by), of objects whose last link nixkit removed
# since the last flush. HDF5 frees an unlinked object (its chunks, its header, a group's
# whole subtree) only when its last handle closes. Freed earlier, its space could take new
# raw data, which goes to disk at once, while the structure on disk (that of the last
# flush) still points there: a writer killed before the next flush would leave deleted or
# replaced objects reading garbage.
_retired: dict[Any, list[Any]] = {}
# More retired handles than this make the next checkpoint flush, so their number stays bounded.
RETIRE_LIMIT = 4096


def _hard_target(gid: Any, name: bytes) -> Any:
    """A new handle to the object hard link ``name`` of group ``gid`` leads to, or None."""
    try:
        if gid.links.get_info(name).type != h5py.h5l.TYPE_HARD:
            return None  # soft and external links own nothing
        return h5o.open(gid, name)
    except (KeyError, OSError, ValueError, RuntimeError):
        return None  # missing or dangling: nothing to keep


def _retire(handles: Iterator[Any] | Sequence[Any]) -> None:
    """Keep those of ``handles`` whose objects no link reaches any more open until the next flush."""
    for oid in handles:
        if h5o.get_info(oid).rc == 0:
            _retired.setdefault(h5f.get_name(oid), []).append(oid)


def _settle(oid: Any) -> None:
    """Flush the file of ``oid``, then free the objects unlinked before: the structure on
    disk no longer reaches them, so HDF5 may reuse their space."""
    h5f.flush(oid)
    for held in _retired.pop(h5f.get_name(oid), ()):
        if held.valid:
            held.close()


class FileHandle:
    """An open HDF5 file seen as a root :class:`GroupNode`."""

    __slots__ = ("_f", "_holding", "_key", "root")

    def __init__(self, path: str | Path, mode: str, swmr: bool = False) -> None:
        self._f = open_file(path, mode, swmr)
        # The key of this file's handles in _retired (a writer has its file to itself).
        self._key = h5f.get_name(self._f.id)
        self.root = GroupNode(self._f, mode == "r")
        self._holding = False
        if swmr and mode == "r":
            _swmr_readers[0] += 1
        elif mode != "r":
            _hold_metadata(self._f)
            self._holding = True

    def checkpoint(self) -> None:
        """Flush when the metadata held since the last flush exceeds ``HOLD_LIMIT_BYTES``
        or more than ``RETIRE_LIMIT`` unlinked objects wait for a flush.

        Called between writes, never inside one, so the flushed structure is consistent.
        """
        if self._holding and (
            self._f.id.get_mdc_size()[2] > HOLD_LIMIT_BYTES or len(_retired.get(self._key, ())) > RETIRE_LIMIT
        ):
            self.flush()

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
        return str(self._f.filename)

    @property
    def is_open(self) -> bool:
        """Whether the handle is still usable."""
        return bool(self._f.id.valid)

    @property
    def writable(self) -> bool:
        """Whether the file was opened with write intent."""
        return bool(self._f.mode == "r+")

    def flush(self) -> None:
        """Push HDF5's buffers to the operating system (and release held metadata)."""
        _settle(self._f.id)
        if self._holding and self._f.id.get_mdc_size()[2] > HOLD_LIMIT_BYTES:
            _trim_metadata(self._f)

    def close(self) -> None:
        """Close the file (idempotent)."""
        if self._f.id.valid:
            if self.writable:
                _settle(self._f.id)
            if self._f.id.get_intent() & h5py.h5f.ACC_SWMR_READ:
                _swmr_readers[0] -= 1
            self._f.close()


def unlink_all(scope: GroupNode, addresses: set[int]) -> int:
    """Remove every hard link below ``scope`` that points to one of ``addresses``.

    Each group is visited once (by object), and links are compared by the address
    stored in the link itself, so no target object is opened.

    Returns
    -------
    int
        The number of links removed.
    """
    hits: list[bytes] = []
    held: dict[int, Any] = {}
    root = scope._h.id

    # One C-level walk over every link below scope; a group reached by several paths is
    # walked once, and the link itself holds the address, so no object is opened.
    def check(name: bytes, info: Any) -> None:
        if info.type == h5py.h5l.TYPE_HARD and int(info.u) in addresses:
            hits.append(name)
            if int(info.u) not in held:
                held[int(info.u)] = _hard_target(root, name)

    root.links.visit(check, info=True)
    # Deepest first, so that a link inside a group that is itself unlinked is still reached.
    for name in sorted(hits, key=lambda n: -n.count(b"/")):
        if root.links.exists(name):
            root.unlink(name)
    # Objects that lost their last link are freed only after the next flush.
    _retire([oid for oid in held.values() if oid is not None])
    return len(hits)


# -- copying between groups and files ------------------------------------------------
Node = GroupNode | DatasetNode


def _wrap(obj: h5py.Group | h5py.Dataset) -> Node:
    return DatasetNode(obj) if isinstance(obj, h5py.Dataset) else GroupNode(obj)


def copy_attrs(source: Node, dest: Node) -> None:
    """Copy every attribute of ``source`` onto ``dest`` with its exact HDF5 type.

    String encodings (ASCII or UTF-8), integer widths and compound types survive, which
    ``attrs[key] = value`` would not guarantee.
    """
    src_id, dst_id = source._h.id, dest._h.id
    for key in source._h.attrs:
        bkey = key.encode()
        aid = h5py.h5a.open(src_id, bkey)
        buf = np.empty(aid.shape, dtype=aid.dtype)
        aid.read(buf)
        if h5py.h5a.exists(dst_id, bkey):
            h5py.h5a.delete(dst_id, bkey)
        h5py.h5a.create(dst_id, bkey, aid.get_type(), aid.get_space()).write(buf)


def bitfield_members(ds: DatasetNode) -> list[str]:
    """Members of the dataset's compound type stored as HDF5 bitfields (``[""]``: the type itself)."""
    tid = ds._h.id.get_type()
    if tid.get_class() == h5py.h5t.BITFIELD:
        return [""]
    if tid.get_class() != h5py.h5t.COMPOUND:
        return []
    return [
        tid.get_member_name(i).decode()
        for i in range(tid.get_nmembers())
        if tid.get_member_class(i) == h5py.h5t.BITFIELD
    ]


def count_objects(group: GroupNode) -> int:
    """Number of distinct groups and datasets reachable below ``group`` (itself included)."""
    count = [1]

    def visit(_name: bytes) -> None:
        count[0] += 1

    h5o.visit(group._h.id, visit)
    return count[0]


def copy_tree(
    source: Node,
    dest_parent: GroupNode,
    name: str,
    *,
    is_reference: Callable[[GroupNode, str, Node], bool] | None = None,
    external: Callable[[str, Node], Node | None] | None = None,
    convert_dataset: Callable[[DatasetNode, GroupNode, str], bool] | None = None,
    visit: Callable[[Node], None] | None = None,
) -> Node:
    """Copy ``source`` and everything below it to ``dest_parent/name`` (the files may differ).

    Groups are created anew with link creation order tracked and indexed, their links in
    the source's order; datasets are copied by HDF5 (chunks, filters and attributes kept).
    An object reached through several hard links is copied once and linked again, so the
    link topology inside the copy is that of the source.

    Parameters
    ----------
    source : GroupNode or DatasetNode
        The root of what is copied.
    dest_parent : GroupNode
        The group that receives the copy.
    name : str
        Name of the copy in ``dest_parent``.
    is_reference : callable, optional
        ``is_reference(group, link_name, target)`` tells links that merely refer to an object from
        links that own it. An object no owning link of the copied tree reaches is
        *external*: ``external(link_name, target)`` then returns the node to link instead
        (for example the original, when source and copy share a file), or None to copy it
        privately.
        Without ``is_reference`` every link owns its target.
    external : callable, optional
        See ``is_reference``.
    convert_dataset : callable, optional
        ``convert_dataset(dataset, dest_group, name)`` may create a replacement for a dataset
        and return True; on False the dataset is copied unchanged.
    visit : callable, optional
        Called with each new object once it is complete (for progress or post-processing).

    Returns
    -------
    GroupNode or DatasetNode
        The copy of ``source``.
    """
    copier = _TreeCopier(is_reference, external, convert_dataset, visit)
    copier.find_owned(source._h)
    return _wrap(copier.copy(source._h, dest_parent._h, name))


def copy_contents(
    source: GroupNode,
    dest: GroupNode,
    *,
    convert_dataset: Callable[[DatasetNode, GroupNode, str], bool] | None = None,
    visit: Callable[[Node], None] | None = None,
) -> None:
    """Copy the attributes and children of ``source`` into the existing group ``dest``.

    This is :func:`copy_tree` for a destination that already exists, such as the root
    group of a new file; every link owns its target.
    """
    copier = _TreeCopier(None, None, convert_dataset, visit)
    copier.memo[_addr(source._h)] = dest._h
    copy_attrs(source, dest)
    copier.copy_children(source._h, dest._h)


def _addr(obj: h5py.Group | h5py.Dataset) -> int:
    return int(h5o.get_info(obj.id).addr)


class _TreeCopier:
    """State of one :func:`copy_tree` call: source addresses already copied, owned objects."""

    def __init__(
        self,
        is_reference: Callable[[GroupNode, str, Node], bool] | None,
        external: Callable[[str, Node], Node | None] | None,
        convert_dataset: Callable[[DatasetNode, GroupNode, str], bool] | None,
        visit: Callable[[Node], None] | None,
    ) -> None:
        self.is_reference = is_reference
        self.external = external
        self.convert_dataset = convert_dataset
        self.visit = visit
        self.memo: dict[int, h5py.Group | h5py.Dataset] = {}
        self.owned: set[int] | None = None

    def find_owned(self, root: h5py.Group | h5py.Dataset) -> None:
        """Collect the objects reached from ``root`` through owning links only."""
        if self.is_reference is None:
            return
        owned = {_addr(root)}
        stack = [root]
        while stack:
            group = stack.pop()
            if not isinstance(group, h5py.Group):
                continue
            for key in GroupNode(group).names():
                target = group.get(key)
                if target is None or self.is_reference(GroupNode(group), key, _wrap(target)):
                    continue
                addr = _addr(target)
                if addr not in owned:
                    owned.add(addr)
                    stack.append(target)
        self.owned = owned

    def copy(
        self, src: h5py.Group | h5py.Dataset, dst_parent: h5py.Group, name: str
    ) -> h5py.Group | h5py.Dataset:
        bname = name.encode()
        if isinstance(src, h5py.Dataset):
            handled = self.convert_dataset is not None and self.convert_dataset(
                DatasetNode(src), GroupNode(dst_parent), name
            )
            if not handled:
                h5o.copy(src.id, b".", dst_parent.id, bname)
            new: h5py.Group | h5py.Dataset = dst_parent[name]
            self.memo[_addr(src)] = new
        else:
            new = h5py.Group(h5py.h5g.create(dst_parent.id, bname, gcpl=_gcpl()))
            self.memo[_addr(src)] = new
            copy_attrs(GroupNode(src), GroupNode(new))
            self.copy_children(src, new)
        if self.visit is not None:
            self.visit(_wrap(new))
        return new

    def copy_children(self, src: h5py.Group, dst: h5py.Group) -> None:
        for key in GroupNode(src).names():
            link = src.get(key, getlink=True)
            if isinstance(link, (h5py.SoftLink, h5py.ExternalLink)):
                dst[key] = link
                continue
            target = src.get(key)
            if target is None:
                continue
            addr = _addr(target)
            done = self.memo.get(addr)
            if done is not None:
                dst[key] = done
                continue
            if self._is_external(src, key, target, addr):
                replacement = self.external(key, _wrap(target)) if self.external is not None else None
                if replacement is not None:
                    dst[key] = replacement._h
                    continue
            self.copy(target, dst, key)

    def _is_external(self, group: h5py.Group, key: str, target: h5py.Group | h5py.Dataset, addr: int) -> bool:
        if self.owned is None or self.is_reference is None or addr in self.owned:
            return False
        return self.is_reference(GroupNode(group), key, _wrap(target))
