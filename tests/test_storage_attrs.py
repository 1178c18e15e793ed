"""Attribute reads through the low-level fast path (issue 5): scalar numbers and
variable-length strings are read with cached memory types, everything else through
h5py's ``attrs``. Each test pins that the result is what h5py's ``attrs[key]`` (decoded)
gives: same value, same Python type.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import pytest

import nixkit as nix
from nixkit.exceptions import CorruptFile
from nixkit.storage.dtypes import decode
from nixkit.storage.file_handle import FileHandle
from nixkit.storage.group import GroupNode

UTF8 = h5py.string_dtype("utf-8")
ASCII = h5py.string_dtype("ascii")

# Keys outside the NIX layout's fixed attribute names, so values come back unchecked.
ODD_ATTRS: dict[str, tuple[Any, Any]] = {
    "utf8": ("plain", UTF8),
    "unicode": ("Grüße, 世界 ✓", UTF8),
    "empty_text": ("", UTF8),
    "ascii": ("created", ASCII),
    "bad_utf8": (b"ab\xff\xfe", ASCII),
    "fixed_text": (np.bytes_(b"fixed"), None),
    "f2": (np.float16(1.5), None),
    "f4": (np.float32(0.1), None),
    "f8": (np.float64(-2.25), None),
    "f8_big_endian": (np.array(3.5, dtype=">f8"), None),
    "i1": (np.int8(-7), None),
    "i4": (np.int32(-123456), None),
    "i8": (np.int64(-(2**62)), None),
    "i4_big_endian": (np.array(77, dtype=">i4"), None),
    "u1": (np.uint8(250), None),
    "u8": (np.uint64(2**63 + 5), None),
    "bool": (np.bool_(True), None),
    "float_array": (np.array([1.0, 2.0, 3.0]), None),
    "one_float": (np.array([4.0]), None),
    "text_array": (np.array(["a", "bé"], dtype=object), UTF8),
    "compound": (np.array((1, 2.0), dtype=[("a", "i4"), ("b", "f8")]), None),
    "empty": (h5py.Empty("f8"), None),
}


@pytest.fixture
def node(tmp_path: Path) -> Iterator[GroupNode]:
    path = tmp_path / "attrs.h5"
    with h5py.File(path, "w") as f:
        g = f.create_group("g")
        for key, (value, dtype) in ODD_ATTRS.items():
            g.attrs.create(key, value, dtype=dtype)
    handle = FileHandle(path, "r")
    try:
        yield handle.root.group("g")
    finally:
        handle.close()


def _same(got: Any, want: Any) -> None:
    assert type(got) is type(want)
    if isinstance(want, np.ndarray):
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got, want)
    elif isinstance(want, h5py.Empty):
        assert got == want
    else:
        assert got == want


@pytest.mark.parametrize("key", sorted(ODD_ATTRS))
def test_every_attribute_reads_as_h5py_attrs_decoded(node: GroupNode, key: str) -> None:
    _same(node.get_attr(key), decode(node._h.attrs[key]))


def test_scalar_kinds_come_back_as_numpy_scalars_of_the_stored_width(node: GroupNode) -> None:
    assert type(node.get_attr("f4")) is np.float32
    assert type(node.get_attr("f8_big_endian")) is np.float64
    assert node.get_attr("f8_big_endian") == 3.5
    assert type(node.get_attr("u8")) is np.uint64
    assert node.get_attr("u8") == 2**63 + 5
    assert type(node.get_attr("bool")) is np.bool_


def test_text_comes_back_as_str_undecodable_bytes_as_surrogate_escapes(node: GroupNode) -> None:
    assert node.get_attr("unicode") == "Grüße, 世界 ✓"
    assert node.get_attr("ascii") == "created"
    assert node.get_attr("fixed_text") == "fixed"
    # As h5py decodes: the bytes survive a round trip through surrogateescape.
    assert node.get_attr("bad_utf8") == "ab\udcff\udcfe"
    assert node.get_attr("bad_utf8").encode("utf-8", "surrogateescape") == b"ab\xff\xfe"


def test_missing_attribute_gives_the_default_and_has_attr_agrees(node: GroupNode) -> None:
    assert node.get_attr("nothing") is None
    assert node.get_attr("nothing", 42) == 42
    assert not node.has_attr("nothing")
    assert all(node.has_attr(key) for key in ODD_ATTRS)


def test_written_attributes_round_trip_with_their_types(tmp_path: Path) -> None:
    handle = FileHandle(tmp_path / "w.h5", "w")
    try:
        root = handle.root
        values = {"s": "Grüße", "a": "stamp", "f": 0.5, "i": -3, "flag": True}
        for key, value in values.items():
            root.set_attr(key, value, ascii_str=key == "a")
        for key, value in values.items():
            got = root.get_attr(key)
            assert got == value
            assert type(got) is type(decode(root._h.attrs[key]))
    finally:
        handle.close()


def test_fixed_kind_attribute_of_the_wrong_kind_is_damage(tmp_path: Path) -> None:
    path = tmp_path / "bad.h5"
    with h5py.File(path, "w") as f:
        f.create_group("g").attrs["name"] = 3.0
    handle = FileHandle(path, "r")
    try:
        with pytest.raises(CorruptFile, match="/g"):
            handle.root.group("g").get_attr("name")
    finally:
        handle.close()


def test_containers_skip_links_that_lead_to_no_group_or_dataset(tmp_path: Path) -> None:
    """Iteration opens each entity once; dangling links and named types are no entities."""
    path = tmp_path / "odd.nix"
    with nix.File.open(str(path), nix.FileMode.Overwrite) as f:
        block = f.create_block("b", "t")
        block.create_data_array("da", "t", data=[1.0])
    with h5py.File(path, "r+") as f:
        arrays = next(iter(f["data"].values()))["data_arrays"]
        arrays["dangling"] = h5py.SoftLink("/nowhere")
        arrays["named_type"] = np.dtype("f8")
    with nix.File.open(str(path), nix.FileMode.ReadOnly) as f:
        assert [da.name for da in f.blocks[0].data_arrays] == ["da"]
        group = f.blocks[0]._node.group("data_arrays")
        with pytest.raises(KeyError, match="neither a group nor a dataset"):
            group.child("named_type")
