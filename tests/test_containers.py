"""Blocks, groups and the container protocol: position, name and id access, membership, deletion."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import nixkit as nix
from nixkit.exceptions import DuplicateName, EntityNotFound, InvalidName


@pytest.fixture
def nfile(tmp_path: Path):
    f = nix.File.open(tmp_path / "c.nix", nix.FileMode.Overwrite)
    yield f
    f.close()


def test_block_names_are_checked(nfile: nix.File) -> None:
    nfile.create_block("b", "t")
    with pytest.raises(DuplicateName) as dup:
        nfile.create_block("b", "t")
    assert isinstance(dup.value, ValueError) and "'b'" in str(dup.value)
    for bad_name in ("a/b",):
        with pytest.raises(InvalidName):
            nfile.create_block(bad_name, "t")
    with pytest.raises(ValueError, match="type"):
        nfile.create_block("c", "")
    assert len(nfile.blocks) == 1


def test_empty_block_name_becomes_the_id(nfile: nix.File) -> None:
    b = nfile.create_block("", "t")
    assert b.name == b.id
    assert nfile.blocks[b.id] == b


def test_iteration_follows_creation_order(nfile: nix.File) -> None:
    b = nfile.create_block("b", "t")
    names = ["zeta", "alpha", "mid", "beta"]
    for n in names:
        b.create_data_array(n, "t", data=[1.0])
    assert [da.name for da in b.data_arrays] == names
    assert [b.data_arrays[i].name for i in range(4)] == names
    assert b.data_arrays[-1].name == "beta"
    assert b.data_arrays[np.int64(1)].name == "alpha"
    assert b.data_arrays.keys() == names


def test_lookup_by_position_name_and_id(nfile: nix.File) -> None:
    b = nfile.create_block("b", "t")
    arrays = [b.create_data_array(f"a{i}", "t", data=[float(i)]) for i in range(20)]
    for i, da in enumerate(arrays):
        assert b.data_arrays[da.id].name == f"a{i}"
        assert b.data_arrays[f"a{i}"].id == da.id
        assert b.data_arrays[i] == da
    with pytest.raises(IndexError):
        b.data_arrays[20]
    with pytest.raises(KeyError) as missing:
        b.data_arrays["nope"]
    assert isinstance(missing.value, EntityNotFound)
    with pytest.raises(TypeError):
        b.data_arrays[1.5]  # type: ignore[index]
    assert b.data_arrays.get("nope") is None


def test_id_lookup_stays_right_after_delete_and_recreate(nfile: nix.File) -> None:
    b = nfile.create_block("b", "t")
    first = b.create_data_array("x", "t", data=[1.0])
    old_id = first.id
    assert b.data_arrays[old_id].name == "x"
    del b.data_arrays["x"]
    second = b.create_data_array("x", "t", data=[2.0])
    assert old_id not in b.data_arrays
    with pytest.raises(KeyError):
        b.data_arrays[old_id]
    assert b.data_arrays[second.id][0] == 2.0


def test_membership_is_by_identity_not_by_name(nfile: nix.File) -> None:
    """nixio reports a same-named array of another block as contained (reference 6.1.18)."""
    b1 = nfile.create_block("b1", "t")
    b2 = nfile.create_block("b2", "t")
    mine = b1.create_data_array("x", "t", data=[1.0])
    other = b2.create_data_array("x", "t", data=[1.0])
    assert mine in b1.data_arrays
    assert other not in b1.data_arrays
    assert "x" in b1.data_arrays and mine.id in b1.data_arrays
    with pytest.raises(TypeError):
        _ = b1 in b1.data_arrays  # type: ignore[operator]
    group = b1.create_group("g", "t")
    with pytest.raises(RuntimeError, match="cannot be appended"):
        group.data_arrays.append(other)
    assert len(group.data_arrays) == 0


def test_group_links_by_entity_and_by_id(nfile: nix.File) -> None:
    """nixio's append by id string raises KeyError (reference 6.1.17); here it links."""
    b = nfile.create_block("b", "t")
    x = b.create_data_array("x", "t", data=[1.0])
    y = b.create_data_array("y", "t", data=[2.0])
    tag_src = b.create_source("s", "t")
    g = b.create_group("g", "t")
    g.data_arrays.append(x)
    g.data_arrays.append(y.id)
    assert [da.name for da in g.data_arrays] == ["x", "y"]
    assert g.data_arrays["y"] == y and g.data_arrays[x.id] == x
    assert x in g.data_arrays and "y" in g.data_arrays
    with pytest.raises(TypeError):
        g.data_arrays.append(tag_src)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        g.data_arrays.append(3)  # type: ignore[arg-type]
    del g.data_arrays["x"]
    assert [da.name for da in g.data_arrays] == ["y"]
    assert "x" in b.data_arrays  # removing a link never removes the entity
    g.data_arrays.extend([x])
    assert len(g.data_arrays) == 2


def test_deleting_an_entity_removes_every_reference(nfile: nix.File) -> None:
    b = nfile.create_block("b", "t")
    x = b.create_data_array("x", "t", data=np.arange(3.0))
    keep = b.create_data_array("keep", "t", data=np.arange(3.0))
    g = b.create_group("g", "t")
    g.data_arrays.extend([x, keep])
    del b.data_arrays[x]
    assert [da.name for da in b.data_arrays] == ["keep"]
    assert [da.name for da in g.data_arrays] == ["keep"]


def test_delete_by_index_and_id(nfile: nix.File) -> None:
    for i in range(3):
        nfile.create_block(f"b{i}", "t")
    del nfile.blocks[0]
    del nfile.blocks[nfile.blocks["b2"].id]
    assert [b.name for b in nfile.blocks] == ["b1"]
    with pytest.raises(KeyError):
        del nfile.blocks["b0"]


def test_entities_compare_by_id(nfile: nix.File) -> None:
    b = nfile.create_block("b", "t")
    again = nfile.blocks["b"]
    assert b == again and hash(b) == hash(again)
    assert b != nfile.create_block("c", "t")
    assert repr(b) == "Block: {name = b, type = t}"


def test_sources_nest_and_link(nfile: nix.File) -> None:
    b = nfile.create_block("b", "t")
    subject = b.create_source("mouse A", "nix.experimental_subject")
    region = subject.create_source("hippocampus", "nix.region")
    cell1 = region.create_source("CA1 1", "nix.cell")
    cell2 = region.create_source("CA1 2", "nix.cell")
    da = b.create_data_array("cell1 response", "t", data=[1.0])
    da.sources.append(cell1)
    assert [s.name for s in b.find_sources()] == ["mouse A", "hippocampus", "CA1 1", "CA1 2"]
    assert [s.name for s in b.find_sources(limit=2)] == ["mouse A", "hippocampus"]
    assert [s.name for s in b.find_sources(lambda s: s.type == "nix.cell")] == ["CA1 1", "CA1 2"]
    assert [s.name for s in region.find_sources(limit=0)] == ["hippocampus"]
    assert cell1.parent_source == region
    assert subject.parent_source is None
    assert cell1.referring_data_arrays == [da]
    assert cell2.referring_data_arrays == []
    assert da.sources["CA1 1"] == cell1
    with pytest.raises(DuplicateName):
        region.create_source("CA1 1", "nix.cell")


def test_deleting_a_source_tree_removes_links_to_every_member(nfile: nix.File) -> None:
    b = nfile.create_block("b", "t")
    subject = b.create_source("subject", "t")
    cell = subject.create_source("cell", "t")
    da = b.create_data_array("x", "t", data=[1.0])
    da.sources.append(cell)
    del b.sources["subject"]
    assert len(b.sources) == 0
    assert len(da.sources) == 0
    assert b.find_sources() == []


def test_source_of_another_block_cannot_be_linked(nfile: nix.File) -> None:
    b1 = nfile.create_block("b1", "t")
    b2 = nfile.create_block("b2", "t")
    foreign = b2.create_source("s", "t")
    da = b1.create_data_array("x", "t", data=[1.0])
    with pytest.raises(RuntimeError):
        da.sources.append(foreign)
