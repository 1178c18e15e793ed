"""Attributes: fast scalar reads and writes, exact copies, and the node base class that holds them."""

from __future__ import annotations

from typing import Any

import numpy as np
from h5py import h5a, h5o, h5s, h5t

from nixkit.exceptions.exceptions import CorruptFile
from nixkit.storage.dtypes import ASCII_DTYPE, STR_DTYPE, decode
from nixkit.storage.errors import attr_path, checked_attr, guarded, path_of, storable

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


class AttrMixin:
    """Attribute access shared by group and dataset nodes."""

    __slots__ = ()
    _h: Any

    @guarded
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
        return checked_attr(self, key, value)

    @guarded
    def has_attr(self, key: str) -> bool:
        """Whether attribute ``key`` exists."""
        return bool(h5a.exists(self._h.id, key.encode()))

    @guarded
    def attr_names(self) -> list[str]:
        """Names of all attributes."""
        return list(self._h.attrs)

    @storable(attr_path)
    def set_attr(self, key: str, value: Any, ascii_str: bool = False) -> None:
        """Write attribute ``key``; strings become variable-length UTF-8 (or ASCII).

        Text without a form in that encoding raises :class:`InvalidData` and leaves the
        attribute as it was.
        """
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
        old = None
        if h5a.exists(oid, name):
            old = h5a.open(oid, name)
            if old.get_type().equal(tid) and old.get_space().get_simple_extent_type() == h5s.SCALAR:
                # Same type and shape: overwrite in place (timestamps are rewritten often).
                old.write(data)  # a failed conversion writes nothing
                return
        if kind is str:
            # Fails here, before the old attribute is dropped or an empty new one is made.
            value.encode("ascii" if ascii_str else "utf-8")
        if old is not None:
            h5a.delete(oid, name)
        h5a.create(oid, name, tid, _SCALAR_SPACE).write(data)

    def _set_attr_general(self, key: str, value: Any, ascii_str: bool) -> None:
        attrs = self._h.attrs
        # h5py drops the old attribute before it converts the new value: text is checked first.
        if isinstance(value, str):
            value.encode("ascii" if ascii_str else "utf-8")
            attrs.create(key, value, dtype=ASCII_DTYPE if ascii_str else STR_DTYPE)
        elif isinstance(value, (list, tuple)) and value and all(isinstance(v, str) for v in value):
            for text in value:
                text.encode()
            attrs.create(key, np.array(value, dtype=object), dtype=STR_DTYPE)
        else:
            attrs[key] = value

    def del_attr(self, key: str) -> None:
        """Delete attribute ``key`` if present."""
        if key in self._h.attrs:
            del self._h.attrs[key]

    @property
    @guarded
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
        return isinstance(other, AttrMixin) and self._h.id == other._h.id


def wrong_kind(node: Any, name: str, api: frozenset[str], kind: str) -> Any:
    """Raise for ``name`` missing on a ``kind`` node: CorruptFile if ``api`` (the other kind's) has it."""
    # Reached only when normal lookup failed: the model asked a node of the other kind.
    if name in api:
        other = "group" if kind == "dataset" else "dataset"
        raise CorruptFile(f"{path_of(node)} is a {kind} where the NIX layout has a {other}")
    raise AttributeError(f"{type(node).__name__!r} object has no attribute {name!r}")


def own_api(cls: type) -> frozenset[str]:
    """What only node class ``cls`` has: names it defines beyond :class:`AttrMixin`.

    Dunders and slots are left out: an unset slot must stay an AttributeError.
    """
    return frozenset(n for n in vars(cls) if n[:2] != "__") - set(vars(AttrMixin)) - set(getattr(cls, "__slots__", ()))


def copy_attrs(source: AttrMixin, dest: AttrMixin) -> None:
    """Copy every attribute of ``source`` onto ``dest`` with its exact HDF5 type.

    String encodings (ASCII or UTF-8), integer widths and compound types survive, which
    ``attrs[key] = value`` would not guarantee.
    """
    src_id, dst_id = source._h.id, dest._h.id
    for key in source._h.attrs:
        bkey = key.encode()
        aid = h5a.open(src_id, bkey)
        buf = np.empty(aid.shape, dtype=aid.dtype)
        aid.read(buf)
        if h5a.exists(dst_id, bkey):
            h5a.delete(dst_id, bkey)
        h5a.create(dst_id, bkey, aid.get_type(), aid.get_space()).write(buf)
