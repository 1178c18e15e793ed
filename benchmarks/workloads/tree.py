"""Workload 8: open the many-arrays file and print its tree.

The tree is printed into memory (a StringIO, as cheap as a fast terminal), so the check
can count the arrays that were printed.
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

from benchmarks.common import Context, h5_first_block

NUMBER = 8
NAME = "tree"
TITLE = "open a file with N DataArrays and print its tree"
PARTS = {"tree": ("print_tree",)}
INPUTS = ("arrays",)

_DIM_CLASSES = {"sample": "SampledDimension", "range": "RangeDimension", "set": "SetDimension"}


def run(ctx: Context, part: str) -> None:
    """Print what ``File.pprint`` prints: each entity, its shape and unit, its dimensions."""
    path = ctx.inputs / "arrays.nix"
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        _print(ctx, path)
    lines = buffer.getvalue().splitlines()
    ctx.check["arrays_printed"] = sum(1 for line in lines if "DataArray" in line and "da_" in line)


def _print(ctx: Context, path: Path) -> None:
    if ctx.impl == "h5py":
        import h5py

        with ctx.phase("print_tree"):
            f = h5py.File(path, "r")
            print(f"File: name = {path}")
            block = h5_first_block(f)
            print(f"  Block: {{name = {block.attrs['name']}, type = {block.attrs['type']}}}")
            for g in block["data_arrays"].values():
                attrs = g.attrs
                print(f"    DataArray: {{name = {attrs['name']}, type = {attrs['type']}}}")
                print(f"      Shape: {g['data'].shape} Unit:{attrs.get('unit')}")
                for key, dim in g["dimensions"].items():
                    print(f"      {_DIM_CLASSES[dim.attrs['dimension_type']]}: {{index = {key}}}")
            f.close()
    else:
        nix = ctx.nix
        with ctx.phase("print_tree"):
            f = nix.File.open(str(path), nix.FileMode.ReadOnly)
            f.pprint()
            f.close()
