"""Workload 5: a MultiTag with many positions and extents over a long signal; the tagged
data of every position, one call per position and (where the library has one) in bulk.

Positions and extents are exact multiples of a binary sampling interval, so every
implementation must return exactly the same samples; the check compares them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.common import Context, Sizes, h5_block, h5_data_array, h5_entity, h5_first_block, h5_new_file, rng

NUMBER = 5
NAME = "tagged"
TITLE = "MultiTag: tagged data of all positions (bulk; and one by one)"
PARTS = {"tagged": ("tagged", "tagged_each")}
INPUTS = ("mtag",)

INTERVAL = 2.0**-10
# Names a bulk retrieval method of nixkit's MultiTag may have, most likely first.
BULK_NAMES = ("tagged_data_all", "all_tagged_data", "tagged_data_bulk", "tagged_slices")


def tags(sizes: Sizes) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Start index and length (10 to 99 samples) of every tag, sorted by start."""
    gen = rng(5)
    starts = np.sort(gen.integers(0, sizes.signal_samples - 100, sizes.n_positions))
    return starts, gen.integers(10, 100, sizes.n_positions)


def write_h5py(path: Path, sizes: Sizes) -> None:
    """The MultiTag file written with plain h5py: positions and extents stored (P, 1)."""
    starts, lengths = tags(sizes)
    with h5_new_file(path) as f:
        block = h5_block(f)
        das = block.create_group("data_arrays", track_order=True)
        values = rng(55).standard_normal(sizes.signal_samples)
        signal, signal_id = h5_data_array(das, "signal", values, interval=INTERVAL)
        pos, _ = h5_data_array(das, "positions", (starts * INTERVAL)[:, None], unit="s", label=None, interval=None)
        ext, _ = h5_data_array(das, "extents", (lengths * INTERVAL)[:, None], unit="s", label=None, interval=None)
        mt = block.create_group("multi_tags", track_order=True).create_group("events", track_order=True)
        h5_entity(mt, "events", "nix.events")
        mt["positions"] = pos
        mt["extents"] = ext
        mt.create_group("references", track_order=True)[signal_id] = signal


def bulk_method(mt: Any) -> Any:
    """The library's call returning the tagged data of all positions, or None."""
    for name in BULK_NAMES:
        method = getattr(mt, name, None)
        if method is not None:
            return method
    return None


def run(ctx: Context, part: str) -> None:
    """Retrieve every tagged segment and check them against each other."""
    path = ctx.inputs / "mtag.nix"
    pieces = _h5py(ctx, path) if ctx.impl == "h5py" else _nix(ctx, path)
    ctx.check["segments"] = len(pieces)
    ctx.check["samples"] = int(sum(p.size for p in pieces))
    ctx.check["sum"] = round(float(sum(p.sum() for p in pieces)), 6)


def _h5py(ctx: Context, path: Path) -> list[np.ndarray[Any, Any]]:
    import h5py

    f = h5py.File(path, "r")
    block = h5_first_block(f)
    pieces: list[np.ndarray[Any, Any]] = []
    with ctx.phase("tagged"):
        mt = block["multi_tags/events"]
        positions = mt["positions"]["data"][:, 0]
        extents = mt["extents"]["data"][:, 0]
        ref = next(iter(mt["references"].values()))
        dim = ref["dimensions/1"].attrs
        interval = dim["sampling_interval"]
        offset = dim.get("offset", 0.0)
        first = np.round((positions - offset) / interval).astype(np.int64)
        stop = np.round((positions + extents - offset) / interval).astype(np.int64)
        ds = ref["data"]
        for a, b in zip(first.tolist(), stop.tolist(), strict=True):
            pieces.append(ds[a:b])
    f.close()
    return pieces


def _nix(ctx: Context, path: Path) -> list[np.ndarray[Any, Any]]:
    nix = ctx.nix
    f = nix.File.open(str(path), nix.FileMode.ReadOnly)
    mt = f.blocks[0].multi_tags["events"]
    each: list[np.ndarray[Any, Any]] = []
    with ctx.phase("tagged_each"):
        for i in range(mt.positions.shape[0]):
            each.append(mt.tagged_data(i, 0)[:])
    bulk = bulk_method(mt)
    if bulk is not None:
        ctx.info["bulk"] = bulk.__name__
        with ctx.phase("tagged"):
            pieces = [np.asarray(p) for p in bulk(0)]
        if len(pieces) != len(each) or not all(np.array_equal(a, b) for a, b in zip(pieces, each, strict=True)):
            raise AssertionError(f"{bulk.__name__} disagrees with tagged_data one by one")
    else:
        # Without a bulk call the loop above is the library's only way to do this work.
        ctx.info["bulk"] = "none: tagged = one call per position"
        ctx.phases["tagged"] = ctx.phases["tagged_each"]
    f.close()
    return each
