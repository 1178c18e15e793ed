"""Properties: value types, storage layout, setters, odML annotations and errors."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import h5py
import numpy as np
import pytest

import nixkit as nix
from nixkit.exceptions import DuplicateName, InvalidAttrType, InvalidData, InvalidName


@pytest.fixture
def nfile(tmp_path: Path) -> Iterator[nix.File]:
    f = nix.File.open(tmp_path / "p.nix", nix.FileMode.Overwrite)
    yield f
    f.close()


@pytest.fixture
def sec(nfile: nix.File) -> nix.Section:
    return nfile.create_section("s", "t")


# -- creation and layout ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("values", "dtype", "expected"),
    [
        (5, np.int64, (5,)),
        ([1, -2, 3], np.int64, (1, -2, 3)),
        (2.5, np.float64, (2.5,)),
        ([0.5, 1.5], np.float64, (0.5, 1.5)),
        (True, np.bool_, (True,)),
        ([True, False], np.bool_, (True, False)),
        (np.int32(7), np.int64, (7,)),
        (np.float32(0.5), np.float64, (0.5,)),
        (np.array([1, 2], dtype=np.uint16), np.uint16, (1, 2)),
        (np.array([0.25], dtype=np.float32), np.float32, (0.25,)),
    ],
)
def test_numeric_values_and_dtypes(sec: nix.Section, values: object, dtype: type, expected: tuple) -> None:
    prop = sec.create_property("p", values)
    assert prop.values == expected
    assert prop.data_type == np.dtype(dtype)
    assert all(isinstance(v, np.generic) for v in prop.values)
    assert prop._node.dtype == np.dtype(dtype)


def test_text_values(sec: nix.Section) -> None:
    prop = sec.create_property("p", ["日本語", "Bräu", "🍺"])
    assert prop.values == ("日本語", "Bräu", "🍺")
    assert all(type(v) is str for v in prop.values)
    assert prop.data_type is nix.DataType.String
    assert sec.create_property("q", "one").values == ("one",)
    assert sec.create_property("r", b"bytes").values == ("bytes",)
    assert sec.create_property("u", np.array(["a", "bc"])).values == ("a", "bc")
    assert h5py.check_string_dtype(prop._node.dtype).encoding == "utf-8"


def test_default_property_is_int_zero(sec: nix.Section) -> None:
    prop = sec.create_property("p")
    assert prop.values == (0,) and prop.data_type == np.int64


@pytest.mark.parametrize(
    ("dtype", "stored"),
    [
        (nix.DataType.Float, np.float32),
        (nix.DataType.Double, np.float64),
        (nix.DataType.Int32, np.int32),
        (nix.DataType.Bool, np.bool_),
        (int, np.int64),
        (float, np.float64),
        (np.dtype("u1"), np.uint8),
    ],
)
def test_empty_property_from_a_type(sec: nix.Section, dtype: object, stored: type) -> None:
    prop = sec.create_property("p", dtype)
    assert prop.values == () and prop.data_type == np.dtype(stored)
    assert prop._node.shape == (0,)


def test_empty_text_property(sec: nix.Section) -> None:
    for i, dtype in enumerate((nix.DataType.String, str)):
        prop = sec.create_property(f"p{i}", dtype)
        assert prop.values == () and prop.data_type is nix.DataType.String
        prop.extend_values("x")
        assert prop.values == ("x",)


def test_header_and_storage_layout(sec: nix.Section, nfile: nix.File, tmp_path: Path) -> None:
    oid = str(uuid.uuid4())
    prop = sec.create_property("p", [1.0, 2.0, 3.0], oid=oid)
    assert prop.id == oid and prop.name == "p" and prop.type is None
    assert prop.created_at > 0 and prop.updated_at == prop.created_at
    assert repr(prop) == str(prop) == "Property: {name = p}"
    sec.create_property("e", nix.DataType.Int64)
    nfile.close()
    with h5py.File(tmp_path / "p.nix", "r") as h:
        ds = h["metadata/s/properties/p"]
        assert isinstance(ds, h5py.Dataset)
        assert set(ds.attrs) == {"name", "entity_id", "created_at", "updated_at"}
        # Resizable (nixio extends values in place) with a chunk fitted to the values.
        assert ds.maxshape == (None,) and ds.chunks == (3,)
        assert h["metadata/s/properties/e"].chunks == (8,)


def test_big_properties_get_bounded_chunks(sec: nix.Section) -> None:
    prop = sec.create_property("p", np.arange(100_000))
    chunks = prop._node.chunks
    assert chunks is not None and chunks[0] <= 4096
    assert prop.values[-1] == 99_999


def test_type_cannot_be_set(sec: nix.Section) -> None:
    prop = sec.create_property("p", 1)
    with pytest.raises(AttributeError):
        prop.type = "x"
    assert not prop._node.has_attr("type")


# -- creation errors leave nothing behind ---------------------------------------------------------
@pytest.mark.parametrize(
    ("values", "error"),
    [
        (None, TypeError),
        ([], TypeError),
        ((), TypeError),
        (np.array([]), TypeError),
        ([1, "a"], TypeError),
        ([1, 2.5], TypeError),
        ([True, 1], TypeError),
        ({"a": 1}, TypeError),
        ([None], TypeError),
        (object(), TypeError),
        (1 + 2j, TypeError),
        (np.array([1 + 2j]), TypeError),
        ([[1, 2], [3, 4]], ValueError),
        (np.zeros((2, 2)), ValueError),
        ([2**70], ValueError),
    ],
)
def test_bad_values_are_refused_before_writing(sec: nix.Section, values: object, error: type) -> None:
    with pytest.raises(error):
        sec.create_property("p", values)
    assert "properties" not in sec._node
    assert len(sec.props) == 0


def test_bad_names_and_duplicates(sec: nix.Section) -> None:
    sec.create_property("p", 1)
    with pytest.raises(DuplicateName):
        sec.create_property("p", 2)
    with pytest.raises(InvalidName):
        sec.create_property("", 2)
    with pytest.raises(InvalidName):
        sec.create_property("a/b", 2)
    with pytest.raises(InvalidAttrType):
        sec.create_property(3, 2)  # type: ignore[arg-type]
    with pytest.raises(InvalidAttrType):
        sec.create_property("x", np.dtype("c16"))
    assert sec["p"] == 1 and len(sec.props) == 1


def test_numpy_int32_and_float32_arrays(sec: nix.Section) -> None:
    """nixio bug 6.1.20: int32/float32 arrays failed after the dataset was created, leaving
    a half-made property holding zeros."""
    ints = sec.create_property("ints", np.array([1, 2, 3], dtype=np.int32))
    floats = sec.create_property("floats", np.array([0.5, 1.5], dtype=np.float32))
    assert ints.values == (1, 2, 3) and ints.data_type == np.int32
    assert floats.values == (0.5, 1.5) and floats.data_type == np.float32
    # They also go into existing int64 / float64 properties.
    wide = sec.create_property("wide", [0])
    wide.values = np.array([4, 5], dtype=np.int32)
    assert wide.values == (4, 5) and wide.data_type == np.int64


# -- setting values -----------------------------------------------------------------------------
def test_set_extend_and_delete_values(sec: nix.Section) -> None:
    prop = sec.create_property("p", [1, 2])
    prop.values = [3, 4, 5]
    assert prop.values == (3, 4, 5)
    prop.values = 6
    assert prop.values == (6,)
    prop.extend_values([7, 8])
    prop.extend_values(9)
    prop.extend_values([])
    assert prop.values == (6, 7, 8, 9)
    prop.delete_values()
    assert prop.values == () and prop.data_type == np.int64
    prop.values = [1]
    prop.values = None
    assert prop.values == ()
    prop.values = []
    assert prop.values == ()
    text = sec.create_property("t", "a")
    text.values = ["b", "c"]
    text.extend_values("d")
    assert text.values == ("b", "c", "d")


def test_values_must_keep_their_kind(sec: nix.Section) -> None:
    ints = sec.create_property("i", [1])
    floats = sec.create_property("f", [1.0])
    flags = sec.create_property("b", [True])
    text = sec.create_property("s", ["x"])
    for prop, bad in ((ints, 1.5), (ints, "x"), (ints, True), (floats, "x"), (flags, 1), (text, 2), (floats, [1.5, 2])):
        with pytest.raises(TypeError):
            prop.values = bad
        with pytest.raises(TypeError):
            prop.extend_values(bad)
    with pytest.raises(ValueError):
        ints.extend_values([[1, 2]])
    assert (ints.values, floats.values, flags.values, text.values) == ((1,), (1.0,), (True,), ("x",))


def test_float32_property_takes_python_floats(sec: nix.Section) -> None:
    """nixio rejected Python floats for a DataType.Float property (float64 != float32)."""
    prop = sec.create_property("p", nix.DataType.Float)
    prop.values = [0.5, 1.25]
    prop.extend_values(2.0)
    assert prop.values == (0.5, 1.25, 2.0) and prop.data_type == np.float32


def test_narrow_integer_properties_check_the_range(sec: nix.Section) -> None:
    prop = sec.create_property("p", nix.DataType.UInt8)
    prop.values = [0, 255]
    with pytest.raises(InvalidData):
        prop.values = [-1]
    with pytest.raises(InvalidData):
        prop.extend_values(256)
    assert prop.values == (0, 255)


# -- attributes ------------------------------------------------------------------------------------
def test_string_attributes(sec: nix.Section) -> None:
    prop = sec.create_property("p", 1.0)
    for attr in ("definition", "reference", "dependency", "dependency_value", "value_origin"):
        assert getattr(prop, attr) is None
        setattr(prop, attr, f"{attr} text")
        assert getattr(prop, attr) == f"{attr} text"
        with pytest.raises(InvalidAttrType):
            setattr(prop, attr, 5)
        setattr(prop, attr, None)
        assert getattr(prop, attr) is None


def test_unit_is_sanitised(sec: nix.Section) -> None:
    prop = sec.create_property("p", 1.0)
    prop.unit = "µ V"
    assert prop.unit == "uV"
    prop.unit = "mV"
    assert prop.unit == "mV"
    prop.unit = ""
    assert prop.unit is None and not prop._node.has_attr("unit")
    prop.unit = "s"
    prop.unit = None
    assert prop.unit is None
    with pytest.raises(InvalidAttrType):
        prop.unit = 3  # type: ignore[assignment]


def test_uncertainty_is_float64(sec: nix.Section) -> None:
    prop = sec.create_property("p", 1.0)
    assert prop.uncertainty is None
    prop.uncertainty = 2
    assert prop.uncertainty == 2.0 and isinstance(prop.uncertainty, float)
    assert prop._node._h.attrs["uncertainty"].dtype == np.float64
    prop.uncertainty = np.float32(0.5)
    assert prop.uncertainty == 0.5
    for bad in ("1", True, [1.0]):
        with pytest.raises(InvalidAttrType):
            prop.uncertainty = bad  # type: ignore[assignment]
    prop.uncertainty = None
    assert prop.uncertainty is None


def test_property_setters_leave_timestamps(sec: nix.Section) -> None:
    prop = sec.create_property("p", 1.0)
    prop.force_updated_at(1_000_000)
    prop.unit = "mV"
    prop.definition = "d"
    prop.values = [2.0]
    assert prop.updated_at == 1_000_000


def test_odml_type(sec: nix.Section) -> None:
    number = sec.create_property("n", 1.5)
    assert number.odml_type is None
    number.odml_type = nix.OdmlType.Float
    assert number.odml_type is nix.OdmlType.Float
    assert number._node.get_attr("odml_type") == "float"
    with pytest.raises(TypeError):
        number.odml_type = nix.OdmlType.Int
    with pytest.raises(TypeError):
        number.odml_type = "float"  # type: ignore[assignment]
    text = sec.create_property("t", "2024-01-01")
    for otype in (nix.OdmlType.Date, nix.OdmlType.Text, nix.OdmlType.URL, nix.OdmlType.Person):
        text.odml_type = otype
        assert text.odml_type is otype
    with pytest.raises(TypeError):
        text.odml_type = nix.OdmlType.Boolean
    # An empty property is checked against its type (nixio failed with IndexError).
    empty = sec.create_property("e", nix.DataType.Int16)
    empty.odml_type = nix.OdmlType.Int
    assert empty.odml_type is nix.OdmlType.Int
    empty.odml_type = None
    assert empty.odml_type is None


def test_pprint(sec: nix.Section, capsys: pytest.CaptureFixture[str]) -> None:
    prop = sec.create_property("gains", [1.0, 2.5])
    prop.unit = "mV"
    prop.pprint()
    assert capsys.readouterr().out == "gains: (1.0, 2.5)mV\n"
    prop.pprint(current_depth=0)
    assert capsys.readouterr().out == "    |- gains: (1.0, 2.5)mV\n"
    sec.create_property("long", list(range(100))).pprint(max_length=40)
    line = capsys.readouterr().out.rstrip("\n")
    assert len(line) <= 40 and " ... " in line


# -- the props container ----------------------------------------------------------------------------
def test_props_container(sec: nix.Section) -> None:
    a = sec.create_property("a", 1)
    b = sec.create_property("b", "x")
    assert [p.name for p in sec.props] == ["a", "b"]
    assert sec.props[0] == a and sec.props["b"] == b and sec.props[b.id] == b
    assert "a" in sec.props and a in sec.props and b.id in sec.props
    assert a._parent == sec
    del sec.props["a"]
    assert [p.name for p in sec.props] == ["b"]
    del sec.props[b.id]
    assert len(sec.props) == 0


def test_copy_property(nfile: nix.File, sec: nix.Section) -> None:
    prop = sec.create_property("p", [1.5, 2.5])
    prop.unit = "mV"
    prop.uncertainty = 0.1
    prop.odml_type = nix.OdmlType.Float
    prop.definition = "def"
    other = nfile.create_section("o", "t")
    copy = other.create_property(copy_from=prop)
    assert copy.name == "p" and copy.id == prop.id and copy.values == (1.5, 2.5)
    assert (copy.unit, copy.uncertainty, copy.odml_type, copy.definition) == ("mV", 0.1, nix.OdmlType.Float, "def")
    assert copy.created_at == prop.created_at
    renamed = sec.create_property("p2", copy_from=prop, keep_copy_id=False)
    assert renamed.name == "p2" and renamed.id != prop.id
    with pytest.raises(NameError):
        sec.create_property(copy_from=prop)
    with pytest.raises(TypeError):
        sec.create_property("x", copy_from=sec)  # type: ignore[arg-type]
    copy.values = [9.0]
    assert prop.values == (1.5, 2.5)


def test_values_read_straight_from_disk(nfile: nix.File, tmp_path: Path) -> None:
    """Two handles on one property always agree: nothing is cached in the handle."""
    sec = nfile.create_section("s", "t")
    first = sec.create_property("p", [1])
    second = nfile.sections["s"].props["p"]
    first.values = [2, 3]
    assert second.values == (2, 3)


def test_fixed_size_datasets_refuse_to_grow_clearly(nfile: nix.File) -> None:
    """nixio's upgrade tool writes property datasets with a fixed size; nixio then failed
    with a bare RuntimeError on any change of length."""
    sec = nfile.create_section("s", "t")
    sec.create_property("p", [1, 2])
    group = sec._node.group("properties")
    group.unlink("p")
    fixed = group.create_dataset("p", (2,), np.int64, data=np.array([1, 2]), resizable=False)
    fixed.set_attr("name", "p")
    fixed.set_attr("entity_id", str(uuid.uuid4()))
    prop = sec.props["p"]
    prop.values = [3, 4]  # same length: written in place
    assert prop.values == (3, 4)
    with pytest.raises(InvalidData, match="fixed size"):
        prop.extend_values(5)
    assert prop.values == (3, 4)


def test_keys_that_are_paths_are_refused(sec: nix.Section) -> None:
    with pytest.raises(InvalidName):
        sec["a/b"] = 1
    assert len(sec) == 0
