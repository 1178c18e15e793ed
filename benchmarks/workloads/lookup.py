"""Workload 3: lookups by name, then by id, in the block of the many-arrays file."""

from __future__ import annotations

import json
from typing import Any

from benchmarks.common import Context, h5_first_block

NUMBER = 3
NAME = "lookup"
TITLE = "lookups by name, then by id, in the N-array block"
PARTS = {"lookup": ("name_lookup", "id_lookup")}
INPUTS = ("arrays",)


def run(ctx: Context, part: str) -> None:
    """Look up the same names and ids (chosen when the input was made) in every variant."""
    keys = json.loads((ctx.inputs / "arrays_keys.json").read_text())
    names = keys["names"][: ctx.sizes.n_name_lookups]
    ids = keys["ids"][: ctx.sizes.n_id_lookups]
    by_name: list[Any] = []
    by_id: list[Any] = []
    if ctx.impl == "h5py":
        import h5py

        f = h5py.File(ctx.inputs / "arrays.nix", "r")
        das = h5_first_block(f)["data_arrays"]
        with ctx.phase("name_lookup"):
            for name in names:
                by_name.append(das[name])
        with ctx.phase("id_lookup"):
            # Ids are not link names: one scan builds the index a competent user would keep.
            index = {g.attrs["entity_id"]: key for key, g in das.items()}
            for eid in ids:
                by_id.append(das[index[eid]])
        found = [g.attrs["name"] for g in by_id]
    else:
        nix = ctx.nix
        f = nix.File.open(str(ctx.inputs / "arrays.nix"), nix.FileMode.ReadOnly)
        block = f.blocks[0]
        with ctx.phase("name_lookup"):
            for name in names:
                by_name.append(block.data_arrays[name])
        with ctx.phase("id_lookup"):
            for eid in ids:
                by_id.append(block.data_arrays[eid])
        found = [da.name for da in by_id]
    ctx.check["names_found"] = len(by_name)
    ctx.check["ids_resolve_to"] = found == keys["id_names"][: len(ids)]
    f.close()
