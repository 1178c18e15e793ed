"""DataFrame.write_column and write_cell write only the chosen column of the stored table.

Each check compares the whole table before and after, so a column or cell that is not
the target must come back unchanged; nixio 1.5.4 reads the result.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nixio
import numpy as np
import pytest

import nixkit as nix
from nixkit.exceptions import IncompatibleDimensions, InvalidData
from nixkit.storage.dataset import DatasetNode

COLUMNS = {"text": str, "flag": bool, "count": np.int32, "value": float, "big": np.uint64}
ROWS = [
    ("alpha", True, -5, 0.5, 2**64 - 1),
    ("µ-Wert ζ", False, 7, -1.25, 0),
    ("", True, 0, 1e300, 12),
    ("last", False, 2**31 - 1, np.nan, 3),
]
NEW = {
    "text": ["eins", "zwei ✓", "", "vier"],
    "flag": [False, True, True, True],
    "count": [1, -2, 3, -(2**31)],
    "value": [9.0, 8.5, -7.25, 6.0],
    "big": [2**63, 1, 2, 2**64 - 2],
}


def _table(df: Any) -> dict[str, list[Any]]:
    data = df.read_columns(name=list(COLUMNS))
    return {name: data[name].tolist() for name in COLUMNS}


def _same(a: list[Any], b: list[Any]) -> bool:
    return all(x == y or (x != x and y != y) for x, y in zip(a, b, strict=True))


@pytest.fixture
def frame_file(tmp_path: Path) -> Path:
    path = tmp_path / "frame.nix"
    with nix.File.open(str(path), nix.FileMode.Overwrite) as f:
        f.create_block("b", "t").create_data_frame("df", "t", col_dict=COLUMNS, data=ROWS)
    return path


def _no_row_round_trip(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make reading or writing whole rows of a dataset fail: only member writes may run."""

    def refuse(*_args: Any, **_kwargs: Any) -> None:
        raise AssertionError("the table passed through Python row by row")

    monkeypatch.setattr(DatasetNode, "read", refuse)
    monkeypatch.setattr(DatasetNode, "write", refuse)


@pytest.mark.parametrize("column", list(COLUMNS))
def test_write_column_changes_that_column_only(frame_file: Path, column: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with nix.File.open(str(frame_file), nix.FileMode.ReadWrite) as f:
        df = f.blocks["b"].data_frames["df"]
        before = _table(df)
        with monkeypatch.context() as m:
            _no_row_round_trip(m)
            df.write_column(NEW[column], name=column)
        after = _table(df)
    for name in COLUMNS:
        assert _same(after[name], NEW[name] if name == column else before[name]), name
    with nixio.File.open(str(frame_file), nixio.FileMode.ReadOnly) as f:
        stored = f.blocks["b"].data_frames["df"].read_columns(name=[column])
        values = [v.decode() if isinstance(v, bytes) else v for v in stored.tolist()]
    assert values == NEW[column]


def test_write_column_by_index_zero_and_setitem(frame_file: Path) -> None:
    """Column 0 by index (nixio refuses index=0, bug 6.1.14) and ``df[name] = values`` write one column."""
    with nix.File.open(str(frame_file), nix.FileMode.ReadWrite) as f:
        df = f.blocks["b"].data_frames["df"]
        before = _table(df)
        df.write_column(np.array(["a", "b", "c", "d"]), index=0)
        df["value"] = np.arange(4, dtype=np.float32)
        after = _table(df)
    assert after["text"] == ["a", "b", "c", "d"]
    assert after["value"] == [0.0, 1.0, 2.0, 3.0]
    assert after["flag"] == before["flag"] and after["big"] == before["big"]


def test_write_cell_changes_one_value(frame_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with nix.File.open(str(frame_file), nix.FileMode.ReadWrite) as f:
        df = f.blocks["b"].data_frames["df"]
        before = _table(df)
        with monkeypatch.context() as m:
            _no_row_round_trip(m)
            df.write_cell("neu ☺", position=(2, "text"))
            df.write_cell(False, position=(0, 1))
            df.write_cell(-9, col_name="count", row_idx=[-1])
        after = _table(df)
    expected = {name: list(values) for name, values in before.items()}
    expected["text"][2] = "neu ☺"
    expected["flag"][0] = False
    expected["count"][3] = -9
    for name in COLUMNS:
        assert _same(after[name], expected[name]), name
    with nixio.File.open(str(frame_file), nixio.FileMode.ReadOnly) as f:
        df = f.blocks["b"].data_frames["df"]
        assert df.read_cell(position=(2, 0)) in ("neu ☺", b"neu \xe2\x98\xba")
        assert df.read_cell(position=(3, 2)) == -9


def test_refused_column_leaves_the_table(frame_file: Path) -> None:
    with nix.File.open(str(frame_file), nix.FileMode.ReadWrite) as f:
        df = f.blocks["b"].data_frames["df"]
        before = _table(df)
        with pytest.raises(IncompatibleDimensions):
            df.write_column([1, 2], name="count")
        with pytest.raises(InvalidData):
            df.write_column([1, 2, 3, 2**40], name="count")
        with pytest.raises(InvalidData):
            df.write_column([1, 2, 3, "x"], name="text")
        with pytest.raises(InvalidData):
            df.write_cell(1.5, position=(0, "count"))
        after = _table(df)
    for name in COLUMNS:
        assert _same(after[name], before[name]), name


def test_column_of_an_empty_frame(tmp_path: Path) -> None:
    path = tmp_path / "empty.nix"
    with nix.File.open(str(path), nix.FileMode.Overwrite) as f:
        df = f.create_block("b", "t").create_data_frame("df", "t", col_dict=COLUMNS)
        df.write_column([], name="text")
        assert len(df) == 0


def test_write_column_into_a_nixio_frame(tmp_path: Path) -> None:
    """A table nixio wrote (gzip, its own types) takes column writes; nixio reads them back."""
    path = tmp_path / "nixio.nix"
    with nixio.File.open(str(path), nixio.FileMode.Overwrite) as f:
        f.create_block("b", "t").create_data_frame(
            "df", "t", col_dict={"name": str, "n": np.int64, "ok": bool}, data=[("x", 1, True), ("y", 2, False)]
        )
    with nix.File.open(str(path), nix.FileMode.ReadWrite) as f:
        df = f.blocks["b"].data_frames["df"]
        df.write_column(["größe", "z"], name="name")
        df.write_column([False, True], name="ok")
        df.write_cell(5, position=(1, "n"))
    with nixio.File.open(str(path), nixio.FileMode.ReadOnly) as f:
        rows = f.blocks["b"].data_frames["df"].read_rows(slice(None)).tolist()
    texts = [r[0].decode() if isinstance(r[0], bytes) else r[0] for r in rows]
    assert texts == ["größe", "z"]
    assert [(r[1], r[2]) for r in rows] == [(1, False), (5, True)]
