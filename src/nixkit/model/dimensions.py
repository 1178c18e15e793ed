"""Dimension descriptors: how each axis of a DataArray maps to positions.

A SampledDimension has a fixed step, a RangeDimension has explicit ascending ticks
(stored, or taken from a DataArray or DataFrame column through a DimensionLink), and a
SetDimension has categories. Dimensions are stored as groups named ``"1"``, ``"2"``, ...
inside the array's ``dimensions`` group.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from nixkit.exceptions import (
    BrokenLink,
    IncompatibleDimensions,
    InvalidAttrType,
    InvalidData,
    InvalidEntity,
    OutOfBounds,
)
from nixkit.model.entity import container_group, write_header
from nixkit.model.enums import DimensionType, IndexMode, SliceMode
from nixkit.storage.dtypes import STR_DTYPE
from nixkit.storage.errors import check_text
from nixkit.util.units import sanitizer

if TYPE_CHECKING:
    from nixkit.model.data_array import DataArray
    from nixkit.model.data_frame import DataFrame
    from nixkit.storage.group import GroupNode

__all__ = [
    "Dimension",
    "DimensionContainer",
    "DimensionLink",
    "DimensionType",
    "IndexMode",
    "RangeDimension",
    "SampledDimension",
    "SetDimension",
    "SliceMode",
]


def _check_str(value: object) -> None:
    if value is not None and not isinstance(value, str):
        raise InvalidAttrType(str, value)


class Dimension:
    """Common part of all dimension descriptors (they have no id or name)."""

    dimension_type: DimensionType

    def __init__(self, data_array: DataArray, node: GroupNode, index: int) -> None:
        self._da = data_array
        self._node = node
        self._index = index

    @property
    def index(self) -> int:
        """1-based position of the described axis."""
        return self._index

    @property
    def file(self) -> Any:
        """The File the dimension belongs to."""
        return self._da.file

    def _writable(self, action: str) -> None:
        self._da._file._check_writable(f"{action} on dimension {self._index} of", self._da)

    def _set_str(self, key: str, value: str | None) -> None:
        _check_str(value)
        self._writable(f"set {key}")
        if value is None:
            self._node.del_attr(key)
        else:
            self._node.set_attr(key, value)

    @property
    def label(self) -> str | None:
        """Axis label."""
        return self._node.get_attr("label")

    @label.setter
    def label(self, value: str | None) -> None:
        self._set_str("label", value)

    # -- links -----------------------------------------------------------------------
    @property
    def has_link(self) -> bool:
        """Whether the values of this dimension come from another object."""
        return "link" in self._node

    @property
    def dimension_link(self) -> DimensionLink | None:
        """The link to the object supplying the values, or None."""
        node = self._node.get_group("link")
        return DimensionLink(self, node) if node is not None else None

    def link_data_array(self, data_array: DataArray, index: Sequence[int]) -> DimensionLink:
        """Take this dimension's values from ``data_array`` (``-1`` in ``index`` marks the axis)."""
        raise RuntimeError(f"a {type(self).__name__} cannot be linked to data")

    def link_data_frame(self, data_frame: DataFrame, index: int) -> DimensionLink:
        """Take this dimension's values from column ``index`` of ``data_frame``."""
        raise RuntimeError(f"a {type(self).__name__} cannot be linked to data")

    def remove_link(self) -> None:
        """Remove the dimension link (RuntimeError if there is none)."""
        if not self.has_link:
            raise RuntimeError(f"dimension {self._index} of {self._da!r} has no link")
        self._writable("remove link")
        self._node.unlink("link")

    def _link(self, target: Any, object_type: str, index: Any) -> DimensionLink:
        self._writable("link")
        node = self._node
        for stale in ("ticks", "labels", "link"):
            if stale in node:
                node.unlink(stale)
        link = node.create_group("link")
        write_header(link, None, None)
        link.set_attr("data_object_type", object_type)
        link.set_attr("index", index)
        link.link(target._node, target.id)
        return DimensionLink(self, link)

    def _link_data_array(self, data_array: DataArray, index: Sequence[int]) -> DimensionLink:
        from nixkit.model.data_array import DataArray

        if not isinstance(data_array, DataArray):
            raise TypeError(f"can only link a DataArray, not {type(data_array).__name__}")
        if isinstance(index, (int, np.integer)) or not isinstance(index, Sequence | np.ndarray):
            raise ValueError("index must be a sequence with one -1 marking the axis of the values")
        idx = [int(i) for i in index]
        shape = data_array.shape
        if len(idx) != len(shape):
            raise IncompatibleDimensions(f"index {idx} has {len(idx)} entries but {data_array!r} has {len(shape)} axes")
        if idx.count(-1) != 1 or any(i < -1 for i in idx):
            raise ValueError(f"index {idx} must contain exactly one -1 and no other negative entries")
        for i, (k, n) in enumerate(zip(idx, shape, strict=True)):
            if k >= n:
                raise OutOfBounds(f"index {k} is beyond axis {i} of {data_array!r} (length {n})")
        return self._link(data_array, "DataArray", np.array(idx, dtype=np.int64))

    def _link_data_frame(self, data_frame: DataFrame, index: int) -> DimensionLink:
        from nixkit.model.data_frame import DataFrame

        if not isinstance(data_frame, DataFrame):
            raise TypeError(f"can only link a DataFrame, not {type(data_frame).__name__}")
        ncols = len(data_frame.column_names)
        if not 0 <= int(index) < ncols:
            raise OutOfBounds(f"column {index} does not exist in {data_frame!r} ({ncols} columns)")
        return self._link(data_frame, "DataFrame", np.int64(index))

    # -- index maths (shared with tagging, see nixkit.model.tagging) ----------------------
    def index_of(self, position: float, mode: IndexMode = IndexMode.LessOrEqual) -> int:
        """The index of the sample at ``position`` (in the dimension's unit).

        ``LessOrEqual``: the sample at or before the position; ``Less``: strictly before;
        ``GreaterOrEqual``: at or after. A position within ``1e-9`` samples (sampled) or a
        relative ``1e-9`` (range ticks) of a sample counts as on it.

        Raises
        ------
        IndexError
            If no sample satisfies ``mode`` (e.g. a position before the first sample
            with ``LessOrEqual``).
        """
        from nixkit.model.tagging import AxisMap, index_of

        return index_of(AxisMap.of(self), position, mode)

    def range_indices(
        self, start_position: float, end_position: float, mode: SliceMode = SliceMode.Exclusive
    ) -> tuple[int, int] | None:
        """First and last index of the samples from ``start_position`` to ``end_position``.

        ``SliceMode.Exclusive`` leaves out a sample exactly at the end. An empty range gives
        None for every dimension kind (nixio raises IndexError for range and set
        dimensions when the start lies after the end).
        """
        from nixkit.model.tagging import AxisMap, range_of

        return range_of(AxisMap.of(self), start_position, end_position, mode)

    def __repr__(self) -> str:
        return f"{type(self).__name__}: {{index = {self._index}}}"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self._index == other._index and self._da == other._da

    def __hash__(self) -> int:
        return hash((self._da.id, self._index))


class SampledDimension(Dimension):
    """An axis sampled at a fixed interval: position = index * interval + offset."""

    dimension_type = DimensionType.Sample

    @property
    def sampling_interval(self) -> float:
        """Distance between two samples, in :attr:`unit`."""
        return self._node.get_attr("sampling_interval")

    @sampling_interval.setter
    def sampling_interval(self, value: float) -> None:
        _check_interval(value)
        self._writable("set sampling_interval")
        self._node.set_attr("sampling_interval", value)

    @property
    def offset(self) -> float | None:
        """Position of the first sample (None when not set, meaning 0)."""
        return self._node.get_attr("offset")

    @offset.setter
    def offset(self, value: float | None) -> None:
        self._writable("set offset")
        if value is None:
            self._node.del_attr("offset")
        elif not isinstance(value, numbers.Real) or isinstance(value, bool):
            raise InvalidAttrType(float, value)
        else:
            self._node.set_attr("offset", value)

    @property
    def unit(self) -> str | None:
        """Unit of positions along this axis."""
        return self._node.get_attr("unit")

    @unit.setter
    def unit(self, value: str | None) -> None:
        _check_str(value)
        self._set_str("unit", sanitizer(value) or None if value is not None else None)

    def position_at(self, index: int) -> float:
        """Position of sample ``index``."""
        return float(index * self.sampling_interval + (self.offset or 0.0))

    def axis(self, count: int, start: int | None = None, start_position: float | None = None) -> tuple[float, ...]:
        """Positions of ``count`` samples from ``start`` (an index) or ``start_position``."""
        interval = self.sampling_interval
        offset = self.offset or 0.0
        if start is not None:
            if start < 0:
                raise ValueError("start index must not be negative")
            first = start * interval + offset
        elif start_position is not None:
            if start_position < offset:
                raise ValueError(f"start_position {start_position} lies before the offset {offset}")
            first = start_position
        else:
            first = offset
        return tuple(np.arange(count) * interval + first)


class RangeDimension(Dimension):
    """An axis with explicit ascending ticks (irregular sampling, event times)."""

    dimension_type = DimensionType.Range

    def _alias_target(self) -> Any:
        """The DataArray of a legacy alias range dimension (format < 1.2.1), or None."""
        node = self._node
        if "ticks" in node or "link" in node or node.get_attr("dimension_type") == "data_frame":
            return None
        for name in node.names():
            group = node.get_group(name)
            if group is not None and "data" in group:
                from nixkit.model.data_array import DataArray

                return DataArray(self._da._file, group, self._da._parent)
        return None

    @property
    def is_alias(self) -> bool:
        """Whether the ticks are the values of a DataArray (legacy alias or link)."""
        link = self.dimension_link
        if link is not None:
            return link.data_object_type == "DataArray"
        return self._alias_target() is not None

    def _ticks_array(self) -> np.ndarray[Any, Any]:
        node = self._node
        ds = node.get_dataset("ticks")
        if ds is not None:
            return np.asarray(ds.read())
        link = self.dimension_link
        if link is not None:
            return np.asarray(link.values)
        alias = self._alias_target()
        if alias is not None:
            return np.asarray(alias)
        frame = self._frame_column()
        if frame is not None:
            return np.asarray(frame[0].read_columns(index=[frame[1]]))
        return np.empty(0)

    @property
    def ticks(self) -> tuple[float, ...]:
        """The positions of the samples, ascending."""
        return tuple(self._ticks_array().tolist())

    @ticks.setter
    def ticks(self, ticks: Sequence[float]) -> None:
        values = _ascending(ticks)
        self._writable("set ticks")
        node = self._node
        for stale in ("ticks", "link"):
            if stale in node:
                node.unlink(stale)
        node.create_dataset("ticks", values.shape, np.float64, data=values)

    def _frame_column(self) -> tuple[Any, int] | None:
        """DataFrame and column of a C++ ``data_frame`` dimension (format 1.2.0), or None."""
        node = self._node
        target = node.get_group("data_frame")
        column = node.get_attr("column_index")
        if node.get_attr("dimension_type") != "data_frame" or target is None or column is None:
            return None
        from nixkit.model.data_frame import DataFrame

        return DataFrame(self._da._file, target, self._da._parent), int(np.asarray(column).reshape(-1)[0])

    def _legacy_source(self, key: str) -> tuple[bool, str | None]:
        """``(True, value)`` of label or unit for alias and C++ data_frame dimensions."""
        alias = self._alias_target()
        if alias is not None:
            return True, alias.label if key == "label" else alias.unit
        frame = self._frame_column()
        if frame is not None:
            df, column = frame
            if key == "label":
                return True, str(df.column_names[column])
            units = df.units
            return True, None if units is None else units[column]
        return False, None

    def index_of(
        self, position: float, mode: IndexMode = IndexMode.LessOrEqual, ticks: Sequence[float] | None = None
    ) -> int:
        """The index of the tick at ``position`` (see :meth:`Dimension.index_of`).

        ``ticks`` may pass ticks already read, to save reading them again.
        """
        from nixkit.model.tagging import AxisMap, index_of

        if ticks is None:
            return index_of(AxisMap.of(self), position, mode)
        return index_of(AxisMap(self.dimension_type, self.index, ticks=_ascending(ticks)), position, mode)

    def tick_at(self, index: int) -> float:
        """The tick of sample ``index``."""
        return float(self._ticks_array()[index])

    def axis(self, count: int, start: int = 0) -> tuple[float, ...]:
        """``count`` ticks from index ``start``."""
        ticks = self._ticks_array()
        if start < 0 or start + count > len(ticks):
            raise IndexError(f"ticks {start}..{start + count} exceed the {len(ticks)} ticks")
        return tuple(ticks[start : start + count].tolist())

    @property
    def label(self) -> str | None:
        """Axis label (that of the linked object when linked)."""
        link = self.dimension_link
        if link is not None:
            return link.label
        legacy, value = self._legacy_source("label")
        return value if legacy else self._node.get_attr("label")

    @label.setter
    def label(self, value: str | None) -> None:
        link = self.dimension_link
        if link is not None:
            link.label = value
        else:
            self._set_str("label", value)

    @property
    def unit(self) -> str | None:
        """Unit of the ticks (that of the linked object when linked)."""
        link = self.dimension_link
        if link is not None:
            return link.unit
        legacy, value = self._legacy_source("unit")
        return value if legacy else self._node.get_attr("unit")

    @unit.setter
    def unit(self, value: str | None) -> None:
        _check_str(value)
        value = sanitizer(value) or None if value is not None else None
        link = self.dimension_link
        if link is not None:
            link.unit = value
        else:
            self._set_str("unit", value)

    def link_data_array(self, data_array: DataArray, index: Sequence[int]) -> DimensionLink:
        """Take the ticks from ``data_array`` (``-1`` in ``index`` marks the axis)."""
        return self._link_data_array(data_array, index)

    def link_data_frame(self, data_frame: DataFrame, index: int) -> DimensionLink:
        """Take the ticks from column ``index`` of ``data_frame``."""
        return self._link_data_frame(data_frame, index)


class SetDimension(Dimension):
    """An axis of categories, optionally labelled."""

    dimension_type = DimensionType.Set

    @property
    def labels(self) -> tuple[str, ...]:
        """The category labels (``()`` when none)."""
        ds = self._node.get_dataset("labels")
        if ds is not None:
            return tuple(str(v) for v in ds.read())
        link = self.dimension_link
        if link is not None:
            return tuple(str(v) for v in link.values)
        return ()

    @labels.setter
    def labels(self, labels: Sequence[str] | None) -> None:
        if self.has_link:
            raise RuntimeError("the labels of a linked SetDimension come from the link; remove it first")
        values = _labels(labels)
        self._writable("set labels")
        check_text(values or (), f"{self._node.path}/labels")  # before the old labels go
        if "labels" in self._node:
            self._node.unlink("labels")
        if values is not None:
            self._node.create_dataset("labels", (len(values),), STR_DTYPE, data=values)

    def index_of(
        self, position: float, mode: IndexMode = IndexMode.LessOrEqual, dim_labels: Sequence[str] | None = None
    ) -> int:
        """The index of the category at ``position`` (see :meth:`Dimension.index_of`).

        Positions past the last label give the last index (GreaterOrEqual: IndexError);
        an unlabelled set has no upper bound. ``dim_labels`` may pass labels already read.
        """
        from nixkit.model.tagging import AxisMap, index_of

        count = None if dim_labels is None else (len(dim_labels) or None)
        axis = AxisMap.of(self) if dim_labels is None else AxisMap(self.dimension_type, self.index, count=count)
        return index_of(axis, position, mode)

    def link_data_array(self, data_array: DataArray, index: Sequence[int]) -> DimensionLink:
        """Take the labels from ``data_array`` (``-1`` in ``index`` marks the axis)."""
        return self._link_data_array(data_array, index)

    def link_data_frame(self, data_frame: DataFrame, index: int) -> DimensionLink:
        """Take the labels from column ``index`` of ``data_frame``."""
        return self._link_data_frame(data_frame, index)


class DimensionLink:
    """The link from a dimension to the DataArray or DataFrame column holding its values."""

    def __init__(self, dimension: Dimension, node: GroupNode) -> None:
        self._dim = dimension
        self._node = node

    @property
    def id(self) -> str:
        """The link's UUID."""
        return str(self._node.get_attr("entity_id", ""))

    @property
    def file(self) -> Any:
        """The File the link belongs to."""
        return self._dim.file

    @property
    def data_object_type(self) -> str:
        """``"DataArray"`` or ``"DataFrame"``."""
        return str(self._node.get_attr("data_object_type", "DataArray"))

    @property
    def index(self) -> Any:
        """For a DataArray: a tuple with one -1 marking the axis; for a DataFrame: the column."""
        value = self._node.get_attr("index")
        if value is None:
            raise InvalidEntity(f"the dimension link {self._node.path} has no index")
        if self.data_object_type == "DataFrame":
            return int(np.asarray(value).reshape(-1)[0])
        return tuple(int(v) for v in np.atleast_1d(value))

    @index.setter
    def index(self, value: Any) -> None:
        # Re-linking runs every check of a new link (rank, bounds, column range).
        target = self.linked_data
        if self.data_object_type == "DataFrame":
            self._dim._link_data_frame(target, int(value))
        else:
            self._dim._link_data_array(target, value)

    def _target_node(self) -> Any:
        names = self._node.names()
        if not names:
            raise BrokenLink(f"the dimension link {self._node.path} points to nothing (its target was deleted)")
        return self._node.child(names[0])

    @property
    def linked_data(self) -> Any:
        """The linked DataArray or DataFrame."""
        block = self._dim._da._parent
        node = self._target_node()
        if self.data_object_type == "DataFrame":
            from nixkit.model.data_frame import DataFrame

            return DataFrame(self._dim._da._file, node, block)
        from nixkit.model.data_array import DataArray

        return DataArray(self._dim._da._file, node, block)

    @property
    def values(self) -> Any:
        """The linked values (ticks or labels)."""
        target = self.linked_data
        if self.data_object_type == "DataFrame":
            column = target.column_names[self.index]
            return tuple(target.read_columns(name=[column]))
        index, shape = self.index, target.shape
        if len(index) != len(shape) or not all(-1 <= i < n for i, n in zip(index, shape, strict=True)):
            raise InvalidEntity(f"the index {index} of the dimension link {self._node.path} does not fit {shape}")
        return target[tuple(slice(None) if i == -1 else i for i in index)]

    @property
    def unit(self) -> str | None:
        """Unit of the linked values."""
        target = self.linked_data
        if self.data_object_type == "DataFrame":
            units = target.units
            return None if units is None else units[self.index]
        return target.unit

    @unit.setter
    def unit(self, value: str | None) -> None:
        target = self.linked_data
        if self.data_object_type == "DataFrame":
            units = list(target.units if target.units is not None else [None] * len(target.column_names))
            units[self.index] = value
            target.units = units
        else:
            target.unit = value

    @property
    def label(self) -> str | None:
        """Label of the linked values (the column name for a DataFrame)."""
        target = self.linked_data
        if self.data_object_type == "DataFrame":
            return str(target.column_names[self.index])
        return target.label

    @label.setter
    def label(self, value: str | None) -> None:
        if self.data_object_type == "DataFrame":
            raise RuntimeError("the label of a DataFrame link is the column name and cannot be set")
        self.linked_data.label = value

    def __repr__(self) -> str:
        return f"DimensionLink: {{type = {self.data_object_type}, index = {self.index}}}"


_CLASSES: dict[str, type[Dimension]] = {
    "sample": SampledDimension,
    "range": RangeDimension,
    "set": SetDimension,
    # C++ NIX 1.2.0 files: ticks from a DataFrame column, read like a linked range dimension.
    "data_frame": RangeDimension,
}


class DimensionContainer:
    """The dimension descriptors of a DataArray, indexed from 0 like a list."""

    def __init__(self, data_array: DataArray) -> None:
        self._da = data_array

    def _group(self) -> GroupNode | None:
        return self._da._node.get_group("dimensions")

    def _make(self, group: GroupNode, index: int) -> Dimension:
        node = group.group(str(index))
        kind = node.get_attr("dimension_type")
        cls = _CLASSES.get(kind) if isinstance(kind, str) else None
        if cls is None:
            raise InvalidEntity(f"{kind!r} is not a valid DimensionType ({node.path} of {self._da!r})")
        return cls(self._da, node, index)

    def __len__(self) -> int:
        group = self._group()
        return 0 if group is None else len(group)

    def __iter__(self) -> Iterator[Dimension]:
        group = self._group()
        if group is None:
            return
        for i in range(1, len(group) + 1):
            yield self._make(group, i)

    def __getitem__(self, item: int | str) -> Dimension:
        group = self._group()
        n = 0 if group is None else len(group)
        if isinstance(item, str):
            if not item.isdigit() or not 1 <= int(item) <= n:
                raise KeyError(f"no dimension {item!r} in {self._da!r}")
            index = int(item)
        elif isinstance(item, (int, np.integer)):
            if not -n <= item < n:
                raise IndexError(f"dimension index {item} out of range ({self._da!r} has {n})")
            index = int(item) % n + 1
        else:
            raise TypeError(f"dimensions are indexed by int, not {type(item).__name__}")
        assert group is not None
        return self._make(group, index)

    def __delitem__(self, item: int) -> None:
        n = len(self)
        if not isinstance(item, (int, np.integer)) or not -n <= item < n:
            raise IndexError(f"dimension index {item} out of range ({self._da!r} has {n})")
        if int(item) % n != n - 1:
            raise IndexError("only the last dimension can be deleted; later ones would change meaning")
        self._da._writable("delete a dimension")
        self._remove_last()

    def _remove_last(self) -> None:
        group = self._group()
        if group is not None and len(group):
            group.unlink(str(len(group)))

    def _remove_all(self) -> None:
        group = self._group()
        if group is not None:
            for name in group.names():
                group.unlink(name)

    def _append(self, kind: str) -> GroupNode:
        group = self._da._node.require_group("dimensions")
        node = group.create_group(str(len(group) + 1))
        node.set_attr("dimension_type", kind)
        return node

    def __repr__(self) -> str:
        return "[" + ", ".join(repr(d) for d in self) + "]"


def _check_interval(value: object) -> None:
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        raise InvalidAttrType(float, value)
    if not np.isfinite(float(value)) or float(value) <= 0:
        raise InvalidData(f"sampling_interval must be a positive number, not {value!r}")


def _ascending(ticks: Sequence[float]) -> np.ndarray[Any, Any]:
    values = np.asarray(ticks, dtype=np.float64).reshape(-1)
    if values.size > 1 and np.any(np.diff(values) < 0):
        raise InvalidData("range dimension ticks must be sorted in ascending order")
    return values


def _labels(labels: Sequence[str] | None) -> list[str] | None:
    if labels is None:
        return None
    if isinstance(labels, str) or not all(isinstance(v, str) for v in labels):
        raise ValueError("labels must be a list of str")
    return list(labels)


def create_sampled_dimension(
    da: DataArray, interval: float, label: str | None, unit: str | None, offset: float | None
) -> SampledDimension:
    """Append a SampledDimension to ``da`` (validated before anything is written)."""
    _check_interval(interval)
    _check_str(label)
    _check_str(unit)
    if offset is not None and (not isinstance(offset, numbers.Real) or isinstance(offset, bool)):
        raise InvalidAttrType(float, offset)
    dims = DimensionContainer(da)
    with container_group(da._file, da._node, "dimensions", str(len(dims) + 1)):
        node = dims._append("sample")
        node.set_attr("sampling_interval", interval)
        if offset is not None:
            node.set_attr("offset", offset)
        if unit:
            node.set_attr("unit", sanitizer(unit))
        if label:
            node.set_attr("label", label)
    return SampledDimension(da, node, len(dims))


def create_range_dimension(
    da: DataArray, ticks: Sequence[float] | None, label: str | None, unit: str | None, link_self: bool = False
) -> RangeDimension:
    """Append a RangeDimension to ``da`` (unsorted ticks are refused before writing)."""
    values = _ascending(ticks) if ticks is not None else None
    _check_str(label)
    _check_str(unit)
    dims = DimensionContainer(da)
    with container_group(da._file, da._node, "dimensions", str(len(dims) + 1)):
        node = dims._append("range")
        if values is not None:
            node.create_dataset("ticks", values.shape, np.float64, data=values)
        if unit and not link_self:
            node.set_attr("unit", sanitizer(unit))
        if label and not link_self:
            node.set_attr("label", label)
    return RangeDimension(da, node, len(dims))


def create_set_dimension(da: DataArray, labels: Sequence[str] | None) -> SetDimension:
    """Append a SetDimension to ``da``."""
    values = _labels(labels)
    dims = DimensionContainer(da)
    with container_group(da._file, da._node, "dimensions", str(len(dims) + 1)):
        node = dims._append("set")
        if values is not None:
            node.create_dataset("labels", (len(values),), STR_DTYPE, data=values)
    return SetDimension(da, node, len(dims))
