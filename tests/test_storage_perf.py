"""Behaviour behind the speed-ups of issue 5: streaming chunks for appends, low-level
attribute writes, and data handles kept on a DataArray while nothing was written.

Each test pins what must stay true (types on disk, values, nixio reading and extending
the files, handles never going stale); none measures time.
"""

from __future__ import annotations

from pathlib import Path

import h5py
import nixio
import numpy as np
import pytest

import nixkit as nix
from nixkit.storage.dataset import STREAM_CHUNK_BYTES


def _chunks(path: Path, name: str = "rec") -> tuple[int, ...]:
    with h5py.File(path, "r") as f:
        block = next(iter(f["data"].values()))
        return tuple(block["data_arrays"][name]["data"].chunks)


def test_appends_grow_the_chunks_to_streaming_size_and_nixio_reads_and_extends(tmp_path: Path) -> None:
    path = tmp_path / "rec.nix"
    pieces = np.random.default_rng(0).standard_normal((600, 1000))
    with nix.File.open(str(path), nix.FileMode.Overwrite) as f:
        da = f.create_block("b", "t").create_data_array("rec", "t", data=pieces[0])
        (first,) = da._data.chunks
        for piece in pieces[1:]:
            da.append(piece)
        np.testing.assert_array_equal(da[:], pieces.ravel())
    (grown,) = _chunks(path)
    # Doubled from the first chunk up to the streaming size: the freed chunks of each old
    # copy are whole multiples of the new ones.
    assert STREAM_CHUNK_BYTES // 16 < grown <= STREAM_CHUNK_BYTES // 8
    assert grown % first == 0 and (grown // first).bit_count() == 1
    assert _chunks(path)[0] * 16 <= pieces.size  # the unfilled end of the last chunk stays small
    g = nixio.File.open(str(path), nixio.FileMode.ReadWrite)
    nda = g.blocks[0].data_arrays["rec"]
    np.testing.assert_array_equal(nda[:], pieces.ravel())
    nda.append(np.arange(5.0))
    g.close()
    with nix.File.open(str(path), nix.FileMode.ReadOnly) as f:
        back = f.blocks[0].data_arrays["rec"][:]
    np.testing.assert_array_equal(back, np.concatenate([pieces.ravel(), np.arange(5.0)]))


def test_a_few_appends_keep_small_chunks_and_the_file_no_larger_than_nixios(tmp_path: Path) -> None:
    sizes = {}
    for name, lib in (("nixkit", nix), ("nixio", nixio)):
        path = tmp_path / f"{name}.nix"
        f = lib.File.open(str(path), lib.FileMode.Overwrite)
        block = f.create_block("b", "t")
        for i in range(50):
            da = block.create_data_array(f"a{i}", "t", data=np.zeros(10))
            da.append(np.ones(10))
            da.append(np.ones(20))
        f.close()
        sizes[name] = path.stat().st_size
    assert max(_chunks(tmp_path / "nixkit.nix", "a0")) <= 64
    assert sizes["nixkit"] <= sizes["nixio"]


def test_appends_along_either_axis_of_2d_data_keep_every_value(tmp_path: Path) -> None:
    with nix.File.open(str(tmp_path / "two.nix"), nix.FileMode.Overwrite) as f:
        block = f.create_block("b", "t")
        rows = block.create_data_array("rows", "t", data=np.zeros((2, 3), dtype=np.int32))
        cols = block.create_data_array("cols", "t", data=np.zeros((3, 2)))
        expect_rows, expect_cols = [np.zeros((2, 3), dtype=np.int32)], [np.zeros((3, 2))]
        for i in range(1, 300):
            rows.append(np.full((2, 3), i, dtype=np.int32))
            cols.append(np.full((3, 2), float(i)), axis=1)
            expect_rows.append(np.full((2, 3), i, dtype=np.int32))
            expect_cols.append(np.full((3, 2), float(i)))
        np.testing.assert_array_equal(rows[:], np.concatenate(expect_rows, axis=0))
        np.testing.assert_array_equal(cols[:], np.concatenate(expect_cols, axis=1))
        assert rows.dtype == np.int32


def test_appends_to_text_and_compressed_arrays(tmp_path: Path) -> None:
    with nix.File.open(str(tmp_path / "t.nix"), nix.FileMode.Overwrite) as f:
        block = f.create_block("b", "t")
        text = block.create_data_array("text", "t", data=["a", "b"])
        packed = block.create_data_array("gz", "t", data=np.arange(100.0), compression=nix.Compression.DeflateNormal)
        for i in range(100):
            text.append([f"s{i}"])
            packed.append(np.arange(100.0))
        assert list(text[:])[-1] == "s99" and len(text) == 102
        np.testing.assert_array_equal(packed[:], np.tile(np.arange(100.0), 101))
    with h5py.File(tmp_path / "t.nix", "r") as h:
        assert h["data/b/data_arrays/gz/data"].compression == "gzip"


def test_every_handle_sees_writes_made_through_another(tmp_path: Path) -> None:
    with nix.File.open(str(tmp_path / "h.nix"), nix.FileMode.Overwrite) as f:
        block = f.create_block("b", "t")
        first = block.create_data_array("x", "t", data=np.arange(4.0))
        second = block.data_arrays["x"]
        assert second.shape == (4,) and second[1] == 1.0
        for _ in range(10):
            first.append(np.arange(1000.0))
        assert second.shape == (10_004,)
        np.testing.assert_array_equal(second[-3:], [997.0, 998.0, 999.0])
        first.polynom_coefficients = [0.0, 2.0]
        assert second[1] == 2.0
        second.expansion_origin = 1.0
        assert first[1] == 0.0


def test_a_refused_write_still_names_the_entity(tmp_path: Path) -> None:
    path = tmp_path / "ro.nix"
    with nix.File.open(str(path), nix.FileMode.Overwrite) as f:
        f.create_block("blk", "t").create_data_array("arr", "t", data=[1.0]).append_sampled_dimension(1.0)
    with nix.File.open(str(path), nix.FileMode.ReadOnly) as f:
        da = f.blocks[0].data_arrays["arr"]
        with pytest.raises(nix.exceptions.ReadOnlyError, match="arr"):
            da.append([2.0])
        with pytest.raises(nix.exceptions.ReadOnlyError, match="arr"):
            da.unit = "mV"
        with pytest.raises(nix.exceptions.ReadOnlyError, match="dimension 1 of"):
            da.dimensions[0].label = "x"
        assert da[:].tolist() == [1.0]


def test_attributes_keep_nixs_types_when_written_and_rewritten(tmp_path: Path) -> None:
    """Names are vlen UTF-8, timestamps vlen ASCII, numbers float64 or int64 as h5py
    writes them; changing the kind of a value replaces the attribute."""
    path = tmp_path / "a.nix"
    with nix.File.open(str(path), nix.FileMode.Overwrite) as f:
        da = f.create_block("b", "t").create_data_array("ä", "t", data=[1.0])
        da.unit = "mV"
        da.expansion_origin = 3
        da.expansion_origin = 2.5
        da.label = "first"
        da.label = "sécond"
    with h5py.File(path, "r") as h:
        attrs = h["data/b/data_arrays/ä"].attrs
        kinds = {k: attrs.get_id(k).get_type() for k in attrs}
        assert kinds["name"].get_cset() == h5py.h5t.CSET_UTF8 and kinds["name"].is_variable_str()
        assert kinds["created_at"].get_cset() == h5py.h5t.CSET_ASCII
        assert attrs["expansion_origin"].dtype == np.float64 and attrs["label"] == "sécond"
    g = nixio.File.open(str(path), nixio.FileMode.ReadOnly)
    nda = g.blocks[0].data_arrays[0]
    assert (nda.name, nda.unit, nda.label, nda.expansion_origin) == ("ä", "mV", "sécond", 2.5)
    g.close()


def test_containers_kept_between_writes_still_see_every_change(tmp_path: Path) -> None:
    with nix.File.open(str(tmp_path / "c.nix"), nix.FileMode.Overwrite) as f:
        first = f.create_block("b", "t")
        second = f.blocks["b"]
        assert len(first.tags) == 0 and "x" not in first.data_arrays
        second.create_data_array("x", "t", data=[1.0])
        assert first.data_arrays["x"][0] == 1.0
        second.create_tag("t", "t", [0.0])
        assert [t.name for t in first.tags] == ["t"]
        del second.data_arrays["x"]
        with pytest.raises(KeyError):
            first.data_arrays["x"]
        second.create_data_array("y", "t", data=[2.0])
        assert first.data_arrays["y"][0] == 2.0 and len(first.data_arrays) == 1
