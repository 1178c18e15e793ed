"""MultiTag: many points or regions at once, with positions and extents stored as DataArrays.

``positions`` holds one row per point (shape ``(n,)`` for 1-D data, or ``(n, k)``);
``extents``, if set, has the same shape. Retrieval follows the rules documented in
:mod:`nixkit.model.tag`: a region without samples gives an invalid view, a region past
the data raises ``OutOfBounds``.

Beyond nixio, :meth:`MultiTag.tagged_data_all` returns the data of every position for
one reference in a single call.
"""

from __future__ import annotations

from contextlib import ExitStack
from typing import TYPE_CHECKING, Any

import numpy as np

from nixkit.exceptions import BrokenLink, DuplicateName, IncompatibleDimensions, InvalidAttrType, OutOfBounds
from nixkit.model.entity import check_name, check_type, container_group, create_entity_group
from nixkit.model.enums import LinkType, SliceMode
from nixkit.model.tag import BaseTag
from nixkit.model.tagging import Prepared, as_table, explain

if TYPE_CHECKING:
    from nixkit.model.block import Block
    from nixkit.model.data_array import DataArray
    from nixkit.model.data_view import DataView
    from nixkit.model.feature import Feature

__all__ = ["MultiTag", "create_multi_tag"]

# Read the bounding box of all regions in one go when it holds at most this many
# bytes more than the regions themselves per region: one hyperslab read costs about
# as much as copying this many bytes.
_BOX_BYTES_PER_REGION = 2048


def _check_member(block: Block, da: Any, what: str) -> None:
    from nixkit.model.data_array import DataArray

    if not isinstance(da, DataArray):
        raise InvalidAttrType(f"{what} must be a DataArray, not {type(da).__name__}")
    if da not in block.data_arrays:
        raise RuntimeError(f"{what} {da!r} is not a DataArray of {block!r}")


class MultiTag(BaseTag):
    """Many points or regions in the referenced data, one per row of :attr:`positions`."""

    # -- positions and extents ------------------------------------------------------------
    @property
    def positions(self) -> DataArray:
        """The DataArray of positions: shape (n,) or (n, number of dimensions)."""
        from nixkit.model.data_array import DataArray

        node = self._node.get_group("positions")
        if node is None:
            raise BrokenLink(f"MultiTag.positions: DataArray not found! ({self!r} has no positions link)")
        return DataArray(self._file, node, self._parent)

    @positions.setter
    def positions(self, da: DataArray) -> None:
        if da is None:
            raise InvalidAttrType("MultiTag.positions cannot be None")
        _check_member(self._parent, da, "positions")
        self._writable("set positions")
        self._node.link(da._node, "positions")
        self._touch()

    @property
    def extents(self) -> DataArray | None:
        """The DataArray of extents (same shape as positions), or None."""
        from nixkit.model.data_array import DataArray

        node = self._node.get_group("extents")
        return None if node is None else DataArray(self._file, node, self._parent)

    @extents.setter
    def extents(self, da: DataArray | None) -> None:
        if da is not None:
            _check_member(self._parent, da, "extents")
        self._writable("set extents")
        if da is None:
            if "extents" in self._node:
                self._node.unlink("extents")
        else:
            self._node.link(da._node, "extents")
        self._touch()

    def _tables(
        self, cache: dict[Any, Any]
    ) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any] | None, tuple[str, ...]]:
        found = cache.get("tables")
        if found is None:
            positions = as_table(np.asarray(self.positions), "positions")
            extents_da = self.extents
            extents = None
            if extents_da is not None:
                extents = as_table(np.asarray(extents_da), "extents")
                if extents.shape != positions.shape:
                    raise IncompatibleDimensions(
                        f"extents of shape {extents_da.shape} do not match positions of shape "
                        f"{self.positions.shape} in {self!r}",
                        "MultiTag.tagged_data",
                    )
            found = (positions, extents, self.units)
            cache["tables"] = found
        return found

    @staticmethod
    def _row(posidx: Any, positions: np.ndarray[Any, Any]) -> int:
        n = positions.shape[0]
        if n == 0:
            raise OutOfBounds("the MultiTag has no positions")
        if not isinstance(posidx, (int, np.integer)) or isinstance(posidx, bool):
            raise InvalidAttrType(f"position index must be an int, not {type(posidx).__name__}")
        if not -n <= int(posidx) < n:
            raise OutOfBounds(f"position index {posidx} is out of range ({n} positions)", index=posidx)
        return int(posidx) % n

    # -- retrieval --------------------------------------------------------------------------
    def tagged_data(
        self, posidx: int, refidx: int | str | DataArray, stop_rule: SliceMode = SliceMode.Exclusive
    ) -> DataView:
        """The region of position ``posidx`` in reference ``refidx`` as a view.

        Raises
        ------
        OutOfBounds
            No references, an index out of range, or a region past the data.
        IncompatibleDimensions
            Extents shaped unlike positions, or units that do not convert.
        """
        cache = self._cache()
        prepared = self._ref_prepared(cache, refidx, stop_rule)
        positions, extents, _units = self._tables(cache)
        return prepared.view(self._row(posidx, positions), positions, extents)

    def retrieve_data(self, posidx: int, refidx: int | str | DataArray) -> DataView:
        """Same as :meth:`tagged_data` (the name the NIX tutorial uses)."""
        return self.tagged_data(posidx, refidx)

    def feature_data(
        self, posidx: int, featidx: int | str | Feature, stop_rule: SliceMode = SliceMode.Exclusive
    ) -> DataView:
        """The data of feature ``featidx`` that belong to position ``posidx``.

        Tagged: the position's region of the feature data. Indexed: entry ``posidx`` along
        the first axis (kept as an axis of length 1). Untagged: all of the data.
        """
        from nixkit.model.data_view import DataView

        feature = self._feature(featidx)
        kind = feature.link_type
        cache = self._cache()
        positions, extents, _units = self._tables(cache)
        # Checked for every link type: a position that does not exist has no feature data.
        row = self._row(posidx, positions)
        if kind is LinkType.Tagged:
            prepared = self._feature_prepared(cache, feature, stop_rule)
            return prepared.view(row, positions, extents)
        data = feature.data
        if kind is LinkType.Indexed:
            shape = data.shape
            if not shape or row >= shape[0]:
                raise OutOfBounds(
                    f"position index {posidx} has no entry in the indexed feature data of shape {shape}", index=posidx
                )
            return DataView(data, (slice(row, row + 1), *tuple(slice(0, n) for n in shape[1:])))
        return self._full_view(data)

    def retrieve_feature_data(self, posidx: int, featidx: int | str | Feature) -> DataView:
        """Same as :meth:`feature_data` (the name the NIX tutorial uses)."""
        return self.feature_data(posidx, featidx)

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Draw all positions (and extents) over the first reference; returns the matplotlib Axes.

        See :func:`nixkit.plot.plot_multi_tag` for the keyword arguments.
        """
        from nixkit.plot import plot_multi_tag

        return plot_multi_tag(self, ax=ax, **kwargs)

    def tagged_data_all(
        self,
        refidx: int | str | DataArray,
        stop_rule: SliceMode = SliceMode.Exclusive,
        clip: bool = False,
    ) -> list[np.ndarray[Any, Any]]:
        """The data of every position in reference ``refidx``: one array per position.

        Spike and epoch analyses want all segments at once; a list keeps each segment's
        own shape (epochs differ in length, range dimensions give uneven windows), and
        ``np.stack`` turns equal windows into one array. Positions and extents are read
        once and converted together, and the signal is read with one HDF5 call per
        region, or a single call for the bounding box when the regions cover most of it.

        Parameters
        ----------
        refidx : int, str or DataArray
            The reference, by index, name, id or entity.
        stop_rule : SliceMode
            Whether the end of each region is excluded (default) or included.
        clip : bool
            Cut regions that reach past the end of the data instead of raising.

        Returns
        -------
        list of numpy.ndarray
            Entry ``i`` equals ``np.asarray(tagged_data(i, refidx, stop_rule))``; a region
            without samples gives an empty array (where ``tagged_data`` gives an invalid
            view).

        Raises
        ------
        OutOfBounds
            A region reaches past the data (naming the first such position) and ``clip``
            is False.
        """
        cache = self._cache()
        prepared = self._ref_prepared(cache, refidx, stop_rule)
        regions, plan = prepared.regions, prepared.plan
        n = len(regions.valid)
        start, stop = regions.start, regions.stop
        beyond = regions.out_of_bounds
        if np.any(beyond):
            if not clip:
                first = int(np.flatnonzero(beyond)[0])
                positions, extents, _units = self._tables(cache)
                raise OutOfBounds(
                    f"{int(beyond.sum())} of {n} regions reach past the data (first: position {first}): "
                    f"{explain(regions, first, plan, positions, extents)}; pass clip=True to cut them",
                    index=first,
                )
            stop = np.minimum(stop, np.asarray(plan.shape, dtype=np.int64))
        valid = regions.valid & np.all(stop > start, axis=1)
        coeffs, origin = prepared.calibration
        dtype = np.dtype(np.float64) if coeffs is not None or origin else prepared.data.dtype
        out = [np.empty((0,) * len(plan.shape), dtype=dtype) for _ in range(n)]
        index = np.flatnonzero(valid)
        if len(index):
            segments = _read_segments(prepared, start[index], stop[index])
            for i, seg in zip(index.tolist(), segments, strict=True):
                out[i] = _calibrated(seg, coeffs, origin)
        return out


def _read_segments(prepared: Prepared, start: np.ndarray[Any, Any], stop: np.ndarray[Any, Any]) -> list[Any]:
    """Read the boxes ``start:stop``: the bounding box once if that reads little extra."""
    read = prepared.reader()
    dtype = prepared.data.dtype
    lo = start.min(axis=0)
    hi = stop.max(axis=0)
    box = int(np.prod(hi - lo)) * dtype.itemsize
    used = int(np.prod(stop - start, axis=1).sum()) * dtype.itemsize
    if dtype.kind in "biufc" and box - used <= _BOX_BYTES_PER_REGION * len(start):
        whole = read(lo.tolist(), hi.tolist())
        boxes = zip((start - lo).tolist(), (stop - lo).tolist(), strict=True)
        return [whole[tuple(map(slice, s, e))].copy() for s, e in boxes]
    return [read(s, e) for s, e in zip(start.tolist(), stop.tolist(), strict=True)]


def _calibrated(raw: np.ndarray[Any, Any], coeffs: Any, origin: float) -> np.ndarray[Any, Any]:
    if coeffs is None and not origin:
        return raw
    values = raw.astype(np.float64) - origin
    if coeffs is not None:
        values = np.polynomial.polynomial.polyval(values, coeffs)
    return np.asarray(values)


def _table_array(block: Block, values: Any, name: str, type_: str) -> tuple[Any, bool]:
    """A DataArray for ``values``: the array itself, or checked data for a new one."""
    from nixkit.model.data_array import DataArray

    if isinstance(values, DataArray):
        _check_member(block, values, name)
        return values, False
    arr = np.asarray(values)
    if arr.dtype.kind not in "biuf":
        raise InvalidAttrType(f"{name} must be numbers, not {arr.dtype} data")
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim > 2:
        raise IncompatibleDimensions(f"{name} must be 1-D or 2-D, not {arr.ndim}-D")
    return arr, True


def create_multi_tag(block: Block, name: str, type_: str, positions: Any, extents: Any) -> MultiTag:
    """Create a MultiTag; arrays given for positions/extents become DataArrays.

    New arrays are named ``"<name>-positions"`` and ``"<name>-extents"`` (as nixio) and
    get a set dimension per axis. Everything is checked before anything is written; if
    writing still fails, the arrays made for the call are removed again.
    """
    check_name(name)
    check_type(type_)
    if positions is None:
        raise InvalidAttrType("create_multi_tag needs positions (a DataArray or an array of numbers)")
    existing = block._node.get_group("multi_tags")
    if existing is not None and name in existing:
        raise DuplicateName("create_multi_tag", name)
    pos, new_pos = _table_array(block, positions, "positions", type_)
    ext, new_ext = (None, False) if extents is None else _table_array(block, extents, "extents", type_)
    if ext is not None and tuple(ext.shape) != tuple(pos.shape):
        raise IncompatibleDimensions(f"extents of shape {tuple(ext.shape)} do not match positions {tuple(pos.shape)}")
    arrays = block._node.get_group("data_arrays")
    for new, suffix in ((new_pos, "positions"), (new_ext, "extents")):
        if new and arrays is not None and f"{name}-{suffix}" in arrays:
            raise DuplicateName("create_multi_tag", f"{name}-{suffix}")
    file = block._file
    with ExitStack() as made:
        # Each table's own create undoes only itself: these scopes also take it away
        # (and a "data_arrays" group made for it) when a later step fails.
        if new_pos:
            made.enter_context(container_group(file, block._node, "data_arrays", f"{name}-positions"))
            pos = _new_table(block, f"{name}-positions", f"{type_}-positions", pos)
        if new_ext and ext is not None:
            made.enter_context(container_group(file, block._node, "data_arrays", f"{name}-extents"))
            ext = _new_table(block, f"{name}-extents", f"{type_}-extents", ext)
        with container_group(file, block._node, "multi_tags", name) as parent:
            node = create_entity_group(file, parent, name, type_, "multi_tag")
            node.link(pos._node, "positions")
            if ext is not None:
                node.link(ext._node, "extents")
    return MultiTag(file, node, block)


def _new_table(block: Block, name: str, type_: str, values: np.ndarray[Any, Any]) -> DataArray:
    from nixkit.model.data_array import create_data_array
    from nixkit.model.enums import Compression

    da = create_data_array(block, name, type_, np.float64, None, values, Compression.No, None, None)
    for _axis in range(values.ndim):
        da.append_set_dimension()
    return da
