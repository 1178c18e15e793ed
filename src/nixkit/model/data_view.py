"""DataView: a lazy rectangular window onto the data of a DataArray or DataFrame.

Tags, multi-tags, features and ``DataArray.get_slice`` hand out views. A view reads
nothing until it is indexed or converted with ``np.asarray``, and then reads only the
selected part. Indices are relative to the view, as for a numpy slice of an array.

A view that selects no sample (a point position between two samples, a window outside
the ticks of a range dimension, a negative extent) is *invalid*: ``valid`` is False,
``shape`` and ``data_extent`` are None, ``len()`` is 0, ``debug_message`` says why, and
reading or writing it raises :class:`~nixkit.exceptions.InvalidSlice`. (nixio returns
an empty array on reading; an exception that says why is easier to act on.)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from nixkit.exceptions import InvalidSlice, OutOfBounds
from nixkit.model.data_array import calibrate

__all__ = ["DataView"]


class DataView:
    """A window ``slices`` onto ``source`` (a DataArray or DataFrame).

    Parameters
    ----------
    source : DataArray or DataFrame
        The data the view looks at; available as :attr:`array`.
    slices : tuple of slice or None
        One ``start:stop`` slice per axis of the source, or None for an invalid view.
    message : str
        Why the view is invalid (ignored for valid views).
    calibration : tuple or None
        ``(coefficients, origin)`` of the source if already known, to save reading them.
    checked : bool
        The caller guarantees that ``slices`` fit the source (saves reading its shape).
    reader : callable or None
        Returns a region reader of the source's dataset (saves opening it).
    """

    __slots__ = ("_cal", "_ds", "_message", "_reader", "_slices", "array")

    def __init__(
        self,
        source: Any,
        slices: tuple[slice, ...] | None,
        message: str = "",
        calibration: Any = None,
        checked: bool = False,
        reader: Any = None,
    ) -> None:
        self.array = source
        self._cal = calibration
        self._ds: Any = None
        self._reader = reader
        if slices is not None and not checked:
            shape = source.shape
            if len(slices) != len(shape):
                message = f"IncompatibleDimensions error! {len(slices)} slices given for data with {len(shape)} axes"
                slices = None
            elif any(s.start < 0 or s.stop < s.start or s.stop > n for s, n in zip(slices, shape, strict=True)):
                message = f"OutOfBounds error! The slices {slices} do not fit into the data extent {shape}"
                slices = None
        self._slices = slices
        self._message = "" if slices is not None else (message or "InvalidSlice error! The view selects nothing")

    # -- description ---------------------------------------------------------------------
    @property
    def valid(self) -> bool:
        """Whether the view selects data."""
        return self._slices is not None

    @property
    def debug_message(self) -> str:
        """Why the view is invalid (``""`` for a valid view)."""
        return self._message

    @property
    def slices(self) -> tuple[slice, ...] | None:
        """The window in indices of the source, or None when invalid."""
        return self._slices

    @property
    def data_extent(self) -> tuple[int, ...] | None:
        """Extent of the window, or None when invalid."""
        if self._slices is None:
            return None
        return tuple(s.stop - s.start for s in self._slices)

    @property
    def shape(self) -> tuple[int, ...] | None:
        """Extent of the window, or None when invalid."""
        return self.data_extent

    @property
    def ndim(self) -> int:
        """Number of axes (that of the source)."""
        return len(self.array.shape)

    @property
    def size(self) -> int:
        """Number of selected elements (0 when invalid)."""
        extent = self.data_extent
        return 0 if extent is None else int(np.prod(extent))

    @property
    def dtype(self) -> np.dtype[Any]:
        """Element type of what reading returns (float64 for calibrated arrays)."""
        coeffs, origin = self._calibration()
        if coeffs is not None or origin:
            return np.dtype(np.float64)
        return self._node().dtype

    @property
    def data_type(self) -> Any:
        """The NIX data type of the source."""
        return self.array.data_type

    def __len__(self) -> int:
        extent = self.data_extent
        return 0 if extent is None else extent[0]

    def __iter__(self) -> Iterator[Any]:
        for i in range(len(self)):
            yield self[i]

    def __repr__(self) -> str:
        if self._slices is None:
            return f"DataView of {self.array!r}: invalid ({self._message})"
        return f"DataView of {self.array!r}: shape {self.shape}"

    # -- reading and writing -------------------------------------------------------------
    def _node(self) -> Any:
        if self._ds is None:
            self._ds = self.array._node.dataset("data")
        return self._ds

    def _calibration(self) -> tuple[Any, float]:
        if self._cal is None:
            reader = getattr(self.array, "_calibration", None)
            self._cal = reader() if reader is not None else (None, 0.0)
        return self._cal

    def _require_valid(self, action: str) -> tuple[slice, ...]:
        if self._slices is None:
            raise InvalidSlice(f"cannot {action} an invalid DataView: {self._message}")
        return self._slices

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray[Any, Any]:
        slices = self._require_valid("read")
        read = self._reader() if self._reader is not None else self._node().region_reader()
        coeffs, origin = self._calibration()
        raw = read([s.start for s in slices], [s.stop for s in slices])
        out = np.asarray(calibrate(raw, coeffs, origin))
        if dtype is not None and out.dtype != np.dtype(dtype):
            out = out.astype(dtype)
        return out

    def __getitem__(self, index: Any) -> Any:
        slices = self._require_valid("read")
        if index is Ellipsis or (type(index) is tuple and not index) or (type(index) is slice and index == _ALL):
            return self.__array__()
        source_index, flips, reorder = _translate(index, slices)
        if source_index == slices and not flips and reorder is None:
            return self.__array__()
        node = self._node()
        coeffs, origin = self._calibration()
        values = np.asarray(calibrate(node.read(source_index), coeffs, origin))
        if flips:
            values = values[tuple(slice(None, None, -1) if ax in flips else slice(None) for ax in range(values.ndim))]
        if reorder is not None:
            ax, inverse = reorder
            values = np.take(values, inverse, axis=ax)
        return values[()] if values.ndim == 0 else values

    def __setitem__(self, index: Any, value: Any) -> None:
        slices = self._require_valid("write")
        self.array._writable("write data through a DataView")
        source_index, flips, reorder = _translate(index, slices)
        if flips or reorder is not None:
            raise ValueError("writing through a DataView needs increasing indices (positive steps, sorted arrays)")
        if value is None:
            value = np.nan
        self._node().write(source_index, value)

    def read_direct(self, data: np.ndarray[Any, Any]) -> None:
        """Read the whole view into ``data`` (calibration applied)."""
        data[...] = self.__array__()


_ALL = slice(None)


def _expand(index: Any, ndim: int) -> tuple[Any, ...]:
    items = index if isinstance(index, tuple) else (index,)
    n_ellipsis = sum(1 for it in items if it is Ellipsis)
    if n_ellipsis > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    if n_ellipsis:
        at = next(i for i, it in enumerate(items) if it is Ellipsis)
        fill = ndim - (len(items) - 1)
        items = items[:at] + (slice(None),) * fill + items[at + 1 :]
    if len(items) > ndim:
        raise IndexError(f"too many indices: {len(items)} for a view with {ndim} axes")
    return items + (slice(None),) * (ndim - len(items))


def _translate(index: Any, slices: tuple[slice, ...]) -> tuple[tuple[Any, ...], set[int], Any]:
    """Map a view index to a source index.

    Returns the source index (h5py rules: ints, increasing slices, one sorted array),
    the output axes to reverse (negative steps), and an optional ``(axis, inverse)`` that
    restores the order and repeats of an unsorted integer array.
    """
    items = _expand(index, len(slices))
    out: list[Any] = []
    flips: set[int] = set()
    reorder = None
    arrays = 0
    out_axis = 0
    for item, window in zip(items, slices, strict=True):
        length = window.stop - window.start
        if isinstance(item, (int, np.integer)) and not isinstance(item, (bool, np.bool_)):
            i = int(item)
            if not -length <= i < length:
                raise OutOfBounds(f"index {i} is outside the view's axis of length {length}")
            out.append(window.start + (i % length))
            continue
        if isinstance(item, slice):
            start, stop, step = item.indices(length)
            picked = range(start, stop, step)
            if not len(picked):
                out.append(slice(window.start, window.start))
            elif step > 0:
                out.append(slice(window.start + picked[0], window.start + picked[-1] + 1, step if step > 1 else None))
            else:
                out.append(slice(window.start + picked[-1], window.start + picked[0] + 1, -step if step < -1 else None))
                flips.add(out_axis)
            out_axis += 1
            continue
        arr = np.asarray(item)
        if arr.dtype == bool:
            if arr.shape != (length,):
                raise IndexError(f"boolean index of shape {arr.shape} does not match the view's axis ({length})")
            arr = np.flatnonzero(arr)
        if arr.ndim != 1 or arr.dtype.kind not in "iu":
            raise TypeError(f"views are indexed by ints, slices, '...' or 1-D int/bool arrays, not {item!r}")
        arrays += 1
        if arrays > 1:
            raise TypeError("only one array index per read is supported")
        if len(arr) and (arr.min() < -length or arr.max() >= length):
            raise OutOfBounds(f"array index outside the view's axis of length {length}")
        wrapped = arr % length if length else arr
        unique, inverse = np.unique(wrapped, return_inverse=True)
        out.append((unique + window.start).tolist())
        if len(unique) != len(wrapped) or np.any(np.diff(wrapped) < 0):
            reorder = (out_axis, inverse)
        out_axis += 1
    return tuple(out), flips, reorder
