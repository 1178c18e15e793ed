"""Block: the top-level grouping of data, usually one recording session."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from nixkit.model.container import Container
from nixkit.model.entity import Annotated, container_group, create_entity_group
from nixkit.model.enums import Compression

if TYPE_CHECKING:
    from nixkit.model.data_array import DataArray
    from nixkit.model.data_frame import DataFrame
    from nixkit.model.group import Group
    from nixkit.model.multi_tag import MultiTag
    from nixkit.model.source import Source
    from nixkit.model.tag import Tag
    from nixkit.storage.group import GroupNode


class BlockContainer(Container[Any]):
    """A container of a block's own entities; deletions are searched within the block."""

    def _delete_scope(self) -> GroupNode:
        return self._owner._node


class Block(Annotated):
    """A set of related data arrays, data frames, tags, sources and groups."""

    _compression: Compression = Compression.Auto

    @property
    def block(self) -> Block:
        """The block itself (so every block-level object has ``.block``)."""
        return self

    # -- containers ------------------------------------------------------------------
    @property
    def data_arrays(self) -> Container[DataArray]:
        """The block's data arrays."""
        from nixkit.model.data_array import DataArray

        return BlockContainer(self, "data_arrays", DataArray)

    @property
    def data_frames(self) -> Container[DataFrame]:
        """The block's data frames."""
        from nixkit.model.data_frame import DataFrame

        return BlockContainer(self, "data_frames", DataFrame)

    @property
    def tags(self) -> Container[Tag]:
        """The block's tags."""
        from nixkit.model.tag import Tag

        return BlockContainer(self, "tags", Tag)

    @property
    def multi_tags(self) -> Container[MultiTag]:
        """The block's multi-tags."""
        from nixkit.model.multi_tag import MultiTag

        return BlockContainer(self, "multi_tags", MultiTag)

    @property
    def groups(self) -> Container[Group]:
        """The block's groups."""
        from nixkit.model.group import Group

        return BlockContainer(self, "groups", Group)

    @property
    def sources(self) -> Container[Source]:
        """The block's root sources."""
        from nixkit.model.source import Source, SourceContainer

        return SourceContainer(self, "sources", Source)

    # -- creation ----------------------------------------------------------------------
    def _compression_for(self, compression: Compression) -> Compression:
        if compression != Compression.Auto:
            return compression
        return self._compression

    def create_data_array(
        self,
        name: str = "",
        array_type: str = "",
        dtype: Any = None,
        shape: Any = None,
        data: Any = None,
        compression: Compression = Compression.Auto,
        copy_from: DataArray | None = None,
        keep_copy_id: bool = True,
        label: str | None = None,
        unit: str | None = None,
    ) -> DataArray:
        """Create a DataArray from ``data``, or empty from ``shape`` and ``dtype``."""
        from nixkit.model.data_array import DataArray, create_data_array

        self._writable("create a data array")
        if copy_from is not None:
            return self._copy(copy_from, DataArray, "data_arrays", name, keep_copy_id)
        return create_data_array(
            self, name, array_type, dtype, shape, data, self._compression_for(compression), label, unit
        )

    def create_data_frame(
        self,
        name: str = "",
        type_: str = "",
        col_dict: Any = None,
        col_names: Any = None,
        col_dtypes: Any = None,
        data: Any = None,
        compression: Compression = Compression.No,
        copy_from: DataFrame | None = None,
        keep_copy_id: bool = True,
    ) -> DataFrame:
        """Create a DataFrame; columns come from ``col_dict``, names+dtypes, or the data."""
        from nixkit.model.data_frame import DataFrame, create_data_frame

        self._writable("create a data frame")
        if copy_from is not None:
            return self._copy(copy_from, DataFrame, "data_frames", name, keep_copy_id)
        return create_data_frame(self, name, type_, col_dict, col_names, col_dtypes, data, compression)

    def create_tag(
        self,
        name: str = "",
        type_: str = "",
        position: Any = 0,
        copy_from: Tag | None = None,
        keep_copy_id: bool = True,
    ) -> Tag:
        """Create a Tag at ``position`` (one value per dimension of the tagged data)."""
        from nixkit.model.tag import Tag, create_tag

        self._writable("create a tag")
        if copy_from is not None:
            return self._copy(copy_from, Tag, "tags", name, keep_copy_id)
        return create_tag(self, name, type_, position)

    def create_multi_tag(
        self,
        name: str = "",
        type_: str = "",
        positions: Any = None,
        extents: Any = None,
        copy_from: MultiTag | None = None,
        keep_copy_id: bool = True,
    ) -> MultiTag:
        """Create a MultiTag; arrays given for positions/extents become DataArrays."""
        from nixkit.model.multi_tag import MultiTag, create_multi_tag

        self._writable("create a multi-tag")
        if copy_from is not None:
            return self._copy(copy_from, MultiTag, "multi_tags", name, keep_copy_id)
        return create_multi_tag(self, name, type_, positions, extents)

    def create_group(self, name: str, type_: str) -> Group:
        """Create a Group, a named selection of the block's objects."""
        from nixkit.model.group import Group

        self._writable("create a group")
        with container_group(self._file, self._node, "groups", name) as parent:
            return Group(self._file, create_entity_group(self._file, parent, name, type_, "group"), self)

    def create_source(self, name: str, type_: str) -> Source:
        """Create a root Source of this block."""
        from nixkit.model.source import Source

        self._writable("create a source")
        with container_group(self._file, self._node, "sources", name) as parent:
            return Source(self._file, create_entity_group(self._file, parent, name, type_, "source"), self)

    def _copy(self, source: Any, cls: type, group_name: str, name: str, keep_id: bool) -> Any:
        from nixkit.model.copy import check_copy, copy_entity

        # Checked before the container group may be created, so bad arguments write nothing.
        made = check_copy(source, cls, name)
        with container_group(self._file, self._node, group_name, made) as target:
            return copy_entity(self._file, source, cls, target, name, keep_id, self)

    # -- queries -------------------------------------------------------------------------
    def find_sources(self, filtr: Callable[[Source], bool] = lambda _: True, limit: int | None = None) -> list[Source]:
        """All sources of the block's trees (breadth first) for which ``filtr`` is true.

        ``limit`` is the depth searched: 1 means the block's direct sources only.
        """
        from nixkit.model.source import find_sources

        return find_sources(list(self.sources), filtr, limit)

    def pprint(self, indent: int = 2, max_length: int = 120, extra: bool = True, start_depth: int = 0) -> None:
        """Print the block's tree."""
        from nixkit.display.text import print_tree

        print_tree(self, indent=indent, max_length=max_length, extra=extra, start_depth=start_depth)
