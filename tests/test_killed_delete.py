"""Killed writers find every flushed object intact after deletes and rewrites.

A writer flushes a file full of entities, then deletes and replaces many of them (data
arrays, a block with its subtree, tag positions, extents and units, calibration
polynomials, set-dimension labels, a data frame rebuilt by a new column, properties and a
section) and writes new data of similar sizes, so HDF5 would
reuse any space freed by those changes. It is SIGKILLed before the next flush. The file
on disk must then read exactly as at the flush: the deleted objects included, since the
flushed structure still holds them.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import nixkit as nix

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")

ROUNDS = 4

# The snapshot code runs in the writer (after its flush) and in the test (after the kill).
SNAPSHOT = r"""
import hashlib
import numpy as np

def _sha(values):
    arr = np.asarray(values)
    if arr.dtype.kind == "O":
        return hashlib.sha256(repr(arr.tolist()).encode()).hexdigest()
    return hashlib.sha256(np.ascontiguousarray(arr).tobytes()).hexdigest()

def _dims(da):
    out = []
    for dim in da.dimensions:
        kind = str(dim.dimension_type)
        out.append([kind, list(dim.labels) if "set" in kind.lower() else None])
    return out

def _put(state, key, read):
    # A damaged object is a finding, not the end of the check.
    try:
        state[key] = read()
    except Exception as exc:
        state[key] = f"unreadable: {type(exc).__name__}"

def snapshot(f):
    state = {}
    for b in f.blocks:
        for da in b.data_arrays:
            _put(state, f"da {b.name}/{da.name}", lambda: [
                list(da.shape), str(da.dtype), _sha(da[:]), list(da.polynom_coefficients), _dims(da)
            ])
        for t in b.tags:
            _put(state, f"tag {b.name}/{t.name}", lambda: [
                list(t.position), list(t.extent), list(t.units), sorted(r.name for r in t.references)
            ])
        for mt in b.multi_tags:
            _put(state, f"mtag {b.name}/{mt.name}", lambda: [
                mt.positions.name, mt.extents.name if mt.extents else None
            ])
        for df in b.data_frames:
            _put(state, f"df {b.name}/{df.name}", lambda: [list(df.column_names), _sha(df[:])])
    for sec in f.find_sections():
        for p in sec.props:
            _put(state, f"prop {sec.name}/{p.name}", lambda: [str(p.data_type), repr(p.values)])
    return state
"""

# Both writers start alike: the snapshot code, then a seeded noise source.
PREAMBLE = (
    SNAPSHOT
    + r"""
import gc, json, sys, time
import nixkit as nix

path, seed = sys.argv[1], int(sys.argv[2])
rng = np.random.default_rng(seed)

def noise(n, dtype=np.float64):
    return (rng.standard_normal(n) * 1000).astype(dtype)

"""
)

WRITER = (
    PREAMBLE
    + r"""
f = nix.File.open(path, nix.FileMode.Overwrite)
for bname in ("keep", "doomed"):
    b = f.create_block(bname, "session")
    for i in range(6):
        da = b.create_data_array(f"a{i}", "signal", data=noise(int(rng.integers(20000, 60000))))
        da.append_sampled_dimension(0.001, unit="s")
        da.polynom_coefficients = noise(3)
    labelled = b.create_data_array("labelled", "signal", data=noise(4))
    labelled.append_set_dimension([f"label {k}" for k in range(4)])
    small = b.create_data_array("stream", "signal", data=noise(64, np.float32))
    small.append_sampled_dimension(0.001)
    for i in range(4):
        tag = b.create_tag(f"t{i}", "event", noise(2))
        tag.extent = noise(2)
        tag.units = ["ms", "mV"]
        tag.references.append(b.data_arrays["a0"])
    pos = b.create_data_array("pos", "positions", data=noise(5000))
    ext = b.create_data_array("ext", "extents", data=noise(5000))
    b.create_multi_tag("mt", "events", pos).extents = ext
    df = b.create_data_frame("table", "frame", col_dict={"x": np.float64, "n": np.int64},
                             data=[(float(v), int(k)) for k, v in enumerate(noise(3000))])
sec = f.create_section("meta", "recording")
for i in range(5):
    sec.create_property(f"p{i}", list(noise(200)))
sub = sec.create_section("sub", "device")
sub.create_property("serial", ["abc", "def"])
# Re-chunking and shrinking flush by themselves (tests below), so they come before the flush.
f.blocks["keep"].data_arrays["stream"].append(noise(40000, np.float32))
f.flush()
print(json.dumps(snapshot(f)), flush=True)

# Deletes and rewrites, none flushed.
keep = f.blocks["keep"]
for i in (0, 2, 4):
    del keep.data_arrays[f"a{i}"]
del f.blocks["doomed"]
for t in keep.tags:
    t.position = noise(3)
    t.extent = noise(3)
    t.units = ["s", "s", "s"]
for da in keep.data_arrays:
    if da.name.startswith("a"):
        da.polynom_coefficients = noise(5)
keep.data_arrays["labelled"].dimensions[0].labels = [f"new {k}" for k in range(4)]
keep.multi_tags["mt"].positions = keep.data_arrays["ext"]
del keep.data_arrays["pos"]
keep.data_frames["table"].append_column(noise(3000), "y")
for i in (0, 1):
    del sec.props[f"p{i}"]
del sec.sections["sub"]

# New data of similar sizes: without care it lands in the space just freed.
for i in range(40):
    da = keep.create_data_array(f"new{i}", "signal", data=noise(int(rng.integers(2, 60000))))
    del da
    sec.create_property(f"q{i}", list(noise(200)))
    t = keep.create_tag(f"nt{i}", "event", noise(3))
    t.extent = noise(3)
gc.collect()
print("done", flush=True)
time.sleep(60)
"""
)

_namespace: dict[str, Any] = {}
exec(compile(SNAPSHOT, "snapshot", "exec"), _namespace)  # the same code as in the writer
snapshot = _namespace["snapshot"]


# A shrink frees space at once and so flushes by itself (a re-chunk asks the next write to
# flush); the state after them is the last flushed one, and new data must not land in the
# space they freed.
SHRINKER = (
    PREAMBLE
    + r"""
f = nix.File.open(path, nix.FileMode.Overwrite)
b = f.create_block("keep", "session")
for i in range(4):
    b.create_data_array(f"a{i}", "signal", data=noise(200_000)).append_sampled_dimension(0.001)
b.create_data_array("stream", "signal", data=noise(64)).append_sampled_dimension(0.001)
sec = f.create_section("meta", "recording")
for i in range(4):
    sec.create_property(f"p{i}", list(noise(5000)))
f.flush()

for _ in range(30):
    b.data_arrays["stream"].append(noise(4000))
b.data_arrays["a0"].data_extent = (10,)
b.data_arrays["a1"].data_extent = (150_000,)
sec.props["p1"].delete_values()
sec.props["p0"].values = list(noise(3))  # the last change, a shrink that writes values
print(json.dumps(snapshot(f)), flush=True)

for i in range(30):
    b.create_data_array(f"new{i}", "signal", data=noise(int(rng.integers(2, 100_000))))
    sec.create_property(f"q{i}", list(noise(2000)))
gc.collect()
print("done", flush=True)
time.sleep(60)
"""
)


def _flushed_then_killed(path: Path, seed: int, writer: str = WRITER) -> dict[str, Any]:
    """Run ``writer`` until it has changed and written anew; kill it; its flushed state."""
    proc = subprocess.Popen(
        [sys.executable, "-c", writer, str(path), str(seed)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    flushed = json.loads(proc.stdout.readline() or "null")
    done = proc.stdout.readline()
    alive = proc.poll() is None
    proc.send_signal(signal.SIGKILL)
    _out, err = proc.communicate()
    assert flushed is not None and done == "done\n" and alive, err
    assert proc.returncode == -signal.SIGKILL, err
    return dict(flushed)


@pytest.mark.parametrize("seed", range(ROUNDS))
def test_killed_writer_keeps_flushed_objects_it_deleted_or_replaced(tmp_path: Path, seed: int) -> None:
    path = tmp_path / "deletes.nix"
    flushed = _flushed_then_killed(path, seed)
    assert len(flushed) > 30
    with nix.File.open(str(path), nix.FileMode.ReadOnly) as f:
        found = snapshot(f)
    changed = sorted(key for key in flushed if found.get(key) != flushed[key])
    assert sorted(found) == sorted(flushed)
    assert changed == [], f"{len(changed)} of {len(flushed)} flushed objects read differently: {changed}"


@pytest.mark.parametrize("seed", range(2))
def test_killed_writer_keeps_what_shrinks_and_rechunks_flushed(tmp_path: Path, seed: int) -> None:
    path = tmp_path / "shrinks.nix"
    flushed = _flushed_then_killed(path, seed, SHRINKER)
    assert flushed["da keep/a0"][0] == [10] and flushed["prop meta/p1"][1] == "()"
    with nix.File.open(str(path), nix.FileMode.ReadOnly) as f:
        found = snapshot(f)
    changed = sorted(key for key in flushed if found.get(key) != flushed[key])
    assert sorted(found) == sorted(flushed)
    assert changed == [], f"{len(changed)} of {len(flushed)} flushed objects read differently: {changed}"


def _held(f: nix.File) -> int:
    """Handles of unlinked objects the file keeps open until its next flush."""
    from nixkit.storage.durability import retired

    return len(retired.get(f._handle._key, ()))


def test_freed_space_is_reused_only_after_a_flush(tmp_path: Path) -> None:
    sizes = {}
    for flush_between in (False, True):
        path = tmp_path / f"reuse{flush_between}.nix"
        with nix.File.open(str(path), nix.FileMode.Overwrite) as f:
            block = f.create_block("b", "t")
            block.create_data_array("old", "t", data=np.ones(200_000))
            f.flush()
            del block.data_arrays["old"]
            assert _held(f) == 1
            if flush_between:
                f.flush()
                assert _held(f) == 0
            block.create_data_array("new", "t", data=np.zeros(200_000))
        sizes[flush_between] = path.stat().st_size
        with nix.File.open(str(path), nix.FileMode.ReadOnly) as f:
            assert [da.name for da in f.blocks["b"].data_arrays] == ["new"]
            np.testing.assert_array_equal(f.blocks["b"].data_arrays["new"][:], np.zeros(200_000))
    # 1.6 MB of data: kept apart before the flush, in the freed space after it.
    assert sizes[False] > sizes[True] + 1_000_000, sizes


def test_a_deleted_group_keeps_its_subtree_until_the_flush(tmp_path: Path) -> None:
    path = tmp_path / "tree.nix"
    with nix.File.open(str(path), nix.FileMode.Overwrite) as f:
        block = f.create_block("b", "t")
        for i in range(5):
            block.create_data_array(f"a{i}", "t", data=np.arange(1000.0))
        f.flush()
        del f.blocks["b"]
        assert _held(f) == 1  # the block group, holding everything below it
        f.create_block("c", "t").create_data_array("x", "t", data=np.ones(5000))
    with nix.File.open(str(path), nix.FileMode.ReadOnly) as f:
        assert [b.name for b in f.blocks] == ["c"]
        np.testing.assert_array_equal(f.blocks["c"].data_arrays["x"][:], np.ones(5000))


def test_objects_with_other_links_are_not_held(tmp_path: Path) -> None:
    with nix.File.open(str(tmp_path / "links.nix"), nix.FileMode.Overwrite) as f:
        block = f.create_block("b", "t")
        da = block.create_data_array("x", "t", data=np.arange(10.0))
        group = block.create_group("g", "t")
        group.data_arrays.append(da)
        f.flush()
        del group.data_arrays["x"]
        assert _held(f) == 0  # the block still links the array
        del block.data_arrays["x"]
        assert _held(f) == 1


def test_held_handles_stay_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from nixkit.storage import durability

    monkeypatch.setattr(durability, "RETIRE_LIMIT", 8)
    path = tmp_path / "many.nix"
    with nix.File.open(str(path), nix.FileMode.Overwrite) as f:
        block = f.create_block("b", "t")
        for i in range(40):
            block.create_data_array(f"a{i}", "t", data=np.arange(100.0))
        f.flush()
        most = 0
        for i in range(40):
            del block.data_arrays[f"a{i}"]
            most = max(most, _held(f))
        assert most == 9  # the checkpoint before a write flushes once more than 8 wait
        assert _held(f) < 9
    with nix.File.open(str(path), nix.FileMode.ReadOnly) as f:
        assert len(f.blocks["b"].data_arrays) == 0


def test_close_releases_held_handles_cleanly(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    import nixio

    path = tmp_path / "close.nix"
    f = nix.File.open(str(path), nix.FileMode.Overwrite)
    block = f.create_block("b", "t")
    block.create_data_array("gone", "t", data=np.arange(1000.0))
    block.create_data_array("kept", "t", data=np.arange(10.0))
    tag = block.create_tag("t", "t", [1.0])
    f.flush()
    del block.data_arrays["gone"]
    tag.position = [2.0]
    assert _held(f) == 2  # the array and the tag's old position
    f.close()
    assert _held(f) == 0
    assert capfd.readouterr().err == ""
    theirs = nixio.File.open(str(path), nixio.FileMode.ReadOnly)
    try:
        assert [da.name for da in theirs.blocks["b"].data_arrays] == ["kept"]
        assert list(theirs.blocks["b"].tags["t"].position) == [2.0]
    finally:
        theirs.close()
