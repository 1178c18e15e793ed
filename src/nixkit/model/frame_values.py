"""Values of DataFrame tables: column types, checked conversion of rows, row selections.

These functions hold no file state. They turn what users pass (row tuples, structured
arrays, columns) into arrays of the packed compound type stored on disk, refusing any
value that would change on the way, and turn row indices into HDF5 selections.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from nixkit.exceptions import DuplicateColumnName, InvalidAttrType, InvalidData, OutOfBounds
from nixkit.storage.dtypes import STR_DTYPE, is_string_dtype

__all__ = [
    "Array",
    "chunk_shape",
    "column_dtype",
    "column_values",
    "decoded",
    "fit_column",
    "infer_type",
    "packed_dtype",
    "row_numbers",
    "row_selection",
    "spec_dtype",
    "to_table",
]

# Chunks of about this many bytes keep row appends cheap without bloating small tables.
_CHUNK_BYTES = 16 * 1024

Array = np.ndarray[Any, Any]


# -- column types ----------------------------------------------------------------------
def column_dtype(spec: Any, name: str) -> np.dtype[Any]:
    """The storable dtype for a column type given as a Python type, numpy type or dtype."""
    if isinstance(spec, type) and issubclass(spec, (str, bytes, np.str_, np.bytes_)):
        return STR_DTYPE
    if spec is object or spec is np.object_:
        return STR_DTYPE
    try:
        dt = np.dtype(spec)
    except TypeError as exc:
        raise TypeError(f"column {name!r}: {spec!r} is not a data type") from exc
    if dt.kind in ("U", "S", "O"):
        return STR_DTYPE
    if dt.kind not in "biuf" or dt.names is not None or dt.shape:
        raise TypeError(f"column {name!r}: type {dt} cannot be stored; use bool, an int or float type, or str")
    return dt


def infer_type(value: Any, name: str) -> Any:
    """The column type of a sample value (Python ints widen to int64, floats to float64)."""
    if isinstance(value, np.generic):
        return value.dtype
    if isinstance(value, bool):
        return np.bool_
    if isinstance(value, int):
        return np.int64
    if isinstance(value, float):
        return np.float64
    if isinstance(value, (str, bytes)):
        return str
    raise InvalidData(f"cannot infer the type of column {name!r} from {value!r}; give the column types explicitly")


def packed_dtype(columns: Sequence[tuple[str, Any]]) -> np.dtype[Any]:
    """A compound dtype without padding, members in column order (the NIX layout)."""
    names = [n for n, _ in columns]
    for n in names:
        if not isinstance(n, str):
            raise InvalidAttrType(str, n)
        if not n:
            raise ValueError("column names must not be empty")
    seen: set[str] = set()
    for n in names:
        if n in seen:
            raise DuplicateColumnName(f"Duplicate column names are not allowed: {n!r} appears twice")
        seen.add(n)
    if not names:
        raise ValueError("a data frame needs at least one column")
    return np.dtype([(n, column_dtype(t, n)) for n, t in columns])


def _first_row(data: Any) -> Any:
    if data is None or len(data) == 0:
        return None
    return data[0]


def spec_dtype(col_dict: Any, col_names: Any, col_dtypes: Any, data: Any) -> np.dtype[Any]:
    """Resolve the column spec: col_dict, then names+types, then names+first row, then records."""
    if col_dict is not None:
        if isinstance(col_dict, Mapping):
            return packed_dtype(list(col_dict.items()))
        pairs = [tuple(p) for p in col_dict]
        if any(len(p) != 2 for p in pairs):
            raise ValueError("col_dict must map column names to types (or be a list of (name, type) pairs)")
        return packed_dtype(pairs)
    if col_names is not None:
        if isinstance(col_names, str):
            raise TypeError("col_names must be a sequence of names, not one string")
        names = [str(n) for n in col_names]
        if col_dtypes is not None:
            types = list(col_dtypes)
            if len(types) != len(names):
                raise ValueError(f"{len(names)} column names but {len(types)} column types")
        else:
            first = _first_row(data)
            if first is None:
                raise ValueError("The data type of each column has to be specified: give col_dtypes or data")
            values = _row_tuple(first) if _is_row(first) else (first,)
            if len(values) != len(names):
                raise InvalidData(f"{len(names)} column names but the first row has {len(values)} values")
            types = [infer_type(v, n) for v, n in zip(values, names, strict=True)]
        return packed_dtype(list(zip(names, types, strict=True)))
    record: np.dtype[Any] | None = None
    if isinstance(data, np.ndarray) and data.dtype.names is not None:
        record = data.dtype
    elif isinstance(_first_row(data), np.void) and _first_row(data).dtype.names is not None:
        record = _first_row(data).dtype
    if record is None:
        raise ValueError(
            "No information about column names is provided! Give col_dict, col_names, or structured records"
        )
    assert record.names is not None
    return packed_dtype([(n, record.fields[n][0]) for n in record.names])  # type: ignore[index]


# -- converting values -----------------------------------------------------------------
def _is_row(value: Any) -> bool:
    return isinstance(value, (tuple, list, np.void)) or (isinstance(value, np.ndarray) and value.ndim == 1)


def _row_tuple(row: Any) -> tuple[Any, ...]:
    if isinstance(row, np.ndarray):
        return tuple(row.tolist())
    return tuple(row)


def _as_rows(data: Any, ncols: int) -> list[tuple[Any, ...]]:
    """Rows as tuples; a flat sequence of values is one row (or, with one column, one value per row)."""
    if isinstance(data, np.void):
        return [_row_tuple(data)]
    if isinstance(data, (str, bytes)) or not isinstance(data, Iterable):
        raise InvalidData(f"rows must be given as a sequence of row tuples, not {data!r}")
    items = list(data)
    if items and not any(_is_row(x) for x in items):
        if ncols == 1:
            return [(v,) for v in items]
        items = [tuple(items)]
    if all(type(row) is tuple and len(row) == ncols for row in items):
        return items
    rows = []
    for i, row in enumerate(items):
        if not _is_row(row):
            raise InvalidData(f"row {i} is {row!r}; give every row as a tuple of {ncols} values")
        values = _row_tuple(row)
        if len(values) != ncols:
            raise InvalidData(f"row {i} has {len(values)} values but the data frame has {ncols} columns")
        rows.append(values)
    return rows


def _text_column(values: Sequence[Any], name: str) -> Array:
    if isinstance(values, np.ndarray) and values.dtype.kind == "U":
        return values.astype(object)
    out = np.empty(len(values), dtype=object)
    if all(type(v) is str for v in values):
        out[:] = list(values)
        return out
    for i, v in enumerate(values):
        if isinstance(v, bytes):
            try:
                v = v.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise InvalidData(f"column {name!r}, row {i}: {v!r} is not UTF-8 text") from exc
        elif not isinstance(v, str):
            raise InvalidData(f"column {name!r} holds text, but row {i} is {v!r}")
        out[i] = str(v)
    return out


def fit_column(values: Any, dtype: np.dtype[Any], name: str) -> Array:
    """Convert one column's values to ``dtype``, refusing values that would change.

    Integer and bool columns take only values they hold exactly; float columns accept
    rounding but not overflow to infinity. ``None`` in a float column means NaN.
    """
    if is_string_dtype(dtype):
        return _text_column(values, name)
    if isinstance(values, np.ndarray) and values.dtype.kind in "biuf":
        arr = values
    else:
        items = list(values)
        try:
            arr = np.asarray(items)
        except (TypeError, ValueError) as exc:
            raise InvalidData(f"column {name!r}: the values are not {dtype} scalars ({exc})") from exc
        if arr.dtype.kind in ("U", "S", "O"):
            for i, v in enumerate(items):
                if isinstance(v, (str, bytes)):
                    raise InvalidData(f"column {name!r} holds {dtype} numbers, but row {i} is the text {v!r}")
            if dtype.kind == "f":
                arr = np.asarray([np.nan if v is None else v for v in items])
        elif arr.dtype.kind == "f" and dtype.kind in "iu":
            # Mixed signed/unsigned 64-bit ints promote to float and lose digits: compare exactly.
            arr = np.asarray(items, dtype=object)
    if arr.ndim != 1 or arr.dtype.kind not in "biufO":
        raise InvalidData(f"column {name!r} holds {dtype} numbers; got values of type {arr.dtype}")
    try:
        with np.errstate(all="ignore"):
            converted = arr.astype(dtype)
    except (TypeError, ValueError, OverflowError) as exc:
        raise InvalidData(f"column {name!r}: the values do not fit {dtype} ({exc})") from exc
    if arr.size:
        _check_lossless(arr, converted, dtype, name)
    return converted


def _check_lossless(arr: Array, converted: Array, dtype: np.dtype[Any], name: str) -> None:
    with np.errstate(all="ignore"):
        if dtype.kind == "f":
            source = arr if arr.dtype.kind in "biuf" else arr.astype(np.float64)
            bad = np.isfinite(source) & ~np.isfinite(converted)
        else:
            bad = np.asarray(converted.astype(arr.dtype) != arr, dtype=bool)
    if np.any(bad):
        i = int(np.flatnonzero(bad)[0])
        raise InvalidData(
            f"column {name!r} holds {dtype} values; {arr[i]!r} in row {i} does not fit without changing "
            "(out of range or fractional)"
        )


def to_table(data: Any, dtype: np.dtype[Any]) -> Array:
    """``data`` (rows or a structured array) as a checked array of the packed ``dtype``."""
    names = dtype.names
    assert names is not None
    columns: Sequence[Any]
    if isinstance(data, np.ndarray) and data.dtype.names is not None:
        records = data.reshape(1) if data.ndim == 0 else data
        if records.ndim != 1:
            raise InvalidData(f"structured data must be 1-D (one record per row), not {records.ndim}-D")
        if len(records.dtype.names or ()) != len(names):
            raise InvalidData(
                f"the records have {len(records.dtype.names or ())} fields but the data frame has {len(names)} columns"
            )
        columns = [records[f] for f in records.dtype.names or ()]
        n = len(records)
    else:
        rows = _as_rows(data, len(names))
        n = len(rows)
        columns = list(zip(*rows, strict=True)) if rows else [() for _ in names]
    out = np.empty(n, dtype=dtype)
    for name, values in zip(names, columns, strict=True):
        out[name] = fit_column(values, dtype.fields[name][0], name)  # type: ignore[index]
    return out


def chunk_shape(dtype: np.dtype[Any]) -> tuple[int]:
    """Rows per chunk for a table of ``dtype``: about 16 KiB, between 64 and 8192 rows."""
    return (int(min(8192, max(64, _CHUNK_BYTES // max(dtype.itemsize, 1)))),)


# -- reading ---------------------------------------------------------------------------
def _text(values: Array) -> Array:
    items = values.ravel().tolist()
    try:
        flat = [v.decode("utf-8", "replace") for v in items]
    except AttributeError:  # some are str already
        flat = [v.decode("utf-8", "replace") if isinstance(v, bytes) else v for v in items]
    out = np.empty(len(flat), dtype=object)
    out[:] = flat
    return out.reshape(values.shape)


def decoded(raw: Array) -> Array:
    """``raw`` with every text member turned from bytes into ``str``."""
    if raw.dtype.names is None:
        return _text(raw) if raw.dtype.kind in ("O", "S") else raw
    fields = raw.dtype.fields
    assert fields is not None
    text = [n for n in raw.dtype.names if fields[n][0].kind in ("O", "S")]
    if not text:
        return raw
    out = raw
    if any(fields[n][0].kind == "S" for n in text):
        out = np.empty(raw.shape, dtype=[(n, STR_DTYPE if n in text else fields[n][0]) for n in raw.dtype.names])
        for n in raw.dtype.names:
            if n not in text:
                out[n] = raw[n]
    for n in text:
        out[n] = _text(raw[n])
    return out


def row_numbers(index: Any, n: int) -> Array:
    """Row numbers (int64, negatives resolved) for an int, slice, list of ints or bool mask."""
    if isinstance(index, slice):
        return np.arange(n, dtype=np.int64)[index]
    if isinstance(index, (bool, np.bool_)):
        raise TypeError("select rows by int, slice or a list of ints, not a bool")
    idx = np.asarray(index)
    if idx.dtype == np.bool_:
        if idx.shape != (n,):
            raise IndexError(f"a boolean row mask needs {n} entries, not {idx.shape}")
        return np.flatnonzero(idx).astype(np.int64)
    if idx.size == 0:
        return np.empty(0, dtype=np.int64)
    if idx.dtype.kind not in "iu" or idx.ndim > 1:
        raise TypeError(f"select rows by int, slice or a list of ints, not {index!r}")
    idx = np.atleast_1d(idx).astype(np.int64)
    outside = (idx < -n) | (idx >= n)
    if np.any(outside):
        raise OutOfBounds(f"row {int(idx[outside][0])} does not exist; the data frame has {n} rows")
    return np.where(idx < 0, idx + n, idx)


def row_selection(index: Any, n: int) -> tuple[Any, Any]:
    """An HDF5 row selection for ``index`` and how to pick the result from what it reads."""
    if isinstance(index, slice):
        rng = range(*index.indices(n))
        if not rng:
            return slice(0, 0), None
        if rng.step > 0:
            return slice(rng.start, rng[-1] + 1, rng.step), None
        return slice(rng[-1], rng[0] + 1, -rng.step), slice(None, None, -1)
    scalar = isinstance(index, (int, np.integer))
    idx = row_numbers(index, n)
    if scalar:
        return slice(int(idx[0]), int(idx[0]) + 1), 0
    if idx.size == 0:
        return slice(0, 0), None
    uniq, inverse = np.unique(idx, return_inverse=True)
    lo, hi = int(uniq[0]), int(uniq[-1]) + 1
    if hi - lo <= 4 * len(uniq):
        # Dense picks: one contiguous read is cheaper than an HDF5 point selection.
        return slice(lo, hi), idx - lo
    increasing = len(uniq) == len(idx) and bool(np.all(np.diff(idx) > 0))
    return uniq.tolist(), None if increasing else inverse


def column_values(column: Any) -> Sequence[Any] | Array:
    """The values of one column as a 1-D array or a list (text alone is refused)."""
    if isinstance(column, (str, bytes)) or not isinstance(column, Iterable):
        raise TypeError(f"a column must be a sequence of values, not {column!r}")
    if isinstance(column, np.ndarray):
        if column.ndim != 1:
            raise InvalidData(f"a column must be 1-D, not {column.ndim}-D")
        return column
    return list(column)
