"""DataFrame: creation, layout on disk, reads, checked writes, units, output, nixio cross-reads."""

from __future__ import annotations

import csv
import hashlib
import sys
from collections import OrderedDict
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import pytest

import nixkit as nix
from nixkit.exceptions import (
    ColumnNotFound,
    DuplicateColumnName,
    DuplicateName,
    IncompatibleDimensions,
    InvalidAttrType,
    InvalidData,
    OutOfBounds,
    ReadOnlyError,
)

REALFILES = Path(__file__).resolve().parents[2] / "shared" / "testdata" / "realfiles"

# One column of every storable type, and rows that use their ranges.
ALL_TYPES: OrderedDict[str, Any] = OrderedDict(
    [
        ("text", str),
        ("flag", bool),
        ("i8", np.int8),
        ("i16", np.int16),
        ("i32", np.int32),
        ("i64", np.int64),
        ("u8", np.uint8),
        ("u16", np.uint16),
        ("u32", np.uint32),
        ("u64", np.uint64),
        ("f32", np.float32),
        ("f64", float),
    ]
)
ALL_ROWS = [
    ("alpha", True, -128, -32768, -(2**31), -(2**63), 0, 0, 0, 0, 1.5, 0.1),
    ("µ-Wert ζ", False, 127, 32767, 2**31 - 1, 2**63 - 1, 255, 65535, 2**32 - 1, 2**64 - 1, -2.25, -1e300),
    ("", True, 0, 1, 2, 3, 4, 5, 6, 7, 8.0, 9.0),
]
ALL_UNITS = [None, None, "mV", "", "s", "ms", "Hz", "uV", None, "", "kg", "m"]


def sha(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@pytest.fixture
def nixfile(tmp_path: Path):
    f = nix.File.open(tmp_path / "df.nix", nix.FileMode.Overwrite)
    yield f
    if f.is_open():
        f.close()


@pytest.fixture
def block(nixfile: nix.File) -> nix.Block:
    return nixfile.create_block("b", "session")


@pytest.fixture
def df(block: nix.Block) -> nix.DataFrame:
    cols = OrderedDict([("name", str), ("n", np.int32), ("t", float), ("ok", bool)])
    rows = [("a", 1, 0.5, True), ("b", 2, 1.5, False), ("c", 3, 2.5, True), ("d", 4, 3.5, False)]
    return block.create_data_frame("table", "t", col_dict=cols, data=rows)


# -- creation -------------------------------------------------------------------------------
def test_every_column_type_round_trips(block: nix.Block) -> None:
    frame = block.create_data_frame("all", "t", col_dict=ALL_TYPES, data=ALL_ROWS)
    assert frame.column_names == tuple(ALL_TYPES)
    assert frame.dtype[0] == np.dtype(object)
    assert frame.dtype[1:] == tuple(np.dtype(t) for t in list(ALL_TYPES.values())[1:])
    assert frame.shape == (3,) and frame.df_shape == (3, 12)
    assert len(frame) == frame.len() == frame.row_count() == frame.size == 3
    for i, row in enumerate(ALL_ROWS):
        record = frame[i]
        assert isinstance(record, np.void)
        assert tuple(record.tolist()[:-2]) == row[:-2]
        assert record["f32"] == np.float32(row[-2]) and record["f64"] == row[-1]
        assert type(record["text"]) is str


def test_column_spec_from_names_and_types(block: nix.Block) -> None:
    frame = block.create_data_frame("x", "t", col_names=["a", "b"], col_dtypes=[np.int16, str], data=[(1, "x")])
    assert frame.column_names == ("a", "b")
    assert frame.dtype == (np.dtype(np.int16), np.dtype(object))


def test_column_types_inferred_from_first_row(block: nix.Block) -> None:
    frame = block.create_data_frame(
        "x", "t", col_names=["i", "f", "b", "s", "n"], data=[(1, 2.0, True, "s", np.float32(1))]
    )
    assert frame.dtype == (
        np.dtype(np.int64),
        np.dtype(np.float64),
        np.dtype(bool),
        np.dtype(object),
        np.dtype(np.float32),
    )


def test_col_dict_takes_precedence_over_names(block: nix.Block) -> None:
    frame = block.create_data_frame("x", "t", col_dict={"a": np.int8}, col_names=["z"], col_dtypes=[str], data=[(1,)])
    assert frame.column_names == ("a",) and frame.dtype == (np.dtype(np.int8),)


def test_columns_from_a_structured_array(block: nix.Block) -> None:
    records = np.array([("x", 1.5, 3), ("yy", 2.5, 4)], dtype=[("s", "U4"), ("f", "f4"), ("i", "u2")])
    frame = block.create_data_frame("rec", "t", data=records)
    assert frame.column_names == ("s", "f", "i")
    assert frame.dtype == (np.dtype(object), np.dtype("f4"), np.dtype("u2"))
    back = frame.to_structured()
    for name in records.dtype.names:
        np.testing.assert_array_equal(back[name], records[name])
    # The same round trip through the numpy array protocol, and from a list of records.
    np.testing.assert_array_equal(np.asarray(frame)["f"], records["f"])
    from_voids = block.create_data_frame("voids", "t", data=list(records))
    assert from_voids.column_names == ("s", "f", "i") and from_voids[1]["s"] == "yy"


def test_missing_column_spec_is_refused(block: nix.Block) -> None:
    with pytest.raises(ValueError, match="No information about column names"):
        block.create_data_frame("x", "t", data=[(1, 2)])
    with pytest.raises(ValueError, match="has to be specified"):
        block.create_data_frame("x", "t", col_names=["a"])
    with pytest.raises(ValueError, match="2 column names but 1 column types"):
        block.create_data_frame("x", "t", col_names=["a", "b"], col_dtypes=[int])
    with pytest.raises(ValueError, match="at least one column"):
        block.create_data_frame("x", "t", col_dict={}, data=[])
    with pytest.raises(TypeError, match="cannot be stored"):
        block.create_data_frame("x", "t", col_dict={"c": complex})
    assert "data_frames" not in block._node


def test_duplicate_column_names(block: nix.Block) -> None:
    with pytest.raises(DuplicateColumnName):
        block.create_data_frame("x", "t", col_names=["a", "a"], col_dtypes=[int, int])
    with pytest.raises(DuplicateColumnName):
        block.create_data_frame("x", "t", col_dict=[("a", int), ("a", float)])
    assert len(block.data_frames) == 0


def test_duplicate_entity_name(block: nix.Block, df: nix.DataFrame) -> None:
    with pytest.raises(DuplicateName):
        block.create_data_frame("table", "t", col_dict={"a": int})


def test_empty_frame_then_append(block: nix.Block) -> None:
    frame = block.create_data_frame("empty", "t", col_dict={"a": int, "b": str})
    assert frame.shape == (0,) and len(frame[:]) == 0
    frame.append_rows([(1, "x"), (2, "y")])
    assert frame["b"].tolist() == ["x", "y"]


def test_container_access(block: nix.Block, df: nix.DataFrame) -> None:
    assert block.data_frames["table"] == df
    assert block.data_frames[df.id].name == "table"
    assert df.block == block and df.type == "t"
    assert repr(df) == "DataFrame: {name = table, type = t}"
    group = block.create_group("g", "t")
    group.data_frames.append(df)
    assert group.data_frames["table"] == df
    del block.data_frames["table"]
    assert len(block.data_frames) == 0 and len(group.data_frames) == 0


# -- layout on disk ----------------------------------------------------------------------------
def test_layout_is_packed_vlen_utf8_and_bool_enum(tmp_path: Path) -> None:
    path = tmp_path / "layout.nix"
    with nix.File.open(path, nix.FileMode.Overwrite) as f:
        cols = OrderedDict([("name", str), ("n", np.int32), ("t", float), ("ok", bool)])
        f.create_block("b", "t").create_data_frame("table", "t", col_dict=cols, data=[("a", 1, 0.5, True)])
    with h5py.File(path, "r") as h:
        ds = h["data/b/data_frames/table/data"]
        assert ds.chunks is not None and ds.maxshape == (None,)
        assert [ds.dtype.fields[n][1] for n in ds.dtype.names] == [0, 8, 12, 20]
        assert ds.dtype.itemsize == 21
        assert h5py.check_string_dtype(ds.dtype.fields["name"][0]).encoding == "utf-8"
        h5type = ds.id.get_type()
        assert h5type.get_member_type(3).get_class() == h5py.h5t.ENUM
        assert h5type.get_member_type(0).is_variable_str()


def test_compression_only_when_asked(block: nix.Block) -> None:
    """nixio 1.5.4 gzips every DataFrame, even with Compression.No (bug 6.1.12); nixkit does what is asked."""
    plain = block.create_data_frame("plain", "t", col_dict={"a": int}, data=[(1,)])
    default = block.create_data_frame("default", "t", col_dict={"a": int}, data=[(1,)], compression=nix.Compression.No)
    packed = block.create_data_frame(
        "packed", "t", col_dict={"a": int}, data=[(1,)], compression=nix.Compression.DeflateNormal
    )
    assert plain._data.compression is None and default._data.compression is None
    assert packed._data.compression == "gzip"
    assert packed["a"].tolist() == [1]


# -- validation before writing -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([("a", 1)], "has 2 values but the data frame has 3 columns"),
        ([("a", 1, 2.0, 4)], "has 4 values"),
        ([("a", 300, 1.0)], "does not fit"),
        ([("a", 1.5, 1.0)], "does not fit"),
        ([("a", -1, 1.0)], "does not fit"),
        ([("a", 1, "x")], "is the text"),
        ([(5, 1, 1.0)], "holds text"),
        ([("a", 1, 1e300)], "does not fit"),
        (["abc"], "has 1 values"),
        ([("a", 1, 1.0), "abc"], "give every row as a tuple"),
    ],
)
def test_bad_rows_are_refused_before_anything_is_written(block: nix.Block, rows: Any, message: str) -> None:
    spec = {"s": str, "u": np.uint8, "f": np.float32}
    with pytest.raises(InvalidData, match=message):
        block.create_data_frame("x", "t", col_dict=spec, data=rows)
    assert "data_frames" not in block._node
    frame = block.create_data_frame("x", "t", col_dict=spec, data=[("ok", 1, 1.0)])
    with pytest.raises(InvalidData, match=message):
        frame.append_rows(rows)
    assert frame.to_structured().tolist() == [("ok", 1, 1.0)]


def test_value_conversions_that_keep_values_are_accepted(block: nix.Block) -> None:
    frame = block.create_data_frame(
        "x", "t", col_dict={"i": np.int16, "f": float, "b": bool, "s": str}, data=[(2.0, 3, 1, b"bytes")]
    )
    frame.append_rows([(np.int64(5), None, np.False_, np.str_("np"))])
    assert frame["i"].tolist() == [2, 5]
    assert frame["f"][0] == 3.0 and np.isnan(frame["f"][1])
    assert frame["b"].tolist() == [True, False]
    assert frame["s"].tolist() == ["bytes", "np"]
    with pytest.raises(InvalidData):
        frame.append_rows([(1, 1.0, 2, "two is not a bool")])
    with pytest.raises(InvalidData):
        frame.append_rows([(None, 1.0, True, "None is not an int")])


def test_read_only_file_raises_and_stays_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "ro.nix"
    with nix.File.open(path, nix.FileMode.Overwrite) as f:
        b = f.create_block("b", "t")
        b.create_data_frame("table", "t", col_dict={"a": int, "s": str}, data=[(1, "x"), (2, "y")])
    before = sha(path)
    with nix.File.open(path, nix.FileMode.ReadOnly) as f:
        b = f.blocks["b"]
        frame = b.data_frames["table"]
        attempts = [
            lambda: b.create_data_frame("new", "t", col_dict={"a": int}),
            lambda: frame.append_rows([(3, "z")]),
            lambda: frame.write_rows([(3, "z")], [0]),
            lambda: frame.write_column([5, 6], name="a"),
            lambda: frame.write_cell(7, position=(0, 0)),
            lambda: frame.append_column([1.0, 2.0], "new"),
            lambda: setattr(frame, "units", ["s", None]),
            lambda: setattr(frame, "column_definitions", ["count", None]),
        ]
        for attempt in attempts:
            with pytest.raises(ReadOnlyError):
                attempt()
        assert frame["a"].tolist() == [1, 2]
    assert sha(path) == before


# -- reading --------------------------------------------------------------------------------------
def test_rows_by_index_slice_and_list(df: nix.DataFrame) -> None:
    assert df[0].tolist() == ("a", 1, 0.5, True)
    assert df[-1]["name"] == "d"
    assert df[1:3]["name"].tolist() == ["b", "c"]
    assert df[::-2]["name"].tolist() == ["d", "b"]
    assert df[[0, 2]]["n"].tolist() == [1, 3]
    assert df[np.array([True, False, False, True])]["name"].tolist() == ["a", "d"]
    assert df.read_rows([3])["name"].tolist() == ["d"]
    assert df.read_rows(2)["t"] == 2.5
    assert len(df[5:9]) == 0
    assert [r["n"] for r in df] == [1, 2, 3, 4]


def test_unsorted_and_repeated_row_lists(df: nix.DataFrame) -> None:
    """nixio passes row lists to h5py, which refuses unsorted or repeated indices; nixkit returns them in order."""
    assert df[[3, 0, 3]]["name"].tolist() == ["d", "a", "d"]
    assert df[[-1, 0]]["n"].tolist() == [4, 1]


def test_out_of_range_and_unknown_columns(df: nix.DataFrame) -> None:
    with pytest.raises(OutOfBounds):
        df[4]
    with pytest.raises(IndexError):
        df[[0, 9]]
    with pytest.raises(ColumnNotFound) as err:
        df["missing"]
    assert isinstance(err.value, KeyError) and isinstance(err.value, ValueError)
    with pytest.raises(OutOfBounds):
        df.read_columns(index=[4])
    with pytest.raises(TypeError):
        df[1.5]


def test_columns(df: nix.DataFrame) -> None:
    names = df["name"]
    assert names.tolist() == ["a", "b", "c", "d"] and all(type(v) is str for v in names)
    np.testing.assert_array_equal(df.read_columns(name=["n"]), [1, 2, 3, 4])
    np.testing.assert_array_equal(df.read_columns(name="t"), [0.5, 1.5, 2.5, 3.5])
    two = df.read_columns(index=[2, 0])
    assert two.dtype.names == ("t", "name") and two["name"].tolist() == ["a", "b", "c", "d"]
    assert df[["n", "ok"]]["ok"].tolist() == [True, False, True, False]
    np.testing.assert_array_equal(
        df.read_columns(index=[1, 2], group_by_cols=True), [[1, 2, 3, 4], [0.5, 1.5, 2.5, 3.5]]
    )
    np.testing.assert_array_equal(df.read_columns(index=[1], slc=slice(1, 3)), [2, 3])
    assert df.read_columns(index=0, slc=2) == "c"
    with pytest.raises(ValueError, match="index or name"):
        df.read_columns()
    with pytest.raises(DuplicateColumnName):
        df.read_columns(name=["n", "n"])


def test_read_cell(df: nix.DataFrame) -> None:
    """nixio names the parts of ``position`` (column, row) but uses them as (row, column) (6.1.16).

    nixkit documents and implements ``position=(row, column)``.
    """
    assert df.read_cell(position=(1, 0)) == "b"
    assert df.read_cell(position=(2, "t")) == 2.5
    assert df.read_cell(col_name="n", row_idx=[3]) == 4
    assert df.read_cell(col_name="n", row_idx=3) == 4  # nixio fails for a plain int
    with pytest.raises(ValueError):
        df.read_cell(col_name="n")
    with pytest.raises(ValueError):
        df.read_cell(position=(1,))
    with pytest.raises(OutOfBounds):
        df.read_cell(position=(9, 0))


# -- writing ------------------------------------------------------------------------------------------
def test_write_rows(df: nix.DataFrame) -> None:
    df.write_rows([("x", 10, 1.0, False)], [1])
    df.write_rows(("y", 20, 2.0, True), [2])  # one row without nesting (nixio fails when it starts with text)
    df.write_rows([("p", 30, 3.0, True), ("q", 40, 4.0, True)], [3, 0])
    df.write_rows([("r", 50, 5.0, False), ("s", 60, 6.0, False)], [1, 1])  # the last one given wins
    assert df["name"].tolist() == ["q", "s", "y", "p"]
    assert df["n"].tolist() == [40, 60, 20, 30]
    before = df.to_structured()
    with pytest.raises(IncompatibleDimensions):
        df.write_rows([("x", 1, 1.0, True)], [0, 1])
    with pytest.raises(OutOfBounds):
        df.write_rows([("x", 1, 1.0, True)], [4])
    with pytest.raises(InvalidData):
        df.write_rows([("x", 1, 1.0, True), ("y", "bad", 1.0, True)], [0, 1])
    assert df.to_structured().tolist() == before.tolist()


def test_setitem(df: nix.DataFrame) -> None:
    df[0] = ("z", 9, 9.5, False)
    df[[1, 2]] = [("y", 8, 8.5, True), ("x", 7, 7.5, True)]
    df["t"] = [1.0, 2.0, 3.0, 4.0]
    assert df[:3]["name"].tolist() == ["z", "y", "x"] and df["t"].tolist() == [1.0, 2.0, 3.0, 4.0]


def test_write_column(df: nix.DataFrame) -> None:
    """nixio rejects ``write_column(index=0)`` because 0 is falsy (bug 6.1.14); nixkit writes column 0."""
    df.write_column(["w", "x", "y", "z"], index=0)
    df.write_column(np.array([5, 6, 7, 8]), name="n")
    assert df["name"].tolist() == ["w", "x", "y", "z"] and df["n"].tolist() == [5, 6, 7, 8]
    assert df["t"].tolist() == [0.5, 1.5, 2.5, 3.5]
    with pytest.raises(IncompatibleDimensions):
        df.write_column([1, 2], name="n")
    with pytest.raises(InvalidData):
        df.write_column([1, 2, 3, 2**40], name="n")
    with pytest.raises(ValueError):
        df.write_column([1, 2, 3, 4])
    assert df["n"].tolist() == [5, 6, 7, 8]


def test_write_cell(df: nix.DataFrame) -> None:
    df.write_cell("new", position=(2, 0))
    df.write_cell(99, col_name="n", row_idx=[1])
    df.write_cell(False, col_name="ok", row_idx=0)
    assert df[2]["name"] == "new" and df[1]["n"] == 99 and not df[0]["ok"]
    with pytest.raises(InvalidData):
        df.write_cell("text", col_name="n", row_idx=[1])
    assert df[1]["n"] == 99


def test_append_rows(df: nix.DataFrame) -> None:
    df.append_rows([("e", 5, 4.5, True)])
    df.append_rows(("f", 6, 5.5, False))  # one row
    records = np.array([("g", 7, 6.5, True)], dtype=[("a", "U1"), ("b", "i8"), ("c", "f8"), ("d", "?")])
    df.append_rows(records)
    df.append_rows([])
    assert df["name"].tolist() == list("abcdefg") and len(df) == 7


def test_dataset_style_members(df: nix.DataFrame) -> None:
    df.append(np.array([("e", 5, 4.5, True)], dtype=df.data_type))
    with pytest.raises(IncompatibleDimensions):
        df.append([("f", 6, 5.5, True)], axis=1)
    out = np.empty(5, dtype=df.data_type)
    df.read_direct(out)
    assert out["name"].tolist() == list("abcde")
    df.write_direct([(c, i, 0.0, False) for i, c in enumerate("vwxyz")])
    assert df["name"].tolist() == list("vwxyz") and df["n"].tolist() == [0, 1, 2, 3, 4]
    with pytest.raises(IncompatibleDimensions):
        df.write_direct([("a", 1, 1.0, True)])
    df.data_extent = (2,)
    assert df.data_extent == (2,) and df["name"].tolist() == ["v", "w"]
    df.data_extent = (3,)
    assert df[2].tolist() == ("", 0, 0.0, False)
    assert len(df[[]]) == 0


def test_one_column_frames_take_flat_values(block: nix.Block) -> None:
    frame = block.create_data_frame("one", "t", col_names=["v"], data=[1, 2, 3])
    frame.append_rows([4, 5])
    frame.write_rows([9], [0])
    assert frame["v"].tolist() == [9, 2, 3, 4, 5]


def test_append_column_keeps_the_table_appendable(df: nix.DataFrame) -> None:
    """nixio's append_column leaves a contiguous, non-resizable dataset and does not extend the units (6.1.13)."""
    df.units = ["", "", "s", None]
    df.column_definitions = ["label", None, "onset", None]
    df.append_column([10.0, 20.0, 30.0, 40.0], "amp")
    df.append_column(np.array([1, 2, 3, 4], dtype=np.uint16), "k")
    df.append_column(["p", "q", "r", "s"], "tag")
    assert df.column_names == ("name", "n", "t", "ok", "amp", "k", "tag")
    assert df.dtype[4:] == (np.dtype(np.float64), np.dtype(np.uint16), np.dtype(object))
    assert df.units.tolist() == [None, None, "s", None, None, None, None]
    assert df.column_definitions.tolist() == ["label", None, "onset", None, None, None, None]
    assert df._data.chunks is not None and df._data.maxshape == (None,)
    df.append_rows([("e", 5, 4.5, True, 50.0, 5, "t")])
    assert df[4].tolist() == ("e", 5, 4.5, True, 50.0, 5, "t")
    assert df[0].tolist() == ("a", 1, 0.5, True, 10.0, 1, "p")
    with pytest.raises(DuplicateColumnName):
        df.append_column([0] * 5, "amp")
    with pytest.raises(IncompatibleDimensions):
        df.append_column([1, 2], "short")
    with pytest.raises(InvalidData):
        df.append_column([1, 2, 3, 4, 5.5], "frac", datatype=np.int32)
    assert len(df.column_names) == 7


def test_append_column_keeps_compression_and_empty_frames_need_a_type(block: nix.Block) -> None:
    frame = block.create_data_frame("z", "t", col_dict={"a": int}, compression=nix.Compression.DeflateNormal)
    with pytest.raises(ValueError, match="datatype"):
        frame.append_column([], "b")
    frame.append_column([], "b", datatype=str)
    assert frame.column_names == ("a", "b") and frame._data.compression == "gzip"


# -- units and definitions ---------------------------------------------------------------------------
def test_units(df: nix.DataFrame) -> None:
    assert df.units is None
    assert df.columns[2] == ("t", np.dtype(float), None)
    df.units = [None, "", "µs", "m V"]
    assert df.units.tolist() == [None, None, "us", "mV"]
    assert df.columns[2] == ("t", np.dtype(float), "us")
    group = df._node._h  # the h5py group, to see the attribute as nixio writes it
    stored = group.attrs["units"]
    assert stored.tolist() == ["", "", "us", "mV"]
    assert h5py.check_string_dtype(group.attrs.get_id("units").dtype).encoding == "utf-8"
    assert "units" not in group["data"].attrs
    with pytest.raises(IncompatibleDimensions):
        df.units = ["s"]
    with pytest.raises(InvalidAttrType):
        df.units = [1, 2, 3, 4]
    with pytest.raises(TypeError):
        df.units = "s"
    assert df.units.tolist() == [None, None, "us", "mV"]
    df.units = None
    assert df.units is None


def test_column_definitions_are_stored_only_when_set(df: nix.DataFrame) -> None:
    assert df.column_definitions is None
    assert not df._node.has_attr("definitions")
    df.column_definitions = ["who", "how many", None, ""]
    assert df.column_definitions.tolist() == ["who", "how many", None, None]
    assert df._node.get_attr("definitions") == ["who", "how many", "", ""]
    df.column_definitions = None
    assert not df._node.has_attr("definitions")


def test_metadata(nixfile: nix.File, df: nix.DataFrame) -> None:
    section = nixfile.create_section("info", "t")
    df.metadata = section
    assert df.metadata == section
    del df.metadata
    assert df.metadata is None


# -- output ------------------------------------------------------------------------------------------
def test_print_table_with_all_units_set(df: nix.DataFrame, capsys: pytest.CaptureFixture[str]) -> None:
    """nixio's print_table raises UnboundLocalError when every column has a unit (6.1.15)."""
    df.units = ["a", "b", "s", "c"]
    df.print_table()
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 6
    assert lines[0].split() == ["column:", "name", "n", "t", "ok"]
    assert lines[1].split() == ["unit:", "a", "b", "s", "c"]
    assert lines[2].split() == ["[0]:", "a", "1", "0.5", "True"]
    df.print_table(row_sl=[1, 3], col_sl=slice(0, 2))
    lines = capsys.readouterr().out.splitlines()
    assert [line.split() for line in lines] == [
        ["column:", "name", "n"],
        ["unit:", "a", "b"],
        ["[1]:", "b", "2"],
        ["[3]:", "d", "4"],
    ]
    df.print_table(col_sl=[2])
    assert capsys.readouterr().out.splitlines()[-1].split() == ["[3]:", "3.5"]


def test_write_to_csv(df: nix.DataFrame, tmp_path: Path) -> None:
    out = tmp_path / "t.csv"
    df.write_to_csv(out)
    with open(out, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["name", "n", "t", "ok"]
    assert rows[1:] == [
        ["a", "1", "0.5", "True"],
        ["b", "2", "1.5", "False"],
        ["c", "3", "2.5", "True"],
        ["d", "4", "3.5", "False"],
    ]
    df.write_to_csv(out, mode="a")
    with open(out, newline="", encoding="utf-8") as fh:
        assert len(list(csv.reader(fh))) == 10


def test_to_pandas_without_pandas_says_how_to_install(df: nix.DataFrame, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match="pip install pandas"):
        df.to_pandas()


def test_to_pandas(df: nix.DataFrame) -> None:
    pd = pytest.importorskip("pandas")
    df.units = [None, None, "s", None]
    frame = df.to_pandas()
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == ["name", "n", "t", "ok"]
    assert frame["name"].tolist() == ["a", "b", "c", "d"] and frame.attrs["units"]["t"] == "s"


# -- dimension links ------------------------------------------------------------------------------------
def test_dimensions_take_ticks_and_labels_from_columns(block: nix.Block, df: nix.DataFrame) -> None:
    df.units = [None, None, "ms", None]
    da = block.create_data_array("sig", "t", data=np.zeros((4, 4)))
    rng = da.append_range_dimension()
    rng.link_data_frame(df, 2)
    assert rng.ticks == (0.5, 1.5, 2.5, 3.5)
    assert rng.unit == "ms" and rng.label == "t"
    labels = da.append_set_dimension()
    labels.link_data_frame(df, 0)
    assert labels.labels == ("a", "b", "c", "d")
    rng.dimension_link.unit = "s"
    assert df.units.tolist() == [None, None, "s", None]


# -- cross-reading with nixio -----------------------------------------------------------------------------
@pytest.mark.compat
def test_nixio_reads_and_appends_what_nixkit_writes(tmp_path: Path) -> None:
    nixio = pytest.importorskip("nixio")
    path = tmp_path / "kit.nix"
    with nix.File.open(path, nix.FileMode.Overwrite) as f:
        frame = f.create_block("b", "t").create_data_frame("all", "t", col_dict=ALL_TYPES, data=ALL_ROWS)
        frame.units = ALL_UNITS
        expected = frame.to_structured()
    f = nixio.File.open(str(path), nixio.FileMode.ReadWrite)
    try:
        other = f.blocks["b"].data_frames["all"]
        assert other.column_names == tuple(ALL_TYPES)
        assert [u if u else None for u in other.units] == [u or None for u in ALL_UNITS]
        got = other[:]
        assert got.tolist() == expected.tolist()
        other.append_rows([("nixio", True, 1, 2, 3, 4, 5, 6, 7, 8, 9.5, 10.5)])
    finally:
        f.close()
    with nix.File.open(path, nix.FileMode.ReadOnly) as f:
        frame = f.blocks["b"].data_frames["all"]
        assert len(frame) == 4 and frame[3]["text"] == "nixio" and frame[3]["f32"] == np.float32(9.5)
        assert frame[:3].tolist() == expected.tolist()


def nixio_frame(nixio: Any, path: Path, append_column: bool) -> list[tuple[Any, ...]]:
    """Write a data frame with nixio (optionally through its append_column); return its records."""
    f = nixio.File.open(str(path), nixio.FileMode.Overwrite)
    try:
        spec = OrderedDict([("name", str), ("n", np.int32), ("t", float), ("ok", bool)])
        rows = [("ä", 1, 0.5, True), ("b", 2, 1.5, False)]
        frame = f.create_block("b", "t").create_data_frame("table", "t", col_dict=spec, data=rows)
        frame.units = [None, "", "s", None]
        if append_column:
            frame.append_column([1.5, 2.5], "extra")
        return [tuple(r) for r in frame[:].tolist()]
    finally:
        f.close()


def nixio_records(nixio: Any, path: Path) -> tuple[list[tuple[Any, ...]], list[str | None]]:
    f = nixio.File.open(str(path), nixio.FileMode.ReadOnly)
    try:
        other = f.blocks["b"].data_frames["table"]
        return [tuple(r) for r in other[:].tolist()], list(other.units)
    finally:
        f.close()


@pytest.mark.compat
def test_nixkit_reads_and_changes_what_nixio_writes(tmp_path: Path) -> None:
    nixio = pytest.importorskip("nixio")
    path = tmp_path / "nixio.nix"
    expected = nixio_frame(nixio, path, append_column=False)
    with nix.File.open(path, nix.FileMode.ReadWrite) as f:
        frame = f.blocks["b"].data_frames["table"]
        assert frame[:].tolist() == expected
        assert frame.units.tolist() == [None, None, "s", None]
        assert frame._data.compression == "gzip"  # nixio always compresses
        frame.append_rows([("c", 3, 2.5, True)])
        frame.write_cell("B", position=(1, 0))
        frame.units = ["", "", "ms", ""]
    records, units = nixio_records(nixio, path)
    assert records == [("ä", 1, 0.5, True), ("B", 2, 1.5, False), ("c", 3, 2.5, True)]
    assert units == [None, None, "ms", None]


@pytest.mark.compat
def test_frames_left_fixed_size_by_nixio_append_column_can_grow(tmp_path: Path) -> None:
    """After nixio's append_column the dataset is not resizable and units miss an entry (6.1.13).

    nixkit reads the missing unit as None and rebuilds the dataset when rows are appended.
    """
    nixio = pytest.importorskip("nixio")
    path = tmp_path / "nixio.nix"
    expected = nixio_frame(nixio, path, append_column=True)
    with nix.File.open(path, nix.FileMode.ReadWrite) as f:
        frame = f.blocks["b"].data_frames["table"]
        assert frame._data.maxshape == (2,)
        assert frame[:].tolist() == expected
        assert frame.units.tolist() == [None, None, "s", None, None]
        frame.append_rows([("c", 3, 2.5, True, 3.5)])
        assert frame._data.maxshape == (None,) and frame._data.chunks is not None
        frame.append_column([True, False, True], "k")
        frame.append_rows([("d", 4, 3.5, False, 4.5, False)])
    records, units = nixio_records(nixio, path)
    assert records == [
        ("ä", 1, 0.5, True, 1.5, True),
        ("b", 2, 1.5, False, 2.5, False),
        ("c", 3, 2.5, True, 3.5, True),
        ("d", 4, 3.5, False, 4.5, False),
    ]
    assert units == [None, None, "s", None, None, None]


@pytest.mark.compat
def test_nixtrack_data_frames_read_as_nixio_reads_them() -> None:
    nixio = pytest.importorskip("nixio")
    path = REALFILES / "bendalab_nixtrack" / "test.nix"
    f = nixio.File.open(str(path), nixio.FileMode.ReadOnly)
    try:
        expected = {df.name: (df.column_names, df[:].tolist(), df.units) for df in f.blocks[0].data_frames}
    finally:
        f.close()
    with nix.File.open(path, nix.FileMode.ReadOnly) as kf:
        got = {df.name: (df.column_names, df[:].tolist(), df.units) for df in kf.blocks[0].data_frames}
    assert got == expected
    assert got["skeleton map"][1] == [("Skeleton-0", 0)]


def test_cpp_data_frame_units_on_the_dataset_are_read() -> None:
    """The C++ library keeps DataFrame units on the ``data`` dataset (reference 2.9); nixio loses them."""
    path = REALFILES / "generated" / "cpp-nix-1.5.0-master_writefullfile.nix"
    with nix.File.open(path, nix.FileMode.ReadOnly) as f:
        frame = f.blocks["blockyblock"].data_frames["table"]
        assert frame.column_names == ("str", "Double", "int64", "bool")
        assert frame.units.tolist() == [None, "A", "ms", None]
        assert frame[:].tolist() == [("exp1", 42.1, 10, False), ("exp2", 30.2, 4, True)]
        assert type(frame[0]["str"]) is str


def test_units_of_the_wrong_kind_are_reported_as_damage(tmp_path: Path) -> None:
    from nixkit.exceptions import CorruptFile

    path = tmp_path / "units.nix"
    with nix.File.open(path, nix.FileMode.Overwrite) as f:
        f.create_block("b", "t").create_data_frame("df", "t", col_dict={"a": np.int64}, data=[(1,)])
    with h5py.File(path, "r+") as h:
        h["data/b/data_frames/df"].attrs["units"] = 5
    with nix.File.open(path, nix.FileMode.ReadOnly) as f, pytest.raises(CorruptFile, match="data_frames/df"):
        _ = f.blocks["b"].data_frames["df"].units
