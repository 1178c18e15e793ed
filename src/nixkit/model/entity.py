"""The base of every NIX entity: identity, name, type, definition and timestamps."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from nixkit.exceptions import DuplicateName, InvalidAttrType
from nixkit.model.timestamps import Timestamped
from nixkit.util.ids import check_entity_name as check_name
from nixkit.util.ids import check_entity_type as check_type
from nixkit.util.ids import create_id as new_id
from nixkit.util.ids import is_uuid
from nixkit.util.time import now_int, time_to_str

__all__ = [
    "Annotated",
    "Entity",
    "check_name",
    "check_type",
    "container_group",
    "create_entity_group",
    "is_uuid",
    "new_id",
    "write_header",
]

if TYPE_CHECKING:
    from nixkit.model.file import File
    from nixkit.model.section import Section
    from nixkit.storage.dataset import DatasetNode
    from nixkit.storage.group import GroupNode


def write_header(
    node: GroupNode | DatasetNode,
    name: str | None,
    type_: str | None,
    entity_id: str | None = None,
    stamp: int | None = None,
) -> str:
    """Write the attributes every entity carries; returns the id written."""
    eid = entity_id if entity_id and is_uuid(entity_id) else new_id()
    when = time_to_str(stamp if stamp is not None else now_int())
    if name is not None:
        node.set_attr("name", name)
    if type_ is not None:
        node.set_attr("type", type_)
    node.set_attr("entity_id", eid)
    node.set_attr("created_at", when, ascii_str=True)
    node.set_attr("updated_at", when, ascii_str=True)
    return eid


def create_entity_group(
    file: File,
    container: GroupNode,
    name: str,
    type_: str,
    what: str,
    entity_id: str | None = None,
) -> GroupNode:
    """Create and stamp the group of a new entity inside ``container``."""
    check_name(name)
    check_type(type_)
    if name in container:
        raise DuplicateName(f"create_{what}", name)
    node = container.create_group(name)
    try:
        write_header(node, name, type_, entity_id)
    except BaseException:
        # Text HDF5 cannot store (not UTF-8) shows only now: take the group away again.
        container.unlink(name)
        raise
    file._changed(container)
    return node


@contextmanager
def container_group(
    file: File, owner: GroupNode, group_name: str, made: object = None, clash: str | None = None
) -> Iterator[GroupNode]:
    """The child group ``group_name`` of ``owner`` (created if missing) for one create call.

    With ``clash`` (the name of the create call), a ``made`` that already exists raises
    :class:`DuplicateName` before anything is written; this is the one existence check
    such a call needs. When the body raises, what the call added goes again: the child
    ``made`` of the container if it was not there before, then the container if this
    call created it and it is empty. So a create that fails on input found bad only while writing
    (text that is not UTF-8, data HDF5 refuses) leaves the file's tree as it was.
    """
    group = owner.get_group(group_name)
    created = group is None
    if group is None:
        group = owner.create_group(group_name)
    # Only a valid name that is free can be what the call adds (the user passes ``made``).
    fresh = made if isinstance(made, str) and made not in group else None
    if clash is not None and fresh is None:
        raise DuplicateName(clash, str(made))
    try:
        yield group
    except BaseException:
        if fresh is not None and fresh in group:
            group.unlink(fresh)
        if created and not len(group) and group_name in owner:
            owner.unlink(group_name)
        # Handles read while the call ran may hold the removed objects.
        file._read_cache.clear()
        file._changed(group)
        raise


class Entity(Timestamped):
    """An object of the NIX model stored as an HDF5 group (or dataset, for properties).

    Entities are thin handles: they hold the storage node and read attributes on demand,
    so two handles on the same entity always agree.
    """

    def __init__(self, file: File, node: Any, parent: Any = None) -> None:
        self._file = file
        self._node = node
        self._parent = parent

    # -- identity ---------------------------------------------------------------------
    @property
    def id(self) -> str:
        """The entity's UUID."""
        return str(self._node.get_attr("entity_id", ""))

    @property
    def name(self) -> str:
        """The entity's name, unique in its container."""
        value = self._node.get_attr("name")
        return str(value) if value is not None else self._node.name

    @property
    def type(self) -> str | None:
        """Free-form type string, e.g. ``"nix.session"``."""
        return self._node.get_attr("type")

    @type.setter
    def type(self, value: str) -> None:
        if value is None:
            raise AttributeError("type can't be None")
        if not isinstance(value, str):
            raise InvalidAttrType(str, value)
        self._set("type", value)

    @property
    def definition(self) -> str | None:
        """Free-text definition of the entity."""
        return self._node.get_attr("definition")

    @definition.setter
    def definition(self, value: str | None) -> None:
        self._set_optional_str("definition", value)

    @property
    def file(self) -> File:
        """The File this entity belongs to."""
        return self._file

    # -- writing ----------------------------------------------------------------------
    def _writable(self, action: str) -> None:
        self._file._check_writable(action, self)

    def _touch(self) -> None:
        if self._file.auto_update_timestamps:
            self._node.set_attr("updated_at", time_to_str(now_int()), ascii_str=True)

    def _set(self, key: str, value: Any) -> None:
        self._writable(f"set {key}")
        self._node.set_attr(key, value)
        self._touch()

    def _set_optional_str(self, key: str, value: str | None, touch: bool = True) -> None:
        if value is not None and not isinstance(value, str):
            raise InvalidAttrType(str, value)
        self._writable(f"set {key}")
        if value is None:
            self._node.del_attr(key)
        else:
            self._node.set_attr(key, value)
        if touch:
            self._touch()

    # -- comparison and display -------------------------------------------------------
    def __eq__(self, other: object) -> bool:
        if self is other:
            return True
        if type(self) is not type(other):
            return False
        return self.id == other.id

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return hash(self.id)

    def __repr__(self) -> str:
        return f"{type(self).__name__}: {{name = {self.name}, type = {self.type}}}"

    __str__ = __repr__

    def _repr_html_(self) -> str:
        """Notebook view built from metadata only (see :mod:`nixkit.display.html`)."""
        from nixkit.display.html import repr_html

        return repr_html(self)


class Annotated(Entity):
    """An entity that can link a metadata Section."""

    @property
    def metadata(self) -> Section | None:
        """The Section describing this entity, or None."""
        from nixkit.model.section import Section

        node = self._node.get_group("metadata")
        return Section(self._file, node, None) if node is not None else None

    @metadata.setter
    def metadata(self, section: Section | None) -> None:
        from nixkit.model.section import Section

        if section is None:
            del self.metadata
            return
        if not isinstance(section, Section):
            raise TypeError(f"metadata must be a Section, not {type(section).__name__}")
        if section.file is not self._file and section.file._path != self._file._path:
            raise ValueError("the Section belongs to another file")
        self._writable("set metadata")
        self._node.link(section._node, "metadata")

    @metadata.deleter
    def metadata(self) -> None:
        # Only the link goes: the entity and the Section stay (nixio could delete the entity).
        self._writable("remove metadata")
        if "metadata" in self._node:
            self._node.unlink("metadata")
