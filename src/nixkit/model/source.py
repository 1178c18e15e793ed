"""Source: where data came from (subject, brain region, cell, electrode ...), as trees."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from nixkit.exceptions import EntityNotFound
from nixkit.model.container import Container, LinkContainer
from nixkit.model.entity import Annotated, Entity, container_group, create_entity_group

if TYPE_CHECKING:
    from nixkit.model.block import Block
    from nixkit.model.data_array import DataArray
    from nixkit.model.multi_tag import MultiTag
    from nixkit.model.tag import Tag
    from nixkit.storage.group import GroupNode


class SourceContainer(Container["Source"]):
    """Child sources of a block or source; deleting one removes its whole subtree's links."""

    def _delete_scope(self) -> GroupNode:
        block = self._owner
        while not hasattr(block, "data_arrays"):
            block = block._parent
        return block._node

    def _delete(self, group: GroupNode, key: str) -> None:
        from nixkit.storage.group import unlink_all

        root = Source(self._file, group.group(key), self._owner)
        addresses = {s._node.address for s in root.find_sources()}
        unlink_all(self._delete_scope(), addresses)
        self._file._id_index.clear()


class Source(Annotated):
    """A source of data; sources nest to describe where data came from."""

    @property
    def sources(self) -> SourceContainer:
        """The child sources."""
        return SourceContainer(self, "sources", Source)

    def create_source(self, name: str, type_: str) -> Source:
        """Create a child source."""
        self._writable("create a source")
        with container_group(self._file, self._node, "sources", name) as parent:
            return Source(self._file, create_entity_group(self._file, parent, name, type_, "source"), self)

    def find_sources(self, filtr: Callable[[Source], bool] = lambda _: True, limit: int | None = None) -> list[Source]:
        """This source and its descendants (breadth first) for which ``filtr`` is true.

        ``limit`` is the depth searched: 0 is this source only.
        """
        return find_sources([self], filtr, None if limit is None else limit + 1)

    @property
    def parent_block(self) -> Block:
        """The block whose source tree holds this source."""
        obj: Any = self._parent
        while obj is not None and not hasattr(obj, "data_arrays"):
            obj = obj._parent
        if obj is None:
            obj = _block_of(self)
        return obj

    @property
    def parent_source(self) -> Source | None:
        """The source this one is nested in, or None for a root source."""
        if isinstance(self._parent, Source):
            return self._parent
        block = self.parent_block
        for src in find_sources(list(block.sources), lambda _: True, None):
            if self in src.sources:
                return src
        return None

    def _referring(self, container: str) -> list[Any]:
        out = []
        for entity in getattr(self.parent_block, container):
            links = entity._node.get_group("sources")
            if links is not None and self.id in links and links.link_address(self.id) == self._node.address:
                out.append(entity)
        return out

    @property
    def referring_data_arrays(self) -> list[DataArray]:
        """Data arrays that link this source."""
        return self._referring("data_arrays")

    @property
    def referring_tags(self) -> list[Tag]:
        """Tags that link this source."""
        return self._referring("tags")

    @property
    def referring_multi_tags(self) -> list[MultiTag]:
        """Multi-tags that link this source."""
        return self._referring("multi_tags")

    @property
    def referring_groups(self) -> list[Any]:
        """Groups that link this source."""
        return self._referring("groups")

    @property
    def referring_objects(self) -> list[Any]:
        """Every data array, tag, multi-tag and group that links this source."""
        return self.referring_data_arrays + self.referring_tags + self.referring_multi_tags + self.referring_groups


def _block_of(entity: Entity) -> Any:
    path = entity._node.path.split("/")
    # /data/<block>/...
    return entity._file.blocks[path[2]]


def find_sources(roots: list[Source], filtr: Callable[[Source], bool], limit: int | None) -> list[Source]:
    """Breadth-first search through source trees; ``limit`` counts the roots as level 1.

    A source reached twice (only possible in a damaged file, e.g. a link cycle) is visited once.
    """
    found: list[Source] = []
    seen: set[int] = set()
    level = [(s, 1) for s in roots]
    while level:
        nxt: list[tuple[Source, int]] = []
        for src, depth in level:
            if limit is not None and depth > limit:
                continue
            address = src._node.address
            if address in seen:
                continue
            seen.add(address)
            if filtr(src):
                found.append(src)
            nxt.extend((child, depth + 1) for child in src.sources)
        level = nxt
    return found


class SourceLinks(LinkContainer[Source]):
    """Links to sources anywhere in the owning block's source trees."""

    def append(self, item: Source | str) -> None:
        """Link ``item`` (a Source of the block, or its id)."""
        self._file._check_writable(f"append to {self._describe()}")
        block = self._item_parent
        if isinstance(item, str):
            matches = block.find_sources(lambda s: item in (s.id, s.name))
            if not matches:
                raise EntityNotFound(f"no source {item!r} in {block!r}")
            item = matches[0]
        if not isinstance(item, Source):
            raise TypeError(f"only Sources can be linked here, not {type(item).__name__}")
        addr = item._node.address
        if not any(s._node.address == addr for s in block.find_sources()):
            raise RuntimeError(f"This item cannot be appended here: {item!r} is not a source of {block!r}")
        group = self._require_group()
        group.link(item._node, item.id)
        self._file._changed(group)


def source_links(owner: Entity) -> SourceLinks:
    """The ``sources`` link container of a data array, tag, multi-tag or group."""
    block = owner._parent
    return SourceLinks(owner, "sources", Source, lambda: block.sources, block)
