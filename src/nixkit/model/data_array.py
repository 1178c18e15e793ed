"""DataArray: an n-d array with unit, label, calibration and dimension descriptors.

A DataArray behaves like an h5py dataset: ``shape``, ``dtype`` and ``len`` read no data,
slicing reads only the slice, and ``np.asarray(da)`` reads straight into the result.
Reads apply the stored calibration (``polynom_coefficients`` around ``expansion_origin``);
writes store raw values.
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from nixkit.exceptions import CorruptFile, IncompatibleDimensions, InvalidAttrType, InvalidData
from nixkit.model.entity import Annotated, container_group, create_entity_group
from nixkit.model.enums import Compression, DataSliceMode, DataType
from nixkit.storage.dtypes import STR_DTYPE
from nixkit.util.units import sanitizer

if TYPE_CHECKING:
    from nixkit.model.block import Block
    from nixkit.model.data_view import DataView
    from nixkit.model.dimensions import (
        Dimension,
        DimensionContainer,
        RangeDimension,
        SampledDimension,
        SetDimension,
    )
    from nixkit.model.source import SourceLinks
    from nixkit.storage.dataset import DatasetNode

# Key of the token in File._read_cache that tells whether kept values are still valid.
_MEMO_TOKEN = "data_array.memo"

__all__ = ["DataArray", "DataSliceMode", "calibrate", "create_data_array", "storage_dtype"]


def storage_dtype(dtype: Any) -> np.dtype[Any]:
    """The HDF5-storable numpy dtype for a NIX or numpy type (strings become vlen UTF-8)."""
    if dtype in (DataType.String, str, np.str_, bytes, np.bytes_, object):
        return STR_DTYPE
    dt = np.dtype(dtype)
    if dt.kind in ("U", "S", "O"):
        return STR_DTYPE
    if dt.kind == "V" and dt.itemsize == 0:
        raise InvalidData("an Opaque array needs its item size: pass data, or a dtype such as np.dtype('V8')")
    return dt


def _as_array(data: Any) -> np.ndarray[Any, Any]:
    if isinstance(data, DataArray):
        return np.asarray(data)
    arr = np.asarray(data)
    if arr.ndim == 0:
        arr = arr.reshape(1)
    return arr


def _fit(data: np.ndarray[Any, Any], dtype: np.dtype[Any]) -> np.ndarray[Any, Any]:
    """Convert ``data`` to ``dtype``, refusing conversions that would change values."""
    if dtype == STR_DTYPE:
        if data.dtype.kind in ("U", "S", "O"):
            return data.astype(object)
        raise InvalidData(f"cannot store {data.dtype} data in a string array")
    if data.dtype == dtype:
        return data
    if data.dtype.kind in ("U", "S", "O") and dtype.kind not in ("U", "S", "O"):
        raise InvalidData(f"cannot store text data in a {dtype} array")
    with np.errstate(all="ignore"):
        converted = data.astype(dtype)
        if data.dtype.kind in "biuf" and dtype.kind in "biuf" and data.size:
            back = converted.astype(data.dtype)
            same = (back == data) | (np.isnan(data) if data.dtype.kind == "f" else False)
            if not np.all(same):
                raise InvalidData(
                    f"data of type {data.dtype} does not fit into {dtype} without changing values "
                    f"(e.g. out of range or fractional); pass dtype={data.dtype} or convert it first"
                )
    return converted


def calibrate(raw: Any, coeffs: np.ndarray[Any, Any] | None, origin: float) -> Any:
    """Apply a stored calibration: ``polyval(raw - origin, coeffs)`` (raw data when there is none)."""
    if coeffs is None and not origin:
        return raw
    values = np.asarray(raw, dtype=np.float64) - origin
    if coeffs is not None:
        values = np.polynomial.polynomial.polyval(values, coeffs)
    return values


def create_data_array(
    block: Block,
    name: str,
    array_type: str,
    dtype: Any,
    shape: Any,
    data: Any,
    compression: Compression,
    label: str | None,
    unit: str | None,
) -> DataArray:
    """Create a DataArray in ``block``; see :meth:`Block.create_data_array`."""
    if data is None and shape is None:
        raise ValueError("create_data_array needs data or a shape")
    arr = None
    if data is not None:
        arr = _as_array(data)
        if shape is not None and tuple(np.atleast_1d(shape)) != arr.shape:
            wanted = tuple(int(s) for s in np.atleast_1d(shape))
            raise ValueError(f"shape {wanted} does not match the shape {arr.shape} of the data")
        target = storage_dtype(dtype if dtype is not None else arr.dtype)
        arr = _fit(arr, target)
        shape = arr.shape
    else:
        shape = tuple(int(s) for s in np.atleast_1d(shape))
        target = storage_dtype(dtype if dtype is not None else np.float64)
    if label is not None and not isinstance(label, str):
        raise InvalidAttrType(str, label)
    if unit is not None and not isinstance(unit, str):
        raise InvalidAttrType(str, unit)
    # HDF5 may still refuse the data (e.g. mixed objects): then the half-made entity goes again.
    with container_group(block._file, block._node, "data_arrays", name) as parent:
        node = create_entity_group(block._file, parent, name, array_type, "data_array")
        gzip = "gzip" if compression == Compression.DeflateNormal else None
        node.create_dataset("data", tuple(shape), target, data=arr, compression=gzip)
        if unit:
            node.set_attr("unit", sanitizer(unit))
        if label:
            node.set_attr("label", label)
    return DataArray(block._file, node, block)


class DataArray(Annotated):
    """An n-d array of one data type, with metadata on how to read it."""

    # -- storage --------------------------------------------------------------------
    # The data node and the calibration are kept on the handle while the file's read
    # cache lives: every write through any handle empties it (File._check_writable), so
    # a kept value is never stale. Writes through this handle keep its own data node.
    def _token(self) -> object:
        cache = self._file._read_cache
        token = cache.get(_MEMO_TOKEN)
        if token is None:
            token = cache[_MEMO_TOKEN] = object()
        return token

    def _memo(self, key: str) -> Any:
        memo = self.__dict__.get(key)
        if memo is not None and memo[0] is self._file._read_cache.get(_MEMO_TOKEN):
            return memo[1]
        return None

    @property
    def _data(self) -> DatasetNode:
        ds = self._memo("_data_memo")
        if ds is not None:
            return ds.follow()
        ds = self._node.dataset("data")
        self._data_memo = (self._token(), ds)
        return ds

    def _writable_data(self, action: str) -> DatasetNode:
        """Check that the file takes writes; return the data node, kept across the check."""
        ds = self._memo("_data_memo")
        self._writable(action)
        if ds is None:
            ds = self._node.dataset("data")
        self._data_memo = (self._token(), ds)
        return ds

    @property
    def block(self) -> Block:
        """The block this array belongs to."""
        return self._parent

    # -- array protocol ---------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        """Extent of the data (no data is read)."""
        return self._data.shape

    @property
    def data_extent(self) -> tuple[int, ...]:
        """Extent of the data; setting it resizes the stored array."""
        return self._data.shape

    @data_extent.setter
    def data_extent(self, extent: Sequence[int]) -> None:
        self._writable("resize")
        extent = tuple(int(e) for e in extent)
        if len(extent) != len(self.shape):
            raise IncompatibleDimensions(f"new extent {extent} has a different rank than {self.shape}")
        self._data.resize(extent)

    @property
    def ndim(self) -> int:
        """Number of axes."""
        return len(self.shape)

    @property
    def size(self) -> int:
        """Number of elements."""
        return int(np.prod(self.shape))

    @property
    def dtype(self) -> np.dtype[Any]:
        """Stored element type (``object`` for strings)."""
        return self._data.dtype

    @property
    def data_type(self) -> Any:
        """The NIX data type: a numpy type, or ``DataType.String`` for text."""
        ds = self._data
        return DataType.String if ds.is_string else ds.dtype.type

    def __len__(self) -> int:
        shape = self.shape
        if not shape:
            raise TypeError("len() of a 0-d DataArray")
        return shape[0]

    def len(self) -> int:
        """Length of the first axis (nixio's spelling of ``len(da)``)."""
        return len(self)

    def __iter__(self) -> Iterator[Any]:
        for i in range(len(self)):
            yield self[i]

    def _calibration(self) -> tuple[np.ndarray[Any, Any] | None, float]:
        kept = self._memo("_calibration_memo")
        if kept is not None:
            return kept
        found = self._read_calibration()
        self._calibration_memo = (self._token(), found)
        return found

    def _read_calibration(self) -> tuple[np.ndarray[Any, Any] | None, float]:
        node = self._node
        if self._data.dtype.kind not in "biuf":
            # A polynomial means nothing for text or opaque data: such data reads raw.
            return None, 0.0
        coeffs = None
        origin = node.get_attr("expansion_origin")
        try:
            if "polynom_coefficients" in node:
                values = node.dataset("polynom_coefficients").read()
                if len(values):
                    coeffs = np.asarray(values, dtype=np.float64)
            return coeffs, float(origin) if origin else 0.0
        except (TypeError, ValueError) as exc:
            raise CorruptFile(f"the calibration of {node.path} is not numeric: {exc}") from exc

    def _calibrate(self, raw: Any) -> Any:
        coeffs, origin = self._calibration()
        return calibrate(raw, coeffs, origin)

    def __getitem__(self, index: Any) -> Any:
        return self._calibrate(self._data.read(index))

    def __setitem__(self, index: Any, value: Any) -> None:
        ds = self._writable_data("write data")
        if value is None:
            value = np.nan
        ds.write(index, value)

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray[Any, Any]:
        ds = self._data
        coeffs, origin = self._calibration()
        if coeffs is None and not origin and not ds.is_string:
            out = np.empty(ds.shape, dtype=ds.dtype)
            if out.size:
                ds.read_direct(out)
        else:
            out = np.asarray(self._calibrate(ds.read(())))
        if dtype is not None and out.dtype != np.dtype(dtype):
            out = out.astype(dtype)
        return out

    def read_direct(self, data: np.ndarray[Any, Any]) -> None:
        """Read the whole array into ``data`` (calibration is applied)."""
        coeffs, origin = self._calibration()
        if coeffs is None and not origin and data.dtype == self.dtype and data.flags.c_contiguous:
            self._data.read_direct(data)
        else:
            data[...] = self[()]

    def write_direct(self, data: Any) -> None:
        """Write ``data`` over the whole array (shapes must broadcast)."""
        ds = self._writable_data("write data")
        arr = np.ascontiguousarray(data)
        if arr.shape == ds.shape and arr.dtype == ds.dtype:
            ds.write_direct(arr)
        else:
            ds.write((), arr)

    def append(self, data: Any, axis: int = 0) -> None:
        """Append ``data`` along ``axis``; all other axes must match."""
        ds = self._writable_data("append data")
        arr = _as_array(data)
        shape = ds.shape
        if arr.ndim != len(shape):
            raise IncompatibleDimensions(
                f"data with {arr.ndim} axes cannot be appended to {self!r} with {len(shape)} axes"
            )
        if not -len(shape) <= axis < len(shape):
            raise IndexError(f"axis {axis} does not exist in a {len(shape)}-d array")
        axis %= len(shape)
        if any(a != b for i, (a, b) in enumerate(zip(arr.shape, shape, strict=True)) if i != axis):
            raise IncompatibleDimensions(f"shape {arr.shape} does not fit {shape} on the axes other than {axis}")
        arr = _fit(arr, ds.dtype if not ds.is_string else STR_DTYPE)
        self._data_memo = (self._token(), ds.append(arr, axis, shape))

    @property
    def data(self) -> DataArray:
        """Deprecated: the DataArray itself behaves like its data."""
        warnings.warn("DataArray.data is deprecated; use the DataArray directly", DeprecationWarning, stacklevel=2)
        return self

    # -- descriptive attributes -------------------------------------------------------
    @property
    def unit(self) -> str | None:
        """Unit of the values."""
        return self._node.get_attr("unit")

    @unit.setter
    def unit(self, value: str | None) -> None:
        if value is not None and not isinstance(value, str):
            raise InvalidAttrType(str, value)
        self._set_optional_str("unit", sanitizer(value) or None if value is not None else None)

    @property
    def label(self) -> str | None:
        """What the values are (e.g. ``"voltage"``)."""
        return self._node.get_attr("label")

    @label.setter
    def label(self, value: str | None) -> None:
        self._set_optional_str("label", value)

    @property
    def expansion_origin(self) -> float | None:
        """Origin subtracted from raw values before the polynomial is applied."""
        return self._node.get_attr("expansion_origin")

    @expansion_origin.setter
    def expansion_origin(self, value: float | None) -> None:
        self._writable("set expansion_origin")
        if value is None:
            self._node.del_attr("expansion_origin")
        elif not isinstance(value, numbers.Number) or isinstance(value, bool):
            raise InvalidAttrType(float, value)
        else:
            self._node.set_attr("expansion_origin", value)
        self._touch()

    @property
    def polynom_coefficients(self) -> tuple[float, ...]:
        """Calibration polynomial, lowest power first (``()``: none)."""
        if "polynom_coefficients" not in self._node:
            return ()
        return tuple(float(c) for c in self._node.dataset("polynom_coefficients").read())

    @polynom_coefficients.setter
    def polynom_coefficients(self, coeffs: Sequence[float] | None) -> None:
        values = None
        if coeffs is not None and len(coeffs):
            try:
                values = np.asarray(coeffs, dtype=np.float64).reshape(-1)
            except (TypeError, ValueError) as exc:
                raise InvalidAttrType("a sequence of numbers", coeffs) from exc
        self._writable("set polynom_coefficients")
        node = self._node
        if "polynom_coefficients" in node:
            node.unlink("polynom_coefficients")
        if values is not None:
            node.create_dataset("polynom_coefficients", values.shape, np.float64, data=values)
        self._touch()

    # -- dimensions -----------------------------------------------------------------------
    @property
    def dimensions(self) -> DimensionContainer:
        """The dimension descriptors, one per axis."""
        from nixkit.model.dimensions import DimensionContainer

        return DimensionContainer(self)

    def iter_dimensions(self) -> Iterator[tuple[int, Dimension]]:
        """Yield ``(1-based index, dimension)`` pairs."""
        yield from enumerate(self.dimensions, start=1)

    def append_sampled_dimension(
        self,
        sampling_interval: float,
        label: str | None = None,
        unit: str | None = None,
        offset: float | None = None,
    ) -> SampledDimension:
        """Describe the next axis as regularly sampled."""
        from nixkit.model.dimensions import create_sampled_dimension

        self._writable("append a dimension")
        dim = create_sampled_dimension(self, sampling_interval, label, unit, offset)
        self._touch()
        return dim

    def append_range_dimension(
        self, ticks: Sequence[float] | None = None, label: str | None = None, unit: str | None = None
    ) -> RangeDimension:
        """Describe the next axis by ascending ticks (irregular sampling)."""
        from nixkit.model.dimensions import create_range_dimension

        self._writable("append a dimension")
        dim = create_range_dimension(self, ticks, label, unit)
        self._touch()
        return dim

    def append_set_dimension(self, labels: Sequence[str] | None = None) -> SetDimension:
        """Describe the next axis as a set of categories (optionally labelled)."""
        from nixkit.model.dimensions import create_set_dimension

        self._writable("append a dimension")
        dim = create_set_dimension(self, labels)
        self._touch()
        return dim

    def append_range_dimension_using_self(self, index: Sequence[int] | None = None) -> RangeDimension:
        """Add a range dimension whose ticks are this array's own values.

        ``index`` selects the vector of values: one ``-1`` marks the axis that supplies
        the ticks (default: the first axis, ``[-1, 0, ...]``).
        """
        from nixkit.model.dimensions import create_range_dimension

        self._writable("append a dimension")
        if index is None:
            index = [-1] + [0] * (len(self.shape) - 1)
        dim = create_range_dimension(self, None, None, None, link_self=True)
        try:
            dim.link_data_array(self, index)
        except Exception:
            self.dimensions._remove_last()
            raise
        return dim

    def delete_dimensions(self) -> bool:
        """Remove all dimension descriptors."""
        self._writable("delete dimensions")
        self.dimensions._remove_all()
        return True

    # -- references -----------------------------------------------------------------------
    @property
    def sources(self) -> SourceLinks:
        """Sources this data came from."""
        from nixkit.model.source import source_links

        return source_links(self)

    def get_slice(
        self,
        positions: Sequence[float],
        extents: Sequence[float] | None = None,
        mode: DataSliceMode = DataSliceMode.Index,
    ) -> DataView:
        """A view of a region, given by indices or by positions in dimension units."""
        from nixkit.model.tagging import data_array_slice

        return data_array_slice(self, positions, extents, mode)

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Draw the array with axes labelled from its dimensions; returns the matplotlib Axes.

        See :func:`nixkit.plot.plot_data_array` for the layouts and keyword arguments.
        """
        from nixkit.plot import plot_data_array

        return plot_data_array(self, ax=ax, **kwargs)
