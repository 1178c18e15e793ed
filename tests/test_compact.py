"""Files nixkit creates use compact B-trees and link storage, stay small, and nixio
still reads and extends them."""

from __future__ import annotations

import ctypes
import sys
from pathlib import Path

import h5py
import nixio
import numpy as np
import pytest

import nixkit as nix
from nixkit.storage import compact

# Where h5py's HDF5 library cannot be located (some conda or macOS builds) files are
# written with HDF5's defaults; on Linux, where CI runs, it must always be found.
pytestmark = pytest.mark.skipif(
    compact.hdf5_library() is None and not sys.platform.startswith("linux"),
    reason="h5py's HDF5 library is not reachable through ctypes on this platform",
)


def _sections(lib: object, path: Path, count: int) -> None:
    f = lib.File.open(str(path), lib.FileMode.Overwrite)  # type: ignore[attr-defined]
    for k in range(count):
        sec = f.create_section(f"s{k}", "trial")
        for p in range(10):
            sec.create_property(f"p{p}", [float(k), float(p)] if p % 2 else f"v{k}")
    f.close()


def test_the_hdf5_library_of_h5py_is_reached() -> None:
    # The tuning is silently skipped when the library is not found; on the CI platform
    # it must be found, or every file would quietly be three times bigger.
    assert compact.hdf5_library() is not None


def test_new_files_carry_the_compact_settings(tmp_path: Path) -> None:
    path = tmp_path / "k.nix"
    nix.File.open(str(path), nix.FileMode.Overwrite).close()
    lib = compact.hdf5_library()
    assert lib is not None
    with h5py.File(path, "r") as f:
        fcpl = f.id.get_create_plist()
        k = ctypes.c_uint(0)
        lib.H5Pget_istore_k.argtypes = [ctypes.c_int64, ctypes.POINTER(ctypes.c_uint)]
        assert lib.H5Pget_istore_k(fcpl.id, ctypes.byref(k)) >= 0
        assert k.value == compact.ISTORE_K
        gcpl = f["/"].id.get_create_plist()  # the root group takes the file's group settings
        most, least = ctypes.c_uint(0), ctypes.c_uint(0)
        lib.H5Pget_link_phase_change.argtypes = [ctypes.c_int64] + [ctypes.POINTER(ctypes.c_uint)] * 2
        assert lib.H5Pget_link_phase_change(gcpl.id, ctypes.byref(most), ctypes.byref(least)) >= 0
        assert (most.value, least.value) == (compact.MAX_COMPACT_LINKS, compact.MIN_DENSE_LINKS)


def test_metadata_file_is_less_than_half_of_nixios(tmp_path: Path) -> None:
    ours, theirs = tmp_path / "ours.nix", tmp_path / "theirs.nix"
    _sections(nix, ours, 200)
    _sections(nixio, theirs, 200)
    assert ours.stat().st_size < 0.5 * theirs.stat().st_size


def test_nixio_reads_and_extends_a_compact_file(tmp_path: Path) -> None:
    path = tmp_path / "k.nix"
    _sections(nix, path, 30)
    with nix.File.open(str(path), nix.FileMode.ReadWrite) as f:
        block = f.create_block("b", "t")
        for i in range(40):  # past the compact link limit: the group turns dense
            block.create_data_array(f"a{i}", "t", data=np.arange(i + 1, dtype=float)).append_sampled_dimension(1.0)
    f2 = nixio.File.open(str(path), nixio.FileMode.ReadWrite)
    sec = f2.sections["s3"]
    assert list(sec.props["p1"].values) == [3.0, 1.0]
    sec.props["p1"].values = [1.0, 2.0, 3.0, 4.0, 5.0]  # resizes the chunked dataset
    for p in range(10, 30):
        sec.create_property(f"p{p}", float(p))
    da = f2.blocks["b"].data_arrays["a39"]
    da.append(np.ones(5))
    f2.blocks["b"].create_data_array("late", "t", data=np.zeros(3)).append_sampled_dimension(0.5)
    assert [d.name for d in f2.blocks["b"].data_arrays][:3] == ["a0", "a1", "a2"]
    f2.close()
    with nix.File.open(str(path), nix.FileMode.ReadOnly) as f:
        sec = f.sections["s3"]
        assert list(sec.props["p1"].values) == [1.0, 2.0, 3.0, 4.0, 5.0]
        assert [p.name for p in sec.props] == [f"p{p}" for p in range(30)]
        assert f.blocks["b"].data_arrays["a39"].shape == (45,)
        assert [d.name for d in f.blocks["b"].data_arrays][-2:] == ["a39", "late"]
        assert f.validate()["errors"] == {}
