"""Read-only files refuse every change before touching the disk; one writer at a time."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import nixkit as nix
from nixkit.exceptions import FileInUse, NixError, ReadOnlyError


def _build(path: Path) -> None:
    with nix.File.open(str(path), nix.FileMode.Overwrite) as f:
        b = f.create_block("b", "session")
        da = b.create_data_array("da", "signal", data=np.arange(10.0))
        da.append_sampled_dimension(0.1, unit="s")
        rng = b.create_data_array("rng", "signal", data=np.arange(3.0))
        rng.append_range_dimension([0.0, 1.0, 2.0])
        sets = b.create_data_array("set", "signal", data=np.arange(2.0))
        sets.append_set_dimension(["a", "b"])
        pos = b.create_data_array("pos", "positions", data=np.array([0.1, 0.2]))
        tag = b.create_tag("tag", "event", [0.1])
        tag.references.append(da)
        mtag = b.create_multi_tag("mtag", "events", pos)
        mtag.references.append(da)
        b.create_group("grp", "trial")
        b.create_source("src", "cell")
        b.create_data_frame("df", "table", col_dict={"a": np.float64})
        sec = f.create_section("sec", "meta")
        sec.create_property("prop", 1.0)


def _digest(path: Path) -> tuple[str, float]:
    return hashlib.sha256(path.read_bytes()).hexdigest(), os.stat(path).st_mtime


def _calls(f: nix.File) -> dict[str, Callable[[], Any]]:
    b = f.blocks["b"]
    da = b.data_arrays["da"]
    tag, mtag = b.tags["tag"], b.multi_tags["mtag"]
    sec = f.sections["sec"]
    prop = sec.props["prop"]
    df = b.data_frames["df"]
    sampled, ranged, labelled = da.dimensions[0], b.data_arrays["rng"].dimensions[0], b.data_arrays["set"].dimensions[0]

    def setter(obj: Any, name: str, value: Any) -> Callable[[], None]:
        return lambda: setattr(obj, name, value)

    return {
        "File.create_block": lambda: f.create_block("new", "t"),
        "File.create_section": lambda: f.create_section("new", "t"),
        "File.force_updated_at": lambda: f.force_updated_at(),
        "del File.blocks[...]": lambda: f.blocks.__delitem__("b"),
        "del File.sections[...]": lambda: f.sections.__delitem__("sec"),
        "Block.create_data_array": lambda: b.create_data_array("new", "t", data=[1.0]),
        "Block.create_tag": lambda: b.create_tag("new", "t", [0.0]),
        "Block.create_multi_tag": lambda: b.create_multi_tag("new", "t", b.data_arrays["pos"]),
        "Block.create_group": lambda: b.create_group("new", "t"),
        "Block.create_source": lambda: b.create_source("new", "t"),
        "Block.create_data_frame": lambda: b.create_data_frame("new", "t", col_dict={"a": np.int64}),
        "Block.type": setter(b, "type", "other"),
        "Block.definition": setter(b, "definition", "text"),
        "Block.metadata": setter(b, "metadata", sec),
        "Block.force_created_at": lambda: b.force_created_at(1),
        "del Block.data_arrays[...]": lambda: b.data_arrays.__delitem__("da"),
        "del Block.tags[...]": lambda: b.tags.__delitem__("tag"),
        "del Block.sources[...]": lambda: b.sources.__delitem__("src"),
        "DataArray.append": lambda: da.append([1.0]),
        "DataArray.__setitem__": lambda: da.__setitem__(0, 5.0),
        "DataArray.write_direct": lambda: da.write_direct(np.zeros(10)),
        "DataArray.data_extent": setter(da, "data_extent", (20,)),
        "DataArray.unit": setter(da, "unit", "V"),
        "DataArray.label": setter(da, "label", "x"),
        "DataArray.polynom_coefficients": setter(da, "polynom_coefficients", [0.0, 1.0]),
        "DataArray.expansion_origin": setter(da, "expansion_origin", 1.0),
        "DataArray.append_sampled_dimension": lambda: da.append_sampled_dimension(1.0),
        "DataArray.append_range_dimension": lambda: da.append_range_dimension([1.0]),
        "DataArray.append_set_dimension": lambda: da.append_set_dimension(),
        "DataArray.delete_dimensions": lambda: da.delete_dimensions(),
        "del DataArray.dimensions[...]": lambda: da.dimensions.__delitem__(0),
        "DataArray.sources.append": lambda: da.sources.append(b.sources["src"]),
        "SampledDimension.sampling_interval": setter(sampled, "sampling_interval", 2.0),
        "SampledDimension.offset": setter(sampled, "offset", 1.0),
        "SampledDimension.unit": setter(sampled, "unit", "ms"),
        "SampledDimension.label": setter(sampled, "label", "t"),
        "RangeDimension.ticks": setter(ranged, "ticks", [0.0, 2.0, 4.0]),
        "SetDimension.labels": setter(labelled, "labels", ["x", "y"]),
        "Tag.position": setter(tag, "position", [0.2]),
        "Tag.extent": setter(tag, "extent", [0.2]),
        "Tag.units": setter(tag, "units", ["s"]),
        "Tag.references.append": lambda: tag.references.append(b.data_arrays["rng"]),
        "del Tag.references[...]": lambda: tag.references.__delitem__("da"),
        "Tag.create_feature": lambda: tag.create_feature(b.data_arrays["rng"], nix.LinkType.Untagged),
        "MultiTag.extents": setter(mtag, "extents", b.data_arrays["pos"]),
        "MultiTag.positions": setter(mtag, "positions", b.data_arrays["rng"]),
        "Group.data_arrays.append": lambda: b.groups["grp"].data_arrays.append(da),
        "Source.create_source": lambda: b.sources["src"].create_source("child", "t"),
        "Section.create_property": lambda: sec.create_property("new", 2.0),
        "Section.create_section": lambda: sec.create_section("new", "t"),
        "Section.__setitem__": lambda: sec.__setitem__("prop", 3.0),
        "Section.reference": setter(sec, "reference", "ref"),
        "Property.values": setter(prop, "values", [4.0]),
        "Property.unit": setter(prop, "unit", "mV"),
        "Property.definition": setter(prop, "definition", "text"),
        "DataFrame.append_rows": lambda: df.append_rows([(1.0,)]),
        "DataFrame.units": setter(df, "units", ["s"]),
    }


@pytest.fixture(scope="module")
def readonly_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ro") / "ro.nix"
    _build(path)
    return path


def test_every_mutating_call_raises_before_touching_the_file(readonly_file: Path) -> None:
    before = _digest(readonly_file)
    refused: list[str] = []
    wrong: list[str] = []
    with nix.File.open(str(readonly_file), nix.FileMode.ReadOnly) as f:
        calls = _calls(f)
        for name, call in calls.items():
            try:
                call()
            except ReadOnlyError as exc:
                assert "read-only" in str(exc) or "ReadOnly" in str(exc), (name, exc)
                refused.append(name)
            except Exception as exc:  # anything else is a failure of this test, reported below
                wrong.append(f"{name}: {type(exc).__name__}: {exc}")
            else:
                wrong.append(f"{name}: no error")
    assert wrong == []
    assert len(refused) == len(calls) >= 50
    assert _digest(readonly_file) == before


def test_readonly_error_is_nix_error_and_builtin() -> None:
    """nixio raised ValueError (from h5py) for writes to read-only files; ours is both."""
    assert issubclass(ReadOnlyError, NixError)
    assert issubclass(ReadOnlyError, ValueError)
    assert issubclass(ReadOnlyError, PermissionError)


HOLDER = r"""
import sys, time
import nixkit as nix
f = nix.File.open(sys.argv[1], nix.FileMode.ReadWrite)
f.blocks["b"].data_arrays["da"].append([99.0])
f.flush()
print("holding", flush=True)
sys.stdin.readline()
f.close()
"""


def test_second_writer_process_gets_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "shared.nix"
    _build(path)
    with nix.File.open(str(path), nix.FileMode.ReadOnly) as f:
        findings = [str(i) for i in f.validate().issues]
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdin is not None
    try:
        assert holder.stdout.readline().strip() == "holding"
        with pytest.raises(FileInUse, match="another process") as info:
            nix.File.open(str(path), nix.FileMode.ReadWrite)
        assert isinstance(info.value, OSError)
        with pytest.raises(FileInUse):
            nix.File.open(str(path), nix.FileMode.Overwrite)
    finally:
        holder.stdin.write("\n")
        holder.stdin.flush()
        _out, err = holder.communicate(timeout=60)
    assert holder.returncode == 0, err
    with nix.File.open(str(path), nix.FileMode.ReadOnly) as f:
        da = f.blocks["b"].data_arrays["da"]
        assert np.array_equal(da[:], np.append(np.arange(10.0), 99.0))
        assert [str(i) for i in f.validate().issues] == findings
