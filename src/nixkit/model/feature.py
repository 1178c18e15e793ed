"""Feature: more data linked to the points or regions of a Tag or MultiTag.

The link type says how the feature's data relate to the tag:

- ``LinkType.Untagged``: the whole data belong to every position;
- ``LinkType.Tagged``: the tag's position and extent select a region of the data too;
- ``LinkType.Indexed``: the data hold one entry per position along their first axis.

On disk a feature is the group ``features/<feature id>/`` of its tag, with attributes
``link_type`` and ``target_type`` and a hard link ``data`` to a DataArray or DataFrame
of the tag's block. Features have no name or type.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nixkit.exceptions import BrokenLink, UnsupportedLinkType
from nixkit.model.container import Container
from nixkit.model.entity import Entity, new_id, write_header
from nixkit.model.enums import LinkType

if TYPE_CHECKING:
    from nixkit.model.tag import BaseTag
    from nixkit.storage.group import GroupNode

__all__ = ["Feature", "FeatureContainer", "create_feature"]


def _target_type(data: Any) -> str:
    """``"DataArray"`` or ``"DataFrame"``; TypeError for anything else."""
    from nixkit.model.data_array import DataArray
    from nixkit.model.data_frame import DataFrame

    if isinstance(data, DataArray):
        return "DataArray"
    if isinstance(data, DataFrame):
        return "DataFrame"
    raise TypeError(f"feature data must be a DataArray or DataFrame, not {type(data).__name__}")


def check_feature_data(tag: BaseTag, data: Any, link_type: LinkType) -> str:
    """Validate ``data`` as feature data of ``tag``; returns its target type.

    Raises
    ------
    TypeError
        ``data`` is neither a DataArray nor a DataFrame.
    RuntimeError
        ``data`` is not an object of the tag's block (as nixio).
    UnsupportedLinkType
        A DataFrame with ``LinkType.Tagged`` (a DataFrame has no dimensions to tag).
    """
    target = _target_type(data)
    block = tag._parent
    home = block.data_arrays if target == "DataArray" else block.data_frames
    if data not in home:
        raise RuntimeError(f"{data!r} is not an object of {block!r}; features must use data of the tag's block")
    if target == "DataFrame" and link_type is LinkType.Tagged:
        raise UnsupportedLinkType("DataFrame", link_type)
    return target


def create_feature(tag: BaseTag, data: Any, link_type: LinkType | str) -> Feature:
    """Create a feature of ``tag`` (everything is checked before anything is written)."""
    kind = LinkType.parse(link_type)
    target = check_feature_data(tag, data, kind)
    tag._writable("create a feature")
    group = tag._node.require_group("features")
    eid = new_id()
    node = group.create_group(eid)
    write_header(node, None, None, eid)
    node.set_attr("link_type", kind.value)
    node.set_attr("target_type", target)
    node.link(data._node, "data")
    tag._file._changed(group)
    return Feature(tag._file, node, tag)


class Feature(Entity):
    """Data linked to a Tag or MultiTag with a link type.

    A Feature has an ``id`` and timestamps but no name or type; its :attr:`name` is its
    id, under which it is stored.
    """

    @property
    def name(self) -> str:
        """The feature's id (features have no name of their own)."""
        return self.id

    @property
    def link_type(self) -> LinkType:
        """How the data relate to the tag's positions."""
        return LinkType.parse(self._node.get_attr("link_type", "untagged"))

    @link_type.setter
    def link_type(self, value: LinkType | str) -> None:
        kind = LinkType.parse(value)
        if kind is LinkType.Tagged and self._node.get_attr("target_type") == "DataFrame":
            raise UnsupportedLinkType("DataFrame", kind)
        self._set("link_type", kind.value)

    @property
    def data(self) -> Any:
        """The linked DataArray or DataFrame."""
        node = self._node.get_group("data")
        if node is None:
            raise BrokenLink(f"Feature.data: Data object not found! (feature {self.id} links no data)")
        block = self._parent._parent
        if self._node.get_attr("target_type") == "DataFrame":
            from nixkit.model.data_frame import DataFrame

            return DataFrame(self._file, node, block)
        from nixkit.model.data_array import DataArray

        return DataArray(self._file, node, block)

    @data.setter
    def data(self, value: Any) -> None:
        target = check_feature_data(self._parent, value, self.link_type)
        self._writable("set feature data")
        self._node.link(value._node, "data")
        self._node.set_attr("target_type", target)
        self._touch()

    def __repr__(self) -> str:
        try:
            data_name = self.data.name
        except BrokenLink:
            data_name = None
        return f"Feature: {{data = {data_name}, link_type = {self.link_type} }}"

    __str__ = __repr__


class FeatureContainer(Container[Feature]):
    """A tag's features: by index, feature id, or the name or id of the feature's data."""

    def _str_key(self, group: GroupNode | None, text: str) -> str | None:
        key = super()._str_key(group, text)
        if key is not None or group is None:
            return key
        for name in group.names():
            data = group.group(name).get_group("data")
            if data is not None and text in (data.get_attr("name"), data.get_attr("entity_id")):
                return name
        return None

    def _delete(self, group: GroupNode, key: str) -> None:
        # Only this tag links the feature group; its data stay where they are.
        group.unlink(key)
        self._file._changed(group)
