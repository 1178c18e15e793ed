"""Workload 4: one big float64 array: write it, read it fully, read random slices.

Writing and reading run in separate processes so the peak memory of the full read is
measured on its own (the target: one copy of the array above the baseline).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.common import (
    Context,
    Sizes,
    h5_block,
    h5_data_array,
    h5_first_block,
    h5_new_file,
    rng,
    written_arrays,
)

NUMBER = 4
NAME = "big_array"
TITLE = "one big f8 array: write, full read, random slices"
PARTS = {"write": ("write",), "read": ("read_full", "random_slices")}
INPUTS = ("big",)


def samples(sizes: Sizes) -> np.ndarray[Any, Any]:
    """The array's values."""
    return rng(4).standard_normal(sizes.big_samples)


def slice_starts(sizes: Sizes) -> np.ndarray[Any, Any]:
    """Start indices of the random slices."""
    length = min(sizes.slice_len, sizes.big_samples // 10)
    return rng(44).integers(0, sizes.big_samples - length, sizes.n_slices)


def write_h5py(path: Path, data: np.ndarray[Any, Any]) -> None:
    """The big-array file written with plain h5py."""
    with h5_new_file(path) as f:
        das = h5_block(f).create_group("data_arrays", track_order=True)
        h5_data_array(das, "big", data)


def run(ctx: Context, part: str) -> None:
    """Part ``write`` writes a new file; part ``read`` reads the prepared input."""
    if part == "write":
        _write(ctx)
    else:
        _read(ctx)


def _write(ctx: Context) -> None:
    data = samples(ctx.sizes)
    path = ctx.scratch / "big.nix"
    if ctx.impl == "h5py":
        with ctx.phase("write"):
            write_h5py(path, data)
    else:
        nix = ctx.nix
        with ctx.phase("write"):
            f = nix.File.open(str(path), nix.FileMode.Overwrite)
            da = f.create_block("block", "nix.session").create_data_array("big", "nix.sampled", data=data)
            da.unit = "mV"
            da.label = "voltage"
            da.append_sampled_dimension(0.001, label="time", unit="s")
            f.close()
    ctx.record_size("write", path)
    ctx.check.update(written_arrays(path))


def _read(ctx: Context) -> None:
    path = ctx.inputs / "big.nix"
    length = min(ctx.sizes.slice_len, ctx.sizes.big_samples // 10)
    starts = slice_starts(ctx.sizes).tolist()
    pieces: list[np.ndarray[Any, Any]] = []
    if ctx.impl == "h5py":
        import h5py

        f = h5py.File(path, "r")
        ds = h5_first_block(f)["data_arrays/big/data"]
        with ctx.phase("read_full"):
            full = ds[:]
        with ctx.phase("random_slices"):
            for s in starts:
                pieces.append(ds[s : s + length])
    else:
        nix = ctx.nix
        f = nix.File.open(str(path), nix.FileMode.ReadOnly)
        da = f.blocks[0].data_arrays["big"]
        with ctx.phase("read_full"):
            full = da[:]
        with ctx.phase("random_slices"):
            for s in starts:
                pieces.append(da[s : s + length])
    f.close()
    ctx.info["array_mib"] = full.nbytes / 2**20
    ctx.check["full_sum"] = round(float(full.sum()), 3)
    ctx.check["slices_sum"] = round(float(sum(p.sum() for p in pieces)), 6)
    ctx.check["slices"] = len(pieces)
