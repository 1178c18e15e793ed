"""What every workload shares: sizes derived from the scale, the timing context, and the
raw-h5py writer of the NIX layout (reference section 2) used by the h5py variants and
to prepare the input files that all three implementations then read.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

IMPLS = ("h5py", "nixkit", "nixio")


def _scaled(full: int, scale: float, minimum: int) -> int:
    return max(minimum, round(full * scale))


@dataclass(frozen=True)
class Sizes:
    """Workload sizes at a given scale (1.0 is the issue's full size)."""

    scale: float

    @property
    def n_arrays(self) -> int:
        """DataArrays in the block of workloads 1, 2, 3 and 8."""
        return _scaled(10_000, self.scale, 10)

    samples_per_array = 100

    @property
    def n_name_lookups(self) -> int:
        """Lookups by name in workload 3."""
        return _scaled(1_000, self.scale, 10)

    @property
    def n_id_lookups(self) -> int:
        """Lookups by id in workload 3."""
        return _scaled(100, self.scale, 5)

    @property
    def big_samples(self) -> int:
        """Samples of the one big array of workload 4."""
        return _scaled(50_000_000, self.scale, 20_000)

    @property
    def n_slices(self) -> int:
        """Random slices read in workload 4."""
        return _scaled(1_000, self.scale, 10)

    slice_len = 1_000

    @property
    def n_positions(self) -> int:
        """MultiTag positions in workload 5."""
        return _scaled(10_000, self.scale, 10)

    @property
    def signal_samples(self) -> int:
        """Samples of the tagged signal in workload 5."""
        return _scaled(10_000_000, self.scale, 20_000)

    @property
    def section_tree(self) -> tuple[int, int, int]:
        """Sections per level of workload 6: (roots, children of each, leaves of each)."""
        f = self.scale ** (1 / 3)
        return (_scaled(10, f, 2), _scaled(9, f, 2), _scaled(10, f, 2))

    props_per_section = 10

    @property
    def n_appends(self) -> int:
        """Appends in workload 7."""
        return _scaled(10_000, self.scale, 10)

    append_len = 1_000


@dataclass
class Context:
    """What a workload gets: sizes, paths, its library, and where to record results."""

    impl: str
    sizes: Sizes
    inputs: Path
    scratch: Path
    lib: ModuleType | None = None
    phases: dict[str, float] = field(default_factory=dict)
    file_bytes: dict[str, int] = field(default_factory=dict)
    check: dict[str, Any] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        """Time the body as phase ``name`` (wall clock, perf_counter)."""
        start = time.perf_counter()
        yield
        self.phases[name] = time.perf_counter() - start

    def record_size(self, phase: str, path: Path) -> None:
        """Remember the size of the file that ``phase`` wrote."""
        self.file_bytes[phase] = path.stat().st_size

    @property
    def nix(self) -> Any:
        """The NIX library under test (nixkit or nixio: one API)."""
        assert self.lib is not None, "the h5py variant has no NIX library"
        return self.lib


def rng(seed: int = 0) -> np.random.Generator:
    """The deterministic generator every implementation uses for inputs."""
    return np.random.default_rng(seed)


def array_names(n: int) -> list[str]:
    """Names of the DataArrays in the many-arrays block."""
    return [f"da_{i:05d}" for i in range(n)]


# -- the NIX layout written with plain h5py ---------------------------------------------
def _stamp() -> str:
    return time.strftime("%Y%m%dT%H%M%S", time.gmtime())


def h5_entity(group: Any, name: str | None, type_: str | None) -> str:
    """Write the common entity attributes as a plain h5py user would; returns the id."""
    eid = str(uuid.uuid4())
    stamp = _stamp()
    if name is not None:
        group.attrs["name"] = name
    if type_ is not None:
        group.attrs["type"] = type_
    group.attrs["entity_id"] = eid
    group.attrs["created_at"] = stamp
    group.attrs["updated_at"] = stamp
    return eid


def h5_new_file(path: Path) -> Any:
    """Create an empty NIX 1.2.1 file (root attributes, ``data`` and ``metadata``)."""
    import h5py

    f = h5py.File(path, "w", track_order=True)
    f.attrs["format"] = "nix"
    f.attrs["version"] = np.array([1, 2, 1], dtype=np.int32)
    f.attrs["id"] = str(uuid.uuid4())
    f.attrs["created_at"] = _stamp()
    f.attrs["updated_at"] = _stamp()
    f.create_group("data", track_order=True)
    f.create_group("metadata", track_order=True)
    return f


def h5_block(f: Any, name: str = "block") -> Any:
    """Create a Block group."""
    block = f["data"].create_group(name, track_order=True)
    h5_entity(block, name, "nix.session")
    return block


def h5_data_array(
    container: Any,
    name: str,
    data: np.ndarray[Any, Any],
    unit: str | None = "mV",
    label: str | None = "voltage",
    interval: float | None = 0.001,
) -> tuple[Any, str]:
    """Create a DataArray group in ``container`` (a block's ``data_arrays``) with
    resizable data and (unless ``interval`` is None) one SampledDimension."""
    g = container.create_group(name, track_order=True)
    eid = h5_entity(g, name, "nix.sampled")
    g.create_dataset("data", data=data, chunks=True, maxshape=(None,) * data.ndim)
    if unit is not None:
        g.attrs["unit"] = unit
    if label is not None:
        g.attrs["label"] = label
    if interval is None:
        return g, eid
    dim = g.create_group("dimensions", track_order=True).create_group("1", track_order=True)
    dim.attrs["dimension_type"] = "sample"
    dim.attrs["sampling_interval"] = interval
    dim.attrs["label"] = "time"
    dim.attrs["unit"] = "s"
    return g, eid


def h5_first_block(f: Any) -> Any:
    """The first Block group of a NIX file opened with h5py."""
    return next(iter(f["data"].values()))


def written_arrays(path: Path) -> dict[str, Any]:
    """What a written file holds, read back with h5py: the arrays of its first block with
    the unit, label, sampling interval and data sum of the last one."""
    import h5py

    with h5py.File(path, "r") as f:
        das = h5_first_block(f)["data_arrays"]
        last = das[list(das)[-1]]
        return {
            "arrays": len(das),
            "unit": last.attrs.get("unit"),
            "label": last.attrs.get("label"),
            "interval": float(last["dimensions/1"].attrs["sampling_interval"]),
            "sum": round(float(last["data"][()].sum()), 6),
        }
