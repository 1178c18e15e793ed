"""Input files shared by the reading workloads, written once per run with plain h5py
in the NIX layout, so nixkit, nixio and h5py read the very same bytes."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from benchmarks.common import Sizes, array_names, rng
from benchmarks.workloads import big_array, create, tagged


def _arrays(sizes: Sizes, folder: Path) -> None:
    ids = create.write_h5py(folder / "arrays.nix", create.inputs(sizes))
    names = array_names(len(ids))
    gen = rng(3)
    picked = gen.integers(0, len(names), sizes.n_name_lookups).tolist()
    by_id = gen.integers(0, len(ids), sizes.n_id_lookups).tolist()
    keys = {
        "names": [names[i] for i in picked],
        "ids": [ids[i] for i in by_id],
        "id_names": [names[i] for i in by_id],
    }
    (folder / "arrays_keys.json").write_text(json.dumps(keys))


def _big(sizes: Sizes, folder: Path) -> None:
    big_array.write_h5py(folder / "big.nix", big_array.samples(sizes))


def _mtag(sizes: Sizes, folder: Path) -> None:
    tagged.write_h5py(folder / "mtag.nix", sizes)


MAKERS: dict[str, Callable[[Sizes, Path], None]] = {"arrays": _arrays, "big": _big, "mtag": _mtag}


def make(names: list[str], sizes: Sizes, folder: Path) -> None:
    """Write the named inputs into ``folder``."""
    for name in names:
        MAKERS[name](sizes, folder)
