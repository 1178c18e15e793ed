"""A create that fails leaves the file's HDF5 tree as it was: no empty container group, no half entity.

Container groups (``groups``, ``sources``, ``data_arrays``, ``properties``, ``dimensions``...)
are made on the first create. Each case below fails on a fresh file and compares the list
of every link path before and after. Some inputs are found bad only while writing (text
with a lone surrogate cannot be stored as UTF-8): then what the call made is removed again.
Bad arguments of a copy are checked before anything is written, so the bytes stay too.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import h5py
import nixio
import numpy as np
import pytest

import nixkit as nix
from nixkit.exceptions import InvalidData, InvalidName, NixError

BAD_TEXT = "\ud800"  # a lone surrogate: a Python str that has no UTF-8 form


def _fill(f: Any) -> None:
    b = f.create_block("b", "t")
    b.create_data_array("da", "t", data=np.arange(5.0))
    b.create_data_frame("df", "t", col_dict={"a": int}, data=[(1,)])
    b.create_tag("tag", "t", [1.0])
    b.create_source("src", "t")
    b.create_group("grp", "t")
    f.create_block("empty", "t")  # a block without any container group yet
    s = f.create_section("s", "t")
    s.create_property("p", 1)
    _fill_text(f)
    f.create_section("bare", "t")  # a section without sections or properties


def _fill_text(f: Any) -> None:
    """Entities with text values for the setter cases (none of the create cases touch them)."""
    b = f.create_block("texts", "t")
    da = b.create_data_array("words", "t", data=np.array(["one", "two"], dtype=object))
    da.unit, da.label, da.definition = "mV", "voltage", "spoken numbers"
    da.append_set_dimension(labels=["a", "b"])
    b.create_data_frame("df", "t", col_dict={"n": int, "s": str}, data=[(1, "x"), (2, "y")])
    tag = b.create_tag("tag", "t", [1.0])
    tag.units = ["ms"]
    s = f.create_section("texts", "t")
    s.repository = "http://example.org/terms"
    prop = s.create_property("words", ["x", "y"])
    prop.unit = "mV"


def _tree(path: Path) -> list[str]:
    names: list[str] = []
    with h5py.File(path, "r") as f:
        f.visit_links(names.append)
    return names


def _empty(f: Any) -> Any:
    return f.blocks["empty"]


def _da(f: Any) -> Any:
    return f.blocks["b"].data_arrays["da"]


FAILING: dict[str, Callable[[Any], Any]] = {
    # Block containers, invalid name or type, or text HDF5 cannot store.
    "group bad name": lambda f: _empty(f).create_group("a/b", "t"),
    "group bad type": lambda f: _empty(f).create_group("g", 5),
    "group unstorable type": lambda f: _empty(f).create_group("g", BAD_TEXT),
    "source bad name": lambda f: _empty(f).create_source("a/b", "t"),
    "source unstorable name": lambda f: _empty(f).create_source(BAD_TEXT, "t"),
    "child source bad name": lambda f: f.blocks["b"].sources["src"].create_source("", "t"),
    "child source unstorable type": lambda f: f.blocks["b"].sources["src"].create_source("x", BAD_TEXT),
    "data array bad name": lambda f: _empty(f).create_data_array("a/b", "t", data=[1, 2]),
    "data array refused data": lambda f: _empty(f).create_data_array("x", "t", data=[object(), 1]),
    "data array unstorable text": lambda f: _empty(f).create_data_array("x", "t", data=[BAD_TEXT]),
    "data array unstorable label": lambda f: _empty(f).create_data_array("x", "t", data=[1.0], label=BAD_TEXT),
    "data frame bad name": lambda f: _empty(f).create_data_frame("a/b", "t", col_dict={"a": int}),
    "data frame unstorable cell": lambda f: _empty(f).create_data_frame(
        "x", "t", col_dict={"a": str}, data=[(BAD_TEXT,)]
    ),
    "tag bad name": lambda f: _empty(f).create_tag("a/b", "t", [1.0]),
    "tag unstorable type": lambda f: _empty(f).create_tag("x", BAD_TEXT, [1.0]),
    "multi-tag bad positions": lambda f: _empty(f).create_multi_tag("x", "t", ["a"]),
    "multi-tag unstorable type": lambda f: _empty(f).create_multi_tag("x", BAD_TEXT, [1.0]),
    # Metadata.
    "block unstorable type": lambda f: f.create_block("x", BAD_TEXT),
    "root section unstorable type": lambda f: f.create_section("x", BAD_TEXT),
    "section bad name": lambda f: f.sections["bare"].create_section("a/b", "t"),
    "section unstorable type": lambda f: f.sections["bare"].create_section("x", BAD_TEXT),
    "property bad name": lambda f: f.sections["bare"].create_property("a/b", 1),
    "property unstorable value": lambda f: f.sections["bare"].create_property("q", BAD_TEXT),
    "property copy unstorable name": lambda f: f.sections["bare"].create_property(
        BAD_TEXT, copy_from=f.sections["s"].props["p"]
    ),
    "section copy unstorable name": lambda f: f.sections["bare"].copy_section(f.sections["s"], name=BAD_TEXT),
    # Dimensions.
    "sampled dimension bad interval": lambda f: _da(f).append_sampled_dimension(-1.0),
    "sampled dimension unstorable label": lambda f: _da(f).append_sampled_dimension(1.0, label=BAD_TEXT),
    "range dimension unstorable unit": lambda f: _da(f).append_range_dimension([1.0, 2.0], unit=BAD_TEXT),
    "set dimension unstorable labels": lambda f: _da(f).append_set_dimension(labels=["a", BAD_TEXT]),
    # Copies into a block without the container group.
    "copy data array unstorable name": lambda f: _empty(f).create_data_array(BAD_TEXT, copy_from=_da(f)),
}

# copy_from= with arguments that are wrong before any file is involved.
BAD_COPIES: dict[str, Callable[[Any], Any]] = {
    "data array from a tag": lambda f: _empty(f).create_data_array("x", copy_from=f.blocks["b"].tags["tag"]),
    "data array bad name": lambda f: _empty(f).create_data_array("a/b", copy_from=_da(f)),
    "data frame from an array": lambda f: _empty(f).create_data_frame("x", copy_from=_da(f)),
    "tag from an array": lambda f: _empty(f).create_tag("x", copy_from=_da(f)),
    "multi-tag from an array": lambda f: _empty(f).create_multi_tag("x", copy_from=_da(f)),
    "block bad name": lambda f: f.create_block("a/b", copy_from=f.blocks["b"]),
}


@pytest.fixture
def filled(tmp_path: Path) -> Path:
    path = tmp_path / "filled.nix"
    with nix.File.open(str(path), nix.FileMode.Overwrite) as f:
        _fill(f)
    return path


def _fails(path: Path, call: Callable[[Any], Any]) -> None:
    with nix.File.open(str(path), nix.FileMode.ReadWrite) as f, pytest.raises(NixError):
        call(f)


@pytest.mark.parametrize("case", list(FAILING))
def test_failed_create_leaves_the_tree(filled: Path, case: str) -> None:
    before = _tree(filled)
    _fails(filled, FAILING[case])
    assert _tree(filled) == before


@pytest.mark.parametrize("case", list(BAD_COPIES))
def test_bad_copy_writes_nothing(filled: Path, case: str) -> None:
    """The container group is no longer made before the copy's arguments are checked."""
    before = hashlib.sha256(filled.read_bytes()).hexdigest()
    _fails(filled, BAD_COPIES[case])
    assert hashlib.sha256(filled.read_bytes()).hexdigest() == before


def test_copy_into_a_missing_container_still_works(filled: Path) -> None:
    with nix.File.open(str(filled), nix.FileMode.ReadWrite) as f:
        copy = _empty(f).create_data_array("copy", copy_from=_da(f))
        assert copy.name == "copy"
    with nixio.File.open(str(filled), nixio.FileMode.ReadOnly) as f:
        assert f.blocks["empty"].data_arrays["copy"][:].tolist() == [0.0, 1.0, 2.0, 3.0, 4.0]


def _texts(f: Any) -> Any:
    return f.blocks["texts"]


def _words(f: Any) -> Any:
    return _texts(f).data_arrays["words"]


def _prop(f: Any) -> Any:
    return f.sections["texts"].props["words"]


def _frame(f: Any) -> Any:
    return _texts(f).data_frames["df"]


# Writes of text without a UTF-8 form onto existing entities: (the write, what it would change).
SETTERS: dict[str, tuple[Callable[[Any], Any], Callable[[Any], Any]]] = {
    "data array unit": (lambda f: setattr(_words(f), "unit", BAD_TEXT), lambda f: _words(f).unit),
    "data array label": (lambda f: setattr(_words(f), "label", BAD_TEXT), lambda f: _words(f).label),
    "data array definition": (lambda f: setattr(_words(f), "definition", BAD_TEXT), lambda f: _words(f).definition),
    "data array text cell": (lambda f: _words(f).__setitem__(0, BAD_TEXT), lambda f: _words(f)[:].tolist()),
    "data array text append": (lambda f: _words(f).append([BAD_TEXT]), lambda f: _words(f)[:].tolist()),
    "set dimension labels": (
        lambda f: setattr(_words(f).dimensions[0], "labels", ["a", BAD_TEXT]),
        lambda f: _words(f).dimensions[0].labels,
    ),
    "property values": (lambda f: setattr(_prop(f), "values", [BAD_TEXT]), lambda f: _prop(f).values),
    "property unit": (lambda f: setattr(_prop(f), "unit", BAD_TEXT), lambda f: _prop(f).unit),
    "section repository": (
        lambda f: setattr(f.sections["texts"], "repository", BAD_TEXT),
        lambda f: f.sections["texts"].repository,
    ),
    "data frame column": (
        lambda f: _frame(f).write_column(["z", BAD_TEXT], name="s"),
        lambda f: _frame(f).read_columns(name=["s"]).tolist(),
    ),
    "tag units": (lambda f: setattr(_texts(f).tags["tag"], "units", [BAD_TEXT]), lambda f: _texts(f).tags["tag"].units),
}


@pytest.mark.parametrize("case", list(SETTERS))
def test_unstorable_text_on_an_existing_entity(filled: Path, case: str) -> None:
    """Text without a UTF-8 form is an InvalidData naming the text; the stored value stays."""
    write, read = SETTERS[case]
    before = _tree(filled)
    with nix.File.open(str(filled), nix.FileMode.ReadWrite) as f:
        old = read(f)
        with pytest.raises(InvalidData, match="has no UTF-8 form"):
            write(f)
        assert read(f) == old
    with nix.File.open(str(filled), nix.FileMode.ReadOnly) as f:
        assert read(f) == old
    assert _tree(filled) == before


def test_unstorable_text_error_names_the_target(filled: Path) -> None:
    with nix.File.open(str(filled), nix.FileMode.ReadWrite) as f:
        with pytest.raises(InvalidData, match=r"attribute 'unit' of /data/texts/data_arrays/words"):
            _words(f).unit = BAD_TEXT
        with pytest.raises(InvalidData, match=r"column 's' of /data/texts/data_frames/df/data"):
            _frame(f).write_column(["z", BAD_TEXT], name="s")


@pytest.mark.parametrize("block", ["empty", "b"])
def test_failed_multi_tag_removes_its_tables(filled: Path, block: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The positions and extents arrays made for a multi-tag go again when the multi-tag itself fails.

    The failure (a disk error while the multi-tag's group is written) comes after both
    tables are complete; in "empty" they also made the block's ``data_arrays`` group.
    """
    from nixkit.model import multi_tag

    real = multi_tag.create_entity_group

    def failing(*args: Any, **kwargs: Any) -> Any:
        real(*args, **kwargs)
        raise OSError("disk full (simulated)")

    before = _tree(filled)
    with nix.File.open(str(filled), nix.FileMode.ReadWrite) as f:
        b = f.blocks[block]
        arrays = [da.name for da in b.data_arrays]
        monkeypatch.setattr(multi_tag, "create_entity_group", failing)
        with pytest.raises(OSError, match="simulated"):
            b.create_multi_tag("mt", "t", [[1.0], [2.0]], extents=[[0.5], [0.5]])
        assert [da.name for da in b.data_arrays] == arrays and len(b.multi_tags) == 0
        monkeypatch.setattr(multi_tag, "create_entity_group", real)
        b.create_multi_tag("mt", "t", [[1.0], [2.0]], extents=[[0.5], [0.5]])  # the names are free again
    after = _tree(filled)
    made = {f"data/{block}/{p}" for p in ("data_arrays", "multi_tags")}
    assert [n for n in after if not any(n.startswith(m) for m in made)] == [
        n for n in before if not any(n.startswith(m) for m in made)
    ]
    with nixio.File.open(str(filled), nixio.FileMode.ReadOnly) as f:
        mt = f.blocks[block].multi_tags["mt"]
        assert mt.positions.name == "mt-positions" and mt.extents.name == "mt-extents"


@pytest.mark.parametrize("block", ["empty", "b"])
def test_failed_multi_tag_leaves_the_tree(filled: Path, block: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same failure, checked on disk: the HDF5 tree is the one from before the call."""
    from nixkit.model import multi_tag

    def failing(*args: Any, **kwargs: Any) -> Any:
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(multi_tag, "create_entity_group", failing)
    before = _tree(filled)
    with nix.File.open(str(filled), nix.FileMode.ReadWrite) as f, pytest.raises(OSError, match="simulated"):
        f.blocks[block].create_multi_tag("mt", "t", [1.0, 2.0], extents=[0.5, 0.5])
    assert _tree(filled) == before


def test_entities_after_a_failed_create(filled: Path) -> None:
    """Handles used in the session of a failed create see the containers as they are on disk."""
    with nix.File.open(str(filled), nix.FileMode.ReadWrite) as f:
        empty = _empty(f)
        with pytest.raises(ValueError):
            empty.create_group("g", BAD_TEXT)
        assert len(empty.groups) == 0 and "g" not in empty.groups
        empty.create_group("g", "t")
        assert [g.name for g in empty.groups] == ["g"]
        with pytest.raises(ValueError):
            empty.create_data_array("x", "t", data=[BAD_TEXT])
        assert len(empty.data_arrays) == 0
        empty.create_data_array("x", "t", data=[1.0])
        with pytest.raises(ValueError):
            _da(f).append_sampled_dimension(1.0, label=BAD_TEXT)
        assert len(_da(f).dimensions) == 0
        _da(f).append_sampled_dimension(1.0, label="time")
    with nixio.File.open(str(filled), nixio.FileMode.ReadOnly) as f:
        block = f.blocks["empty"]
        assert [g.name for g in block.groups] == ["g"]
        assert [d.name for d in block.data_arrays] == ["x"]
        assert f.blocks["b"].data_arrays["da"].dimensions[0].label == "time"


def test_failure_inside_an_existing_container_keeps_it(filled: Path) -> None:
    """Only what the failed call made goes: a container that held entities before stays whole."""
    before = _tree(filled)
    _fails(filled, lambda f: f.blocks["b"].create_data_array("x", "t", data=[object(), 2]))
    _fails(filled, lambda f: f.blocks["b"].create_data_array("da", "t", data=[1.0]))  # duplicate
    assert _tree(filled) == before


@pytest.mark.parametrize(
    "call",
    [
        lambda f: f.create_block(BAD_TEXT, "t"),
        lambda f: f.create_block("x", BAD_TEXT),
        lambda f: f.create_section(BAD_TEXT, "t"),
        lambda f: f.blocks["b"].create_data_array(BAD_TEXT, "t", data=[1.0]),
        lambda f: f.sections["s"].create_property(BAD_TEXT, 1),
    ],
)
def test_unstorable_names_and_types_are_named_errors(filled: Path, call: Callable[[Any], Any]) -> None:
    before = hashlib.sha256(filled.read_bytes()).hexdigest()
    with nix.File.open(str(filled), nix.FileMode.ReadWrite) as f, pytest.raises(InvalidName, match="lone surrogate"):
        call(f)
    assert hashlib.sha256(filled.read_bytes()).hexdigest() == before


def test_growing_writes_with_unstorable_text_leave_nothing_behind(filled: Path) -> None:
    """Text is checked before a property or table grows, so no blank values or rows stay."""
    with nix.File.open(str(filled), nix.FileMode.ReadWrite) as f:
        prop = f.sections["s"].create_property("words", ["a"])
        with pytest.raises(InvalidData):
            prop.values = ["a", BAD_TEXT]
        with pytest.raises(InvalidData):
            prop.extend_values([BAD_TEXT])
        assert list(prop.values) == ["a"]
        df = f.blocks["b"].create_data_frame("texts", "t", col_dict={"n": int, "s": str}, data=[(1, "x")])
        with pytest.raises(InvalidData):
            df.append_rows([(2, "y"), (3, BAD_TEXT)])
        assert len(df) == 1 and list(df.read_columns(name=["s"])) == ["x"]
