"""Workload 1: one block with many small DataArrays, each with unit, label and a
SampledDimension, written and closed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.common import (
    Context,
    Sizes,
    array_names,
    h5_block,
    h5_data_array,
    h5_new_file,
    rng,
    written_arrays,
)

NUMBER = 1
NAME = "create"
TITLE = "create 1 block + N DataArrays (100 f8, unit, label, SampledDimension)"
PARTS = {"create": ("create",)}


def inputs(sizes: Sizes) -> np.ndarray[Any, Any]:
    """The samples of every array, one row each."""
    return rng(1).standard_normal((sizes.n_arrays, sizes.samples_per_array))


def write_h5py(path: Path, data: np.ndarray[Any, Any]) -> list[str]:
    """The many-arrays file written with plain h5py; returns the arrays' ids."""
    ids = []
    with h5_new_file(path) as f:
        das = h5_block(f).create_group("data_arrays", track_order=True)
        for name, row in zip(array_names(len(data)), data, strict=True):
            ids.append(h5_data_array(das, name, row)[1])
    return ids


def run(ctx: Context, part: str) -> None:
    """Write the file and record its size."""
    data = inputs(ctx.sizes)
    path = ctx.scratch / "create.nix"
    if ctx.impl == "h5py":
        with ctx.phase("create"):
            write_h5py(path, data)
    else:
        nix = ctx.nix
        names = array_names(len(data))
        with ctx.phase("create"):
            f = nix.File.open(str(path), nix.FileMode.Overwrite)
            block = f.create_block("block", "nix.session")
            for name, row in zip(names, data, strict=True):
                da = block.create_data_array(name, "nix.sampled", data=row)
                da.unit = "mV"
                da.label = "voltage"
                da.append_sampled_dimension(0.001, label="time", unit="s")
            f.close()
    ctx.record_size("create", path)
    ctx.check.update(written_arrays(path))
