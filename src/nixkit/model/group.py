"""Group: a named selection of a block's data arrays, data frames, tags and sources."""

from __future__ import annotations

from typing import TYPE_CHECKING

from nixkit.model.container import LinkContainer
from nixkit.model.entity import Annotated

if TYPE_CHECKING:
    from nixkit.model.block import Block
    from nixkit.model.data_array import DataArray
    from nixkit.model.data_frame import DataFrame
    from nixkit.model.multi_tag import MultiTag
    from nixkit.model.source import Source
    from nixkit.model.tag import Tag


class Group(Annotated):
    """References to objects of one block, gathered under a name (e.g. a trial)."""

    @property
    def block(self) -> Block:
        """The block this group belongs to."""
        return self._parent

    def _links(self, group_name: str, cls: type) -> LinkContainer:
        block = self._parent
        return LinkContainer(self, group_name, cls, lambda: getattr(block, group_name), block)

    @property
    def data_arrays(self) -> LinkContainer[DataArray]:
        """Data arrays of the block in this group."""
        from nixkit.model.data_array import DataArray

        return self._links("data_arrays", DataArray)

    @property
    def data_frames(self) -> LinkContainer[DataFrame]:
        """Data frames of the block in this group."""
        from nixkit.model.data_frame import DataFrame

        return self._links("data_frames", DataFrame)

    @property
    def tags(self) -> LinkContainer[Tag]:
        """Tags of the block in this group."""
        from nixkit.model.tag import Tag

        return self._links("tags", Tag)

    @property
    def multi_tags(self) -> LinkContainer[MultiTag]:
        """Multi-tags of the block in this group."""
        from nixkit.model.multi_tag import MultiTag

        return self._links("multi_tags", MultiTag)

    @property
    def sources(self) -> LinkContainer[Source]:
        """Sources (from anywhere in the block's source trees) linked to this group."""
        from nixkit.model.source import source_links

        return source_links(self)
