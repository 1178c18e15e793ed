"""Workload 7: a recording grown by many appends of 1,000 samples, then read back."""

from __future__ import annotations

from typing import Any

import numpy as np

from benchmarks.common import Context, Sizes, h5_block, h5_data_array, h5_first_block, h5_new_file, rng

NUMBER = 7
NAME = "append"
TITLE = "appends of 1,000 samples to one DataArray, then read it back"
PARTS = {"append": ("append", "read_back")}


def chunks(sizes: Sizes) -> np.ndarray[Any, Any]:
    """The appended pieces, one row each (the first row creates the array)."""
    return rng(7).standard_normal((sizes.n_appends, sizes.append_len))


def run(ctx: Context, part: str) -> None:
    """Create with the first piece, append the rest, close; reopen and read it all."""
    pieces = chunks(ctx.sizes)
    path = ctx.scratch / "append.nix"
    if ctx.impl == "h5py":
        import h5py

        with ctx.phase("append"):
            f = h5_new_file(path)
            das = h5_block(f).create_group("data_arrays", track_order=True)
            ds = h5_data_array(das, "recording", pieces[0])[0]["data"]
            n = len(pieces[0])
            for piece in pieces[1:]:
                ds.resize((n + len(piece),))
                ds[n:] = piece
                n += len(piece)
            f.close()
        with ctx.phase("read_back"):
            f = h5py.File(path, "r")
            data = h5_first_block(f)["data_arrays/recording/data"][:]
            f.close()
    else:
        nix = ctx.nix
        with ctx.phase("append"):
            f = nix.File.open(str(path), nix.FileMode.Overwrite)
            da = f.create_block("block", "nix.session").create_data_array("recording", "nix.sampled", data=pieces[0])
            da.unit = "mV"
            da.label = "voltage"
            da.append_sampled_dimension(0.001, label="time", unit="s")
            for piece in pieces[1:]:
                da.append(piece)
            f.close()
        with ctx.phase("read_back"):
            f = nix.File.open(str(path), nix.FileMode.ReadOnly)
            data = f.blocks[0].data_arrays["recording"][:]
            f.close()
    ctx.record_size("append", path)
    ctx.info["chunks"] = _chunks_of(path)
    ctx.check["samples"] = int(data.size)
    ctx.check["equal"] = bool(np.array_equal(data, pieces.ravel()))


def _chunks_of(path: Any) -> list[int] | None:
    import h5py

    with h5py.File(path, "r") as f:
        chunk = h5_first_block(f)["data_arrays/recording/data"].chunks
    return list(chunk) if chunk else None
