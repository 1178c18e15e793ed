"""Copying entities (``copy_from=`` of the ``create_*`` methods), within or between files.

What a copy holds:

- Everything the source *owns* is copied: its attributes and data, dimensions, features,
  child sources, and for a Block all of its data arrays, tags, groups and so on. Links
  between owned objects are re-created between the copies, so a copied Block's tags
  reference the copied data arrays.
- Objects the source only *refers to* (``metadata`` sections, ``references``, linked
  ``sources``, multi-tag ``positions``/``extents``, feature data, dimension links) are
  linked, not copied, when the link stays valid: a Section anywhere in the same file,
  or an entity of the same block. Otherwise (another file, another block) they are
  copied privately under the referring object so no information is lost; this is what
  nixio does for every referred object, which fills the file with hidden duplicates.
- ``keep_id=False`` gives every copied object a fresh id and renames the links named by
  the old ids, so references in the copy still resolve by id (nixio left them stale).
- A name already taken in the destination raises :class:`CopyNameClash`, which is a
  :class:`DuplicateName` and, like nixio's error here, a :class:`NameError`.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from nixkit.exceptions import CopyNameClash, InvalidAttrType
from nixkit.model.entity import Entity, check_name, new_id
from nixkit.storage.copy import Node, copy_tree
from nixkit.storage.dataset import DatasetNode
from nixkit.storage.group import GroupNode

if TYPE_CHECKING:
    from nixkit.model.file import File

__all__ = ["check_copy", "copy_entity"]

# Link names of single references held directly by an entity group.
_REFERENCE_NAMES = frozenset({"metadata", "positions", "extents", "data", "link"})


def is_reference(group: GroupNode, link_name: str, target: Node) -> bool:
    """Whether the link ``link_name`` in ``group`` refers to, rather than owns, its target.

    An entity is owned through the link named by its name inside a container group.
    References are the fixed-name links of an entity group (``metadata``, ``positions``,
    ``extents``, a Feature's ``data``, a Section's ``link``) and links named by the
    target's id. Groups without a name (containers, dimensions, features, dimension
    links) and datasets are always owned.
    """
    if isinstance(target, DatasetNode):
        return False
    name = target.get_attr("name")
    if link_name in _REFERENCE_NAMES and group.has_attr("entity_id"):
        # Directly inside an entity (not a container), these names are single references;
        # a dimension's link/ group has no name and is owned.
        return name is not None
    return name is not None and link_name != name


def copy_entity(
    file: File,
    source: Entity,
    cls: type,
    target_group_node: GroupNode,
    name: str,
    keep_id: bool,
    parent: Any,
) -> Any:
    """Copy ``source`` into ``target_group_node`` and return the copy as a ``cls``.

    Parameters
    ----------
    file : File
        The file receiving the copy.
    source : Entity
        What to copy (it may live in another file).
    cls : type
        The entity class of the source and of the copy.
    target_group_node : GroupNode
        The container group the copy is stored in.
    name : str
        Name of the copy; empty keeps the source's name.
    keep_id : bool
        Whether the copied objects keep their ids (False: fresh ids everywhere).
    parent : Block or File
        The parent handed to the returned entity.

    Returns
    -------
    Entity
        The copy.
    """
    new_name = check_copy(source, cls, name)
    if new_name in target_group_node:
        raise CopyNameClash(
            f"cannot copy {source!r}: {target_group_node.name} already holds an object named {new_name!r}; "
            "pass another name"
        )
    file._check_writable(f"copy {source!r}")
    resolver = _Resolver(file, source, parent)
    copied: list[Node] = []
    node = copy_tree(
        source._node,
        target_group_node,
        new_name,
        is_reference=is_reference,
        external=resolver,
        visit=copied.append,
    )
    if new_name != source.name:
        node.set_attr("name", new_name)
    if not keep_id:
        _renew_ids(copied)
    file._changed(target_group_node)
    return cls(file, node, parent)


def check_copy(source: Any, cls: type[Entity], name: str) -> str:
    """Check the arguments of a copy that need no file; returns the name of the copy."""
    if not isinstance(source, cls):
        raise InvalidAttrType(f"copy_from must be a {cls.__name__}, not {type(source).__name__}")
    return check_name(name or source.name)


class _Resolver:
    """Decides what a reference to an object outside the copied tree becomes."""

    def __init__(self, file: File, source: Entity, parent: Any) -> None:
        self.same_file = _same_file(file, source.file)
        source_block = source if hasattr(source, "data_arrays") else source._parent
        self.same_block = (
            self.same_file
            and source_block is not None
            and hasattr(parent, "data_arrays")
            and hasattr(source_block, "_node")
            and parent._node.address == source_block._node.address
        )

    def __call__(self, link_name: str, target: Node) -> Node | None:
        if not self.same_file:
            return None
        if link_name in ("metadata", "link"):
            return target  # Sections are valid anywhere in their file
        return target if self.same_block else None


def _same_file(a: File, b: File) -> bool:
    if a is b:
        return True
    try:
        return os.path.samefile(a.filename, b.filename)
    except OSError:
        return False


def _renew_ids(copied: list[Node]) -> None:
    """Give every copied object a new id and rename links that were named by the old ids."""
    renamed: dict[str, str] = {}
    for node in copied:
        old = node.get_attr("entity_id")
        if old is not None:
            fresh = new_id()
            node.set_attr("entity_id", fresh)
            renamed[str(old)] = fresh
    for node in copied:
        if isinstance(node, GroupNode):
            _rename_links(node, renamed)


def _rename_links(group: GroupNode, renamed: dict[str, str]) -> None:
    names = group.names()
    targets = {}
    for key in names:
        if key in renamed and group.kind(key) is not None:
            child = group.child(key)
            # An entity stored under its own name keeps it: only id-named links change.
            if child.get_attr("name") != key and child.get_attr("entity_id") == renamed[key]:
                targets[key] = renamed[key]
    if not targets:
        return
    # A rename moves a link to the end of the creation order, so every link is moved
    # once, in order, to keep the order of the container.
    spare = f".renaming-{new_id()}"
    for key in names:
        if key in targets:
            group.rename(key, targets[key])
        else:
            group.rename(key, spare)
            group.rename(spare, key)
