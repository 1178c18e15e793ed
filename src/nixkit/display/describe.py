"""Plain descriptions of NIX entities: the one walk that every view renders.

:func:`describe` turns a File, Block, DataArray, Tag, Section ... into a tree of
:class:`Node` objects holding only small, JSON-ready values. The text tree, the
notebook HTML, ``nixkit show`` and ``nixkit dump`` all render these nodes, so they
agree on what a file contains.

No data are read: shapes and dtypes come from the dataset headers. Only with
``values=True`` are the first few set-dimension labels read (and range-dimension tick
counts taken from their headers), which the command line wants and notebooks do not.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["Node", "describe", "jsonable"]

#: How many property values or set labels a description keeps.
MAX_VALUES = 20


@dataclass
class Node:
    """One entity (or dimension, feature, property) of a description tree.

    Attributes
    ----------
    kind : str
        Class name, e.g. ``"DataArray"`` or ``"SampledDimension"``.
    name : str
        Entity name (for dimensions, the 1-based index; for features, the data's name).
    type : str or None
        The NIX type string.
    id : str or None
        The entity id.
    fields : dict
        Small JSON-ready facts: shape, dtype, unit, label, values ...
    children : dict of str to list of Node
        Child nodes grouped by role (``"data_arrays"``, ``"dimensions"`` ...), in order.
    more : dict of str to int
        Children left out of ``children`` because of a size cap, per role.
    link : bool
        True for a reference to an entity described elsewhere (group members).
    """

    kind: str
    name: str
    type: str | None = None
    id: str | None = None
    fields: dict[str, Any] = field(default_factory=dict)
    children: dict[str, list[Node]] = field(default_factory=dict)
    more: dict[str, int] = field(default_factory=dict)
    link: bool = False

    def iter_children(self) -> Iterator[tuple[str, Node]]:
        """Yield ``(role, child)`` for every child, role by role."""
        for role, nodes in self.children.items():
            for node in nodes:
                yield role, node

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary: kind, name, type, id, the fields, then the children."""
        out: dict[str, Any] = {"kind": self.kind, "name": self.name}
        if self.type is not None:
            out["type"] = self.type
        if self.id is not None:
            out["id"] = self.id
        if self.link:
            out["link"] = True
        out.update(self.fields)
        for role, nodes in self.children.items():
            out[role] = [n.to_dict() for n in nodes]
        for role, count in self.more.items():
            out[f"{role}_not_shown"] = count
        return out


def jsonable(value: Any) -> Any:
    """Turn numpy scalars and arrays, tuples, bytes and enums into plain JSON values."""
    if isinstance(value, (str, bool, int, float)) or value is None:
        return value
    if isinstance(value, np.generic):
        return jsonable(value.item())
    if isinstance(value, np.ndarray):
        return [jsonable(v) for v in value.tolist()]
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, enum.Enum):
        return jsonable(value.value)
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    return str(value)


def _iso(seconds: int | None) -> str | None:
    if not seconds:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def _safe(fn: Callable[[], Any]) -> Any:
    """Evaluate ``fn``; a broken reference in the file becomes a readable marker."""
    try:
        return fn()
    except Exception as exc:  # a view must show a damaged file, not die on it
        return f"<unreadable: {exc}>"


def _names(items: Iterable[Any]) -> list[str]:
    return [str(item.name) for item in items]


class _Describer:
    def __init__(
        self,
        values: bool,
        details: bool,
        max_children: int | None,
        depth: int | None,
        visit: Callable[[Any, Node], None] | None,
    ) -> None:
        self.values = values
        self.details = details
        self.max_children = max_children
        self.depth = depth
        self.visit = visit

    # -- dispatch -------------------------------------------------------------------------
    def node(self, obj: Any, level: int = 0) -> Node:
        for cls in type(obj).__mro__:
            method = getattr(self, f"_{cls.__name__}", None)
            if method is not None:
                node: Node = method(obj, level)
                if self.visit is not None:
                    self.visit(obj, node)
                return node
        raise TypeError(f"cannot describe a {type(obj).__name__}")

    def _add(
        self, node: Node, role: str, items: Any, level: int, make: Callable[[Any, int], Node] | None = None
    ) -> None:
        """Describe the children ``items`` under ``role``, within the depth and size caps."""
        if self.depth is not None and level > self.depth:
            count = _safe(lambda: len(items))
            if isinstance(count, int) and count:
                node.more[role] = count
            return
        make = make or self.node
        out: list[Node] = []
        for i, item in enumerate(items):
            if self.max_children is not None and i >= self.max_children:
                node.more[role] = len(items) - i
                break
            out.append(make(item, level))
        if out:
            node.children[role] = out

    def _entity(self, obj: Any, kind: str | None = None) -> Node:
        node = Node(kind or type(obj).__name__, str(obj.name), obj.type, obj.id)
        if self.details:
            if obj.definition is not None:
                node.fields["definition"] = obj.definition
            node.fields["created_at"] = _iso(obj.created_at)
            node.fields["updated_at"] = _iso(obj.updated_at)
        return node

    def _metadata(self, node: Node, obj: Any) -> None:
        section = _safe(lambda: obj.metadata)
        if isinstance(section, str):
            node.fields["metadata"] = section
        elif section is not None:
            node.fields["metadata"] = section.name

    def _sources(self, node: Node, obj: Any) -> None:
        names = _safe(lambda: _names(obj.sources))
        if names:
            node.fields["sources"] = names

    def _link(self, obj: Any, level: int) -> Node:
        return Node(type(obj).__name__, str(obj.name), obj.type, obj.id, link=True)

    # -- containers of everything -----------------------------------------------------------
    def _File(self, f: Any, level: int) -> Node:  # noqa: N802 - named after the class
        node = Node("File", str(f.filename), None, f.id)
        node.fields["format"] = f.format
        node.fields["version"] = ".".join(str(int(v)) for v in f.version)
        node.fields["created_at"] = _iso(f.created_at)
        node.fields["updated_at"] = _iso(f.updated_at)
        self._add(node, "blocks", f.blocks, level + 1)
        self._add(node, "sections", f.sections, level + 1)
        return node

    def _Block(self, block: Any, level: int) -> Node:  # noqa: N802
        node = self._entity(block)
        self._metadata(node, block)
        for role in ("groups", "data_arrays", "data_frames", "tags", "multi_tags", "sources"):
            self._add(node, role, getattr(block, role), level + 1)
        return node

    def _Group(self, group: Any, level: int) -> Node:  # noqa: N802
        node = self._entity(group)
        self._metadata(node, group)
        for role in ("data_arrays", "data_frames", "tags", "multi_tags", "sources"):
            self._add(node, role, getattr(group, role), level + 1, self._link)
        return node

    def _Source(self, source: Any, level: int) -> Node:  # noqa: N802
        node = self._entity(source)
        self._metadata(node, source)
        self._add(node, "sources", source.sources, level + 1)
        return node

    # -- data ----------------------------------------------------------------------------------
    def _DataArray(self, da: Any, level: int) -> Node:  # noqa: N802
        node = self._entity(da)
        node.fields["shape"] = list(da.shape)
        node.fields["dtype"] = _dtype_name(da.dtype)
        for key in ("unit", "label"):
            value = getattr(da, key)
            if value:
                node.fields[key] = value
        if self.details and da.expansion_origin is not None:
            node.fields["expansion_origin"] = jsonable(da.expansion_origin)
        self._sources(node, da)
        self._metadata(node, da)
        self._add(node, "dimensions", list(da.dimensions), level + 1)
        return node

    def _dimension(self, dim: Any) -> Node:
        node = Node(type(dim).__name__, str(dim.index))
        label = dim.label
        if label:
            node.fields["label"] = label
        if getattr(dim, "has_link", False):
            link = dim.dimension_link
            node.fields["linked_to"] = _safe(lambda: link.data_object_type)
        return node

    def _SampledDimension(self, dim: Any, level: int) -> Node:  # noqa: N802
        node = self._dimension(dim)
        node.fields["sampling_interval"] = jsonable(dim.sampling_interval)
        if dim.offset is not None:
            node.fields["offset"] = jsonable(dim.offset)
        if dim.unit:
            node.fields["unit"] = dim.unit
        return node

    def _RangeDimension(self, dim: Any, level: int) -> Node:  # noqa: N802
        node = self._dimension(dim)
        unit = dim.unit
        if unit:
            node.fields["unit"] = unit
        ticks = _stored(dim, "ticks") if self.values else None
        if ticks is not None:
            node.fields["ticks"] = ticks.shape[0]  # from the header: ticks can be as long as the data
        return node

    def _SetDimension(self, dim: Any, level: int) -> Node:  # noqa: N802
        node = self._dimension(dim)
        labels = _stored(dim, "labels") if self.values else None
        if labels is not None:
            count = labels.shape[0]
            node.fields["labels"] = [str(v) for v in labels.read(slice(0, MAX_VALUES))]
            if count > MAX_VALUES:
                node.fields["n_labels"] = count
        return node

    def _DataFrame(self, df: Any, level: int) -> Node:  # noqa: N802
        node = self._entity(df)
        node.fields["rows"] = int(df.shape[0])
        columns = []
        for name, dtype, unit in df.columns:
            column: dict[str, Any] = {"name": str(name), "dtype": _dtype_name(dtype)}
            if unit:
                column["unit"] = str(unit)
            columns.append(column)
        node.fields["columns"] = columns
        self._metadata(node, df)
        return node

    # -- tags ------------------------------------------------------------------------------------
    def _tag_common(self, node: Node, tag: Any, level: int) -> None:
        units = _safe(lambda: list(tag.units))
        if units:
            node.fields["units"] = units
        node.fields["references"] = _safe(lambda: _names(tag.references))
        self._sources(node, tag)
        self._metadata(node, tag)
        self._add(node, "features", tag.features, level + 1)

    def _Tag(self, tag: Any, level: int) -> Node:  # noqa: N802
        node = self._entity(tag)
        node.fields["position"] = jsonable(tag.position)
        extent = tag.extent
        if extent is not None and len(extent):
            node.fields["extent"] = jsonable(extent)
        self._tag_common(node, tag, level)
        return node

    def _MultiTag(self, mtag: Any, level: int) -> Node:  # noqa: N802
        node = self._entity(mtag)
        node.fields["positions"] = _safe(lambda: _array_ref(mtag.positions))
        extents = _safe(lambda: mtag.extents)
        if extents is not None:
            node.fields["extents"] = extents if isinstance(extents, str) else _array_ref(extents)
        self._tag_common(node, mtag, level)
        return node

    def _Feature(self, feature: Any, level: int) -> Node:  # noqa: N802
        data = _safe(lambda: feature.data)
        name = data if isinstance(data, str) else str(data.name)
        node = Node("Feature", name, None, feature.id)
        node.fields["link_type"] = jsonable(feature.link_type)
        if not isinstance(data, str):
            node.fields["data"] = {"kind": type(data).__name__, "name": name}
        return node

    # -- metadata ----------------------------------------------------------------------------------
    def _Section(self, section: Any, level: int) -> Node:  # noqa: N802
        node = self._entity(section)
        if self.details:
            for key in ("reference", "repository"):
                value = getattr(section, key, None)
                if value:
                    node.fields[key] = value
        link = _safe(lambda: section.link)
        if link is not None:
            node.fields["link"] = link if isinstance(link, str) else link.name
        self._add(node, "properties", section.props, level + 1)
        self._add(node, "sections", section.sections, level + 1)
        return node

    def _Property(self, prop: Any, level: int) -> Node:  # noqa: N802
        node = Node("Property", str(prop.name), None, prop.id)
        values = list(prop.values)
        node.fields["values"] = jsonable(values[:MAX_VALUES])
        if len(values) > MAX_VALUES:
            node.fields["n_values"] = len(values)
        for key in ("unit", "uncertainty"):
            value = getattr(prop, key)
            if value is not None and value != "":
                node.fields[key] = jsonable(value)
        if self.details:
            if prop.definition is not None:
                node.fields["definition"] = prop.definition
            node.fields["dtype"] = _dtype_name(prop.data_type)
        return node


def _stored(dim: Any, name: str) -> Any:
    """The dataset ``name`` stored in a dimension's own group (not a linked one), or None."""
    node = getattr(dim, "_node", None)
    return node.get_dataset(name) if node is not None else None


def _array_ref(da: Any) -> dict[str, Any]:
    return {"name": str(da.name), "shape": list(da.shape)}


def _dtype_name(dtype: Any) -> str:
    """A short readable name for numpy dtypes, NIX data types and HDF5 strings."""
    if dtype is np.str_ or dtype is str:
        return "str"
    dt = np.dtype(dtype)
    if dt.kind == "O":
        return "str"
    return str(dt)


def describe(
    obj: Any,
    *,
    values: bool = False,
    details: bool = False,
    max_children: int | None = None,
    depth: int | None = None,
    visit: Callable[[Any, Node], None] | None = None,
) -> Node:
    """Describe ``obj`` and everything below it as a :class:`Node` tree.

    Parameters
    ----------
    obj : File, Block, Group, DataArray, DataFrame, Tag, MultiTag, Source, Section or Property
        What to describe; dimensions and features are accepted too.
    values : bool
        Also give the first set-dimension labels and the number of stored range ticks.
    details : bool
        Add definitions, timestamps and calibration.
    max_children : int, optional
        At most this many children per role; the rest are counted in ``Node.more``.
    depth : int, optional
        Levels of children to describe below ``obj`` (None: all).
    visit : callable, optional
        Called as ``visit(entity, node)`` for every node made (group members excepted),
        e.g. to add data to the nodes of DataArrays.

    Returns
    -------
    Node
        The root of the description.
    """
    return _Describer(values, details, max_children, depth, visit).node(obj)
