"""Copying HDF5 trees between groups and files, keeping link order, topology and exact types."""

from __future__ import annotations

from collections.abc import Callable

import h5py
from h5py import h5g, h5o

from nixkit.storage.attrs import copy_attrs
from nixkit.storage.dataset import DatasetNode
from nixkit.storage.group import GroupNode, group_create_plist

Node = GroupNode | DatasetNode


def _wrap(obj: h5py.Group | h5py.Dataset) -> Node:
    return DatasetNode(obj) if isinstance(obj, h5py.Dataset) else GroupNode(obj)


def count_objects(group: GroupNode) -> int:
    """Number of distinct groups and datasets reachable below ``group`` (itself included)."""
    count = [1]

    def visit(_name: bytes) -> None:
        count[0] += 1

    h5o.visit(group._h.id, visit)
    return count[0]


def copy_tree(
    source: Node,
    dest_parent: GroupNode,
    name: str,
    *,
    is_reference: Callable[[GroupNode, str, Node], bool] | None = None,
    external: Callable[[str, Node], Node | None] | None = None,
    convert_dataset: Callable[[DatasetNode, GroupNode, str], bool] | None = None,
    visit: Callable[[Node], None] | None = None,
) -> Node:
    """Copy ``source`` and everything below it to ``dest_parent/name`` (the files may differ).

    Groups are created anew with link creation order tracked and indexed, their links in
    the source's order; datasets are copied by HDF5 (chunks, filters and attributes kept).
    An object reached through several hard links is copied once and linked again, so the
    link topology inside the copy is that of the source.

    Parameters
    ----------
    source : GroupNode or DatasetNode
        The root of what is copied.
    dest_parent : GroupNode
        The group that receives the copy.
    name : str
        Name of the copy in ``dest_parent``.
    is_reference : callable, optional
        ``is_reference(group, link_name, target)`` tells links that merely refer to an object from
        links that own it. An object no owning link of the copied tree reaches is
        *external*: ``external(link_name, target)`` then returns the node to link instead
        (for example the original, when source and copy share a file), or None to copy it
        privately.
        Without ``is_reference`` every link owns its target.
    external : callable, optional
        See ``is_reference``.
    convert_dataset : callable, optional
        ``convert_dataset(dataset, dest_group, name)`` may create a replacement for a dataset
        and return True; on False the dataset is copied unchanged.
    visit : callable, optional
        Called with each new object once it is complete (for progress or post-processing).

    Returns
    -------
    GroupNode or DatasetNode
        The copy of ``source``.
    """
    copier = _TreeCopier(is_reference, external, convert_dataset, visit)
    copier.find_owned(source._h)
    return _wrap(copier.copy(source._h, dest_parent._h, name))


def copy_contents(
    source: GroupNode,
    dest: GroupNode,
    *,
    convert_dataset: Callable[[DatasetNode, GroupNode, str], bool] | None = None,
    visit: Callable[[Node], None] | None = None,
) -> None:
    """Copy the attributes and children of ``source`` into the existing group ``dest``.

    This is :func:`copy_tree` for a destination that already exists, such as the root
    group of a new file; every link owns its target.
    """
    copier = _TreeCopier(None, None, convert_dataset, visit)
    copier.memo[_addr(source._h)] = dest._h
    copy_attrs(source, dest)
    copier.copy_children(source._h, dest._h)


def _addr(obj: h5py.Group | h5py.Dataset) -> int:
    return int(h5o.get_info(obj.id).addr)


class _TreeCopier:
    """State of one :func:`copy_tree` call: source addresses already copied, owned objects."""

    def __init__(
        self,
        is_reference: Callable[[GroupNode, str, Node], bool] | None,
        external: Callable[[str, Node], Node | None] | None,
        convert_dataset: Callable[[DatasetNode, GroupNode, str], bool] | None,
        visit: Callable[[Node], None] | None,
    ) -> None:
        self.is_reference = is_reference
        self.external = external
        self.convert_dataset = convert_dataset
        self.visit = visit
        self.memo: dict[int, h5py.Group | h5py.Dataset] = {}
        self.owned: set[int] | None = None

    def find_owned(self, root: h5py.Group | h5py.Dataset) -> None:
        """Collect the objects reached from ``root`` through owning links only."""
        if self.is_reference is None:
            return
        owned = {_addr(root)}
        stack = [root]
        while stack:
            group = stack.pop()
            if not isinstance(group, h5py.Group):
                continue
            for key in GroupNode(group).names():
                target = group.get(key)
                if target is None or self.is_reference(GroupNode(group), key, _wrap(target)):
                    continue
                addr = _addr(target)
                if addr not in owned:
                    owned.add(addr)
                    stack.append(target)
        self.owned = owned

    def copy(self, src: h5py.Group | h5py.Dataset, dst_parent: h5py.Group, name: str) -> h5py.Group | h5py.Dataset:
        bname = name.encode()
        if isinstance(src, h5py.Dataset):
            handled = self.convert_dataset is not None and self.convert_dataset(
                DatasetNode(src), GroupNode(dst_parent), name
            )
            if not handled:
                h5o.copy(src.id, b".", dst_parent.id, bname)
            new: h5py.Group | h5py.Dataset = dst_parent[name]
            self.memo[_addr(src)] = new
        else:
            new = h5py.Group(h5g.create(dst_parent.id, bname, gcpl=group_create_plist()))
            self.memo[_addr(src)] = new
            copy_attrs(GroupNode(src), GroupNode(new))
            self.copy_children(src, new)
        if self.visit is not None:
            self.visit(_wrap(new))
        return new

    def copy_children(self, src: h5py.Group, dst: h5py.Group) -> None:
        for key in GroupNode(src).names():
            link = src.get(key, getlink=True)
            if isinstance(link, (h5py.SoftLink, h5py.ExternalLink)):
                dst[key] = link
                continue
            target = src.get(key)
            if target is None:
                continue
            addr = _addr(target)
            done = self.memo.get(addr)
            if done is not None:
                dst[key] = done
                continue
            if self._is_external(src, key, target, addr):
                replacement = self.external(key, _wrap(target)) if self.external is not None else None
                if replacement is not None:
                    dst[key] = replacement._h
                    continue
            self.copy(target, dst, key)

    def _is_external(self, group: h5py.Group, key: str, target: h5py.Group | h5py.Dataset, addr: int) -> bool:
        if self.owned is None or self.is_reference is None or addr in self.owned:
            return False
        return self.is_reference(GroupNode(group), key, _wrap(target))
