"""A library-neutral walk of a NIX file, for comparing nixkit with nixio.

:func:`walk_file` turns an open ``nixkit.File`` or ``nixio.File`` into nested plain
Python values (dicts, lists, str, int, float, bool, None) through the public API that
both libraries share. Two libraries agree on a file when their walks are equal. A call
that raises is recorded as ``{"error": <exception class name>}`` so a difference in
failure behaviour shows up as a difference in the walk.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from typing import Any

import numpy as np

# nixio reads a multi-tag's positions one element per HDF5 call on every tagged_data call
# (about 2 s per call with 3,500 positions), so long multi-tags are sampled at their end.
MANY_POSITIONS = 100


def plain(value: Any) -> Any:
    """Convert numpy values, enums, tuples and bytes to plain comparable Python values."""
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, np.ndarray):
        return [plain(v) for v in value.tolist()] if value.ndim else plain(value.item())
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, np.generic):
        return plain(value.item())
    if isinstance(value, float) and math.isnan(value):
        return "nan"
    if hasattr(value, "value") and type(value).__module__.split(".")[0] in ("nixio", "nixkit"):
        return plain(value.value)  # an Enum member of either library
    return value


def attempt(func: Callable[[], Any]) -> Any:
    """``plain(func())``, or ``{"error": name}`` when it raises."""
    try:
        return plain(func())
    except Exception as exc:  # a difference in failure is what we want to see
        return {"error": type(exc).__name__}


def digest(values: Any) -> dict[str, Any]:
    """Shape, dtype kind and content fingerprint of an array (numbers) or its values (text)."""
    arr = np.asarray(values)
    if arr.dtype.kind in ("O", "U", "S"):
        return {"shape": list(arr.shape), "kind": "str", "values": plain(arr)}
    if arr.dtype.names:
        return {"shape": list(arr.shape), "kind": "record", "values": plain(arr)}
    content = hashlib.sha256(np.ascontiguousarray(arr).tobytes()).hexdigest()
    return {"shape": list(arr.shape), "dtype": arr.dtype.str, "sha256": content}


def _entity(e: Any) -> dict[str, Any]:
    return {
        "name": plain(e.name),
        "type": plain(e.type),
        "id": plain(e.id),
        "definition": plain(e.definition),
    }


def _metadata(e: Any) -> Any:
    return attempt(lambda: None if e.metadata is None else e.metadata.id)


def _ids(container: Any) -> Any:
    return attempt(lambda: [x.id for x in container])


def walk_file(f: Any) -> dict[str, Any]:
    """The whole file: header, blocks and metadata trees."""
    return {
        "format": plain(f.format),
        "version": plain(f.version),
        "id": plain(f.id),
        "blocks": [walk_block(b) for b in f.blocks],
        "sections": [walk_section(s) for s in f.sections],
    }


def walk_block(b: Any) -> dict[str, Any]:
    """A block and everything in it."""
    return {
        **_entity(b),
        "metadata": _metadata(b),
        "data_arrays": [walk_data_array(da) for da in b.data_arrays],
        "data_frames": attempt(lambda: [walk_data_frame(df) for df in b.data_frames]),
        "tags": attempt(lambda: [walk_tag(t) for t in b.tags]),
        "multi_tags": attempt(lambda: [walk_multi_tag(mt) for mt in b.multi_tags]),
        "sources": [walk_source(s) for s in b.sources],
        "groups": [walk_group(g) for g in b.groups],
    }


def walk_data_array(da: Any) -> dict[str, Any]:
    """Attributes, data and dimensions of a data array."""
    return {
        **_entity(da),
        "unit": plain(da.unit),
        "label": plain(da.label),
        "polynom_coefficients": plain(da.polynom_coefficients),
        "expansion_origin": plain(da.expansion_origin),
        "shape": plain(da.shape),
        "data": attempt(lambda: digest(da[:])),
        "sources": _ids(da.sources),
        "metadata": _metadata(da),
        "dimensions": attempt(lambda: [walk_dimension(d) for d in da.dimensions]),
    }


def walk_dimension(d: Any) -> dict[str, Any]:
    """A dimension descriptor with all the attributes of its kind."""
    kind = plain(d.dimension_type)
    out: dict[str, Any] = {"dimension_type": kind, "index": plain(d.index)}
    if kind == "sample":
        out.update(
            sampling_interval=plain(d.sampling_interval),
            offset=plain(d.offset),
            unit=plain(d.unit),
            label=plain(d.label),
            axis=attempt(lambda: d.axis(3)),
        )
    elif kind == "range":
        out.update(
            ticks=attempt(lambda: d.ticks),
            unit=attempt(lambda: d.unit),
            label=attempt(lambda: d.label),
            is_alias=attempt(lambda: d.is_alias),
            has_link=plain(d.has_link),
            link=attempt(lambda: _walk_link(d.dimension_link)),
        )
    elif kind == "set":
        out.update(
            labels=attempt(lambda: d.labels),
            has_link=plain(d.has_link),
            link=attempt(lambda: _walk_link(d.dimension_link)),
        )
    return out


def _walk_link(link: Any) -> Any:
    if link is None:
        return None
    return {
        "id": plain(link.id),
        "index": plain(link.index),
        # nixio gives the linked object's data here, nixkit the object: compare the data.
        "linked_data": attempt(lambda: digest(link.linked_data[:])),
        "values": attempt(lambda: link.values),
        "unit": attempt(lambda: link.unit),
        "label": attempt(lambda: link.label),
    }


def walk_data_frame(df: Any) -> dict[str, Any]:
    """Columns, units and rows of a data frame."""
    return {
        **_entity(df),
        "column_names": attempt(lambda: df.column_names),
        "units": attempt(lambda: df.units),
        "shape": attempt(lambda: df.shape),
        "rows": attempt(lambda: df[:]),
        "metadata": _metadata(df),
    }


def _walk_features(t: Any) -> Any:
    return attempt(
        lambda: [
            {
                "id": plain(ft.id),
                "link_type": plain(ft.link_type),
                "data": plain(ft.data.id),
            }
            for ft in t.features
        ]
    )


def walk_tag(t: Any) -> dict[str, Any]:
    """A tag, its references, features and the data it selects."""
    refs = list(t.references)
    return {
        **_entity(t),
        "position": plain(t.position),
        "extent": plain(t.extent),
        "units": plain(t.units),
        "references": [r.id for r in refs],
        "features": _walk_features(t),
        "sources": _ids(t.sources),
        "metadata": _metadata(t),
        "tagged_data": [attempt(lambda i=i: digest(t.tagged_data(i)[:])) for i in range(len(refs))],
    }


def walk_multi_tag(mt: Any) -> dict[str, Any]:
    """A multi-tag, its position/extent arrays, references, features and selected data."""
    refs = list(mt.references)
    positions = mt.positions
    count = positions.shape[0] if positions is not None and positions.shape else 0
    return {
        **_entity(mt),
        "positions": plain(positions.id) if positions is not None else None,
        "extents": plain(mt.extents.id) if mt.extents is not None else None,
        "units": plain(mt.units),
        "references": [r.id for r in refs],
        "features": _walk_features(mt),
        "sources": _ids(mt.sources),
        "metadata": _metadata(mt),
        "tagged_data": [
            attempt(lambda p=p, r=r: digest(mt.tagged_data(p, r)[:]))
            for p in _sample_positions(count)
            for r in range(len(refs))
        ],
    }


def _sample_positions(count: int) -> list[int]:
    if count > MANY_POSITIONS:
        return [count - 1]
    return sorted({0, count // 2, count - 1}) if count else []


def walk_source(s: Any) -> dict[str, Any]:
    """A source and its child sources."""
    return {**_entity(s), "metadata": _metadata(s), "sources": [walk_source(c) for c in s.sources]}


def walk_group(g: Any) -> dict[str, Any]:
    """The members of a group, by id."""
    return {
        **_entity(g),
        "metadata": _metadata(g),
        "data_arrays": _ids(g.data_arrays),
        "data_frames": _ids(g.data_frames),
        "tags": _ids(g.tags),
        "multi_tags": _ids(g.multi_tags),
        "sources": _ids(g.sources),
    }


def walk_section(s: Any) -> dict[str, Any]:
    """A section, its properties and its subsections."""
    return {
        **_entity(s),
        "reference": plain(s.reference),
        "repository": plain(s.repository),
        "link": attempt(lambda: None if s.link is None else s.link.id),
        "properties": [walk_property(p) for p in s.props],
        "sections": [walk_section(c) for c in s.sections],
    }


def walk_property(p: Any) -> dict[str, Any]:
    """Values and every attribute of a property."""
    return {
        "name": plain(p.name),
        "id": plain(p.id),
        "definition": plain(p.definition),
        "values": attempt(lambda: p.values),
        "unit": plain(p.unit),
        "uncertainty": attempt(lambda: p.uncertainty),
        "reference": attempt(lambda: p.reference),
        "dependency": plain(p.dependency),
        "dependency_value": plain(p.dependency_value),
        "value_origin": plain(p.value_origin),
        "odml_type": attempt(lambda: None if p.odml_type is None else str(p.odml_type)),
    }


def differences(a: Any, b: Any, path: str = "") -> list[str]:
    """Paths at which two walks differ (empty when equal), for readable failures."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for key in sorted(set(a) | set(b), key=str):
            if key not in a or key not in b:
                out.append(f"{path}/{key}: only in {'second' if key not in a else 'first'}")
            else:
                out.extend(differences(a[key], b[key], f"{path}/{key}"))
        return out
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        out = []
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            label = x.get("name", i) if isinstance(x, dict) else i
            out.extend(differences(x, y, f"{path}[{label}]"))
        return out
    return [] if a == b else [f"{path}: {a!r} != {b!r}"[:400]]
