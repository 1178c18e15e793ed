"""Workload 2: reopen the many-arrays file read-only and read name, unit, sampling
interval and data of every DataArray."""

from __future__ import annotations

from typing import Any

import numpy as np

from benchmarks.common import Context, h5_first_block

NUMBER = 2
NAME = "iterate"
TITLE = "reopen read-only, read name, unit, sampling interval, data of all N arrays"
PARTS = {"iterate": ("iterate",)}
INPUTS = ("arrays",)


def run(ctx: Context, part: str) -> None:
    """Iterate the block in creation order, keeping what was read for the check."""
    path = ctx.inputs / "arrays.nix"
    seen: list[tuple[Any, Any, Any, np.ndarray[Any, Any]]] = []
    if ctx.impl == "h5py":
        import h5py

        with ctx.phase("iterate"):
            f = h5py.File(path, "r")
            for g in h5_first_block(f)["data_arrays"].values():
                attrs = g.attrs
                interval = g["dimensions/1"].attrs["sampling_interval"]
                seen.append((attrs["name"], attrs.get("unit"), interval, g["data"][:]))
            f.close()
    else:
        nix = ctx.nix
        with ctx.phase("iterate"):
            f = nix.File.open(str(path), nix.FileMode.ReadOnly)
            for da in f.blocks[0].data_arrays:
                seen.append((da.name, da.unit, da.dimensions[0].sampling_interval, da[:]))
            f.close()
    ctx.check["count"] = len(seen)
    ctx.check["units"] = sorted({str(s[1]) for s in seen})
    ctx.check["intervals"] = sorted({float(s[2]) for s in seen})
    ctx.check["sum"] = round(float(sum(s[3].sum() for s in seen)), 6)
    ctx.check["last_name"] = str(seen[-1][0])
