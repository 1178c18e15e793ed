"""DataArray: creation, every data type, lazy reads, writes, appends, calibration, dimensions."""

from __future__ import annotations

import hashlib
from pathlib import Path

import h5py
import numpy as np
import pytest

import nixkit as nix
from nixkit.exceptions import IncompatibleDimensions, InvalidAttrType, InvalidData, OutOfBounds, ReadOnlyError

NUMERIC_TYPES = [
    nix.DataType.Bool,
    nix.DataType.Int8,
    nix.DataType.Int16,
    nix.DataType.Int32,
    nix.DataType.Int64,
    nix.DataType.UInt8,
    nix.DataType.UInt16,
    nix.DataType.UInt32,
    nix.DataType.UInt64,
    nix.DataType.Float,
    nix.DataType.Double,
]


@pytest.fixture
def block(tmp_path: Path):
    f = nix.File.open(tmp_path / "d.nix", nix.FileMode.Overwrite)
    yield f.create_block("b", "t")
    f.close()


@pytest.mark.parametrize("dtype", NUMERIC_TYPES, ids=lambda t: np.dtype(t).name)
def test_every_numeric_type_round_trips(block: nix.Block, dtype: type) -> None:
    values = np.array([0, 1, 1, 0, 1], dtype=dtype)
    da = block.create_data_array("x", "t", data=values)
    assert da.dtype == np.dtype(dtype)
    assert da.data_type == dtype
    np.testing.assert_array_equal(da[:], values)
    assert np.asarray(da).dtype == np.dtype(dtype)


def test_strings_are_stored_as_utf8_text(block: nix.Block) -> None:
    words = ["alpha", "µ-Wert", "ζ"]
    da = block.create_data_array("words", "t", data=words)
    assert da.data_type is nix.DataType.String
    assert list(da[:]) == words
    da2 = block.create_data_array("typed", "t", data=words, dtype=nix.DataType.String)
    assert da2[1] == "µ-Wert"
    # The writer holds its lock: a reader beside it in the same process peeks without locking.
    block.file.flush()
    with h5py.File(block.file.filename, "r", locking=False) as h:
        ds = h["data/b/data_arrays/words/data"]
        assert h5py.check_string_dtype(ds.dtype).encoding == "utf-8"


def test_opaque_data(block: nix.Block) -> None:
    blobs = np.array([b"\x00\x01", b"\xff\xfe"], dtype="V2")
    da = block.create_data_array("blob", "t", data=blobs)
    assert da.dtype == np.dtype("V2")
    assert da[1].tobytes() == b"\xff\xfe"
    with pytest.raises(InvalidData, match="item size"):
        block.create_data_array("sized", "t", shape=(2,), dtype=nix.DataType.Opaque)
    assert block.create_data_array("sized", "t", shape=(2,), dtype=np.dtype("V4")).shape == (2,)


def test_shape_and_dtype_without_data(block: nix.Block) -> None:
    da = block.create_data_array("empty", "t", shape=(3, 4), dtype=nix.DataType.Int16)
    assert da.shape == (3, 4) and da.dtype == np.int16 and da.size == 12 and len(da) == 3
    da[1, :] = [1, 2, 3, 4]
    np.testing.assert_array_equal(da[1], [1, 2, 3, 4])
    default = block.create_data_array("f", "t", shape=(2,))
    assert default.dtype == np.float64


def test_creation_arguments_are_checked_before_writing(block: nix.Block) -> None:
    with pytest.raises(ValueError, match="data or a shape"):
        block.create_data_array("x", "t")
    with pytest.raises(ValueError, match="shape"):
        block.create_data_array("x", "t", data=[1, 2, 3], shape=(4,))
    with pytest.raises(InvalidData):
        block.create_data_array("x", "t", data=[1, 300], dtype=nix.DataType.UInt8)
    with pytest.raises(InvalidData):
        block.create_data_array("x", "t", data=[1.5], dtype=nix.DataType.Int32)
    with pytest.raises(InvalidData):
        block.create_data_array("x", "t", data=["a"], dtype=nix.DataType.Double)
    with pytest.raises(InvalidAttrType):
        block.create_data_array("x", "t", data=[1.0], unit=3)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        block.create_data_array("", "t", data=[1.0])
    assert len(block.data_arrays) == 0
    ok = block.create_data_array("x", "t", data=[1, 2], dtype=nix.DataType.Double)
    assert ok.dtype == np.float64


def test_reads_are_lazy_slices_with_h5py_semantics(block: nix.Block) -> None:
    values = np.arange(24.0).reshape(4, 6)
    da = block.create_data_array("x", "t", data=values)
    np.testing.assert_array_equal(da[1:3, ::2], values[1:3, ::2])
    assert da[2, 3] == values[2, 3]
    np.testing.assert_array_equal(da[..., 0], values[..., 0])
    np.testing.assert_array_equal(np.asarray(da, dtype=np.float32), values.astype(np.float32))
    out = np.empty_like(values)
    da.read_direct(out)
    np.testing.assert_array_equal(out, values)
    assert [row.tolist() for row in da] == values.tolist()


def test_writes_and_direct_writes(block: nix.Block) -> None:
    da = block.create_data_array("x", "t", data=np.zeros(5))
    da[1:3] = [7.0, 8.0]
    da.write_direct(np.arange(5.0) * 2)
    np.testing.assert_array_equal(da[:], np.arange(5.0) * 2)
    da[0] = None
    assert np.isnan(da[0])


def test_append_along_any_axis(block: nix.Block) -> None:
    da = block.create_data_array("x", "t", data=np.zeros((2, 3)))
    da.append(np.ones((1, 3)))
    da.append(np.full((3, 2), 2.0), axis=1)
    assert da.shape == (3, 5)
    np.testing.assert_array_equal(da[2, :3], [1, 1, 1])
    np.testing.assert_array_equal(da[:, 3:], np.full((3, 2), 2.0))
    with pytest.raises(IncompatibleDimensions):
        da.append(np.ones(3))
    with pytest.raises(IncompatibleDimensions):
        da.append(np.ones((1, 4)))
    assert da.shape == (3, 5)
    da.data_extent = (4, 5)
    assert da.shape == (4, 5)


def test_append_checks_values_fit(block: nix.Block) -> None:
    da = block.create_data_array("x", "t", data=np.zeros(3, dtype=np.uint8))
    with pytest.raises(InvalidData):
        da.append([1000])
    assert da.shape == (3,)


def test_calibration_applies_on_read_only(block: nix.Block) -> None:
    raw = np.array([0, 10, 20], dtype=np.int16)
    da = block.create_data_array("x", "t", data=raw)
    da.polynom_coefficients = [1.0, 0.5]
    da.expansion_origin = 10
    assert da.polynom_coefficients == (1.0, 0.5)
    assert da.expansion_origin == 10
    np.testing.assert_allclose(da[:], [-4.0, 1.0, 6.0])
    np.testing.assert_allclose(np.asarray(da), [-4.0, 1.0, 6.0])
    block.file.flush()
    with h5py.File(block.file.filename, "r", locking=False) as h:
        np.testing.assert_array_equal(h["data/b/data_arrays/x/data"][:], raw)
    da.polynom_coefficients = None
    da.expansion_origin = None
    np.testing.assert_array_equal(da[:], raw)
    with pytest.raises(InvalidAttrType):
        da.expansion_origin = "x"  # type: ignore[assignment]


def test_unit_and_label(block: nix.Block) -> None:
    da = block.create_data_array("x", "t", data=[1.0], unit="µV", label="voltage")
    assert da.unit == "uV" and da.label == "voltage"
    da.unit = "m V"
    assert da.unit == "mV"
    da.unit = None
    da.label = None
    assert da.unit is None and da.label is None
    with pytest.raises(InvalidAttrType):
        da.label = 5  # type: ignore[assignment]


def test_compression_follows_the_innermost_setting(tmp_path: Path) -> None:
    with nix.File.open(tmp_path / "c.nix", nix.FileMode.Overwrite, compression=nix.Compression.DeflateNormal) as f:
        b = f.create_block("b", "t")
        zipped = b.create_data_array("z", "t", data=np.zeros(100))
        plain = b.create_data_array("p", "t", data=np.zeros(100), compression=nix.Compression.No)
        again = f.blocks["b"].create_data_array("again", "t", data=np.zeros(100))
        assert zipped._data.compression == "gzip"
        assert plain._data.compression is None
        # nixio forgets the file default on blocks fetched from the container (reference 6.1.24)
        assert again._data.compression == "gzip"


def test_sampled_dimension(block: nix.Block) -> None:
    da = block.create_data_array("x", "t", data=np.zeros(10))
    dim = da.append_sampled_dimension(0.5, label="time", unit="ms", offset=0.0)
    assert dim.dimension_type == nix.DimensionType.Sample
    assert dim.index == 1 and dim.sampling_interval == 0.5
    # nixio drops a zero offset, which broke its multipleTimeSeries example (reference 5).
    assert dim.offset == 0.0
    assert dim.position_at(4) == 2.0
    assert dim.axis(3) == (0.0, 0.5, 1.0)
    assert dim.axis(2, start=2) == (1.0, 1.5)
    dim.offset = 1.0
    assert dim.axis(2, start_position=2.0) == (2.0, 2.5)
    with pytest.raises(ValueError):
        dim.axis(2, start_position=0.0)
    with pytest.raises(ValueError):
        da.append_sampled_dimension(-1.0)
    with pytest.raises(InvalidAttrType):
        da.append_sampled_dimension("fast")  # type: ignore[arg-type]
    assert len(da.dimensions) == 1


def test_range_dimension_rejects_unsorted_ticks_without_leftovers(block: nix.Block) -> None:
    """nixio leaves a dimension with unsorted ticks behind before raising (reference 6.1.10)."""
    da = block.create_data_array("x", "t", data=np.zeros(4))
    with pytest.raises(ValueError, match="ascending"):
        da.append_range_dimension([0.0, 2.0, 1.0, 3.0])
    assert len(da.dimensions) == 0
    dim = da.append_range_dimension([1, 2, 4, 8], label="time", unit="s")
    assert dim.ticks == (1.0, 2.0, 4.0, 8.0)
    assert dim.tick_at(2) == 4.0 and dim.axis(2, 1) == (2.0, 4.0)
    with pytest.raises(ValueError):
        dim.ticks = [3.0, 1.0]
    assert dim.ticks == (1.0, 2.0, 4.0, 8.0)


def test_range_dimension_from_own_values(block: nix.Block) -> None:
    times = block.create_data_array("spikes", "events", data=[0.1, 0.4, 0.9], unit="s", label="time")
    dim = times.append_range_dimension_using_self()
    assert dim.has_link and dim.is_alias
    assert dim.ticks == (0.1, 0.4, 0.9)
    assert dim.unit == "s" and dim.label == "time"
    assert dim.dimension_link is not None and dim.dimension_link.index == (-1,)
    matrix = block.create_data_array("m", "t", data=np.arange(6.0).reshape(3, 2))
    with pytest.raises(IncompatibleDimensions):
        matrix.append_range_dimension_using_self([-1])
    with pytest.raises(ValueError):
        matrix.append_range_dimension_using_self([-1, -1])
    assert len(matrix.dimensions) == 0
    col = matrix.append_range_dimension_using_self([-1, 1])
    assert col.ticks == (1.0, 3.0, 5.0)


def test_set_dimension_labels(block: nix.Block) -> None:
    da = block.create_data_array("x", "t", data=np.zeros((2, 5)))
    dim = da.append_set_dimension(["sin", "cos"])
    assert dim.labels == ("sin", "cos")
    dim.labels = ["a", "b"]
    assert dim.labels == ("a", "b")
    with pytest.raises(ValueError):
        dim.labels = "ab"  # type: ignore[assignment]
    with pytest.raises(ValueError):
        da.append_set_dimension([1, 2])  # type: ignore[list-item]
    empty = da.append_set_dimension()
    assert empty.labels == ()


def test_dimension_container(block: nix.Block) -> None:
    da = block.create_data_array("img", "t", data=np.zeros((4, 5, 3), dtype=np.uint8))
    da.append_sampled_dimension(1.0)
    da.append_sampled_dimension(1.0)
    da.append_set_dimension(["r", "g", "b"])
    assert [type(d).__name__ for d in da.dimensions] == ["SampledDimension", "SampledDimension", "SetDimension"]
    assert da.dimensions[-1].index == 3
    assert da.dimensions["2"].index == 2
    assert [i for i, _ in da.iter_dimensions()] == [1, 2, 3]
    with pytest.raises(IndexError):
        da.dimensions[3]
    with pytest.raises(IndexError):
        del da.dimensions[0]
    del da.dimensions[-1]
    assert len(da.dimensions) == 2
    assert da.delete_dimensions() is True
    assert len(da.dimensions) == 0


def test_failed_writes_leave_the_file_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "f.nix"
    with nix.File.open(path, nix.FileMode.Overwrite) as f:
        f.create_block("b", "t").create_data_array("x", "t", data=np.arange(4.0))
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    with nix.File.open(path, nix.FileMode.ReadOnly) as f:
        da = f.blocks["b"].data_arrays["x"]
        np.testing.assert_array_equal(da[:], np.arange(4.0))
        for call in (lambda: da.append([1.0]), lambda: da.write_direct(np.zeros(4))):
            with pytest.raises(ReadOnlyError):
                call()
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_text_data_ignores_a_stray_calibration(tmp_path: Path) -> None:
    """A polynomial on text data (only a damaged or foreign file has one) must not break reads."""
    path = tmp_path / "f.nix"
    with nix.File.open(path, nix.FileMode.Overwrite) as f:
        f.create_block("b", "t").create_data_array("words", "t", data=["a", "b"])
    with h5py.File(path, "r+") as h:
        h["data/b/data_arrays/words"].create_dataset("polynom_coefficients", data=[1.0, 2.0])
    with nix.File.open(path, nix.FileMode.ReadOnly) as f:
        assert list(f.blocks["b"].data_arrays["words"][:]) == ["a", "b"]


def test_a_non_numeric_calibration_is_reported_as_damage(tmp_path: Path) -> None:
    from nixkit.exceptions import CorruptFile

    path = tmp_path / "f.nix"
    with nix.File.open(path, nix.FileMode.Overwrite) as f:
        f.create_block("b", "t").create_data_array("x", "t", data=[1.0, 2.0])
    with h5py.File(path, "r+") as h:
        h["data/b/data_arrays/x"].create_dataset("polynom_coefficients", data=np.array([b"a"], dtype="S1"))
    with nix.File.open(path, nix.FileMode.ReadOnly) as f, pytest.raises(CorruptFile, match="data/b/data_arrays/x"):
        f.blocks["b"].data_arrays["x"][:]


def test_failed_setters_and_creates_leave_things_as_they_were(block: nix.Block) -> None:
    da = block.create_data_array("x", "t", data=[1.0, 2.0])
    da.polynom_coefficients = [0.0, 2.0]
    with pytest.raises(InvalidAttrType):
        da.polynom_coefficients = ["a"]  # type: ignore[list-item]
    assert da.polynom_coefficients == (0.0, 2.0)
    with pytest.raises(ValueError, match=r"shape \(4,\)"):
        block.create_data_array("y", "t", data=[1, 2, 3], shape=4)
    with pytest.raises(TypeError):
        block.create_data_array("mixed", "t", data=np.array(["a", 1], dtype=object))
    assert "mixed" not in block.data_arrays
    assert [d.name for d in block.data_arrays] == ["x"]


def test_dimension_link_index_is_checked_like_a_new_link(block: nix.Block) -> None:
    m = block.create_data_array("m", "t", data=np.arange(6.0).reshape(3, 2))
    dim = m.append_range_dimension_using_self([-1, 0])
    link = dim.dimension_link
    assert link is not None
    link.index = [-1, 1]
    assert dim.ticks == (1.0, 3.0, 5.0)
    with pytest.raises(OutOfBounds):
        link.index = [-1, 2]
    with pytest.raises(IncompatibleDimensions):
        link.index = [-1]
    assert dim.ticks == (1.0, 3.0, 5.0)


@pytest.mark.parametrize("journaled", [True, False])
def test_rechunking_frees_the_old_copy(tmp_path: Path, journaled: bool) -> None:
    """With an undo journal the replaced dataset goes at once and its space is reused
    right away. Without one (a file opened for SWMR, before SWMR starts) it is unlinked
    and held: the next write starts with a flush and only then frees it, so the structure
    on disk never lists freed space."""
    from nixkit.storage.durability import retired, settle_soon
    from nixkit.storage.journal import journals

    path = tmp_path / "grow.nix"
    with nix.File.open(path, nix.FileMode.Overwrite, swmr=not journaled) as f:
        key = f._handle._key
        assert (key in journals) == journaled
        da = f.create_block("b", "t").create_data_array("x", "t", data=np.zeros(10))
        rechunks = 0
        for _ in range(50):
            chunks = da._data.chunks
            da.append(np.ones(1000))
            if da._data.chunks != chunks:
                rechunks += 1
                if journaled:
                    assert key not in settle_soon and not retired.get(key)  # freed at once
                else:
                    assert key in settle_soon and len(retired[key]) == 1  # held, not yet freed
            else:
                assert key not in settle_soon and not retired.get(key)  # flushed, then freed
        assert rechunks >= 2
        assert not any(n.startswith(".") for n in da._node.names())
        np.testing.assert_array_equal(da[10:], np.ones(50_000))
    with h5py.File(path, "r") as h:
        assert set(h["data/b/data_arrays/x"]) == {"data"}


def test_a_failed_rechunk_leaves_the_data_in_use(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from nixkit.storage import dataset

    with nix.File.open(tmp_path / "fail.nix", nix.FileMode.Overwrite) as f:
        da = f.create_block("b", "t").create_data_array("x", "t", data=np.zeros(1000))

        def broken(source: object, dest: object) -> None:
            raise OSError("disk full")

        monkeypatch.setattr(dataset, "copy_attrs", broken)
        with pytest.raises(OSError, match="disk full"):
            for _ in range(40):  # until the appends re-chunk
                da.append(np.ones(1000))
        monkeypatch.undo()
        assert not any(n.endswith(".rechunking") for n in da._node.names())
        length = len(da)
        da.append(np.full(1000, 2.0))  # the next append re-chunks and succeeds
        np.testing.assert_array_equal(da[length:], np.full(1000, 2.0))
        assert not any(n.endswith(".rechunking") for n in da._node.names())
