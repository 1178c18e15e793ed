"""Live readers: a reader process follows a DataArray that a writer process appends to (SWMR)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nixio
import numpy as np
import pytest

import nixkit as nix

BLOCKS = 40
ROWS = 500

WRITER = r"""
import sys, time
import numpy as np
import nixkit as nix

path, blocks, rows = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
f = nix.File.open(path, nix.FileMode.Overwrite, swmr=True)
b = f.create_block("rec", "session")
da = b.create_data_array("trace", "signal", data=np.zeros((0, 2)))
da.append_sampled_dimension(0.001, unit="s")
da.append_set_dimension(["x", "y"])
f.flush()
f.start_swmr()
print("ready", flush=True)
sys.stdin.readline()  # the reader is following
for i in range(blocks):
    start = i * rows
    block = np.stack([np.arange(start, start + rows), -np.arange(start, start + rows)], axis=1).astype(float)
    da.append(block)
    f.flush()
    time.sleep(0.01)
f.close()
print("done", flush=True)
"""

READER = r"""
import json, sys, time
import numpy as np
import nixkit as nix

path, total = sys.argv[1], int(sys.argv[2])
f = nix.File.open(path, nix.FileMode.ReadOnly, swmr=True)
da = f.blocks["rec"].data_arrays["trace"]
print("following", flush=True)
seen, bad = [], 0
deadline = time.monotonic() + 60
while time.monotonic() < deadline:
    n = da.shape[0]
    if not seen or n != seen[-1]:
        seen.append(n)
        data = np.asarray(da)[:n]
        expect = np.stack([np.arange(n), -np.arange(n)], axis=1).astype(float)
        bad += int(data.shape != expect.shape or not np.array_equal(data, expect))
    if n >= total:
        break
    time.sleep(0.002)
f.close()
print(json.dumps({"seen": seen, "bad": bad}), flush=True)
"""


@pytest.mark.slow
def test_reader_follows_a_growing_data_array(tmp_path: Path) -> None:
    path = tmp_path / "live.nix"
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path), str(BLOCKS), str(ROWS)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert writer.stdout is not None and writer.stdin is not None
    assert writer.stdout.readline().strip() == "ready"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(path), str(BLOCKS * ROWS)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert reader.stdout is not None
    assert reader.stdout.readline().strip() == "following"
    writer.stdin.write("go\n")
    writer.stdin.flush()
    w_out, w_err = writer.communicate(timeout=120)
    r_out, r_err = reader.communicate(timeout=120)
    assert writer.returncode == 0, w_err
    assert reader.returncode == 0, r_err
    assert w_out.strip() == "done"
    result = json.loads(r_out)
    seen = result["seen"]
    print(f"\nlive reader saw {len(seen)} lengths: {seen[:5]} ... {seen[-1]}")
    assert result["bad"] == 0
    assert seen == sorted(seen) and seen[-1] == BLOCKS * ROWS
    assert len(seen) >= 5  # it really watched the array grow
    assert all(n % ROWS == 0 for n in seen)  # whole flushed appends only


def test_swmr_written_file_reads_and_writes_in_nixio(tmp_path: Path) -> None:
    """Files written for SWMR use the newest HDF5 format; nixio 1.5.4 reads and extends them."""
    path = tmp_path / "swmr.nix"
    with nix.File.open(str(path), nix.FileMode.Overwrite, swmr=True) as f:
        da = f.create_block("b", "t").create_data_array("x", "t", data=np.zeros(0))
        da.append_sampled_dimension(1.0)
        f.start_swmr()
        da.append(np.arange(5.0))
        f.flush()
    nf = nixio.File.open(str(path), nixio.FileMode.ReadWrite)
    try:
        assert np.array_equal(nf.blocks["b"].data_arrays["x"][:], np.arange(5.0))
        nf.blocks["b"].create_data_array("y", "t", data=[1.0])
    finally:
        nf.close()
    with nix.File.open(str(path), nix.FileMode.ReadOnly) as f:
        assert [d.name for d in f.blocks["b"].data_arrays] == ["x", "y"]


def test_start_swmr_needs_a_writable_file(tmp_path: Path) -> None:
    path = tmp_path / "ro.nix"
    nix.File.open(str(path), nix.FileMode.Overwrite).close()
    with nix.File.open(str(path), nix.FileMode.ReadOnly) as f, pytest.raises(nix.exceptions.ReadOnlyError):
        f.start_swmr()
