"""The rich tree shown by ``nixkit show`` and ``nixkit demo``, with filters.

Each :class:`~nixkit.display.describe.Node` becomes one line: kind, name, type and the
facts a reader looks for first (shape, dtype, unit, dimension layout, tag positions,
property values).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from nixkit.display.describe import Node

if TYPE_CHECKING:
    from rich.tree import Tree

__all__ = ["KINDS", "facts_of", "filter_node", "node_line", "normalize_kind", "rich_tree"]

#: Entity kinds a filter may name (lower case, without separators).
KINDS = {
    "block": ("Block",),
    "group": ("Group",),
    "dataarray": ("DataArray",),
    "dataframe": ("DataFrame",),
    "tag": ("Tag",),
    "multitag": ("MultiTag",),
    "feature": ("Feature",),
    "source": ("Source",),
    "section": ("Section",),
    "property": ("Property",),
    "dimension": ("SampledDimension", "RangeDimension", "SetDimension"),
}

_STYLES = {
    "Block": "bold blue",
    "Group": "cyan",
    "DataArray": "green",
    "DataFrame": "green",
    "Tag": "magenta",
    "MultiTag": "magenta",
    "Feature": "magenta",
    "Source": "yellow",
    "Section": "bold yellow",
    "Property": "yellow",
}


def normalize_kind(name: str) -> tuple[str, ...]:
    """The class names meant by a user's kind filter, e.g. ``data_array`` or ``DataArray``.

    Raises
    ------
    ValueError
        For a name that is no kind.
    """
    key = name.lower().replace("_", "").replace("-", "").replace(" ", "")
    key = key[:-1] if key.endswith("s") and key[:-1] in KINDS else key
    if key not in KINDS:
        raise ValueError(f"unknown kind {name!r}; use one of {', '.join(sorted(KINDS))}")
    return KINDS[key]


def _name_matches(name: str, pattern: str) -> bool:
    if any(c in pattern for c in "*?["):
        return fnmatch.fnmatch(name.lower(), pattern.lower())
    return pattern.lower() in name.lower()


def filter_node(node: Node, kinds: Iterable[str] = (), name: str | None = None) -> Node | None:
    """Keep the nodes that match ``kinds`` and ``name``, their subtrees and their ancestors.

    Parameters
    ----------
    node : Node
        Root of the tree to filter (always kept).
    kinds : iterable of str
        Class names to keep (empty: any).
    name : str, optional
        A case-insensitive substring, or a glob pattern with ``*``/``?``, the name must match.

    Returns
    -------
    Node or None
        The filtered copy, or None when nothing below the root matches.
    """
    wanted = set(kinds)

    def matches(n: Node) -> bool:
        return (not wanted or n.kind in wanted) and (name is None or _name_matches(n.name, name))

    def prune(n: Node) -> Node | None:
        if matches(n):
            return n
        children = {}
        for role, nodes in n.children.items():
            kept = [k for k in (prune(c) for c in nodes) if k is not None]
            if kept:
                children[role] = kept
        if not children:
            return None
        return replace(n, children=children, more={})

    kept = {}
    for role, nodes in node.children.items():
        survivors = [k for k in (prune(c) for c in nodes) if k is not None]
        if survivors:
            kept[role] = survivors
    if not kept:
        return None
    return replace(node, children=kept, more={})


def _fmt(value: Any) -> str:
    if value == "":
        return "''"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list):
        return "[" + ", ".join(_fmt(v) for v in value) + "]"
    return str(value)


def _shape(shape: list[int]) -> str:
    return "x".join(str(s) for s in shape) if shape else "scalar"


def facts_of(node: Node) -> list[str]:
    """The facts a reader looks for first, e.g. ``["1000 float64", "unit mV"]``."""
    if node.link:
        return []  # a reference: its facts are where the entity itself is shown
    f = node.fields
    kind = node.kind
    facts: list[str] = []
    if kind == "File":
        facts.append(f"NIX {f.get('version')}")
    elif kind == "DataArray":
        facts.append(f"{_shape(f['shape'])} {f['dtype']}")
        if "unit" in f:
            facts.append(f"unit {f['unit']}")
        if "label" in f:
            facts.append(f"label {f['label']!r}")
    elif kind.endswith("Dimension"):
        facts.append(kind[: -len("Dimension")].lower())
        if "label" in f or "unit" in f:
            facts.append(f"{f.get('label', '')}{' [' + f['unit'] + ']' if 'unit' in f else ''}".strip())
        if "sampling_interval" in f:
            facts.append(f"interval {_fmt(f['sampling_interval'])}")
        if "offset" in f:
            facts.append(f"offset {_fmt(f['offset'])}")
        if "ticks" in f:
            facts.append(f"{f['ticks']} ticks")
        if f.get("labels"):
            more = f" … ({f['n_labels']})" if "n_labels" in f else ""
            facts.append(", ".join(f["labels"]) + more)
        if "linked_to" in f:
            facts.append(f"linked to a {f['linked_to']}")
    elif kind == "DataFrame":
        cols = ", ".join(
            f"{c['name']}{' [' + c['unit'] + ']' if 'unit' in c else ''} ({c['dtype']})" for c in f["columns"]
        )
        facts.append(f"{f['rows']} rows: {cols}")
    elif kind == "Tag":
        facts.append(f"position {_fmt(f['position'])}")
        if "extent" in f:
            facts.append(f"extent {_fmt(f['extent'])}")
    elif kind == "MultiTag":
        pos = f.get("positions")
        if isinstance(pos, dict):
            facts.append(f"positions {pos['name']!r} {_shape(pos['shape'])}")
        ext = f.get("extents")
        if isinstance(ext, dict):
            facts.append(f"extents {ext['name']!r} {_shape(ext['shape'])}")
    elif kind == "Property":
        text = ", ".join(_fmt(v) for v in f["values"])
        if "n_values" in f:
            text += f", … ({f['n_values']} values)"
        if "unit" in f:
            text += f" {f['unit']}"
        if "uncertainty" in f:
            text += f" ± {_fmt(f['uncertainty'])}"
        facts.append(f"= {text}")
    if kind in ("Tag", "MultiTag"):
        if f.get("units"):
            facts.append(f"units {_fmt(f['units'])}")
        if f.get("references"):
            facts.append("→ " + ", ".join(f["references"]))
    if f.get("sources"):
        facts.append("sources: " + ", ".join(f["sources"]))
    if "metadata" in f:
        facts.append(f"metadata → {f['metadata']}")
    if "link" in f and kind == "Section":
        facts.append(f"link → {f['link']}")
    return facts


def _count(n: int, role: str) -> str:
    """``"1 data array"``, ``"3 properties"``: a count with its noun."""
    noun = role.replace("_", " ")
    if n == 1:
        noun = noun[:-3] + "y" if noun.endswith("ies") else noun.removesuffix("s")
    return f"{n} {noun}"


def node_line(node: Node, markup: bool = True, ids: bool = False) -> str:
    """One line describing ``node`` (rich markup unless ``markup`` is False)."""
    from rich.markup import escape

    esc = escape if markup else (lambda s: s)
    if node.kind.endswith("Dimension"):
        head = f"dim {node.name}"
    elif node.kind == "Feature":
        data = node.fields.get("data", {})
        head = f"Feature ({node.fields.get('link_type')}) → {data.get('kind', 'data')} {node.name!r}"
    elif node.kind == "File":
        head = node.name
    else:
        head = f"{node.kind} {node.name!r}"
    if node.link:
        head = f"→ {head}"
    style = _STYLES.get(node.kind)
    text = f"[{style}]{esc(head)}[/]" if markup and style else esc(head)
    if node.type:
        text += f" [{esc(node.type)}]" if not markup else f" [dim]\\[{esc(node.type)}][/]"
    facts = facts_of(node)
    if facts:
        text += (" " if node.kind == "Property" or node.kind.endswith("Dimension") else "  ") + esc(" · ".join(facts))
    if ids and node.id:
        text += f"  id {node.id}" if not markup else f"  [dim]id {node.id}[/]"
    return text


def rich_tree(node: Node, ids: bool = False) -> Tree:
    """A :class:`rich.tree.Tree` of ``node`` and its children."""
    from rich.tree import Tree

    def build(n: Node, tree: Tree) -> None:
        roles = list(n.children) + [r for r in n.more if r not in n.children]
        for role in roles:
            for child in n.children.get(role, []):
                build(child, tree.add(node_line(child, ids=ids)))
            if role in n.more:
                tree.add(f"[dim]… {_count(n.more[role], role)} not shown[/]")

    root = Tree(node_line(node, ids=ids))
    build(node, root)
    return root
