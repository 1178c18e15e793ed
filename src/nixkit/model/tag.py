"""Tag: one point or region in the referenced data, with units, references and features.

Retrieval rules shared with :class:`~nixkit.model.multi_tag.MultiTag` (see
:mod:`nixkit.model.tagging` for the index maths):

- A region that contains no sample (a point between two samples, a window outside the
  ticks of a range dimension, a negative extent) gives an *invalid* DataView whose
  ``debug_message`` says why; reading it raises ``InvalidSlice``.
- A region that reaches past the end of the data raises ``OutOfBounds`` (an
  ``IndexError``), for Tag and MultiTag alike and for tagged data and feature data alike.
  nixio raises for Tag but hands out an invalid view for MultiTag; one rule is easier
  to program against. A region starting before the data is cut at index 0, as in nixio.
- Positions, extents and units are read once and kept until the file is next written
  to, so calling ``tagged_data`` in a loop costs little more than reading the data.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from nixkit.exceptions import DuplicateName, IncompatibleDimensions, InvalidAttrType, OutOfBounds
from nixkit.model.container import LinkContainer
from nixkit.model.entity import Annotated, check_name, check_type, container_group, create_entity_group
from nixkit.model.enums import LinkType, SliceMode
from nixkit.model.feature import Feature, FeatureContainer, create_feature
from nixkit.model.tagging import Prepared, compute_regions, ref_plan
from nixkit.storage.dtypes import STR_DTYPE
from nixkit.util.units import sanitizer

if TYPE_CHECKING:
    from nixkit.model.block import Block
    from nixkit.model.data_array import DataArray
    from nixkit.model.data_view import DataView
    from nixkit.model.source import SourceLinks

__all__ = ["BaseTag", "Tag", "TagReferences", "create_tag"]


def as_vector(values: Any, what: str) -> np.ndarray[Any, Any] | None:
    """A position, extent or similar as float64 (n,), or None for None/empty."""
    if values is None:
        return None
    if isinstance(values, (numbers.Real, np.number)) and not isinstance(values, (bool, np.bool_)):
        values = [values]
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InvalidAttrType(f"{what} must be numbers, not {values!r}") from exc
    if arr.ndim != 1:
        raise IncompatibleDimensions(f"{what} must be a flat sequence of numbers, not of shape {arr.shape}")
    return arr if arr.size else None


def check_units(units: Any) -> list[str] | None:
    """Sanitised units, or None for None/empty; InvalidAttrType for non-str items."""
    if units is None:
        return None
    if isinstance(units, str):
        units = [units]
    values = []
    for unit in units:
        if not isinstance(unit, str):
            raise InvalidAttrType(str, unit)
        values.append(sanitizer(unit) or "")
    return values or None


def _index_in(item: Any, count: int, what: str) -> None:
    if isinstance(item, (int, np.integer)) and not isinstance(item, bool) and not -count <= int(item) < count:
        raise OutOfBounds(f"{what} index {item} is out of range (there are {count})", index=item)


class TagReferences(LinkContainer["DataArray"]):
    """The DataArrays a tag points into; append entities of the block or their ids or names."""

    def append(self, item: DataArray | str) -> None:
        """Add a reference to ``item`` (a DataArray of the block, or its name or id)."""
        self._file._check_writable(f"add a reference to {self._describe()}")
        super().append(item)


class BaseTag(Annotated):
    """What Tag and MultiTag share: units, references, features and sources."""

    @property
    def block(self) -> Block:
        """The block this tag belongs to."""
        return self._parent

    # -- units --------------------------------------------------------------------------
    @property
    def units(self) -> tuple[str, ...]:
        """Unit of each entry of the position (``()`` when none are set)."""
        ds = self._node.get_dataset("units")
        if ds is None:
            return ()
        return tuple(str(u) for u in ds.read())

    @units.setter
    def units(self, units: Sequence[str] | None) -> None:
        values = check_units(units)
        self._writable("set units")
        self._write_dataset("units", None if values is None else np.array(values, dtype=object), STR_DTYPE)
        self._touch()

    def _write_dataset(self, name: str, values: np.ndarray[Any, Any] | None, dtype: Any) -> None:
        node = self._node
        if values is None:
            if name in node:
                node.unlink(name)
            return
        # Written beside the old dataset first, so a failed write leaves the old values.
        staging = f".{name}.new"
        node.create_dataset(staging, values.shape, dtype, data=values)
        if name in node:
            node.unlink(name)
        node.rename(staging, name)

    # -- links --------------------------------------------------------------------------
    @property
    def references(self) -> TagReferences:
        """The DataArrays this tag applies to."""
        from nixkit.model.data_array import DataArray

        block = self._parent
        return TagReferences(self, "references", DataArray, lambda: block.data_arrays, block)

    @property
    def sources(self) -> SourceLinks:
        """Sources of what was tagged."""
        from nixkit.model.source import source_links

        return source_links(self)

    @property
    def features(self) -> FeatureContainer:
        """Data linked to this tag (see :class:`Feature`)."""
        return FeatureContainer(self, "features", Feature)

    def create_feature(self, data: Any, link_type: LinkType | str) -> Feature:
        """Link ``data`` (a DataArray or DataFrame of the block) as a feature.

        Parameters
        ----------
        data : DataArray or DataFrame
            The feature data.
        link_type : LinkType or str
            ``Tagged``, ``Untagged`` or ``Indexed`` (strings in any case).
        """
        return create_feature(self, data, link_type)

    # -- retrieval helpers ----------------------------------------------------------------
    def _cache(self) -> dict[Any, Any]:
        """This tag's entries in the file's read cache (emptied by any write)."""
        return self._file._read_cache.setdefault(("tag", self._node.path), {})

    def _tables(
        self, cache: dict[Any, Any]
    ) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any] | None, tuple[str, ...]]:
        """Positions (n, k), extents (n, k) or None, and units, read once."""
        raise NotImplementedError

    def _reference(self, refidx: Any) -> DataArray:
        refs = self.references
        count = len(refs)
        if count == 0:
            raise OutOfBounds(f"There are no references in {self!r}")
        _index_in(refidx, count, "reference")
        return refs[refidx]

    def _feature(self, featidx: Any) -> Feature:
        features = self.features
        count = len(features)
        if count == 0:
            raise OutOfBounds(f"There are no features in {self!r}")
        _index_in(featidx, count, "feature")
        return features[featidx]

    def _prepared(self, cache: dict[Any, Any], key: Any, resolve: Callable[[], Any], stop_rule: SliceMode) -> Prepared:
        """Regions of every position on the data ``resolve()`` gives, converted once."""
        cache_key = ("prepared", key, stop_rule)
        found = cache.get(cache_key) if key is not None else None
        if found is None:
            data = resolve()
            plan_key = ("plan", data._node.path)
            plan = self._file._read_cache.get(plan_key)
            if plan is None:
                plan = self._file._read_cache[plan_key] = ref_plan(data)
            positions, extents, units = self._tables(cache)
            found = Prepared(data, compute_regions(plan, positions, extents, units, stop_rule), plan)
            if key is not None:
                cache[cache_key] = found
        return found

    def _ref_prepared(self, cache: dict[Any, Any], refidx: Any, stop_rule: SliceMode) -> Prepared:
        key = ("ref", refidx) if isinstance(refidx, (int, str)) and not isinstance(refidx, bool) else None
        return self._prepared(cache, key, lambda: self._reference(refidx), stop_rule)

    def _feature_prepared(self, cache: dict[Any, Any], feature: Feature, stop_rule: SliceMode) -> Prepared:
        return self._prepared(cache, ("feature", feature.id), lambda: feature.data, stop_rule)

    @staticmethod
    def _full_view(data: Any) -> DataView:
        from nixkit.model.data_view import DataView

        return DataView(data, tuple(slice(0, n) for n in data.shape))


class Tag(BaseTag):
    """A point or region (``position`` and optional ``extent``) in the referenced data."""

    @property
    def position(self) -> tuple[float, ...]:
        """Start of the region, one entry per dimension of the referenced data."""
        ds = self._node.get_dataset("position")
        return () if ds is None else tuple(float(v) for v in ds.read())

    @position.setter
    def position(self, position: Sequence[float] | float | None) -> None:
        values = as_vector(position, "position")
        self._writable("set position")
        self._write_dataset("position", values, np.float64)
        self._touch()

    @property
    def extent(self) -> tuple[float, ...]:
        """Size of the region per dimension (``()``: a point)."""
        ds = self._node.get_dataset("extent")
        return () if ds is None else tuple(float(v) for v in ds.read())

    @extent.setter
    def extent(self, extent: Sequence[float] | float | None) -> None:
        values = as_vector(extent, "extent")
        self._writable("set extent")
        self._write_dataset("extent", values, np.float64)
        self._touch()

    def _tables(
        self, cache: dict[Any, Any]
    ) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any] | None, tuple[str, ...]]:
        found = cache.get("tables")
        if found is None:
            position = np.asarray(self.position, dtype=np.float64).reshape(1, -1)
            extent = self.extent
            if extent and len(extent) != position.shape[1]:
                raise IncompatibleDimensions(
                    f"{self!r} has {position.shape[1]} position entries but {len(extent)} extent entries",
                    "Tag.tagged_data",
                )
            ext = np.asarray(extent, dtype=np.float64).reshape(1, -1) if extent else None
            found = (position, ext, self.units)
            cache["tables"] = found
        return found

    def tagged_data(self, refidx: int | str | DataArray, stop_rule: SliceMode = SliceMode.Exclusive) -> DataView:
        """The region of reference ``refidx`` (index, name, id or the DataArray) as a view.

        Raises
        ------
        OutOfBounds
            No references, ``refidx`` out of range, or the region reaches past the data.
        IncompatibleDimensions
            Position and extent differ in length, or units do not convert.
        """
        cache = self._cache()
        prepared = self._ref_prepared(cache, refidx, stop_rule)
        positions, extents, _units = self._tables(cache)
        return prepared.view(0, positions, extents)

    def retrieve_data(self, refidx: int | str | DataArray) -> DataView:
        """Same as :meth:`tagged_data` (the name the NIX tutorial uses)."""
        return self.tagged_data(refidx)

    def feature_data(self, featidx: int | str | Feature, stop_rule: SliceMode = SliceMode.Exclusive) -> DataView:
        """The data of feature ``featidx`` that belong to this tag.

        Tagged features give the tag's region of the feature data; Untagged and Indexed
        features give the whole data (a Tag has a single position).
        """
        feature = self._feature(featidx)
        if feature.link_type is LinkType.Tagged:
            cache = self._cache()
            prepared = self._feature_prepared(cache, feature, stop_rule)
            positions, extents, _units = self._tables(cache)
            return prepared.view(0, positions, extents)
        return self._full_view(feature.data)

    def retrieve_feature_data(self, featidx: int | str | Feature) -> DataView:
        """Same as :meth:`feature_data` (the name the NIX tutorial uses)."""
        return self.feature_data(featidx)

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Draw the tag over its first reference; returns the matplotlib Axes.

        See :func:`nixkit.plot.plot_tag` for the keyword arguments.
        """
        from nixkit.plot import plot_tag

        return plot_tag(self, ax=ax, **kwargs)


def create_tag(block: Block, name: str, type_: str, position: Any) -> Tag:
    """Create a Tag in ``block`` at ``position`` (checked before anything is written)."""
    values = as_vector(position, "position")
    check_name(name)
    check_type(type_)
    existing = block._node.get_group("tags")
    if existing is not None and name in existing:
        raise DuplicateName("create_tag", name)
    with container_group(block._file, block._node, "tags", name) as parent:
        node = create_entity_group(block._file, parent, name, type_, "tag")
        if values is not None:
            node.create_dataset("position", values.shape, np.float64, data=values)
    return Tag(block._file, node, block)
