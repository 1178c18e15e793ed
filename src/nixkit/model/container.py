"""Collections of entities: by position, name or id, in creation order.

Two storage flavours exist. A :class:`Container` owns its entities, which are stored
under their names. A :class:`LinkContainer` holds references: hard links named by the
target's id. Name lookups on a Container and id lookups on a LinkContainer are single
HDF5 link look-ups; the other direction uses an index built by one scan and checked on
every hit, so a stale index can never return a wrong entity.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import numpy as np

from nixkit.exceptions import EntityNotFound
from nixkit.model.entity import Entity, is_uuid

if TYPE_CHECKING:
    from nixkit.model.file import File
    from nixkit.storage.group import GroupNode

T = TypeVar("T", bound=Entity)

# Key of the token in File._read_cache under which owners keep their container groups.
_MEMO_TOKEN = "container.memo"


class Container(Generic[T]):
    """Entities stored in one group of their owner, named by entity name."""

    def __init__(self, owner: Any, group_name: str, cls: type[T], parent: Any = None) -> None:
        self._owner = owner
        self._file: File = owner if parent is None and hasattr(owner, "blocks") else owner._file
        self._group_name = group_name
        self._cls = cls
        self._item_parent = owner if parent is None else parent

    # -- storage --------------------------------------------------------------------
    def _group(self) -> GroupNode | None:
        # An existing group node is kept on the owner until the next write empties the
        # file's read cache, so repeated lookups open only the entity, as h5py code would.
        # A missing group is not kept: it may be created later in the same operation.
        cache = self._file._read_cache
        token = cache.get(_MEMO_TOKEN)
        memo = self._owner.__dict__.get("_container_groups")
        if token is not None and memo is not None and memo[0] is token:
            found = memo[1].get(self._group_name)
            if found is not None:
                return found
        group: GroupNode | None = self._owner._node.get_group(self._group_name)
        if group is not None:
            if token is None:
                token = cache[_MEMO_TOKEN] = object()
            if memo is None or memo[0] is not token:
                memo = (token, {})
                self._owner._container_groups = memo
            memo[1][self._group_name] = group
        return group

    def _require_group(self) -> GroupNode:
        group = self._group()
        if group is None:
            self._file._check_writable(f"create {self._group_name}")
            group = self._owner._node.create_group(self._group_name)
        return group

    def _make(self, group: GroupNode, key: str) -> T:
        return self._cls(self._file, group.child(key), self._item_parent)

    def _index_key(self, group: GroupNode) -> str:
        return group.path

    def _id_to_key(self, group: GroupNode, entity_id: str) -> str | None:
        """Storage key of the entity with ``entity_id``, via the file's checked index."""
        cache = self._file._id_index
        index = cache.get(self._index_key(group))
        if index is not None:
            key = index.get(entity_id)
            if key is not None and key in group and self._key_has_id(group, key, entity_id):
                return key
        index = {}
        for key in group.names():
            eid = self._read_id(group, key)
            if eid is not None:
                index.setdefault(eid, key)
        cache[self._index_key(group)] = index
        return index.get(entity_id)

    @staticmethod
    def _read_id(group: GroupNode, key: str) -> str | None:
        try:
            value = group.child(key).get_attr("entity_id")
        except (KeyError, OSError, ValueError):
            return None
        return str(value) if value is not None else None

    def _key_has_id(self, group: GroupNode, key: str, entity_id: str) -> bool:
        return self._read_id(group, key) == entity_id

    def _key_of(self, item: Any) -> str:
        """Storage key for an int, name, id or entity; EntityNotFound if absent."""
        group = self._group()
        if isinstance(item, (int, np.integer)) and not isinstance(item, bool):
            n = 0 if group is None else len(group)
            if group is None or not -n <= int(item) < n:
                raise IndexError(f"Index out of bounds: {item} (the container holds {n})")
            return group.name_at(int(item))
        if isinstance(item, Entity):
            if not isinstance(item, self._cls):
                raise TypeError(f"{type(item).__name__} cannot be in a container of {self._cls.__name__}")
            key = self._entity_key(group, item)
        elif isinstance(item, str):
            key = self._str_key(group, item)
        else:
            raise TypeError(f"look up entities by int, name, id or entity, not {type(item).__name__}")
        if key is None:
            raise EntityNotFound(f"Item not found {item!r} in {self._describe()}")
        return key

    def _str_key(self, group: GroupNode | None, text: str) -> str | None:
        if group is None:
            return None
        if text in group:
            return text
        if is_uuid(text):
            return self._id_to_key(group, text)
        return None

    def _entity_key(self, group: GroupNode | None, entity: Entity) -> str | None:
        if group is None:
            return None
        name = entity.name
        if name in group and group.child(name).same(entity._node):
            return name
        key = self._id_to_key(group, entity.id)
        if key is not None and group.child(key).address == entity._node.address:
            return key
        return None

    def _describe(self) -> str:
        return f"{self._owner!r}.{self._group_name}"

    # -- mapping protocol ---------------------------------------------------------
    def __len__(self) -> int:
        group = self._group()
        return 0 if group is None else len(group)

    def __iter__(self) -> Iterator[T]:
        group = self._group()
        if group is None:
            return
        for key in group.names():
            if group.kind(key) is not None:
                yield self._make(group, key)

    def __getitem__(self, item: int | str) -> T:
        group = self._group()
        if isinstance(item, str) and group is not None and "/" not in item:
            # The common case, a name, costs one open; anything else takes the general path.
            try:
                return self._make(group, item)
            except KeyError:
                pass
        key = self._key_of(item)
        group = self._group()
        assert group is not None
        return self._make(group, key)

    def get(self, item: int | str, default: Any = None) -> Any:
        """The entity for ``item``, or ``default`` when there is none."""
        try:
            return self[item]
        except (KeyError, IndexError):
            return default

    def __contains__(self, item: object) -> bool:
        group = self._group()
        if group is None:
            return False
        if isinstance(item, Entity):
            if not isinstance(item, self._cls):
                raise TypeError(f"{type(item).__name__} cannot be in a container of {self._cls.__name__}")
            return self._entity_key(group, item) is not None
        if isinstance(item, str):
            return self._str_key(group, item) is not None
        raise TypeError(f"test membership with a name, id or entity, not {type(item).__name__}")

    def __delitem__(self, item: int | str | T) -> None:
        key = self._key_of(item)
        group = self._group()
        assert group is not None
        self._file._check_writable(f"delete {item!r} from {self._describe()}")
        self._delete(group, key)

    def _delete(self, group: GroupNode, key: str) -> None:
        """Remove the entity and every reference to it."""
        self._file._delete_object(group.child(key), self._delete_scope())

    def _delete_scope(self) -> GroupNode:
        return self._file._node

    def keys(self) -> list[str]:
        """Names of the entities in creation order."""
        return [e.name for e in self]

    def items(self) -> Iterator[tuple[str, T]]:
        """``(id, entity)`` pairs in creation order, as nixio gives them."""
        for e in self:
            yield e.id, e

    def values(self) -> list[T]:
        """The entities in creation order."""
        return list(self)

    def __repr__(self) -> str:
        return "[" + ", ".join(repr(e) for e in self) + "]"

    __str__ = __repr__


class LinkContainer(Container[T]):
    """References to entities that live elsewhere in the block: links named by id.

    Parameters
    ----------
    owner : Entity
        The entity holding the references.
    group_name : str
        Name of the link group inside the owner.
    cls : type
        Class of the referenced entities.
    home : callable
        Returns the container where valid targets live (for example the block's
        ``data_arrays``); appending anything else is refused.
    parent : Entity
        The block, used as parent of the returned entities.
    """

    def __init__(self, owner: Any, group_name: str, cls: type[T], home: Any, parent: Any) -> None:
        super().__init__(owner, group_name, cls, parent)
        self._home = home

    def _index_key(self, group: GroupNode) -> str:
        return group.path + "#names"

    def _str_key(self, group: GroupNode | None, text: str) -> str | None:
        if group is None:
            return None
        if text in group:
            return text
        # Lookup by name: same checked index, mapping names instead of ids.
        return self._id_to_key(group, text)

    @staticmethod
    def _read_id(group: GroupNode, key: str) -> str | None:
        try:
            value = group.child(key).get_attr("name")
        except (KeyError, OSError, ValueError):
            return None
        return str(value) if value is not None else None

    def _entity_key(self, group: GroupNode | None, entity: Entity) -> str | None:
        if group is None:
            return None
        key = entity.id
        if key in group and group.link_address(key) == entity._node.address:
            return key
        return None

    def append(self, item: T | str) -> None:
        """Add a reference to ``item`` (an entity or the id of one in the block)."""
        self._file._check_writable(f"append to {self._describe()}")
        home = self._home()
        if isinstance(item, str):
            item = home[item]
        if not isinstance(item, Entity):
            raise TypeError(f"only {self._cls.__name__} entities can be appended, not {type(item).__name__}")
        if not isinstance(item, self._cls):
            raise TypeError(f"{type(item).__name__} cannot be appended to a list of {self._cls.__name__}")
        if item not in home:
            raise RuntimeError(f"This item cannot be appended here: {item!r} does not belong to {home._describe()}")
        group = self._require_group()
        group.link(item._node, item.id)
        self._file._changed(group)

    def extend(self, items: Any) -> None:
        """Append every entity (or id) in ``items``."""
        for item in items:
            self.append(item)

    def _delete(self, group: GroupNode, key: str) -> None:
        # Removing a reference never removes the referenced entity.
        group.unlink(key)
        self._file._changed(group)
