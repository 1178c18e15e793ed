"""Corrupted files: every case opens and walks, or raises a nixkit error; never a crash or hang.

A bounded campaign with a fixed seed (``NIXKIT_FUZZ_CASES`` cases, 2000 by default) runs
here on two fixed seed files: ``tests/data/fuzz_seed.nix`` (written by nixio with one of
every entity, by ``fuzzing.write_seed``) and a file written by the C++ NIX library.
``tools/fuzz_long.py`` runs longer campaigns by hand. The engine is ``tests/fuzzing.py``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import pytest

import nixkit as nix
from fuzzing import MUTATIONS, hdf5_heap_loop, mutate, run_campaign, walk, write_seed
from nixkit.exceptions import CorruptFile, EntityNotFound, FileInUse, FormatVersionError, InvalidFile, NixError
from nixkit.storage.heap import heap_loops

CASES = int(os.environ.get("NIXKIT_FUZZ_CASES", "2000"))
SEED = Path(__file__).resolve().parent / "data" / "fuzz_seed.nix"
REALFILE = Path(__file__).resolve().parents[2] / "shared/testdata/realfiles/generated/cpp-nix-1.4.5_representative.nix"


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("fuzz") / "seed.nix"
    shutil.copyfile(SEED, path)
    return path


def test_write_seed_makes_a_file_like_the_fixed_seed(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.nix"
    write_seed(fresh)
    with nix.File.open(str(fresh), nix.FileMode.ReadOnly) as a, nix.File.open(str(SEED), nix.FileMode.ReadOnly) as b:
        assert [d.name for d in a.blocks[0].data_arrays] == [d.name for d in b.blocks[0].data_arrays]


def test_seed_walks_cleanly(seed: Path) -> None:
    rec = walk(str(seed))
    assert rec.bad == [] and not rec.nix and rec.steps > 300


@pytest.mark.slow
def test_bounded_fuzz_campaign(seed: Path, tmp_path: Path) -> None:
    """Thousands of corrupted files: none may crash, hang or raise outside the nixkit family."""
    legacy = tmp_path / "legacy.nix"
    shutil.copyfile(REALFILE, legacy)
    result = run_campaign([seed, legacy], CASES, campaign_seed=20261125, workers=2, timeout=20.0)
    print("\n" + result.summary())
    assert result.cases == CASES
    assert result.outcomes["crash"] == 0, result.failures
    assert result.outcomes["hang"] == 0, result.failures
    assert result.outcomes["bad"] == 0, result.summary()
    # Errors of the storage and file layers say where the damage is (a path). Model errors
    # (BrokenLink, InvalidEntity, retrieval errors) name the entity their own way and are
    # only counted in the summary.
    storage = {"CorruptFile", "EntityNotFound", "InvalidFile", "FormatVersionError"}
    assert not storage & set(result.unnamed), result.summary()
    # The campaign really exercised both ends: files that still work and files that fail.
    assert result.outcomes["ok"] > CASES // 10
    assert result.outcomes["nixerror"] > CASES // 10
    assert {m for m, _ in result.by_mutation} == set(MUTATIONS)


# -- single, named corruptions: the error names the broken object ---------------------------
def _copy(seed: Path, tmp_path: Path) -> Path:
    path = tmp_path / "case.nix"
    shutil.copyfile(seed, path)
    return path


def test_truncated_file_is_corrupt_not_in_use(seed: Path, tmp_path: Path) -> None:
    path = _copy(seed, tmp_path)
    path.write_bytes(path.read_bytes()[:5000])
    with pytest.raises(CorruptFile, match=r"damaged HDF5 file.*nixkit recover"):
        nix.File.open(str(path), nix.FileMode.ReadOnly)


def test_not_hdf5_is_invalid_file(tmp_path: Path) -> None:
    path = tmp_path / "text.nix"
    path.write_text("hello")
    with pytest.raises(InvalidFile, match="not a readable HDF5 file") as info:
        nix.File.open(str(path), nix.FileMode.ReadOnly)
    assert not isinstance(info.value, FileInUse)


@pytest.mark.parametrize("version", [np.array([1, 2], dtype=np.int32), np.array([[1, 2, 1]]), "1.2.1", np.int32(1)])
def test_version_of_wrong_shape(seed: Path, tmp_path: Path, version: object) -> None:
    path = _copy(seed, tmp_path)
    with h5py.File(path, "r+") as h:
        h.attrs["version"] = version
    with pytest.raises(FormatVersionError, match="version"):
        nix.File.open(str(path), nix.FileMode.ReadOnly)


def test_attribute_of_wrong_kind_names_object(seed: Path, tmp_path: Path) -> None:
    path = _copy(seed, tmp_path)
    with h5py.File(path, "r+") as h:
        h["data/session/data_arrays/voltage/dimensions/1"].attrs["sampling_interval"] = np.zeros((2, 2))
        h["data/session/data_arrays/times"].attrs["name"] = 42
    with nix.File.open(str(path), nix.FileMode.ReadOnly) as f:
        b = f.blocks["session"]
        with pytest.raises(CorruptFile, match=r"'sampling_interval' of /data/session/data_arrays/voltage/dimensions/1"):
            _ = b.data_arrays["voltage"].dimensions[0].sampling_interval
        with pytest.raises(CorruptFile, match=r"'name' of /data/session/data_arrays/times holds .*42"):
            _ = b.data_arrays["times"].name


def test_dataset_where_group_belongs_names_object(seed: Path, tmp_path: Path) -> None:
    path = _copy(seed, tmp_path)
    with h5py.File(path, "r+") as h:
        del h["data/session/data_arrays/times"]
        h["data/session/data_arrays/times"] = np.arange(3)
    with nix.File.open(str(path), nix.FileMode.ReadOnly) as f:
        da = f.blocks["session"].data_arrays["times"]
        with pytest.raises(CorruptFile, match="/data/session/data_arrays/times is a dataset where the NIX layout"):
            _ = da.shape
        with pytest.raises(NixError) as info:
            da.dimensions[0]
        assert isinstance(info.value, CorruptFile)


def test_dangling_link_names_object(seed: Path, tmp_path: Path) -> None:
    path = _copy(seed, tmp_path)
    with h5py.File(path, "r+") as h:
        node = h["data/session/data_arrays/voltage"]
        del node["metadata"]
        node["metadata"] = h5py.SoftLink("/metadata/gone")
    with nix.File.open(str(path), nix.FileMode.ReadOnly) as f:
        da = f.blocks["session"].data_arrays["voltage"]
        with pytest.raises(CorruptFile, match="/data/session/data_arrays/voltage/metadata"):
            _ = da.metadata
        report = f.validate()
        assert any(i.rule == "DanglingLink" and i.name == "voltage" for i in report.issues)


def test_missing_dimension_group_names_object(seed: Path, tmp_path: Path) -> None:
    path = _copy(seed, tmp_path)
    with h5py.File(path, "r+") as h:
        h["data/session/data_arrays/voltage/dimensions"].move("1", "9")
    with nix.File.open(str(path), nix.FileMode.ReadOnly) as f:
        dims = f.blocks["session"].data_arrays["voltage"].dimensions
        with pytest.raises(EntityNotFound, match="/data/session/data_arrays/voltage/dimensions/1"):
            list(dims)


def test_string_ticks_name_object(seed: Path, tmp_path: Path) -> None:
    path = _copy(seed, tmp_path)
    with h5py.File(path, "r+") as h:
        dim = h["data/session/data_arrays/times/dimensions/1"]
        del dim["ticks"]
        dim.create_dataset("ticks", data=np.array(["a", "b"], dtype=object), dtype=h5py.string_dtype())
    with (
        nix.File.open(str(path), nix.FileMode.ReadOnly) as f,
        pytest.raises(CorruptFile, match="dimensions/1/ticks holds object"),
    ):
        _ = f.blocks["session"].data_arrays["times"].dimensions[0].ticks


def test_source_cycle_does_not_hang(seed: Path, tmp_path: Path) -> None:
    path = _copy(seed, tmp_path)
    with h5py.File(path, "r+") as h:
        cell = h["data/session/sources/cell"]
        cell["sources/loop"] = cell
    rec = walk(str(path))
    assert rec.bad == []


def test_zeroed_global_heap_object_is_recognised(seed: Path, tmp_path: Path) -> None:
    """HDF5 2.0 loops forever on a zero-size object header inside a global heap collection.

    That defect is in the C library, out of reach of Python; the fuzzer recognises such
    files and counts them apart (see ``fuzzing.hdf5_heap_loop``) instead of calling them hangs.
    """
    path = _copy(seed, tmp_path)
    data = bytearray(path.read_bytes())
    gcol = data.find(b"GCOL")
    assert gcol >= 0 and not hdf5_heap_loop(path)
    data[gcol + 16 : gcol + 32] = bytes(16)
    path.write_bytes(bytes(data))
    assert hdf5_heap_loop(path)


def test_recover_defuses_a_looping_heap(seed: Path, tmp_path: Path) -> None:
    """Recovery of a file with a looping string heap ends, and rescues what lies elsewhere."""
    path = _copy(seed, tmp_path)
    data = bytearray(path.read_bytes())
    gcol = data.find(b"GCOL")
    data[gcol + 16 : gcol + 32] = bytes(16)
    path.write_bytes(bytes(data))
    assert heap_loops(path) == [gcol + 16]
    script = "import sys; from nixkit.recover import recover; print(recover(sys.argv[1], sys.argv[2]).to_text())"
    out = tmp_path / "rescued.nix"
    # A subprocess with a time limit: a regression would otherwise hang the test run.
    done = subprocess.run(
        [sys.executable, "-c", script, str(path), str(out)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "cut 1 damaged string heap(s) short" in done.stdout
    assert heap_loops(path) == [gcol + 16]  # the original is left as it was
    with nix.File.open(str(out), nix.FileMode.ReadOnly) as f:
        assert f.blocks[0].data_arrays["voltage"].shape == (20, 3)


def test_mutations_are_reproducible(seed: Path, tmp_path: Path) -> None:
    a, b = tmp_path / "a.nix", tmp_path / "b.nix"
    for case in range(len(MUTATIONS)):
        assert mutate(seed, a, case, 7) == mutate(seed, b, case, 7)
        if MUTATIONS[case] in ("bitflip", "truncate", "zero_block"):
            # Structural mutations go through HDF5, which may stamp new objects with the time.
            assert a.read_bytes() == b.read_bytes()
