"""Killed writers lose nothing that was flushed.

A real writer process creates entities and appends to DataArrays, flushing at known
points and reporting a checksum of every array after each flush. The test kills it with
SIGKILL at random moments, many times, on the same file. ``NIXKIT_KILLS`` raises the
number of kills for a longer run by hand.

After every kill the file must open (or ``nixkit.recover`` must rescue it), every array
must start with exactly the bytes flushed before the kill, and every array must read
whole. The writer marks on its output where each flush (its own or one nixkit starts by
itself) begins and ends, so the test knows whether a kill landed inside one. Ordinary
writers keep an undo journal, so that holds there too. SWMR writers keep none (HDF5's
file-object driver cannot do SWMR), and HDF5 does not make a flush atomic: for a kill
inside their flush nothing is promised but a file that ``recover`` rescues; such kills
are counted and the run goes on from what it rescued.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import nixkit as nix
from nixkit.exceptions import NixError
from nixkit.recover import recover
from nixkit.storage.journal import pending

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")

KILLS = int(os.environ.get("NIXKIT_KILLS", "30"))

WRITER = r"""
import hashlib, json, sys
import numpy as np
import nixkit as nix

path, seed, swmr = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1"
rng = np.random.default_rng(seed)

def digest(da, n):
    return hashlib.sha256(np.ascontiguousarray(np.asarray(da)[:n]).tobytes()).hexdigest()

def report(block):
    state = {da.name: [len(da), digest(da, len(da))] for da in block.data_arrays}
    print(json.dumps(state), flush=True)

# Mark every flush, including those nixkit starts by itself inside a write.
from nixkit.storage.file_handle import FileHandle
real_flush = FileHandle.flush
def marked_flush(self):
    print("<", flush=True)
    real_flush(self)
    print(">", flush=True)
FileHandle.flush = marked_flush

if swmr:
    f = nix.File.open(path, nix.FileMode.Overwrite, swmr=True)
    block = f.create_block("rec", "session")
    arrays = []
    for i in range(3):
        da = block.create_data_array(f"chan{i}", "signal", data=np.zeros(0, dtype=np.float32))
        da.append_sampled_dimension(0.001, unit="s")
        arrays.append(da)
    f.flush()
    f.start_swmr()
    while True:
        for da in arrays:
            da.append(rng.standard_normal(int(rng.integers(1, 4000))).astype(np.float32))
        f.flush()
        report(block)
else:
    f = nix.File.open(path, nix.FileMode.ReadWrite)
    block = f.blocks["rec"] if "rec" in f.blocks else f.create_block("rec", "session")
    step = 0
    while True:
        step += 1
        if rng.random() < 0.4 or not len(block.data_arrays):
            name = f"s{seed}-{step}"
            dtype = [np.float64, np.int16, np.float32][int(rng.integers(3))]
            values = (rng.standard_normal(int(rng.integers(1, 500))) * 100).astype(dtype)
            da = block.create_data_array(name, "signal", data=values)
            da.append_sampled_dimension(0.001, unit="s", label="time")
            da.unit = "mV"
            if rng.random() < 0.3:
                tag = block.create_tag(f"t{seed}-{step}", "event", [0.0])
                tag.references.append(da)
        arrays = list(block.data_arrays)
        for i in rng.choice(len(arrays), size=min(len(arrays), 3), replace=False):
            da = arrays[int(i)]
            n = int(rng.integers(1, 3000))
            da.append((rng.standard_normal(n) * 100).astype(da.dtype))
        f.flush()
        report(block)
"""


def _digest(da: Any, n: int) -> str:
    # Only the flushed prefix: what was appended after the last flush may be unreadable.
    return hashlib.sha256(np.ascontiguousarray(da[:n]).tobytes()).hexdigest()


def _run_and_kill(path: Path, seed: int, swmr: bool, rng: random.Random) -> tuple[dict[str, list[Any]], bool]:
    """Start a writer, kill it after a random number of flushes.

    Returns the last state it reported and whether the kill may have landed inside a
    flush (the writer had marked a flush's start but not yet its end).
    """
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path), str(seed), "1" if swmr else "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    reports = rng.randint(1, 6)
    last: dict[str, list[Any]] = {}
    flushing = False
    while reports:
        line = proc.stdout.readline()
        if not line:
            break
        flushing, last, reports = _take(line, flushing, last, reports)
    # The writer must still be running (not failed): the kill has to interrupt real work.
    assert proc.poll() is None, proc.communicate()[1]
    time.sleep(rng.uniform(0, 0.03))  # land anywhere inside the next create/append/flush
    proc.send_signal(signal.SIGKILL)
    out, err = proc.communicate()
    assert proc.returncode == -signal.SIGKILL, err
    lines = out.split("\n")
    for line in lines[:-1]:  # the last piece has no newline: cut by the kill, or empty
        flushing, last, _ = _take(line + "\n", flushing, last, 0)
    return last, flushing


def _take(
    line: str, flushing: bool, last: dict[str, list[Any]], reports: int
) -> tuple[bool, dict[str, list[Any]], int]:
    """Fold one line of the writer's output into (inside a flush, last state, reports still to read)."""
    text = line.strip()
    if text == "<":
        return True, last, reports
    if text == ">":
        return False, last, reports
    # A state is reported only after its flush ended, so every array in it was flushed.
    return flushing, json.loads(text), max(reports - 1, 0)


def _open_or_recover(path: Path, swmr: bool) -> tuple[nix.File, bool]:
    try:
        return nix.File.open(str(path), nix.FileMode.ReadOnly, swmr=swmr), False
    except NixError:
        return _recovered(path), True


def _recovered(path: Path) -> nix.File:
    rescued = recover(path, path.with_suffix(".rescued.nix"))
    shutil.move(rescued.target, path)
    return nix.File.open(str(path), nix.FileMode.ReadOnly)


def _check(f: nix.File, expected: dict[str, list[Any]]) -> tuple[int, int, list[str]]:
    """(arrays checked, samples checked, names of arrays whose flushed prefix is missing or different)."""
    block = f.blocks["rec"]
    lost = []
    samples = 0
    for name, (n, sha) in expected.items():
        da = block.data_arrays.get(name)
        try:
            intact = da is not None and len(da) >= n and _digest(da, n) == sha
        except NixError as exc:
            print(f"\n{name}: flushed {n} samples unreadable: {exc}")
            intact = False
        if not intact and da is not None and len(da) >= n:
            print(f"\n{name}: flushed {n} samples differ")
        if not intact:
            lost.append(name)
        samples += n
    return len(expected), samples, lost


def _unreadable(f: nix.File) -> list[str]:
    """Arrays of the file that do not read whole (the next writer reads them all)."""
    bad = []
    for da in f.blocks["rec"].data_arrays if "rec" in f.blocks else ():
        try:
            np.asarray(da)
        except NixError as exc:
            print(f"\n{da.name}: unreadable: {exc}")
            bad.append(da.name)
    return bad


def test_sigkilled_writers_lose_no_flushed_data(tmp_path: Path) -> None:
    rng = random.Random(20261125)
    shared = tmp_path / "recording.nix"
    expected: dict[str, list[Any]] = {}
    tally = {
        "kills": 0,
        "in flush": 0,
        "arrays": 0,
        "samples": 0,
        "lost": 0,
        "opened": 0,
        "recovered": 0,
        "swmr kills": 0,
        "swmr in-flush damage": 0,
        "undo journal left": 0,
    }
    for trial in range(KILLS):
        swmr = trial % 3 == 2  # every third kill hits a SWMR writer on its own file
        path = tmp_path / f"swmr{trial}.nix" if swmr else shared
        state, in_flush = _run_and_kill(path, trial, swmr, rng)
        tally["kills"] += 1
        tally["swmr kills"] += swmr
        tally["in flush"] += in_flush
        if not swmr:
            expected.update(state)
        want = state if swmr else expected
        tally["undo journal left"] += pending(str(path))  # read rolled back, then rolled back by the next writer
        f, recovered = _open_or_recover(path, swmr)
        with f:
            arrays, samples, lost = _check(f, want)
            broken = _unreadable(f)
        if swmr and in_flush and (lost or broken):
            # Not promised: count it, then carry on from what recover rescues, as a user would.
            tally["swmr in-flush damage"] += 1
            with _recovered(path) as f:
                arrays, samples, lost = _check(f, want)
                broken = _unreadable(f)
            for name in lost:
                want.pop(name)
            lost = []
        tally["recovered" if recovered else "opened"] += 1
        tally["arrays"] += arrays
        tally["samples"] += samples
        tally["lost"] += len(lost) + len(broken)
    print(f"\nkilled writers: {tally}")
    assert tally["kills"] == KILLS
    assert tally["lost"] == 0, tally
    assert tally["samples"] > 0
    assert tally["in flush"] < KILLS  # most kills land between flushes: the promise is tested


def test_killed_swmr_writer_file_needs_swmr_or_recover(tmp_path: Path) -> None:
    """A killed SWMR writer leaves HDF5's 'open for writing' mark: a clear error, then a rescue."""
    path = tmp_path / "live.nix"
    state, _ = _run_and_kill(path, 7, True, random.Random(1))
    with pytest.raises(nix.exceptions.FileInUse, match=r"swmr=True.*nixkit recover"):
        nix.File.open(str(path), nix.FileMode.ReadOnly)
    with nix.File.open(str(path), nix.FileMode.ReadOnly, swmr=True) as f:
        assert _check(f, state)[2] == []
    result = recover(path)
    assert result.complete, result.to_text()
    with nix.File.open(result.target, nix.FileMode.ReadWrite) as f:
        assert _check(f, state)[2] == []
        f.blocks["rec"].data_arrays["chan0"].append(np.ones(3, dtype=np.float32))


def test_recover_copies_everything_of_a_sound_file(tmp_path: Path) -> None:
    src = tmp_path / "sound.nix"
    with nix.File.open(str(src), nix.FileMode.Overwrite) as f:
        b = f.create_block("b", "t")
        da = b.create_data_array("x", "t", data=np.arange(10.0), unit="mV")
        da.append_sampled_dimension(0.5, unit="s")
        grp = b.create_group("g", "t")
        grp.data_arrays.append(da)
        sec = f.create_section("s", "t")
        sec.create_property("p", [1, 2, 3])
        b.metadata = sec
    before = src.read_bytes()
    result = recover(src, tmp_path / "copy.nix")
    assert result.complete and result.links >= 2
    assert src.read_bytes() == before
    with nix.File.open(result.target, nix.FileMode.ReadOnly) as f:
        b = f.blocks["b"]
        assert np.array_equal(b.data_arrays["x"][:], np.arange(10.0))
        assert b.groups["g"].data_arrays["x"].id == b.data_arrays["x"].id
        assert b.metadata.name == "s" and list(b.metadata["p"]) == [1, 2, 3]
        assert f.validate().ok


def test_recover_steps_over_damaged_data(tmp_path: Path) -> None:
    import h5py

    src = tmp_path / "hurt.nix"
    with nix.File.open(str(src), nix.FileMode.Overwrite) as f:
        b = f.create_block("b", "t")
        b.create_data_array("ok", "t", data=np.arange(5.0))
        b.create_data_array("soft", "t", data=np.arange(5.0))
    with h5py.File(src, "r+") as h:
        h["data/b/data_arrays/soft/ghost"] = h5py.SoftLink("/nowhere")
    result = recover(src, tmp_path / "out.nix")
    reason = "not a hard link (soft or external links are not NIX)"
    assert result.skipped == [("/data/b/data_arrays/soft/ghost", reason)]
    with nix.File.open(result.target, nix.FileMode.ReadOnly) as f:
        assert np.array_equal(f.blocks["b"].data_arrays["ok"][:], np.arange(5.0))


def test_upgrade_killed_midway_leaves_original_untouched(tmp_path: Path) -> None:
    legacy = Path(__file__).resolve().parents[2] / "shared/testdata/realfiles/g-node_nix/docs_data_nix_test_v1.2.h5"
    rng = random.Random(5)
    outcomes = {"untouched": 0, "upgraded": 0}
    script = "import sys, nixkit; print(flush=True); nixkit.upgrade(sys.argv[1]); print(flush=True)"
    # One undisturbed run tells how long the upgrade itself takes after the imports.
    path = tmp_path / "legacy.h5"
    shutil.copyfile(legacy, path)
    proc = subprocess.Popen([sys.executable, "-c", script, str(path)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    proc.stdout.readline()
    started = time.perf_counter()
    proc.stdout.readline()
    duration = time.perf_counter() - started
    proc.communicate()
    for _ in range(8):
        shutil.copyfile(legacy, path)
        before = path.read_bytes()
        proc = subprocess.Popen([sys.executable, "-c", script, str(path)], stdout=subprocess.PIPE, text=True)
        assert proc.stdout is not None
        proc.stdout.readline()  # imports done: the upgrade starts now
        time.sleep(rng.uniform(0, duration * 1.2))
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
        if path.read_bytes() == before:
            outcomes["untouched"] += 1
        else:
            with nix.File.open(str(path), nix.FileMode.ReadWrite) as f:
                assert f.version == (1, 2, 1)
            outcomes["upgraded"] += 1
        leftovers = [p.name for p in tmp_path.iterdir() if p.name != "legacy.h5"]
        for name in leftovers:
            os.remove(tmp_path / name)
    print(f"\nupgrade kills ({duration:.2f} s per upgrade): {outcomes}")
    assert sum(outcomes.values()) == 8
    assert outcomes["untouched"] > 0


def test_recover_keeps_scalar_datasets(tmp_path: Path) -> None:
    import h5py

    path = tmp_path / "scalar.nix"
    with nix.File.open(path, nix.FileMode.Overwrite) as f:
        f.create_block("b", "t")
    with h5py.File(path, "r+") as h:
        h["data/b"].create_dataset("scalar", data=3.5)
    result = recover(path, tmp_path / "out.nix")
    assert result.complete, result.to_text()
    with h5py.File(tmp_path / "out.nix", "r") as h:
        assert h["data/b/scalar"][()] == 3.5
