"""Workload 6: a metadata tree of sections with ten properties each: write it, find the
leaf sections by type, then walk the tree and read every value.

The raw-h5py variant stores property values as plain (contiguous) datasets, as a user
writing the layout by hand would; that is the file size the issue compares against.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.common import Context, Sizes, h5_entity, h5_new_file

NUMBER = 6
NAME = "metadata"
TITLE = "sections x 10 properties: write, find_sections(type), walk + read all values"
PARTS = {"metadata": ("write", "find", "walk")}

LEVEL_TYPES = ("session", "run", "trial")


def properties(k: int) -> list[tuple[str, Any]]:
    """The ten properties of section number ``k``: 16 values of four kinds."""
    return [
        ("temperature", 20.0 + k),
        ("pressure", 1.5 * k),
        ("gain", 0.25),
        ("threshold", -k / 8),
        ("repetition", k),
        ("channel", k % 64),
        ("experimenter", f"person {k % 7}"),
        ("condition", "control" if k % 2 else "drug"),
        ("frequencies", [1.0 * k, 2.0 * k, 4.0 * k, 8.0 * k]),
        ("tags", ["a", "b", f"c{k}", "d"]),
    ]


def _tree(sizes: Sizes) -> list[tuple[tuple[int, ...], str, str]]:
    """Pre-order list of (path of indices, name, type) for every section."""
    out: list[tuple[tuple[int, ...], str, str]] = []
    n0, n1, n2 = sizes.section_tree
    for a in range(n0):
        out.append(((a,), f"session_{a}", "session"))
        for b in range(n1):
            out.append(((a, b), f"run_{b}", "run"))
            for c in range(n2):
                out.append(((a, b, c), f"trial_{c}", "trial"))
    return out


def run(ctx: Context, part: str) -> None:
    """Write, reopen read-only, find and walk."""
    path = ctx.scratch / "metadata.nix"
    tree = _tree(ctx.sizes)
    if ctx.impl == "h5py":
        found, values = _h5py(ctx, path, tree)
    else:
        found, values = _nix(ctx, path, tree)
    ctx.record_size("write", path)
    ctx.check["sections"] = len(tree)
    ctx.check["found_trials"] = found
    ctx.check["values"] = len(values)
    ctx.check["numeric_sum"] = round(float(sum(v for v in values if not isinstance(v, str))), 6)


def _h5py(ctx: Context, path: Path, tree: list[tuple[tuple[int, ...], str, str]]) -> tuple[int, list[Any]]:
    import h5py

    vlen = h5py.string_dtype()
    with ctx.phase("write"):
        f = h5_new_file(path)
        parents: dict[tuple[int, ...], Any] = {(): f["metadata"]}
        for k, (key, name, type_) in enumerate(tree):
            parent = parents[key[:-1]]
            if not key[:-1]:
                holder = parent
            elif "sections" in parent:
                holder = parent["sections"]
            else:
                holder = parent.create_group("sections", track_order=True)
            sec = holder.create_group(name, track_order=True)
            h5_entity(sec, name, type_)
            props = sec.create_group("properties", track_order=True)
            for pname, value in properties(k):
                items = value if isinstance(value, list) else [value]
                if isinstance(items[0], str):
                    ds = props.create_dataset(pname, data=items, dtype=vlen)
                else:
                    ds = props.create_dataset(pname, data=np.asarray(items))
                h5_entity(ds, pname, None)
            parents[key] = sec
        f.close()
    f = h5py.File(path, "r")
    with ctx.phase("find"):
        trials = []
        stack = list(f["metadata"].values())
        while stack:
            sec = stack.pop()
            if sec.attrs["type"] == "trial":
                trials.append(sec)
            if "sections" in sec:
                stack.extend(sec["sections"].values())
    values: list[Any] = []
    with ctx.phase("walk"):
        stack = list(f["metadata"].values())
        while stack:
            sec = stack.pop()
            for ds in sec["properties"].values():
                if h5py.check_string_dtype(ds.dtype):
                    values.extend(ds.asstr()[()])
                else:
                    values.extend(ds[()].tolist())
            if "sections" in sec:
                stack.extend(sec["sections"].values())
    f.close()
    return len(trials), values


def _nix(ctx: Context, path: Path, tree: list[tuple[tuple[int, ...], str, str]]) -> tuple[int, list[Any]]:
    nix = ctx.nix
    with ctx.phase("write"):
        f = nix.File.open(str(path), nix.FileMode.Overwrite)
        parents: dict[tuple[int, ...], Any] = {(): f}
        for k, (key, name, type_) in enumerate(tree):
            sec = parents[key[:-1]].create_section(name, type_)
            for pname, value in properties(k):
                sec.create_property(pname, value)
            parents[key] = sec
        f.close()
    f = nix.File.open(str(path), nix.FileMode.ReadOnly)
    with ctx.phase("find"):
        trials = f.find_sections(filtr=lambda s: s.type == "trial")
    values: list[Any] = []
    with ctx.phase("walk"):
        stack = list(f.sections)
        while stack:
            sec = stack.pop()
            for prop in sec.props:
                values.extend(prop.values)
            stack.extend(sec.sections)
    f.close()
    return len(trials), values
