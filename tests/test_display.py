"""Text trees (pprint), metadata-only descriptions and notebook HTML."""

from __future__ import annotations

import contextlib
import html
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nixio
import numpy as np
import pytest

import nixkit as nix
from nixkit.display.describe import describe
from nixkit.display.html import repr_html
from nixkit.display.tree import filter_node, node_line, normalize_kind
from nixkit.storage.dataset import DatasetNode

REALFILES = Path(__file__).resolve().parents[2] / "shared" / "testdata" / "realfiles"


def _fill(path: Path) -> None:
    """A file with a group, arrays with every dimension kind, a frame, tags, features, metadata."""
    with nix.File.open(str(path), nix.FileMode.Overwrite) as f:
        b = f.create_block("session", "nix.session")
        da = b.create_data_array("voltage", "nix.sampled", data=np.sin(np.arange(100) / 10.0))
        da.unit = "mV"
        da.label = "voltage"
        da.append_sampled_dimension(0.1, label="time", unit="s")
        series = b.create_data_array("series", "nix.sampled", data=np.zeros((2, 50)))
        series.append_set_dimension(["a", "b"])
        series.append_range_dimension(np.arange(50) * 0.2, label="time", unit="s")
        b.create_data_frame("table", "nix.table", col_dict={"x": np.int64, "y": np.float64}, data=[(1, 2.0)])
        tag = b.create_tag("epoch", "nix.epoch", [1.0])
        tag.extent = [2.0]
        tag.units = ["s"]
        tag.references.append(da)
        tag.create_feature(series, nix.LinkType.Untagged)
        mtag = b.create_multi_tag("events", "nix.events", positions=np.array([1.0, 3.0, 5.0]))
        mtag.references.append(da)
        group = b.create_group("trial", "nix.trial")
        group.data_arrays.append(da)
        group.tags.append(tag)
        src = b.create_source("cell", "nix.cell")
        da.sources.append(src)
        sec = f.create_section("recording", "nix.recording")
        sec["temperature"] = 21.5
        sec.props["temperature"].unit = "degC"
        sec["labels"] = ["x", "y"]
        sub = sec.create_section("amplifier", "hardware")
        sub["model"] = "EXT-02"
        b.metadata = sec


@pytest.fixture
def filled(tmp_path: Path) -> Path:
    path = tmp_path / "filled.nix"
    _fill(path)
    return path


def _printed(fn: Any, *args: Any, **kwargs: Any) -> list[str]:
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        fn(*args, **kwargs)
    return buf.getvalue().splitlines()


def test_block_pprint_matches_nixio(filled: Path) -> None:
    """Block.pprint prints the same lines as nixio's for groups, arrays, frames, tags, features."""
    with nix.File.open(str(filled), nix.FileMode.ReadOnly) as f:
        ours = _printed(f.blocks[0].pprint)
    g = nixio.File.open(str(filled), nixio.FileMode.ReadOnly)
    try:
        theirs = _printed(g.blocks[0].pprint)
    finally:
        g.close()
    assert ours == theirs
    assert "    *DataArray: {name = voltage, type = nix.sampled}" in ours


def test_file_pprint_shows_blocks_then_sections(filled: Path) -> None:
    """File.pprint (nixio has it) prints the file name, each block's tree and the metadata."""
    with nix.File.open(str(filled), nix.FileMode.ReadOnly) as f:
        lines = _printed(f.pprint)
    assert lines[0] == f"File: name = {filled}"
    assert lines[1] == "  Block: {name = session, type = nix.session}"
    assert "  recording [nix.recording]" in lines
    assert "      |- temperature: (21.5,)degC" in lines
    assert "    amplifier [hardware]" in lines


def test_pprint_depth_limit_names_deeper_sections(filled: Path) -> None:
    """Beyond max_depth a subsection is only named and its contents elided."""
    with nix.File.open(str(filled), nix.FileMode.ReadOnly) as f:
        lines = _printed(f.sections[0].pprint, max_depth=0)
    assert lines == [
        "recording [nix.recording]",
        "    |- temperature: (21.5,)degC",
        "    |- labels: ('x', 'y')",
        "  amplifier [hardware]",
        "    [...]",
    ]


def test_pprint_keeps_lines_within_max_length(tmp_path: Path) -> None:
    """Long lines lose their middle and fit max_length (nixio's cut lines grow 5 past it)."""
    with nix.File.open(str(tmp_path / "long.nix"), nix.FileMode.Overwrite) as f:
        b = f.create_block("b", "t")
        b.create_data_array("x" * 200, "nix.long", data=[1.0])
        lines = _printed(b.pprint, max_length=60)
    assert all(len(line) <= 60 for line in lines)
    assert any(" ... " in line for line in lines)


@contextlib.contextmanager
def _no_data_reads() -> Iterator[None]:
    """Fail any read of a data, ticks or labels dataset while inside."""
    original_read, original_direct = DatasetNode.read, DatasetNode.read_direct

    def guard(node: DatasetNode) -> None:
        if node.name in ("data", "ticks", "labels") and "/properties/" not in node.path:
            raise AssertionError(f"{node.path} was read")

    def read(self: DatasetNode, index: Any = ()) -> Any:
        guard(self)
        return original_read(self, index)

    def read_direct(self: DatasetNode, dest: Any, source_sel: Any = None) -> None:
        guard(self)
        original_direct(self, dest, source_sel)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(DatasetNode, "read", read)
        mp.setattr(DatasetNode, "read_direct", read_direct)
        yield


def test_html_reads_no_data(filled: Path) -> None:
    """The notebook view of every kind of entity is built without reading data, ticks or labels."""
    with nix.File.open(str(filled), nix.FileMode.ReadOnly) as f:
        b = f.blocks[0]
        objects = [
            f,
            b,
            b.data_arrays[0],
            b.data_arrays[1],
            b.data_frames[0],
            b.tags[0],
            b.multi_tags[0],
            f.sections[0],
        ]
        names = [f.filename] + [obj.name for obj in objects[1:]]
        with _no_data_reads():
            views = [obj._repr_html_() for obj in objects]
        with _no_data_reads(), pytest.raises(AssertionError):
            np.asarray(b.data_arrays[0])  # the guard does catch a data read
    for name, view in zip(names, views, strict=True):
        assert html.escape(name) in view


def test_html_folds_with_details_and_no_script(filled: Path) -> None:
    with nix.File.open(str(filled), nix.FileMode.ReadOnly) as f:
        view = f._repr_html_()
    assert "<script" not in view.lower()
    assert view.count("<details") == view.count("</details>") > 10
    assert "<details open>" in view  # the shown object is unfolded, its children folded


def test_html_escapes_user_strings(tmp_path: Path) -> None:
    with nix.File.open(str(tmp_path / "x.nix"), nix.FileMode.Overwrite) as f:
        b = f.create_block("<img src=x onerror=alert(1)>", "</summary><script>alert(2)</script>")
        da = b.create_data_array("<b>bold", "t", data=[1.0])
        da.unit = "a&b"
        view = b._repr_html_()
    assert "<img" not in view and "<script>" not in view and "<b>bold" not in view
    assert "&lt;img src=x onerror=alert(1)&gt;" in view
    assert "&lt;/summary&gt;&lt;script&gt;alert(2)&lt;/script&gt;" in view
    assert "a&amp;b" in view


def test_html_of_closed_file_is_its_repr(tmp_path: Path) -> None:
    f = nix.File.open(str(tmp_path / "x.nix"), nix.FileMode.Overwrite)
    f.close()
    assert "closed" in f._repr_html_()


def test_html_of_an_entity_of_a_closed_file_says_so(tmp_path: Path) -> None:
    f = nix.File.open(str(tmp_path / "x.nix"), nix.FileMode.Overwrite)
    da = f.create_block("b", "t").create_data_array("a", "t", data=[1.0])
    f.close()
    view = da._repr_html_()
    assert view.startswith('<div class="nixkit-repr">DataArray: cannot be read (')


def test_html_caps_long_containers(tmp_path: Path) -> None:
    with nix.File.open(str(tmp_path / "many.nix"), nix.FileMode.Overwrite) as f:
        b = f.create_block("b", "t")
        for i in range(60):
            b.create_data_array(f"a{i:02d}", "t", data=[float(i)])
        view = repr_html(b)
    assert "<b>a49</b>" in view and "<b>a50</b>" not in view
    assert "10 more not shown" in view


def test_describe_is_json_ready_and_complete(filled: Path) -> None:
    with nix.File.open(str(filled), nix.FileMode.ReadOnly) as f:
        d = describe(f, values=True, details=True).to_dict()
    json.dumps(d)  # plain values only
    block = d["blocks"][0]
    assert block["metadata"] == "recording"
    voltage = next(a for a in block["data_arrays"] if a["name"] == "voltage")
    assert voltage["shape"] == [100] and voltage["dtype"] == "float64" and voltage["unit"] == "mV"
    assert voltage["sources"] == ["cell"]
    assert voltage["dimensions"] == [
        {"kind": "SampledDimension", "name": "1", "label": "time", "sampling_interval": 0.1, "unit": "s"}
    ]
    series = next(a for a in block["data_arrays"] if a["name"] == "series")
    assert series["dimensions"][0]["labels"] == ["a", "b"]
    assert series["dimensions"][1]["ticks"] == 50
    assert block["data_frames"][0]["columns"] == [{"name": "x", "dtype": "int64"}, {"name": "y", "dtype": "float64"}]
    tag = block["tags"][0]
    assert (tag["position"], tag["extent"], tag["units"], tag["references"]) == ([1.0], [2.0], ["s"], ["voltage"])
    assert tag["features"][0]["link_type"] == "untagged"
    assert tag["features"][0]["data"] == {"kind": "DataArray", "name": "series"}
    assert block["multi_tags"][0]["positions"]["shape"] == [3]
    group = block["groups"][0]
    assert [m["name"] for m in group["data_arrays"]] == ["voltage"] and group["data_arrays"][0]["link"] is True
    section = d["sections"][0]
    assert section["properties"][0] == {
        "kind": "Property",
        "name": "temperature",
        "id": section["properties"][0]["id"],
        "values": [21.5],
        "unit": "degC",
        "dtype": "float64",
    }
    assert section["sections"][0]["properties"][0]["values"] == ["EXT-02"]


def test_describe_values_reads_few_labels_and_no_ticks(tmp_path: Path) -> None:
    """Counts come from dataset headers; only the first 20 set labels are read."""
    with nix.File.open(str(tmp_path / "big.nix"), nix.FileMode.Overwrite) as f:
        da = f.create_block("b", "t").create_data_array("grid", "t", data=np.zeros((1000, 50)))
        da.append_range_dimension(np.arange(1000.0))
        da.append_set_dimension([f"ch{i}" for i in range(50)])
        reads: list[Any] = []
        original = DatasetNode.read

        def spy(self: DatasetNode, index: Any = ()) -> Any:
            reads.append((self.name, index))
            return original(self, index)

        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(DatasetNode, "read", spy)
            node = describe(da, values=True)
    ticks, labels = node.children["dimensions"]
    assert ticks.fields["ticks"] == 1000
    assert labels.fields["labels"] == [f"ch{i}" for i in range(20)] and labels.fields["n_labels"] == 50
    assert reads == [("labels", slice(0, 20))]


def test_describe_depth_counts_what_it_leaves_out(filled: Path) -> None:
    with nix.File.open(str(filled), nix.FileMode.ReadOnly) as f:
        node = describe(f, depth=1)
    block = node.children["blocks"][0]
    assert block.children == {}
    assert block.more["data_arrays"] == 3 and block.more["tags"] == 1


def test_filter_keeps_matches_and_their_ancestors(filled: Path) -> None:
    with nix.File.open(str(filled), nix.FileMode.ReadOnly) as f:
        node = describe(f, values=True)
    only_tags = filter_node(node, normalize_kind("tags"))
    assert only_tags is not None
    block = only_tags.children["blocks"][0]
    assert list(block.children) == ["groups", "tags"]
    assert block.children["groups"][0].children["tags"][0].link  # where the tag is a group member
    assert block.children["tags"][0].children["features"]  # a match keeps its subtree
    by_name = filter_node(node, (), "AMPLI*")
    assert by_name is not None and list(by_name.children) == ["sections"]
    assert filter_node(node, normalize_kind("data_frame"), "nothing like this") is None
    with pytest.raises(ValueError, match="unknown kind"):
        normalize_kind("blob")


def test_tree_lines_say_what_matters(filled: Path) -> None:
    with nix.File.open(str(filled), nix.FileMode.ReadOnly) as f:
        node = describe(f, values=True)
    block = node.children["blocks"][0]
    lines = {n.name: node_line(n, markup=False) for _role, n in block.iter_children()}
    assert (
        lines["voltage"] == "DataArray 'voltage' [nix.sampled]  100 float64 · unit mV · label 'voltage' · sources: cell"
    )
    assert lines["epoch"] == "Tag 'epoch' [nix.epoch]  position [1] · extent [2] · units [s] · → voltage"
    member = block.children["groups"][0].children["data_arrays"][0]
    assert node_line(member, markup=False) == "→ DataArray 'voltage' [nix.sampled]"
    dims = [node_line(d, markup=False) for d in block.children["data_arrays"][1].children["dimensions"]]
    assert dims == ["dim 1 set · a, b", "dim 2 range · time [s] · 50 ticks"]


@pytest.mark.parametrize(
    "name",
    [
        "g-node_nix/docs_data_nix_test_v1.2.h5",
        "bendalab_nixtrack/test.nix",
        "generated/cpp-nix-1.5.0-master_writefullfile.nix",
        "generated/cpp-nix-1.4.5_representative.nix",
    ],
)
def test_real_files_describe_and_render(name: str) -> None:
    """Files of other libraries and older formats show completely, without reading data."""
    with nix.File.open(str(REALFILES / name), nix.FileMode.ReadOnly) as f:
        with _no_data_reads():
            view = f._repr_html_()
        text = json.dumps(describe(f, values=True, details=True).to_dict())
        lines = _printed(f.pprint)
    assert "<unreadable" not in text
    assert re.search(r"DataArray", view)
    assert len(lines) > 3
