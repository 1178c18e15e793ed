"""Sections: creation, the tree, links, the mapping interface, deletion, copying, errors."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from pathlib import Path

import h5py
import numpy as np
import pytest

import nixkit as nix
from nixkit.exceptions import (
    CopyNameClash,
    DuplicateName,
    EntityNotFound,
    InvalidAttrType,
    InvalidName,
    ReadOnlyError,
)


@pytest.fixture
def nfile(tmp_path: Path) -> Iterator[nix.File]:
    f = nix.File.open(tmp_path / "m.nix", nix.FileMode.Overwrite)
    yield f
    f.close()


def tree(f: nix.File) -> tuple[nix.Section, nix.Section, nix.Section, nix.Section]:
    """root -> (child -> grandchild), sibling."""
    root = f.create_section("root", "t.root")
    child = root.create_section("child", "t.child")
    sibling = root.create_section("sibling", "t.child")
    grandchild = child.create_section("grandchild", "t.leaf")
    return root, child, sibling, grandchild


# -- creation -------------------------------------------------------------------------------
def test_create_section_writes_the_nix_layout(nfile: nix.File, tmp_path: Path) -> None:
    root = nfile.create_section("root")
    child = root.create_section("child", "t")
    assert root.type == "undefined"
    assert (root.name, child.name, child.type) == ("root", "child", "t")
    uuid.UUID(root.id)
    assert root.created_at > 0 and root.updated_at == root.created_at
    nfile.close()
    with h5py.File(tmp_path / "m.nix", "r") as h:
        g = h["metadata/root/sections/child"]
        assert {"name", "type", "entity_id", "created_at", "updated_at"} <= set(g.attrs)
        order = g.id.get_create_plist().get_link_creation_order()
        assert order == h5py.h5p.CRT_ORDER_TRACKED | h5py.h5p.CRT_ORDER_INDEXED


def test_create_section_with_an_id(nfile: nix.File) -> None:
    oid = str(uuid.uuid4())
    assert nfile.create_section("a", "t", oid=oid).id == oid
    assert nfile.create_section("b", "t").create_section("c", "t", oid=oid).id == oid
    # An id that is not a UUID is replaced, as in nixio.
    assert nfile.create_section("d", "t", oid="not-a-uuid").id != "not-a-uuid"


def test_create_section_checks_name_and_type(nfile: nix.File) -> None:
    root = nfile.create_section("root", "t")
    root.create_section("child", "t")
    with pytest.raises(DuplicateName):
        nfile.create_section("root", "t")
    with pytest.raises(DuplicateName):
        root.create_section("child", "t")
    with pytest.raises(InvalidName):
        root.create_section("a/b", "t")
    with pytest.raises(InvalidName):
        root.create_section("", "t")
    with pytest.raises(ValueError, match="type"):
        root.create_section("x", "")
    with pytest.raises(InvalidAttrType):
        root.create_section(5, "t")  # type: ignore[arg-type]
    assert [s.name for s in root.sections] == ["child"]


def test_failed_first_child_leaves_no_sections_group(nfile: nix.File) -> None:
    root = nfile.create_section("root", "t")
    with pytest.raises(InvalidName):
        root.create_section("a/b", "t")
    assert "sections" not in root._node


def test_section_attributes(nfile: nix.File) -> None:
    sec = nfile.create_section("s", "t")
    sec.definition = "what it is"
    sec.reference = "https://example.org/ref"
    sec.repository = "https://example.org/terms"
    sec.type = "t2"
    assert (sec.definition, sec.reference, sec.repository, sec.type) == (
        "what it is",
        "https://example.org/ref",
        "https://example.org/terms",
        "t2",
    )
    sec.reference = None
    sec.repository = None
    assert sec.reference is None and sec.repository is None
    with pytest.raises(InvalidAttrType):
        sec.reference = 5  # type: ignore[assignment]
    with pytest.raises(InvalidAttrType):
        sec.repository = b"x"  # type: ignore[assignment]
    assert repr(sec) == "Section: {name = s, type = t2}"


def test_setters_touch_updated_at(nfile: nix.File) -> None:
    sec = nfile.create_section("s", "t")
    other = nfile.create_section("o", "t")
    for change in (
        lambda: setattr(sec, "reference", "r"),
        lambda: setattr(sec, "repository", "r"),
        lambda: setattr(sec, "link", other),
    ):
        sec.force_updated_at(1_000_000)
        change()
        assert sec.updated_at > 1_000_000
    nfile.auto_update_timestamps = False
    sec.force_updated_at(1_000_000)
    sec.reference = "r2"
    assert sec.updated_at == 1_000_000


# -- containers and the tree -----------------------------------------------------------------
def test_sections_container_by_position_name_and_id(nfile: nix.File) -> None:
    root, child, sibling, _ = tree(nfile)
    assert len(root.sections) == 2
    assert root.sections[0] == child and root.sections[-1] == sibling
    assert root.sections["sibling"] == sibling
    assert root.sections[sibling.id] == sibling
    assert "child" in root.sections and child in root.sections and child.id in root.sections
    assert "grandchild" not in root.sections
    with pytest.raises(EntityNotFound):
        root.sections["nope"]
    with pytest.raises(IndexError):
        root.sections[5]
    assert [s.name for s in nfile.sections] == ["root"]


def test_parent(nfile: nix.File) -> None:
    root, child, _, grandchild = tree(nfile)
    assert root.parent is None
    assert child.parent == root
    assert grandchild.parent == child
    assert nfile.sections["root"].sections["child"].sections[0].parent == child


def test_parent_of_a_section_reached_through_metadata(nfile: nix.File) -> None:
    root, child, _, grandchild = tree(nfile)
    block = nfile.create_block("b", "t")
    block.metadata = grandchild
    via_link = block.metadata
    assert via_link is not None and via_link._parent is None
    assert via_link.parent == child
    block.metadata = root
    assert block.metadata is not None and block.metadata.parent is None


def test_find_sections_levels(nfile: nix.File) -> None:
    root, child, sibling, grandchild = tree(nfile)
    other = nfile.create_section("other", "t.root")
    assert root.find_sections() == [root, child, sibling, grandchild]
    assert root.find_sections(limit=0) == [root]
    assert root.find_sections(limit=1) == [root, child, sibling]
    assert root.find_sections(lambda s: s.type == "t.child") == [child, sibling]
    assert nfile.find_sections() == [root, other, child, sibling, grandchild]
    assert nfile.find_sections(limit=1) == [root, other]
    assert nfile.find_sections(limit=2) == [root, other, child, sibling]
    assert nfile.find_sections(lambda s: s.name.startswith("g")) == [grandchild]
    # Found sections know their parents without a search.
    assert nfile.find_sections(lambda s: s.name == "grandchild")[0]._parent == child


def test_find_related(nfile: nix.File) -> None:
    root, child, sibling, grandchild = tree(nfile)
    # nixio's documented order: parent and siblings, then self and own children.
    assert child.find_related() == [root, sibling, child, grandchild]
    assert child.find_related(lambda s: s.type == "t.child") == [sibling, child]
    assert root.find_related() == [root, child, sibling]


# -- links ------------------------------------------------------------------------------------
def test_link_and_inherited_properties(nfile: nix.File) -> None:
    base = nfile.create_section("base", "t")
    base["a"] = 1
    base["b"] = "x"
    special = nfile.create_section("special", "t")
    special["c"] = 2.0
    special.link = base
    assert special.link == base
    assert [p.name for p in special.inherited_properties()] == ["c", "a", "b"]
    # Links follow links, and a cycle does not loop.
    base.link = special
    assert [p.name for p in special.inherited_properties()] == ["c", "a", "b"]


def test_link_accepts_an_id(nfile: nix.File) -> None:
    """nixio bug 6.1.2: an id string made the link setter crash with AttributeError."""
    _, child, sibling, _ = tree(nfile)
    sibling.link = child.id
    assert sibling.link == child
    with pytest.raises(EntityNotFound):
        sibling.link = str(uuid.uuid4())
    with pytest.raises(TypeError):
        sibling.link = 5  # type: ignore[assignment]


def test_link_none_removes_only_the_link(nfile: nix.File) -> None:
    """nixio bug 6.1.2: setting None deleted the section itself when it had no other
    children, then crashed; and it raised ValueError when there was no link."""
    target = nfile.create_section("target", "t")
    linking = nfile.create_section("linking", "t")
    linking.link = target
    linking.link = None
    assert linking.link is None
    assert [s.name for s in nfile.sections] == ["target", "linking"]
    linking.link = None  # no link: nothing to do, no error
    linking.link = target
    del linking.link
    assert linking.link is None and "target" in nfile.sections


def test_link_getter_does_not_claim_a_parent(nfile: nix.File) -> None:
    """nixio bug 6.1.2: the linked section came back with the linking section as parent."""
    root, child, _, _ = tree(nfile)
    other = nfile.create_section("other", "t")
    other.link = child
    linked = other.link
    assert linked is not None and linked.parent == root


def test_link_refuses_another_file(nfile: nix.File, tmp_path: Path) -> None:
    with nix.File.open(tmp_path / "other.nix", nix.FileMode.Overwrite) as g:
        foreign = g.create_section("x", "t")
        with pytest.raises(ValueError, match="another file"):
            nfile.create_section("s", "t").link = foreign


# -- mapping interface ----------------------------------------------------------------------------
def test_mapping_interface(nfile: nix.File) -> None:
    sec = nfile.create_section("s", "t")
    sec["name"] = "Lenna"
    sec["year"] = 1972
    sec["sizes"] = [512, 256]
    sec["sub"] = nix.S("t.sub")
    assert sec["name"] == "Lenna"
    assert sec["year"] == 1972
    assert sec["sizes"] == [512, 256]
    assert isinstance(sec["sub"], nix.Section) and sec["sub"].type == "t.sub"
    assert sec[0] == "Lenna"
    assert len(sec) == 3
    assert "name" in sec and "sub" in sec and "nothing" not in sec
    assert [name for name, _ in sec.items()] == ["name", "year", "sizes", "sub"]
    assert [type(obj).__name__ for obj in sec] == ["Property", "Property", "Property", "Section"]
    sec["year"] = 1973
    assert sec["year"] == 1973 and len(sec.props) == 3
    with pytest.raises(KeyError):
        sec["nothing"]
    del sec["year"]
    assert "year" not in sec and len(sec) == 2
    del sec["sub"]
    assert "sub" not in sec.sections


def test_mapping_takes_tuples_as_several_values(nfile: nix.File) -> None:
    """nixio quirk 6.3: a tuple was wrapped as one value and then failed with ValueError."""
    sec = nfile.create_section("s", "t")
    sec["pair"] = (1.5, 2.5)
    assert sec["pair"] == [1.5, 2.5]


def test_s_forwards_to_the_created_section(nfile: nix.File) -> None:
    sec = nfile.create_section("s", "t")
    placeholder = nix.S("t.child")
    with pytest.raises(AttributeError):
        placeholder["x"] = 1
    sec["child"] = placeholder
    placeholder["x"] = 1
    placeholder.definition = "forwarded"
    assert placeholder.name == "child" and placeholder.section_type == "t.child"
    assert sec.sections["child"]["x"] == 1
    assert sec.sections["child"].definition == "forwarded"


# -- entities that use a section ---------------------------------------------------------------------
def test_referring_objects(nfile: nix.File) -> None:
    root, child, _, _ = tree(nfile)
    b1 = nfile.create_block("b1", "t")
    b2 = nfile.create_block("b2", "t")
    b1.metadata = root
    da = b2.create_data_array("da", "t", data=[1, 2, 3])
    da.metadata = root
    group = b2.create_group("g", "t")
    group.metadata = root
    deep = b2.create_source("outer", "t").create_source("inner", "t")
    deep.metadata = root
    b2.metadata = child
    assert root.referring_blocks == [b1]
    assert root.referring_data_arrays == [da]
    assert root.referring_groups == [group]
    assert root.referring_sources == [deep]
    assert root.referring_tags == [] and root.referring_multi_tags == [] and root.referring_data_frames == []
    assert root.referring_objects == [b1, group, da, deep]
    assert child.referring_objects == [b2]


def test_referring_tags_multi_tags_and_data_frames(nfile: nix.File) -> None:
    sec = nfile.create_section("s", "t")
    block = nfile.create_block("b", "t")
    tag = block.create_tag("tag", "t", [1.0])
    mtag = block.create_multi_tag("mtag", "t", block.create_data_array("pos", "t", data=[1.0, 2.0]))
    frame = block.create_data_frame("frame", "t", col_dict={"a": np.int64})
    for entity in (tag, mtag, frame):
        entity.metadata = sec
    assert sec.referring_tags == [tag]
    assert sec.referring_multi_tags == [mtag]
    assert sec.referring_data_frames == [frame]
    assert sec.referring_objects == [tag, mtag, frame]


def test_referring_sources_searches_nested_sources(nfile: nix.File) -> None:
    """nixio looks only at a block's top-level sources; nested ones count too."""
    sec = nfile.create_section("s", "t")
    block = nfile.create_block("b", "t")
    inner = block.create_source("outer", "t").create_source("inner", "t")
    inner.metadata = sec
    assert sec.referring_sources == [inner]


def test_referring_compares_objects_not_ids(nfile: nix.File) -> None:
    """Two sections may share an id after a copy; only the one actually linked counts."""
    original = nfile.create_section("s", "t")
    twin = nfile.copy_section(original, name="twin")
    assert twin.id == original.id
    nfile.create_block("b", "t").metadata = original
    assert len(original.referring_blocks) == 1
    assert twin.referring_blocks == []


# -- deletion -------------------------------------------------------------------------------------------
def test_delete_section_removes_every_link_to_its_subtree(nfile: nix.File) -> None:
    root, child, sibling, grandchild = tree(nfile)
    keeper = nfile.create_section("keeper", "t")
    block = nfile.create_block("b", "t")
    block.metadata = grandchild
    da = block.create_data_array("da", "t", data=[1.0])
    da.metadata = child
    keeper.link = grandchild
    del root.sections["child"]
    assert [s.name for s in root.sections] == ["sibling"]
    assert block.metadata is None and da.metadata is None and keeper.link is None
    assert nfile.find_sections() == [root, keeper, sibling]
    del nfile.sections[root]
    assert [s.name for s in nfile.sections] == ["keeper"]
    assert len(block.data_arrays) == 1


def test_delete_root_by_id_and_position(nfile: nix.File) -> None:
    a = nfile.create_section("a", "t")
    nfile.create_section("b", "t")
    del nfile.sections[a.id]
    del nfile.sections[0]
    assert len(nfile.sections) == 0
    with pytest.raises(EntityNotFound):
        del nfile.sections["a"]


# -- copying ---------------------------------------------------------------------------------------------
def test_copy_section_keeps_the_tree(nfile: nix.File) -> None:
    root, _, _, grandchild = tree(nfile)
    root["p"] = [1, 2]
    grandchild["q"] = "leaf"
    grandchild.props["q"].unit = "mV"
    grandchild.props["q"].uncertainty = 0.5
    target = nfile.create_section("target", "t")
    copy = target.copy_section(root)
    assert copy.name == "root" and copy.parent == target and copy.id == root.id
    assert [s.name for s in copy.find_sections()] == ["root", "child", "sibling", "grandchild"]
    leaf = copy.sections["child"].sections["grandchild"]
    assert leaf["q"] == "leaf" and leaf.props["q"].unit == "mV" and leaf.props["q"].uncertainty == 0.5
    assert leaf.props["q"].id == grandchild.props["q"].id
    assert copy["p"] == [1, 2]
    # The copy is independent of the original.
    copy["p"] = [3]
    assert root["p"] == [1, 2]


def test_copy_section_new_ids_and_name(nfile: nix.File) -> None:
    root, *_ = tree(nfile)
    root["p"] = 1
    copy = nfile.copy_section(root, keep_id=False, name="clone")
    assert copy.name == "clone" and copy.parent is None
    originals = {s.id for s in root.find_sections()} | {root.props["p"].id}
    copies = {s.id for s in copy.find_sections()} | {copy.props["p"].id}
    assert not originals & copies
    assert all(uuid.UUID(i) for i in copies)


def test_copy_section_without_children(nfile: nix.File) -> None:
    """nixio copies the whole subtree even with children=False (then fails re-copying the
    properties); here the copy holds the properties and no subsections."""
    root, *_ = tree(nfile)
    root["p"] = 1.5
    copy = nfile.copy_section(root, children=False, name="flat")
    assert len(copy.sections) == 0 and copy["p"] == 1.5


def test_copy_section_links(nfile: nix.File) -> None:
    """Links inside the copied tree point to the copies; links out of it to the originals
    (nixio's HDF5 object copy made hidden private copies of outside targets)."""
    root, child, sibling, _ = tree(nfile)
    outside = nfile.create_section("outside", "t")
    child.link = sibling
    sibling.link = outside
    copy = nfile.copy_section(root, name="copy")
    copied_child, copied_sibling = copy.sections["child"], copy.sections["sibling"]
    assert copied_child.link is not None and copied_child.link._node.address == copied_sibling._node.address
    assert copied_sibling.link is not None and copied_sibling.link._node.address == outside._node.address


def test_copy_section_into_its_own_subtree(nfile: nix.File) -> None:
    root, child, *_ = tree(nfile)
    copy = child.copy_section(root)
    assert [s.name for s in copy.find_sections()] == ["root", "child", "sibling", "grandchild"]
    assert [s.name for s in child.sections] == ["grandchild", "root"]


def test_copy_section_across_files(nfile: nix.File, tmp_path: Path) -> None:
    root, child, sibling, _ = tree(nfile)
    root["p"] = ["a", "b"]
    outside = nfile.create_section("outside", "t")
    child.link = sibling
    sibling.link = outside
    with nix.File.open(tmp_path / "dest.nix", nix.FileMode.Overwrite) as g:
        copy = g.copy_section(root)
        assert copy["p"] == ["a", "b"]
        assert copy.sections["child"].link == copy.sections["sibling"]
        # The outside target is in the other file: the link is dropped, not faked.
        assert copy.sections["sibling"].link is None


def test_copy_section_errors(nfile: nix.File) -> None:
    root, *_ = tree(nfile)
    with pytest.raises(CopyNameClash) as clash:
        nfile.copy_section(root)
    assert isinstance(clash.value, NameError) and isinstance(clash.value, DuplicateName)
    with pytest.raises(CopyNameClash):
        root.copy_section(root.sections["child"])
    with pytest.raises(TypeError):
        nfile.copy_section(nfile.create_block("b", "t"))  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        root.copy_section("root")  # type: ignore[arg-type]
    with pytest.raises(InvalidName):
        nfile.copy_section(root, name="a/b")
    assert [s.name for s in nfile.sections] == ["root"]


# -- display -----------------------------------------------------------------------------------------------
def test_pprint(nfile: nix.File, capsys: pytest.CaptureFixture[str]) -> None:
    root, child, _, _ = tree(nfile)
    child["v"] = [1.5, 2.5]
    child.props["v"].unit = "mV"
    root.pprint()
    out = capsys.readouterr().out
    assert "root [t.root]" in out and "grandchild [t.leaf]" in out
    assert "v: (1.5, 2.5)mV" in out
    root.pprint(max_depth=0)
    assert "[...]" in capsys.readouterr().out


# -- read-only files -----------------------------------------------------------------------------------------
def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_read_only_file_refuses_every_metadata_write(tmp_path: Path) -> None:
    path = tmp_path / "ro.nix"
    with nix.File.open(path, nix.FileMode.Overwrite) as f:
        root, child, sibling, _ = tree(f)
        root["p"] = [1, 2]
        f.create_block("b", "t")
    before = _digest(path)
    with nix.File.open(path, nix.FileMode.ReadOnly) as f:
        root = f.sections["root"]
        child, sibling = root.sections["child"], root.sections["sibling"]
        prop = root.props["p"]
        writes = [
            lambda: f.create_section("x", "t"),
            lambda: root.create_section("x", "t"),
            lambda: child.create_section("x", "t"),
            lambda: root.create_property("x", 1),
            lambda: root.create_property("x", copy_from=prop),
            lambda: root.__setitem__("p", 3),
            lambda: root.__setitem__("new", 3),
            lambda: root.__setitem__("sub", nix.S("t")),
            lambda: root.__delitem__("p"),
            lambda: root.sections.__delitem__("child"),
            lambda: f.sections.__delitem__("root"),
            lambda: setattr(root, "reference", "r"),
            lambda: setattr(root, "repository", "r"),
            lambda: setattr(root, "definition", "d"),
            lambda: setattr(root, "type", "t2"),
            lambda: setattr(child, "link", sibling),
            lambda: setattr(child, "link", None),
            lambda: f.copy_section(child, name="c2"),
            lambda: root.copy_section(sibling, name="c2"),
            lambda: setattr(f.blocks["b"], "metadata", root),
        ]
        for write in writes:
            with pytest.raises(ReadOnlyError):
                write()
        assert root["p"] == [1, 2]
    assert _digest(path) == before


# -- the tutorial's metadata examples ---------------------------------------------------------------
def test_annotations_example_flow(nfile: nix.File, capsys: pytest.CaptureFixture[str]) -> None:
    """The calls of the tutorial's annotations.py and imageWithMetadata.py examples."""
    session = nfile.create_section("recording session", "odml.recording")
    session["experimenter"] = "John Doe"
    session["recording date"] = "2024-05-01"
    session.props["recording date"].definition = "The day of the recording."
    subject = session.create_section("subject", "odml.subject")
    subject["id"] = "mouse xyz"
    cell = subject.create_section("cell", "odml.cell")
    p = cell.create_property("resting potential", -64.5)
    p.uncertainty = 2.25
    p.unit = "mV"
    cell["celltype"] = "pyramidal"
    cell["thresholds"] = [-50.0, -45.5]
    cell.props["thresholds"].extend_values([-40.0])
    with pytest.raises(TypeError):
        cell.props["thresholds"].extend_values(["not a number"])
    block = nfile.create_block("session", "nix.session")
    image = block.create_data_array("lenna", "nix.image.rgb", data=[[1, 2], [3, 4]])
    image.metadata = session
    session.pprint()
    out = capsys.readouterr().out
    assert "resting potential: (-64.5,)mV" in out and "thresholds: (-50.0, -45.5, -40.0)" in out
    assert nfile.find_sections(lambda s: "cell" in s.name) == [cell]
    assert nfile.find_sections(lambda s: "resting potential" in s.props) == [cell]
    assert image.metadata == session
    rows = []
    for name, prop in image.metadata.items():
        if isinstance(prop, nix.Property):
            rows.extend([name if i == 0 else "", str(v)] for i, v in enumerate(prop.values))
    assert rows == [["experimenter", "John Doe"], ["recording date", "2024-05-01"]]
