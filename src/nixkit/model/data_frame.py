"""DataFrame: a table of rows with named, typed columns, optional units and definitions.

On disk a DataFrame is a group holding one 1-D dataset ``data`` of a packed compound
type: one member per column (numbers, the HDF5 bool enum, or variable-length UTF-8
text). Units sit in the group's ``units`` attribute as nixio writes them; files of the
C++ library keep them on the dataset instead, and both are read.

Every input is converted and checked against the column types before anything is
written, so a failed call leaves the file as it was. Text cells come back as ``str``.
"""

from __future__ import annotations

import csv
import importlib
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from nixkit.exceptions import (
    ColumnNotFound,
    CorruptFile,
    DuplicateColumnName,
    DuplicateName,
    IncompatibleDimensions,
    InvalidAttrType,
    OutOfBounds,
)
from nixkit.model.entity import Annotated, check_name, check_type, container_group, create_entity_group
from nixkit.model.enums import Compression
from nixkit.model.frame_values import (
    Array,
    chunk_shape,
    column_values,
    decoded,
    fit_column,
    infer_type,
    packed_dtype,
    row_numbers,
    row_selection,
    spec_dtype,
    to_table,
)
from nixkit.storage.errors import check_text
from nixkit.util.units import sanitizer

if TYPE_CHECKING:
    from nixkit.model.block import Block
    from nixkit.storage.dataset import DatasetNode

__all__ = ["DataFrame", "create_data_frame"]

# Rows read per HDF5 call when iterating over a table.
_ITER_ROWS = 4096


class DataFrame(Annotated):
    """A table: rows of values in named, typed columns, each with an optional unit.

    Rows are read as numpy records (``df[0]``), several rows as structured arrays
    (``df[2:5]``, ``df[[0, 3]]``) and a column as a 1-D array (``df["name"]``).
    """

    # -- storage ------------------------------------------------------------------------
    @property
    def _data(self) -> DatasetNode:
        return self._node.dataset("data")

    @property
    def block(self) -> Block:
        """The block this data frame belongs to."""
        return self._parent

    # -- shape and columns ----------------------------------------------------------------
    @property
    def column_names(self) -> tuple[str, ...]:
        """The names of the columns, in order."""
        return tuple(self._data.dtype.names or ())

    @property
    def dtype(self) -> tuple[np.dtype[Any], ...]:
        """The type of each column (``object`` for text)."""
        dt = self._data.dtype
        fields: Mapping[str, Any] = dt.fields or {}
        return tuple(fields[n][0] for n in dt.names or ())

    @property
    def data_type(self) -> np.dtype[Any]:
        """The compound type of one row."""
        return self._data.dtype

    @property
    def columns(self) -> list[tuple[str, np.dtype[Any], str | None]]:
        """``(name, dtype, unit)`` of every column."""
        units = self.units
        unit_list = [None] * len(self.column_names) if units is None else units.tolist()
        return list(zip(self.column_names, self.dtype, unit_list, strict=False))

    @property
    def shape(self) -> tuple[int]:
        """``(number of rows,)``."""
        return (self._data.shape[0],)

    @property
    def df_shape(self) -> tuple[int, int]:
        """``(number of rows, number of columns)``."""
        return self._data.shape[0], len(self.column_names)

    @property
    def size(self) -> int:
        """Number of rows."""
        return int(self._data.shape[0])

    def __len__(self) -> int:
        return int(self._data.shape[0])

    def len(self) -> int:
        """Number of rows (as ``len(df)``)."""
        return len(self)

    def row_count(self) -> int:
        """Number of rows."""
        return len(self)

    def _column_name(self, column: int | str) -> str:
        names = self.column_names
        if isinstance(column, str):
            if column not in names:
                raise ColumnNotFound(f"{self!r} has no column {column!r}; its columns are {names}")
            return column
        if isinstance(column, (int, np.integer)) and not isinstance(column, bool):
            if not -len(names) <= column < len(names):
                raise OutOfBounds(f"column {column} does not exist; {self!r} has {len(names)} columns")
            return names[int(column)]
        raise TypeError(f"select a column by name or index, not {column!r}")

    def _columns(self, index: Any, name: Any) -> list[str]:
        if name is not None:
            chosen = [name] if isinstance(name, str) else list(name)
        elif index is not None:
            chosen = [index] if isinstance(index, (int, np.integer)) else list(index)
        else:
            raise ValueError("Either index or name must not be None")
        names = [self._column_name(c) for c in chosen]
        if len(set(names)) != len(names):
            raise DuplicateColumnName(f"a column is requested twice in {names}")
        return names

    # -- units and definitions ----------------------------------------------------------------
    def _per_column(self, key: str) -> Array | None:
        value = self._node.get_attr(key)
        if value is None and key == "units":
            # The C++ library keeps the units on the dataset.
            value = self._data.get_attr(key)
        if value is None:
            return None
        if not isinstance(value, (str, list, tuple, np.ndarray)):
            raise CorruptFile(f"the {key} attribute of {self._node.path} holds {value!r}, not one text per column")
        values = _fitted_strings(value, len(self.column_names))
        out = np.empty(len(values), dtype=object)
        out[:] = [v or None for v in values]
        return out

    def _set_per_column(self, key: str, values: Sequence[str | None] | None, clean: bool) -> None:
        if values is None:
            self._writable(f"remove {key}")
            self._node.del_attr(key)
            self._data.del_attr(key)
            self._touch()
            return
        if isinstance(values, str) or not isinstance(values, Iterable):
            raise TypeError(f"{key} must be a list with one entry per column, not {values!r}")
        items = list(values)
        ncols = len(self.column_names)
        if len(items) != ncols:
            raise IncompatibleDimensions(f"{len(items)} {key} given for {ncols} columns")
        stored = []
        for v in items:
            if v is not None and not isinstance(v, str):
                raise InvalidAttrType(str, v)
            if v is None:
                stored.append("")
            else:
                stored.append((sanitizer(v) or "") if clean else v)
        self._writable(f"set {key}")
        self._node.set_attr(key, stored)
        data = self._data
        if data.has_attr(key):
            data.set_attr(key, stored)
        self._touch()

    @property
    def units(self) -> Array | None:
        """One unit per column (None for none), or None when no units are set.

        Set it to a list with one entry per column (None or ``""`` for no unit), or
        to None to remove all units. Units are cleaned (``µV`` becomes ``uV``).
        """
        return self._per_column("units")

    @units.setter
    def units(self, units: Sequence[str | None] | None) -> None:
        self._set_per_column("units", units, clean=True)

    @property
    def column_definitions(self) -> Array | None:
        """One free-text definition per column (None for none), or None when unset.

        This is a nixkit extension, stored as the group attribute ``definitions``
        (nixio ignores it). Set a list with one entry per column, or None to remove.
        """
        return self._per_column("definitions")

    @column_definitions.setter
    def column_definitions(self, definitions: Sequence[str | None] | None) -> None:
        self._set_per_column("definitions", definitions, clean=False)

    # -- reading ------------------------------------------------------------------------
    def _read(self, rows: Any, names: Sequence[str] | None = None) -> Any:
        sel, pick = row_selection(rows, len(self))
        raw = self._data.read(sel if names is None else (sel, *names))
        out = decoded(np.asarray(raw))
        return out if pick is None else out[pick]

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, tuple) and len(index) == 1:
            index = index[0]
        if isinstance(index, str):
            return self.read_columns(name=index)
        if isinstance(index, (list, tuple)) and index and all(isinstance(i, str) for i in index):
            return self.read_columns(name=list(index))
        return self._read(index)

    def __iter__(self) -> Iterator[np.void]:
        n = len(self)
        for start in range(0, n, _ITER_ROWS):
            yield from self._read(slice(start, min(n, start + _ITER_ROWS)))

    def read_rows(self, index: Any) -> Any:
        """Row ``index`` as a record, or several rows (slice, list of ints) as a structured array."""
        return self[index]

    def read_columns(self, index: Any = None, name: Any = None, slc: Any = None, group_by_cols: bool = False) -> Any:
        """Read whole columns, or the rows ``slc`` of them.

        Parameters
        ----------
        index : int or list of int, optional
            Column positions (used when ``name`` is not given).
        name : str or list of str, optional
            Column names.
        slc : int, slice or list of int, optional
            The rows to read (default: all).
        group_by_cols : bool
            For several columns: return a 2-D array with one row per column instead of
            a structured array.

        Returns
        -------
        numpy.ndarray
            One column: a 1-D array. Several: a structured array (or 2-D, see above).
        """
        names = self._columns(index, name)
        data = self._read(slice(None) if slc is None else slc, names)
        if len(names) == 1 or not group_by_cols:
            return data
        return np.array([data[n].tolist() for n in names])

    def _cell(self, position: Any, col_name: Any, row_idx: Any) -> tuple[int, str]:
        if position is not None:
            if isinstance(position, str) or len(position) != 2:
                raise ValueError(f"position must be (row, column), not {position!r}")
            row, column = position
        elif col_name is None or row_idx is None:
            raise ValueError("give position=(row, column), or col_name and row_idx")
        else:
            row, column = row_idx, col_name
            if not isinstance(row, (int, np.integer)):
                if len(row) != 1:
                    raise ValueError(f"row_idx must be one row, not {row_idx!r}")
                row = row[0]
        if not isinstance(row, (int, np.integer)) or isinstance(row, bool):
            raise TypeError(f"the row of a cell must be an int, not {row!r}")
        return int(row_numbers(row, len(self))[0]), self._column_name(column)

    def read_cell(self, position: Any = None, col_name: str | None = None, row_idx: Any = None) -> Any:
        """One value: at ``position=(row, column)`` or at ``col_name`` and ``row_idx``.

        ``column`` may be an index or a name; ``row_idx`` an int or a one-element list.
        """
        row, name = self._cell(position, col_name, row_idx)
        return self._read(row, [name])

    def to_structured(self) -> Array:
        """The whole table as a structured numpy array (text columns hold ``str``)."""
        return self._read(slice(None))

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> Array:
        out = self.to_structured()
        return out if dtype is None else out.astype(dtype)

    def to_pandas(self) -> Any:
        """The table as a ``pandas.DataFrame``; units, if set, go to its ``attrs["units"]``."""
        try:
            pd = importlib.import_module("pandas")
        except ImportError as exc:
            raise ImportError("DataFrame.to_pandas needs pandas; install it with: pip install pandas") from exc
        table = self.to_structured()
        names = self.column_names
        frame = pd.DataFrame({n: table[n] for n in names}, columns=list(names))
        units = self.units
        if units is not None:
            frame.attrs["units"] = dict(zip(names, units.tolist(), strict=False))
        return frame

    # -- writing ------------------------------------------------------------------------
    def _fit(self, data: Any) -> Array:
        return to_table(data, self._data.dtype)

    def write_rows(self, rows: Any, index: Any) -> None:
        """Overwrite the rows at ``index`` (ints or a list of ints) with ``rows``.

        One row may be given without nesting when it replaces a single row.
        """
        self._writable("write rows")
        numbers = row_numbers(index, len(self))
        table = self._fit(rows)
        if len(table) != len(numbers):
            raise IncompatibleDimensions(
                f"Number of rows ({len(table)}) does not match length of indexes ({len(numbers)})"
            )
        if not len(numbers):
            return
        order = np.argsort(numbers, kind="stable")
        numbers, table = numbers[order], table[order]
        # For repeated rows the last one given wins, as with sequential writes.
        keep = np.append(numbers[1:] != numbers[:-1], True)
        numbers, table = numbers[keep], table[keep]
        data = self._data
        if int(numbers[-1]) - int(numbers[0]) + 1 == len(numbers):
            data.write(slice(int(numbers[0]), int(numbers[-1]) + 1), table)
        else:
            data.write(numbers.tolist(), table)

    def __setitem__(self, index: Any, value: Any) -> None:
        if isinstance(index, str):
            self.write_column(value, name=index)
        elif isinstance(index, (int, np.integer)):
            self.write_rows([value], [index])
        else:
            self.write_rows(value, index)

    def write_column(self, column: Any, index: int | None = None, name: str | None = None) -> None:
        """Overwrite a whole column, chosen by ``name`` or by ``index`` (0 included)."""
        self._writable("write a column")
        if name is None and index is None:
            raise ValueError("Either index or name must not be None")
        target = self._column_name(name if name is not None else index)  # type: ignore[arg-type]
        values = column_values(column)
        n = len(self)
        if len(values) != n:
            raise IncompatibleDimensions(f"the column has {len(values)} values but the data frame has {n} rows")
        data = self._data
        fitted = fit_column(values, data.dtype.fields[target][0], target)
        if n:
            data.write_field(target, fitted)

    def write_cell(self, cell: Any, position: Any = None, col_name: str | None = None, row_idx: Any = None) -> None:
        """Overwrite one value; the cell is chosen as in :meth:`read_cell`."""
        self._writable("write a cell")
        row, name = self._cell(position, col_name, row_idx)
        data = self._data
        data.write_field(name, fit_column([cell], data.dtype.fields[name][0], name), row)

    def append_rows(self, data: Any) -> None:
        """Append rows (row tuples or a structured array) at the end of the table."""
        self._writable("append rows")
        table = self._fit(data)
        if not len(table):
            return
        for name in table.dtype.names or ():
            if table.dtype.fields[name][0].kind == "O":  # text: refused before the table grows
                check_text(table[name], f"column {name!r} of {self!r}")
        n = len(self)
        self._resize(n + len(table)).write(slice(n, n + len(table)), table)

    def append(self, data: Any, axis: int = 0) -> None:
        """Append rows, as :meth:`append_rows` (a table grows along axis 0 only)."""
        if axis != 0:
            raise IncompatibleDimensions(f"a data frame grows along axis 0 only, not axis {axis}")
        self.append_rows(data)

    def write_direct(self, data: Any) -> None:
        """Overwrite the whole table with ``data`` (rows or records, one per existing row)."""
        self._writable("write data")
        table = self._fit(data)
        if len(table) != len(self):
            raise IncompatibleDimensions(f"{len(table)} rows given for a data frame of {len(self)} rows")
        if len(table):
            self._data.write((), table)

    def read_direct(self, data: Array) -> None:
        """Read the whole table into the structured array ``data``."""
        data[...] = self.to_structured()

    @property
    def data_extent(self) -> tuple[int]:
        """``(number of rows,)``; setting it drops rows at the end or adds empty ones."""
        return self.shape

    @data_extent.setter
    def data_extent(self, extent: Sequence[int]) -> None:
        self._writable("resize")
        size = tuple(int(e) for e in extent)
        if len(size) != 1 or size[0] < 0:
            raise IncompatibleDimensions(f"the extent of a data frame is (rows,), not {tuple(extent)}")
        self._resize(size[0])

    def _resize(self, rows: int) -> DatasetNode:
        ds = self._data
        if ds.maxshape[0] is not None:
            # nixio's append_column leaves a fixed-size dataset behind: rebuild it resizable.
            self._replace_data(ds.read(())[:rows])
            ds = self._data
        ds.resize((rows,))
        return ds

    def append_column(self, column: Any, name: str, datatype: Any = None) -> None:
        """Add a column at the right; the table stays chunked and appendable.

        Parameters
        ----------
        column : array-like
            One value per row.
        name : str
            Name of the new column.
        datatype : type, optional
            Column type; by default taken from the array's dtype or the first value.
        """
        self._writable("append a column")
        names = self.column_names
        if not isinstance(name, str):
            raise InvalidAttrType(str, name)
        if name in names:
            raise DuplicateColumnName(f"{self!r} already has a column named {name!r}")
        values = column_values(column)
        n = len(self)
        if len(values) != n:
            raise IncompatibleDimensions(f"the column has {len(values)} values but the data frame has {n} rows")
        if datatype is None:
            if isinstance(column, np.ndarray) and column.dtype.kind != "O":
                datatype = column.dtype
            elif len(values):
                datatype = infer_type(values[0], name)
            else:
                raise ValueError(f"give the datatype of column {name!r}: it has no values to infer it from")
        old = self._data
        fields: Mapping[str, Any] = old.dtype.fields or {}
        dtype = packed_dtype([(c, fields[c][0]) for c in names] + [(name, datatype)])
        fitted = fit_column(values, dtype.fields[name][0], name)  # type: ignore[index]
        raw = old.read(())
        table = np.empty(n, dtype=dtype)
        for c in names:
            table[c] = raw[c]
        table[name] = fitted
        self._replace_data(table)
        node = self._node
        for key in ("units", "definitions"):
            value = node.get_attr(key)
            if value is not None:
                node.set_attr(key, [*_fitted_strings(value, len(names)), ""])

    def _replace_data(self, table: Array) -> None:
        """Store ``table`` as a new chunked, resizable ``data`` dataset in place of the old one.

        The new dataset is complete before the old one is unlinked, and it keeps the old
        compression and attributes (C++ files keep their units there).
        """
        old = self._data
        old_ncols = len(old.dtype.names or ())
        added = len(table.dtype.names or ()) - old_ncols
        node = self._node
        tmp = "data.rebuild"
        if tmp in node:
            node.unlink(tmp)
        n = len(table)
        new = node.create_dataset(
            tmp,
            (n,),
            table.dtype,
            data=table if n else None,
            chunks=chunk_shape(table.dtype),
            compression=old.compression,
        )
        for key in old.attr_names():
            value = old.get_attr(key)
            new.set_attr(key, _fitted_strings(value, old_ncols) + [""] * added if key == "units" else value)
        node.unlink("data")
        node.rename(tmp, "data")

    # -- output ---------------------------------------------------------------------------
    def print_table(self, row_sl: Any = None, col_sl: Any = None) -> None:
        """Print the table (or the rows ``row_sl`` and columns ``col_sl`` of it)."""
        all_names = self.column_names
        rows = row_numbers(slice(None) if row_sl is None else row_sl, len(self))
        cols = np.arange(len(all_names))[slice(None) if col_sl is None else col_sl]
        names = [all_names[int(i)] for i in np.atleast_1d(cols)]
        data = self._read(rows, names) if len(rows) else []
        form = "{:^10}" * (len(names) + 1)
        print(form.format("column:", *names))
        units = self.units
        if units is not None:
            print(form.format(" unit:", *(units[all_names.index(c)] or "" for c in names)))
        for number, record in zip(rows.tolist(), data, strict=True):
            cells = [record] if len(names) == 1 else list(record)
            print(form.format(f"  [{number}]:", *(str(v) for v in cells)))

    def write_to_csv(self, filename: str | os.PathLike[str], mode: str = "w") -> None:
        """Write the table as CSV, with the column names as the header row."""
        table = self.to_structured()
        with open(filename, mode, newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(self.column_names)
            writer.writerows(tuple(record) for record in table)


def _fitted_strings(stored: Any, ncols: int) -> list[str]:
    """A stored per-column string attribute with one entry per column.

    nixio's ``append_column`` does not extend ``units``, so files it wrote may hold
    fewer entries than columns; the missing ones mean "none".
    """
    values = [stored] if isinstance(stored, str) else [str(v) for v in stored]
    return values + [""] * (ncols - len(values))


def create_data_frame(
    block: Block,
    name: str,
    type_: str,
    col_dict: Any,
    col_names: Any,
    col_dtypes: Any,
    data: Any,
    compression: Compression,
) -> DataFrame:
    """Create a DataFrame in ``block``; see :meth:`Block.create_data_frame`.

    The columns come from ``col_dict`` (name to type), else ``col_names`` with
    ``col_dtypes`` (or with the types of the first row of ``data``), else from the
    fields of structured records in ``data``. Everything is checked before the file
    is touched. The table is gzip-compressed only for ``Compression.DeflateNormal``.
    """
    check_name(name)
    check_type(type_)
    existing = block._node.get_group("data_frames")
    if existing is not None and name in existing:
        raise DuplicateName("create_data_frame", name)
    dtype = spec_dtype(col_dict, col_names, col_dtypes, data)
    table = to_table(data, dtype) if data is not None else np.empty(0, dtype=dtype)
    with container_group(block._file, block._node, "data_frames", name) as parent:
        node = create_entity_group(block._file, parent, name, type_, "data_frame")
        gzip = "gzip" if compression == Compression.DeflateNormal else None
        node.create_dataset(
            "data", table.shape, dtype, data=table if len(table) else None, chunks=chunk_shape(dtype), compression=gzip
        )
    return DataFrame(block._file, node, block)
