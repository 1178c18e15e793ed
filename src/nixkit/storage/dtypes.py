"""Element types: the HDF5 string types NIX stores, cached memory types, string decoding."""

from __future__ import annotations

from typing import Any

import h5py
import numpy as np
from h5py import h5t

STR_DTYPE = h5py.string_dtype("utf-8")
ASCII_DTYPE = h5py.string_dtype("ascii")

_MEMORY_TYPES: dict[np.dtype[Any], Any] = {}


def memory_type(dtype: np.dtype[Any]) -> Any:
    """The HDF5 type of numpy ``dtype``, made once: low-level reads and writes given it
    skip h5py's conversion on every call (a third of the cost of a small read)."""
    found = _MEMORY_TYPES.get(dtype)
    if found is None:
        found = _MEMORY_TYPES[dtype] = h5t.py_create(dtype)
    return found


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
