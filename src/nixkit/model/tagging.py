"""Position and extent to index maths, shared by Tag, MultiTag, Feature and get_slice.

Everything here works on numpy arrays of positions, so a MultiTag with many positions
is converted in a handful of vectorised operations instead of a Python loop.

Index rules (per dimension kind), for a position ``p`` in the dimension's unit:

- **Sampled** (``p = offset + i * interval``): the fractional index ``s`` is snapped to
  the nearest integer when within ``1e-9 * max(1, |s|)`` (a hit). ``GreaterOrEqual``
  rounds up and never fails below the data (it gives 0); ``LessOrEqual`` rounds down;
  ``Less`` gives the sample before a hit. A result below 0 is invalid. There is no upper
  bound: a dimension does not know the length of its data.
- **Range** (ascending ticks): the last tick ``<= p`` (``LessOrEqual``), ``< p``
  (``Less``) or the first tick ``>= p`` (``GreaterOrEqual``); ticks within a relative
  ``1e-9`` of ``p`` count as equal. Past the last tick ``Less``/``LessOrEqual`` give the
  last index and ``GreaterOrEqual`` is invalid.
- **Set**: like a sampled dimension with interval 1 and offset 0, bounded by the number
  of labels when there are labels.

nixio applies ``np.isclose`` (relative tolerance 1e-5) to sampled indices, which
snaps positions up to 100 samples away on a 10-million-sample axis; it also tests
the raw position instead of the index in ``Less`` mode (reference section 6.1 item 5).
Both are fixed here.

Region rule: the first index is ``index_of(p, GreaterOrEqual)``; the last is
``index_of(p + e, Less)`` for ``SliceMode.Exclusive`` (``LessOrEqual`` for
``Inclusive``). A missing or zero extent selects with ``LessOrEqual`` at the position
itself; a negative extent gives an invalid region. A region whose first index comes
after its last selects no sample.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from nixkit.exceptions import CorruptFile, IncompatibleDimensions, InvalidData, InvalidUnit, OutOfBounds
from nixkit.model.enums import DataSliceMode, DimensionType, IndexMode, SliceMode
from nixkit.util.units import scaling

if TYPE_CHECKING:
    from nixkit.model.data_array import DataArray
    from nixkit.model.data_view import DataView
    from nixkit.model.dimensions import Dimension

__all__ = [
    "AxisMap",
    "Regions",
    "RefPlan",
    "axis_indices",
    "compute_regions",
    "data_array_slice",
    "Prepared",
    "ref_plan",
]

_SNAP = 1e-9
_I64 = np.int64
_NO_UNIT = (None, "", "none")


def _mode(mode: Any) -> IndexMode:
    if isinstance(mode, IndexMode):
        return IndexMode(mode.value)
    raise ValueError(f"unknown index mode {mode!r}; use an IndexMode")


def _stop_mode(rule: Any) -> IndexMode:
    if rule is SliceMode.Exclusive:
        return IndexMode.Less
    if rule is SliceMode.Inclusive:
        return IndexMode.LessOrEqual
    raise ValueError(f"unknown slice mode {rule!r}; use SliceMode.Exclusive or SliceMode.Inclusive")


@dataclass(frozen=True)
class AxisMap:
    """What one dimension descriptor needs for index maths, read once from the file.

    Attributes
    ----------
    kind : DimensionType
        Sample, Range or Set.
    index : int
        1-based index of the dimension.
    unit : str or None
        Unit of positions along the axis (None for set dimensions).
    interval, offset : float
        Sampling of a sampled dimension.
    ticks : numpy.ndarray or None
        Ticks of a range dimension.
    count : int or None
        Number of labels of a set dimension (None: unlabelled, so unbounded).
    """

    kind: DimensionType
    index: int
    unit: str | None = None
    interval: float = 1.0
    offset: float = 0.0
    ticks: np.ndarray[Any, Any] | None = None
    count: int | None = None

    @classmethod
    def of(cls, dim: Dimension) -> AxisMap:
        """Read the descriptor ``dim``; CorruptFile if its stored values are unusable."""
        try:
            return cls._read(dim)
        except (TypeError, ValueError) as exc:
            raise CorruptFile(
                f"dimension {dim.index} of {dim._da!r} cannot be used to map positions to indices: {exc}"
            ) from exc

    @classmethod
    def _read(cls, dim: Dimension) -> AxisMap:
        kind = dim.dimension_type
        if kind is DimensionType.Sample:
            return cls(
                kind,
                dim.index,
                unit=dim.unit,  # type: ignore[attr-defined]
                interval=float(dim.sampling_interval),  # type: ignore[attr-defined]
                offset=float(dim.offset or 0.0),  # type: ignore[attr-defined]
            )
        if kind is DimensionType.Range:
            ticks = np.asarray(dim._ticks_array(), dtype=np.float64)  # type: ignore[attr-defined]
            return cls(kind, dim.index, unit=dim.unit, ticks=ticks)  # type: ignore[attr-defined]
        labels = dim.labels  # type: ignore[attr-defined]
        return cls(kind, dim.index, count=len(labels) if labels else None)

    def describe(self) -> str:
        """Short text naming the dimension, for error messages."""
        return f"{self.kind.name.lower()} dimension {self.index}"


def axis_indices(axis: AxisMap, positions: np.ndarray[Any, Any], mode: IndexMode) -> tuple[Any, Any]:
    """Indices of ``positions`` (in the axis unit) along ``axis``.

    Returns
    -------
    indices : numpy.ndarray of int64
        The index of each position (meaningless where not ``ok``).
    ok : numpy.ndarray of bool
        False where no index satisfies ``mode``.
    """
    p = np.asarray(positions, dtype=np.float64)
    mode = _mode(mode)
    if axis.kind is DimensionType.Range:
        return _range_indices(axis.ticks if axis.ticks is not None else np.empty(0), p, mode)
    if axis.kind is DimensionType.Sample:
        s = (p - axis.offset) / axis.interval
        return _grid_indices(s, mode, None)
    return _grid_indices(p, mode, axis.count)


def _grid_indices(s: np.ndarray[Any, Any], mode: IndexMode, count: int | None) -> tuple[Any, Any]:
    nearest = np.rint(s)
    hit = np.abs(s - nearest) <= _SNAP * np.maximum(1.0, np.abs(s))
    with np.errstate(invalid="ignore"):
        if mode is IndexMode.GreaterOrEqual:
            idx = np.where(hit, nearest, np.ceil(s))
            idx = np.maximum(idx, 0.0)
        elif mode is IndexMode.LessOrEqual:
            idx = np.where(hit, nearest, np.floor(s))
        else:
            idx = np.where(hit, nearest - 1.0, np.floor(s))
    ok = (idx >= 0) & np.isfinite(s)
    if count is not None:
        if mode is IndexMode.GreaterOrEqual:
            ok &= idx <= count - 1
        else:
            idx = np.minimum(idx, count - 1)
            ok &= idx >= 0
    return np.where(ok, idx, -1).astype(_I64), ok


def _range_indices(ticks: np.ndarray[Any, Any], p: np.ndarray[Any, Any], mode: IndexMode) -> tuple[Any, Any]:
    n = len(ticks)
    tol = _SNAP * np.abs(p)
    if mode is IndexMode.GreaterOrEqual:
        idx = np.searchsorted(ticks, p - tol, side="left").astype(_I64)
        ok = idx < n
    elif mode is IndexMode.LessOrEqual:
        idx = np.searchsorted(ticks, p + tol, side="right").astype(_I64) - 1
        ok = idx >= 0
    else:
        idx = np.searchsorted(ticks, p - tol, side="left").astype(_I64) - 1
        ok = idx >= 0
    ok &= np.isfinite(p)
    return np.where(ok, idx, -1), ok


def index_of(axis: AxisMap, position: float, mode: IndexMode) -> int:
    """The index of one position; IndexError when no index satisfies ``mode``."""
    idx, ok = axis_indices(axis, np.array([position], dtype=np.float64), mode)
    if not ok[0]:
        raise IndexError(
            f"position {position} has no index with mode {_mode(mode).name} on the {axis.describe()}"
            + _bounds_hint(axis)
        )
    return int(idx[0])


def _bounds_hint(axis: AxisMap) -> str:
    if axis.kind is DimensionType.Range and axis.ticks is not None and len(axis.ticks):
        return f" (ticks {axis.ticks[0]} ... {axis.ticks[-1]})"
    if axis.kind is DimensionType.Sample:
        return f" (first sample at {axis.offset})"
    if axis.count is not None:
        return f" ({axis.count} labels)"
    return ""


def range_of(axis: AxisMap, start: float, end: float, mode: SliceMode) -> tuple[int, int] | None:
    """First and last index of ``[start, end]`` (end excluded for Exclusive), or None if empty.

    Unlike nixio, all three dimension kinds answer None for an empty range, including
    ``start > end`` (nixio raises IndexError there for range and set dimensions only).
    """
    end_mode = _stop_mode(mode)
    first, ok0 = axis_indices(axis, np.array([start], dtype=np.float64), IndexMode.GreaterOrEqual)
    last, ok1 = axis_indices(axis, np.array([end], dtype=np.float64), end_mode)
    if not (ok0[0] and ok1[0]) or first[0] > last[0]:
        return None
    return int(first[0]), int(last[0])


# -- regions of tags ------------------------------------------------------------------------


@dataclass
class RefPlan:
    """The geometry of one tagged DataArray (or feature data), read once.

    Attributes
    ----------
    shape : tuple of int
        Extent of the data.
    axes : list of AxisMap
        One per dimension descriptor (may be fewer than the axes of the data).
    scales : dict
        Unit factors already worked out, by (unit, axis).
    """

    shape: tuple[int, ...]
    axes: list[AxisMap]
    scales: dict[tuple[str | None, int], float] = field(default_factory=dict)


def ref_plan(data: Any) -> RefPlan:
    """Read shape and dimension descriptors of a DataArray (DataFrames have one set axis)."""
    shape = tuple(data.shape)
    dims = getattr(data, "dimensions", None)
    if dims is None:
        return RefPlan(shape, [AxisMap(DimensionType.Set, 1, count=shape[0] if shape else 0)])
    return RefPlan(shape, [AxisMap.of(d) for d in dims])


def axis_scale(plan: RefPlan, k: int, unit: str | None) -> float:
    """Factor turning a tag value in ``unit`` into the unit of axis ``k``.

    Raises
    ------
    IncompatibleDimensions
        A unit given for a set dimension, a unit given for an axis without one, or units
        that do not convert; the message names both units.
    """
    key = (unit, k)
    cached = plan.scales.get(key)
    if cached is not None:
        return cached
    axis = plan.axes[k]
    where = f"{axis.describe()}"
    if unit in _NO_UNIT:
        factor = 1.0
    elif axis.kind is DimensionType.Set:
        raise IncompatibleDimensions(f"a position in {unit!r} cannot apply to a set dimension (it has no unit)", where)
    elif axis.unit in _NO_UNIT:
        raise IncompatibleDimensions(
            f"the tag gives unit {unit!r} but the {axis.describe()} has no unit; set the dimension's unit", where
        )
    else:
        assert unit is not None and axis.unit is not None
        try:
            factor = scaling(unit, axis.unit)
        except InvalidUnit as exc:
            raise IncompatibleDimensions(
                f"tag unit {unit!r} does not convert to the unit {axis.unit!r} of the {axis.describe()}", where
            ) from exc
    plan.scales[key] = factor
    return factor


@dataclass
class Regions:
    """Index regions for many positions on one piece of data.

    Attributes
    ----------
    start, stop : numpy.ndarray of int64, shape (n, ndim)
        Half-open index ranges per axis (meaningful where ``valid``).
    valid : numpy.ndarray of bool, shape (n,)
        False where a region selects no sample.
    reason : numpy.ndarray of int8, shape (n,)
        Why a region is invalid (see :func:`explain`).
    bad_axis : numpy.ndarray of int64, shape (n,)
        The first axis that made the region invalid.
    """

    start: np.ndarray[Any, Any]
    stop: np.ndarray[Any, Any]
    valid: np.ndarray[Any, Any]
    reason: np.ndarray[Any, Any]
    bad_axis: np.ndarray[Any, Any]
    shape: tuple[int, ...]

    @property
    def out_of_bounds(self) -> np.ndarray[Any, Any]:
        """Valid regions that reach past the end of the data."""
        if not len(self.shape):
            return np.zeros(len(self.valid), dtype=bool)
        return self.valid & np.any(self.stop > np.asarray(self.shape, dtype=_I64), axis=1)

    def slices(self, i: int) -> tuple[slice, ...]:
        """Region ``i`` as a tuple of slices."""
        return tuple(slice(int(a), int(b)) for a, b in zip(self.start[i], self.stop[i], strict=True))


_NO_SAMPLE, _NEGATIVE, _NO_DESCRIPTOR = 1, 2, 3


def compute_regions(
    plan: RefPlan,
    positions: np.ndarray[Any, Any],
    extents: np.ndarray[Any, Any] | None,
    units: tuple[str | None, ...] | None,
    stop_rule: SliceMode = SliceMode.Exclusive,
) -> Regions:
    """Regions selected by ``positions`` (n, k) and ``extents`` (n, k) on data of ``plan``.

    Position columns beyond the number of dimension descriptors are ignored (as in
    nixio); axes without a position are taken whole. Data with fewer descriptors than
    axes cannot be mapped: every region is invalid.
    """
    end_mode = _stop_mode(stop_rule)
    n = positions.shape[0]
    ndim = len(plan.shape)
    start = np.zeros((n, ndim), dtype=_I64)
    stop = np.broadcast_to(np.asarray(plan.shape, dtype=_I64), (n, ndim)).copy()
    valid = np.ones(n, dtype=bool)
    reason = np.zeros(n, dtype=np.int8)
    bad_axis = np.full(n, -1, dtype=_I64)
    if len(plan.axes) < ndim:
        valid[:] = False
        reason[:] = _NO_DESCRIPTOR
        return Regions(start, stop, valid, reason, bad_axis, plan.shape)
    npos = positions.shape[1] if positions.ndim == 2 else 0
    for k in range(min(npos, ndim)):
        axis = plan.axes[k]
        unit = units[k] if units is not None and k < len(units) else None
        factor = axis_scale(plan, k, unit)
        p = positions[:, k] * factor if factor != 1.0 else positions[:, k]
        first, ok = axis_indices(axis, p, IndexMode.GreaterOrEqual)
        if extents is not None and k < extents.shape[1]:
            e = extents[:, k]
            end = p + (e * factor if factor != 1.0 else e)
            last_excl, ok_excl = axis_indices(axis, end, end_mode)
            last_incl, ok_incl = axis_indices(axis, p, IndexMode.LessOrEqual)
            positive = e > 0
            last = np.where(positive, last_excl, last_incl)
            ok &= np.where(positive, ok_excl, ok_incl)
            negative = e < 0
        else:
            last, ok_last = axis_indices(axis, p, IndexMode.LessOrEqual)
            ok &= ok_last
            negative = np.zeros(n, dtype=bool)
        ok &= first <= last
        ok &= ~negative
        newly_bad = valid & ~ok
        reason[newly_bad] = np.where(negative[newly_bad], _NEGATIVE, _NO_SAMPLE)
        bad_axis[newly_bad] = k
        valid &= ok
        start[:, k] = first
        stop[:, k] = last + 1
    return Regions(start, stop, valid, reason, bad_axis, plan.shape)


def explain(
    regions: Regions,
    i: int,
    plan: RefPlan,
    positions: np.ndarray[Any, Any],
    extents: np.ndarray[Any, Any] | None,
) -> str:
    """Why region ``i`` is invalid (or out of bounds), in words."""
    shape = plan.shape
    if regions.valid[i]:
        sl = regions.slices(i)
        return (
            f"the region {_fmt_slices(sl)} reaches past the data extent {shape}; "
            "positions and extents must lie within the data"
        )
    code = int(regions.reason[i])
    if code == _NO_DESCRIPTOR:
        return (
            f"InvalidSlice error! The data has {len(plan.axes)} dimension descriptors for {len(shape)} axes, "
            "so positions cannot be mapped to indices; append a dimension for every axis"
        )
    k = int(regions.bad_axis[i])
    axis = plan.axes[k]
    p = float(positions[i, k])
    e = float(extents[i, k]) if extents is not None and k < extents.shape[1] else None
    where = f"along the {axis.describe()}"
    if code == _NEGATIVE:
        return f"InvalidSlice error! The extent {e} {where} is negative, so the region is empty"
    span = f"position {p}" if not e else f"region [{p}, {p} + {e}]"
    return f"InvalidSlice error! The {span} {where} contains no sample{_bounds_hint(axis)}; the selection is empty"


def _fmt_slices(slices: tuple[slice, ...]) -> str:
    return "[" + ", ".join(f"{s.start}:{s.stop}" for s in slices) + "]"


class Prepared:
    """Everything needed to hand out views of one tag on one piece of data, fast.

    Built once per (tag, data, stop rule) and kept in the file's read cache, so a loop
    over positions does no conversion and opens no HDF5 object per call.
    """

    __slots__ = ("_reader", "calibration", "data", "oob", "plan", "regions", "starts", "stops", "valid")

    def __init__(self, data: Any, regions: Regions, plan: RefPlan) -> None:
        self.data = data
        self.regions = regions
        self.plan = plan
        self.valid: list[bool] = regions.valid.tolist()
        self.oob: list[bool] = regions.out_of_bounds.tolist()
        self.starts: list[list[int]] = regions.start.tolist()
        self.stops: list[list[int]] = regions.stop.tolist()
        reader = getattr(data, "_calibration", None)
        self.calibration = reader() if reader is not None else (None, 0.0)
        self._reader: Any = None

    def reader(self) -> Any:
        """The region reader of the data's dataset (opened on first use)."""
        if self._reader is None:
            self._reader = self.data._node.dataset("data").region_reader()
        return self._reader

    def view(self, i: int, positions: np.ndarray[Any, Any], extents: np.ndarray[Any, Any] | None) -> DataView:
        """The view of region ``i``; invalid when empty, OutOfBounds past the data."""
        from nixkit.model.data_view import DataView

        if not self.valid[i]:
            return DataView(self.data, None, explain(self.regions, i, self.plan, positions, extents))
        if self.oob[i]:
            raise OutOfBounds(explain(self.regions, i, self.plan, positions, extents))
        slices = tuple(map(slice, self.starts[i], self.stops[i]))
        return DataView(self.data, slices, calibration=self.calibration, checked=True, reader=self.reader)


def as_table(values: Any, name: str) -> np.ndarray[Any, Any]:
    """Positions or extents as a float64 table (n, k): 1-D data is one column."""
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InvalidData(f"{name} must be numbers ({exc})") from exc
    if arr.ndim == 1:
        return arr.reshape(-1, 1)
    if arr.ndim == 2:
        return arr
    raise IncompatibleDimensions(f"{name} must be 1-D or 2-D, not {arr.ndim}-D")


def data_array_slice(
    da: DataArray,
    positions: Any,
    extents: Any = None,
    mode: DataSliceMode = DataSliceMode.Index,
) -> DataView:
    """A view of ``da`` given by indices (Index mode) or positions (Data mode).

    Index mode selects ``p:p+e`` per axis (``p:p+1`` without extents; nixio crashes).
    Data mode uses the tag region rule with ``SliceMode.Exclusive``; regions past the data
    raise :class:`OutOfBounds`, regions without samples give an invalid view.
    """
    from nixkit.model.data_view import DataView

    shape = da.shape
    pos = np.atleast_1d(np.asarray(positions, dtype=np.float64))
    ext = None if extents is None or len(extents) == 0 else np.atleast_1d(np.asarray(extents, dtype=np.float64))
    if pos.ndim != 1 or len(pos) != len(shape):
        raise IncompatibleDimensions(
            f"{len(pos)} positions given for data with {len(shape)} axes", "DataArray.get_slice"
        )
    if ext is not None and ext.shape != pos.shape:
        raise IncompatibleDimensions(f"{len(ext)} extents given for {len(pos)} positions", "DataArray.get_slice")
    if mode == DataSliceMode.Index:
        first = pos.astype(_I64)
        if np.any(first != pos):
            raise TypeError(f"Index mode needs integer positions, not {positions!r}")
        count = np.ones_like(first) if ext is None else ext.astype(_I64)
        if ext is not None and np.any(count != ext):
            raise TypeError(f"Index mode needs integer extents, not {extents!r}")
        slices = tuple(slice(int(a), int(a + c)) for a, c in zip(first, count, strict=True))
        if np.any(count < 0) or np.any(first < 0):
            return DataView(da, None, f"InvalidSlice error! negative index or extent in {slices}")
        if any(s.stop > n for s, n in zip(slices, shape, strict=True)):
            raise OutOfBounds(f"the region {_fmt_slices(slices)} reaches past the data extent {shape}")
        return DataView(da, slices)
    if mode != DataSliceMode.Data:
        raise ValueError(f"unknown DataSliceMode {mode!r}")
    plan = ref_plan(da)
    table = pos.reshape(1, -1)
    ext_table = None if ext is None else ext.reshape(1, -1)
    regions = compute_regions(plan, table, ext_table, None, SliceMode.Exclusive)
    return Prepared(da, regions, plan).view(0, table, ext_table)
