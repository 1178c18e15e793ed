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
from nixkit.exceptions import InvalidName

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
    f.create_section("bare", "t")  # a section without sections or properties


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
    with nix.File.open(str(path), nix.FileMode.ReadWrite) as f, pytest.raises((ValueError, TypeError, KeyError)):
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
