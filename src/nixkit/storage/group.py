"""Group nodes: attributes, children in creation order, hard links; removing every link to objects."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import h5py
from h5py import h5, h5d, h5g, h5l, h5o, h5p

from nixkit.exceptions.exceptions import CorruptFile, EntityNotFound
from nixkit.storage.attrs import AttrMixin, own_api, wrong_kind
from nixkit.storage.compact import compact_links
from nixkit.storage.dataset import DatasetNode
from nixkit.storage.durability import hard_target, remove_link, retire
from nixkit.storage.errors import check_dataset_kind, guarded, path_of, storable, target_path
from nixkit.storage.swmr import fresh

_PLIST_CACHE: list[h5p.PropGCID] = []


def group_create_plist() -> h5p.PropGCID:
    """Group creation properties that NIX needs: link creation order tracked and indexed."""
    if not _PLIST_CACHE:
        plist = h5p.create(h5p.GROUP_CREATE)
        plist.set_link_creation_order(h5p.CRT_ORDER_TRACKED | h5p.CRT_ORDER_INDEXED)
        compact_links(plist)
        _PLIST_CACHE.append(plist)
    return _PLIST_CACHE[0]


_KINDS = {h5o.TYPE_GROUP: "group", h5o.TYPE_DATASET: "dataset"}


def _checked_dataset(parent: Any, name: str, ds: h5py.Dataset) -> DatasetNode:
    node = DatasetNode(fresh(ds))
    check_dataset_kind(parent, name, ds)
    return node


class GroupNode(AttrMixin):
    """A stored group: attributes, ordered children and hard links."""

    __slots__ = ("_h", "_ro")

    def __getattr__(self, name: str) -> Any:
        return wrong_kind(self, name, _DATASET_API, "group")

    def __init__(self, handle: h5py.Group, readonly: bool | None = None) -> None:
        self._h = handle
        self._ro = readonly

    def _readonly(self) -> bool:
        # h5py caches its fast slice reader only on datasets it knows to be read-only;
        # asking the file on every open would cost more than the open itself.
        if self._ro is None:
            self._ro = self._h.file.mode == "r"
        return self._ro

    def _open(self, name: str) -> Any:
        """Child ``name`` opened with one low-level call (KeyError if missing)."""
        oid = h5o.open(self._h.id, name.encode())
        if isinstance(oid, h5g.GroupID):
            return h5py.Group(oid)
        if isinstance(oid, h5d.DatasetID):
            return h5py.Dataset(oid, readonly=self._readonly())
        return self._h[name]

    # -- children -------------------------------------------------------------------
    def __contains__(self, name: str) -> bool:
        try:
            return bool(self._h.id.links.exists(name.encode()))
        except (KeyError, ValueError, RuntimeError):
            return False

    @guarded
    def __len__(self) -> int:
        return int(self._h.id.get_num_objs())

    def _index_type(self) -> int:
        order = self._h.id.get_create_plist().get_link_creation_order()
        return h5.INDEX_CRT_ORDER if order & h5p.CRT_ORDER_INDEXED else h5.INDEX_NAME

    @guarded
    def names(self) -> list[str]:
        """Child names in creation order (name order if the file has no order index)."""
        out: list[bytes] = []
        self._h.id.links.iterate(out.append, idx_type=self._index_type())
        return [n.decode("utf-8", errors="surrogateescape") for n in out]

    @guarded
    def name_at(self, index: int) -> str:
        """Name of the child at creation-order position ``index`` (may be negative)."""
        n = len(self)
        if index < 0:
            index += n
        if not 0 <= index < n:
            raise IndexError(index)
        name, _next = self._h.id.links.iterate(lambda x: x, idx_type=self._index_type(), idx=index)
        return bytes(name).decode("utf-8", errors="surrogateescape")

    def kind(self, name: str) -> str | None:
        """``"group"``, ``"dataset"`` or None for a missing or dangling child."""
        try:
            kind = h5o.get_info(self._h.id, name.encode()).type
        except (KeyError, OSError, ValueError, RuntimeError):
            return None
        return _KINDS.get(kind)

    @guarded
    def child(self, name: str) -> GroupNode | DatasetNode:
        """The group or dataset named ``name``; KeyError if missing or of another kind."""
        obj = self._open(name)
        if isinstance(obj, h5py.Dataset):
            return DatasetNode(fresh(obj))
        if isinstance(obj, h5py.Group):
            return GroupNode(obj, self._ro)
        raise EntityNotFound(f"{target_path(self, (name,))} is neither a group nor a dataset")

    @guarded
    def group(self, name: str) -> GroupNode:
        """Child group ``name``; KeyError if missing or not a group."""
        obj = self._open(name)
        if not isinstance(obj, h5py.Group):
            raise EntityNotFound(f"{path_of(self)}/{name} is not a group")
        return GroupNode(obj, self._ro)

    def get_group(self, name: str) -> GroupNode | None:
        """Child group ``name``, or None when there is no such group.

        A link of that name that leads nowhere raises :class:`CorruptFile`: a broken
        reference is damage, not absence.
        """
        obj = self._get(name)
        return GroupNode(obj, self._ro) if isinstance(obj, h5py.Group) else None

    def _get(self, name: str) -> Any:
        """Child ``name``, None when there is no such link, CorruptFile when the link is broken."""
        try:
            return self._open(name)
        except (KeyError, OSError, ValueError, RuntimeError) as exc:
            if name in self:
                raise CorruptFile(f"cannot follow the link {target_path(self, (name,))}: {exc}") from exc
            return None

    @guarded
    def dataset(self, name: str) -> DatasetNode:
        """Child dataset ``name``; KeyError if missing or not a dataset."""
        obj = self._open(name)
        if not isinstance(obj, h5py.Dataset):
            raise EntityNotFound(f"{path_of(self)}/{name} is not a dataset")
        return _checked_dataset(self, name, obj)

    def get_dataset(self, name: str) -> DatasetNode | None:
        """Child dataset ``name``, or None when there is none (a broken link raises CorruptFile)."""
        obj = self._get(name)
        return _checked_dataset(self, name, obj) if isinstance(obj, h5py.Dataset) else None

    def create_group(self, name: str) -> GroupNode:
        """Create child group ``name`` with creation order tracked and indexed."""
        gid = h5g.create(self._h.id, name.encode(), gcpl=group_create_plist())
        return GroupNode(h5py.Group(gid), self._ro)

    def require_group(self, name: str) -> GroupNode:
        """Child group ``name``, created if missing."""
        found = self.get_group(name)
        return found if found is not None else self.create_group(name)

    @storable()
    def create_dataset(
        self,
        name: str,
        shape: tuple[int, ...],
        dtype: Any,
        data: Any = None,
        chunks: bool | tuple[int, ...] | None = True,
        resizable: bool = True,
        compression: str | None = None,
    ) -> DatasetNode:
        """Create a dataset; resizable datasets get unlimited maxshape on every axis.

        ``data`` HDF5 cannot convert raises a nixkit error (see :func:`storable`), and no
        dataset is left.
        """
        kwargs: dict[str, Any] = {}
        if resizable:
            kwargs["maxshape"] = (None,) * len(shape)
            kwargs["chunks"] = chunks if chunks is not None else True
        elif chunks not in (None, False, True):
            kwargs["chunks"] = chunks
        if compression:
            kwargs["compression"] = compression
            if compression == "gzip":
                kwargs["compression_opts"] = 6
            kwargs.setdefault("chunks", True)
        # h5py links the dataset before it converts ``data``: a conversion that fails
        # (text without a UTF-8 form, objects that are not text) leaves a half-made one.
        fresh = data is not None and name not in self
        try:
            ds = self._h.create_dataset(name, shape=shape, dtype=dtype, data=data, **kwargs)
        except (UnicodeEncodeError, TypeError):
            if fresh and name in self:
                self.unlink(name)
            raise
        return DatasetNode(ds)

    def link(self, target: GroupNode | DatasetNode, name: str) -> None:
        """Create (or replace) the hard link ``name`` to ``target``."""
        if name in self:
            self.unlink(name)
        self._h[name] = target._h

    def unlink(self, name: str) -> None:
        """Remove link ``name`` (the object lives on while other links point to it).

        An object that loses its last link here is freed only after the next flush.
        """
        remove_link(self._h, name)

    def rename(self, old: str, new: str) -> None:
        """Move child ``old`` to ``new`` within this group."""
        self._h.move(old, new)

    @guarded
    def link_address(self, name: str) -> int | None:
        """Object address a hard link points to, without opening the object."""
        info = self._h.id.links.get_info(name.encode())
        if info.type != h5l.TYPE_HARD:
            return None
        return int(info.u)

    def walk_groups(self, visit: Callable[[GroupNode], None]) -> None:
        """Call ``visit`` once for this group and every group reachable below it."""
        seen: set[int] = set()
        stack: list[h5py.Group] = [self._h]
        while stack:
            g = stack.pop()
            addr = int(h5o.get_info(g.id).addr)
            if addr in seen:
                continue
            seen.add(addr)
            visit(GroupNode(g))
            for child in g.values():
                if isinstance(child, h5py.Group):
                    stack.append(child)

    def iter_children(self) -> Iterator[tuple[str, GroupNode | DatasetNode]]:
        """Yield ``(name, node)`` for every child in creation order."""
        for n in self.names():
            kind = self.kind(n)
            if kind is not None:
                yield n, self.child(n)


GROUP_API = own_api(GroupNode)
_DATASET_API = own_api(DatasetNode)


def unlink_all(scope: GroupNode, addresses: set[int]) -> int:
    """Remove every hard link below ``scope`` that points to one of ``addresses``.

    Each group is visited once (by object), and links are compared by the address
    stored in the link itself, so no target object is opened.

    Returns
    -------
    int
        The number of links removed.
    """
    hits: list[bytes] = []
    held: dict[int, Any] = {}
    root = scope._h.id

    # One C-level walk over every link below scope; a group reached by several paths is
    # walked once, and the link itself holds the address, so no object is opened.
    def check(name: bytes, info: Any) -> None:
        if info.type == h5l.TYPE_HARD and int(info.u) in addresses:
            hits.append(name)
            if int(info.u) not in held:
                held[int(info.u)] = hard_target(root, name)

    root.links.visit(check, info=True)
    # Deepest first, so that a link inside a group that is itself unlinked is still reached.
    for name in sorted(hits, key=lambda n: -n.count(b"/")):
        if root.links.exists(name):
            root.unlink(name)
    # Objects that lost their last link are freed only after the next flush.
    retire([oid for oid in held.values() if oid is not None])
    return len(hits)
