"""Notebook views: ``_repr_html_`` for files and entities.

The HTML is built from :func:`nixkit.display.describe.describe` (metadata only, no data
read), every user string is escaped, and sections fold with ``<details>`` elements, so
it needs no JavaScript and renders the same in Jupyter, VS Code and static HTML exports.
"""

from __future__ import annotations

import html
import json
from typing import Any

from nixkit.display.describe import Node, describe
from nixkit.display.tree import facts_of

__all__ = ["node_html", "repr_html"]

#: Children listed per role before the rest are only counted.
MAX_CHILDREN = 50
#: Levels below the shown object that are described.
MAX_DEPTH = 6

# Greys are opacities, not colours, so the view reads on light and dark notebook themes.
_STYLE = """
.nixkit-repr{font-family:var(--jp-content-font-family,system-ui,sans-serif);font-size:13px;line-height:1.4}
.nixkit-repr details{margin-left:1.1em}
.nixkit-repr>details{margin-left:0}
.nixkit-repr summary{cursor:pointer}
.nixkit-repr .nk-leaf{margin-left:2.1em}
.nixkit-repr .nk-kind{color:#6a4c93;font-weight:600}
.nixkit-repr .nk-type{opacity:.6}
.nixkit-repr .nk-role{color:#1b6ca8}
.nixkit-repr .nk-facts{opacity:.8;margin-left:.5em}
.nixkit-repr .nk-link{font-style:italic}
.nixkit-repr table{border-collapse:collapse;margin:.2em 0 .2em 1.1em}
.nixkit-repr th{text-align:left;font-weight:normal;opacity:.6;padding:0 .8em 0 0;vertical-align:top}
.nixkit-repr td{text-align:left;padding:0;font-family:var(--jp-code-font-family,monospace)}
"""

# Fields that the summary line already says (see nixkit.display.tree); the rest go in a table.
_IN_SUMMARY = {
    "shape",
    "dtype",
    "unit",
    "label",
    "sampling_interval",
    "offset",
    "ticks",
    "labels",
    "n_labels",
    "linked_to",
    "rows",
    "columns",
    "position",
    "extent",
    "positions",
    "extents",
    "units",
    "references",
    "values",
    "n_values",
    "uncertainty",
    "sources",
    "metadata",
    "link",
    "link_type",
    "data",
    "version",
}


def _esc(value: Any) -> str:
    if isinstance(value, str):
        return html.escape(value)
    return html.escape(json.dumps(value, ensure_ascii=False))


def _summary(node: Node) -> str:
    kind = f'<span class="nk-kind">{_esc(node.kind)}</span>'
    label = "dimension " + node.name if node.kind.endswith("Dimension") else node.name
    name = f"<b>{_esc(label)}</b>"
    typ = f' <span class="nk-type">[{_esc(node.type)}]</span>' if node.type else ""
    said = facts_of(node) + ([str(node.fields["link_type"])] if node.kind == "Feature" else [])
    facts = html.escape(" · ".join(said))
    facts_html = f'<span class="nk-facts">{facts}</span>' if facts else ""
    link = ' <span class="nk-link">(link)</span>' if node.link else ""
    return f"{kind} {name}{typ}{link}{facts_html}"


def _table(node: Node) -> str:
    rows = []
    if node.id and node.kind not in ("Property", "Feature"):
        rows.append(f"<tr><th>id</th><td>{_esc(node.id)}</td></tr>")
    for key, value in node.fields.items():
        if key not in _IN_SUMMARY:
            rows.append(f"<tr><th>{_esc(key)}</th><td>{_esc(value)}</td></tr>")
    return f"<table>{''.join(rows)}</table>" if rows else ""


def node_html(node: Node, open_: bool = False) -> str:
    """HTML for ``node`` and its children: nested ``<details>`` elements."""
    table = _table(node)
    roles = list(node.children) + [r for r in node.more if r not in node.children]
    if not table and not roles:
        # Nothing to unfold: a plain line, aligned with the summaries around it.
        return f'<div class="nk-leaf">{_summary(node)}</div>'
    parts = [f"<details{' open' if open_ else ''}><summary>{_summary(node)}</summary>", table]
    for role in roles:
        children = node.children.get(role, [])
        hidden = node.more.get(role, 0)
        count = len(children) + hidden
        parts.append(f'<details><summary><span class="nk-role">{_esc(role)}</span> ({count})</summary>')
        parts.extend(node_html(child) for child in children)
        if hidden:
            parts.append(f"<div>… {hidden} more not shown</div>")
        parts.append("</details>")
    parts.append("</details>")
    return "".join(parts)


def repr_html(obj: Any) -> str:
    """The notebook view of a File or entity (metadata only; no data are read).

    Parameters
    ----------
    obj : File, Block, DataArray, DataFrame, Tag, MultiTag, Section or other entity
        What to show.

    Returns
    -------
    str
        A self-contained HTML fragment with its own scoped style and no script.
    """
    if hasattr(obj, "is_open") and not obj.is_open():
        return f'<div class="nixkit-repr">{_esc(repr(obj))}</div>'
    try:
        node = describe(obj, max_children=MAX_CHILDREN, depth=MAX_DEPTH)
    except Exception as exc:  # a notebook cell must show something, even for a closed or damaged file
        return f'<div class="nixkit-repr">{_esc(type(obj).__name__)}: cannot be read ({_esc(str(exc))})</div>'
    return f'<div class="nixkit-repr"><style>{_STYLE}</style>{node_html(node, open_=True)}</div>'
