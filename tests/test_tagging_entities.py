"""Tag, MultiTag and Feature as entities: creation, references, features, units, cross-reading."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import nixio
import numpy as np
import pytest

import nixkit as nix
from nixkit.exceptions import (
    DuplicateName,
    IncompatibleDimensions,
    InvalidAttrType,
    OutOfBounds,
    ReadOnlyError,
    UnsupportedLinkType,
)


def _file(module: Any, path: Path) -> Any:
    return module.File.open(str(path), module.FileMode.Overwrite)


def _signal(block: Any, name: str = "signal", n: int = 100) -> Any:
    da = block.create_data_array(name, "t", data=np.arange(n, dtype=float))
    da.append_sampled_dimension(0.1).unit = "s"
    return da


def build_tagging_file(module: Any, path: Path) -> None:
    """Tags, a multi-tag and all three feature kinds, written with ``module`` (nixkit or nixio)."""
    f = _file(module, path)
    b = f.create_block("b", "session")
    signal = _signal(b)
    stimulus = b.create_data_array("stimulus", "t", data=np.sin(np.arange(100) / 10.0))
    stimulus.append_sampled_dimension(0.1).unit = "s"
    snippets = b.create_data_array("snippets", "t", data=np.arange(40.0).reshape(4, 10))
    snippets.append_set_dimension()
    snippets.append_sampled_dimension(0.1).unit = "s"
    tag = b.create_tag("epoch", "nix.epoch", [2.0])
    tag.extent = [1.5]
    tag.units = ["s"]
    tag.references.append(signal)
    tag.create_feature(stimulus, module.LinkType.Untagged)
    tag.create_feature(stimulus, module.LinkType.Tagged)
    positions = b.create_data_array("spike times", "nix.positions", data=np.array([0.5, 1.2, 3.3, 7.0]))
    positions.append_set_dimension()
    extents = b.create_data_array("spike windows", "nix.extents", data=np.full(4, 0.3))
    extents.append_set_dimension()
    mt = b.create_multi_tag("spikes", "nix.events", positions)
    mt.extents = extents
    mt.units = ["s"]
    mt.references.append(signal)
    mt.create_feature(snippets, module.LinkType.Indexed)
    mt.create_feature(stimulus, module.LinkType.Tagged)
    mt.create_feature(stimulus, module.LinkType.Untagged)
    f.close()


def read_everything(module: Any, path: Path) -> dict[str, Any]:
    """Tagged data and feature data of every tag, as plain lists."""
    f = module.File.open(str(path), module.FileMode.ReadOnly)
    b = f.blocks["b"]
    tag, mt = b.tags["epoch"], b.multi_tags["spikes"]
    out = {
        "tag": np.asarray(tag.tagged_data(0)[:]).tolist(),
        "tag features": [np.asarray(tag.feature_data(i)[:]).tolist() for i in range(len(tag.features))],
        "tag link types": [feat.link_type.value for feat in tag.features],
        "mt": [np.asarray(mt.tagged_data(i, 0)[:]).tolist() for i in range(4)],
        "mt features": [
            [np.asarray(mt.feature_data(i, j)[:]).tolist() for j in range(len(mt.features))] for i in range(4)
        ],
        "mt units": tuple(mt.units),
        "positions": np.asarray(mt.positions[:]).tolist(),
    }
    f.close()
    return out


def test_nixkit_file_reads_the_same_in_nixio(tmp_path: Path) -> None:
    path = tmp_path / "ours.nix"
    build_tagging_file(nix, path)
    ours, theirs = read_everything(nix, path), read_everything(nixio, path)
    assert ours == theirs
    assert ours["tag"] == list(range(20, 35))
    assert ours["mt features"][2][0] == [list(range(20, 30))]


def test_nixio_file_reads_the_same_in_nixkit(tmp_path: Path) -> None:
    path = tmp_path / "theirs.nix"
    build_tagging_file(nixio, path)
    assert read_everything(nix, path) == read_everything(nixio, path)


def test_feature_storage_layout(tmp_path: Path) -> None:
    import h5py

    path = tmp_path / "a.nix"
    build_tagging_file(nix, path)
    with h5py.File(path, "r") as h:
        features = h["data/b/multi_tags/spikes/features"]
        assert len(features) == 3
        for fid, group in features.items():
            assert group.attrs["entity_id"] == fid
            assert group.attrs["link_type"] in ("tagged", "untagged", "indexed")
            assert group.attrs["target_type"] == "DataArray"
            assert "name" not in group.attrs and "type" not in group.attrs
            assert h5py.h5o.get_info(group["data"].id).addr in {
                h5py.h5o.get_info(da.id).addr for da in h["data/b/data_arrays"].values()
            }
        tag = h["data/b/tags/epoch"]
        assert tag["position"].dtype == np.float64 and tag["position"].maxshape == (None,)
        assert list(tag["units"].asstr()[:]) == ["s"]


@pytest.fixture
def block(tmp_path: Path) -> Any:
    f = _file(nix, tmp_path / "b.nix")
    yield f.create_block("b", "t")
    f.close()


def test_tag_attributes(block: nix.Block) -> None:
    tag = block.create_tag("t", "nix.t", 1.5)
    assert tag.position == (1.5,)
    assert tag.extent == ()
    assert tag.units == ()
    tag.extent = [2]
    tag.units = ["µs"]
    assert tag.extent == (2.0,) and tag.units == ("us",)
    tag.extent = None
    tag.units = None
    assert tag.extent == () and tag.units == ()
    with pytest.raises(InvalidAttrType):
        tag.units = ["s", 1]  # type: ignore[list-item]
    with pytest.raises(InvalidAttrType):
        tag.position = ["a"]  # type: ignore[list-item]
    assert tag.position == (1.5,)
    assert block.create_tag("default", "t").position == (0.0,)


def test_failed_creations_write_nothing(block: nix.Block) -> None:
    block.create_tag("t", "t", [1.0])
    with pytest.raises(DuplicateName):
        block.create_tag("t", "t", [1.0])
    with pytest.raises(InvalidAttrType):
        block.create_tag("u", "t", ["x"])
    with pytest.raises(IncompatibleDimensions):
        block.create_multi_tag("m", "t", [1.0, 2.0], [1.0])
    with pytest.raises(TypeError):
        block.create_multi_tag("m", "t", None)
    block.create_data_array("m-extents", "t", data=[1.0])
    with pytest.raises(DuplicateName):
        block.create_multi_tag("m", "t", [1.0], [1.0])
    assert [t.name for t in block.tags] == ["t"]
    assert len(block.multi_tags) == 0
    assert [d.name for d in block.data_arrays] == ["m-extents"]


def test_multi_tag_from_arrays_names_its_data_arrays(block: nix.Block) -> None:
    mt = block.create_multi_tag("spikes", "nix.events", np.array([[1.0], [2.0]]), np.array([[0.1], [0.2]]))
    assert mt.positions.name == "spikes-positions" and mt.positions.type == "nix.events-positions"
    assert mt.extents is not None and mt.extents.name == "spikes-extents"
    assert len(mt.positions.dimensions) == 2
    mt.extents = None
    assert mt.extents is None
    with pytest.raises(TypeError):
        mt.positions = None  # type: ignore[assignment]


def test_positions_must_belong_to_the_block(tmp_path: Path) -> None:
    f = _file(nix, tmp_path / "a.nix")
    b1, b2 = f.create_block("b1", "t"), f.create_block("b2", "t")
    foreign = b2.create_data_array("p", "t", data=[1.0])
    with pytest.raises(RuntimeError):
        b1.create_multi_tag("m", "t", foreign)
    mt = b1.create_multi_tag("m", "t", [1.0])
    with pytest.raises(RuntimeError):
        mt.positions = foreign
    with pytest.raises(RuntimeError):
        mt.references.append(foreign)
    assert len(b1.multi_tags) == 1 and len(mt.references) == 0
    f.close()


def test_references_by_entity_name_and_id(block: nix.Block) -> None:
    a, _b, c = _signal(block, "a"), _signal(block, "b"), _signal(block, "c")
    tag = block.create_tag("t", "t", [1.0])
    tag.references.append(a)
    tag.references.append("b")  # by name (nixio only accepts ids, and fails)
    tag.references.extend([c.id])
    assert [r.name for r in tag.references] == ["a", "b", "c"]
    for key in (0, "b", c.id, a):
        assert tag.tagged_data(key)[:].tolist() == [10.0]
    del tag.references["b"]
    del tag.references[c.id]
    del tag.references[a]
    assert len(tag.references) == 0
    assert len(block.data_arrays) == 3


def test_features_by_index_id_and_data(block: nix.Block) -> None:
    signal = _signal(block)
    stim = _signal(block, "stim")
    tag = block.create_tag("t", "t", [1.0])
    tag.references.append(signal)
    feature = tag.create_feature(stim, "TAGGED")
    assert feature.link_type is nix.LinkType.Tagged
    assert feature.data == stim and feature.name == feature.id
    assert tag.features[0] == tag.features[feature.id] == tag.features["stim"] == tag.features[stim.id]
    assert "stim" in tag.features and feature in tag.features
    assert repr(feature) == "Feature: {data = stim, link_type = LinkType.Tagged }"
    feature.link_type = "untagged"
    assert tag.feature_data("stim").shape == (100,)
    other = _signal(block, "other")
    feature.data = other
    assert tag.feature_data(0).shape == (100,) and tag.features[0].data.name == "other"
    with pytest.raises(ValueError):
        tag.create_feature(stim, "sideways")
    with pytest.raises(OutOfBounds):
        tag.feature_data(5)
    del tag.features[0]
    assert len(tag.features) == 0 and "other" in block.data_arrays


def test_foreign_feature_data_is_refused_before_writing(tmp_path: Path) -> None:
    """nixio writes the feature group before checking the data, leaving a broken feature
    behind (section 6.1 item 30); nixkit checks first."""
    f = _file(nix, tmp_path / "a.nix")
    b1, b2 = f.create_block("b1", "t"), f.create_block("b2", "t")
    tag = b1.create_tag("t", "t", [1.0])
    with pytest.raises(RuntimeError):
        tag.create_feature(_signal(b2), nix.LinkType.Tagged)
    with pytest.raises(TypeError):
        tag.create_feature(np.zeros(3), nix.LinkType.Tagged)
    assert len(tag.features) == 0
    f.close()
    g = _file(nixio, tmp_path / "b.nix")
    c1, c2 = g.create_block("b1", "t"), g.create_block("b2", "t")
    gtag = c1.create_tag("t", "t", [1.0])
    with pytest.raises(RuntimeError):
        gtag.create_feature(_signal(c2), nixio.LinkType.Tagged)
    assert len(gtag.features) == 1
    g.close()


def test_tagged_data_frame_feature_is_unsupported(block: nix.Block) -> None:
    df = block.create_data_frame("table", "t", col_dict={"a": np.int64, "b": float})
    df.append_rows([(1, 0.5), (2, 1.5), (3, 2.5)])
    mt = block.create_multi_tag("m", "t", [0.0, 1.0])
    with pytest.raises(UnsupportedLinkType):
        mt.create_feature(df, nix.LinkType.Tagged)
    assert len(mt.features) == 0
    feature = mt.create_feature(df, nix.LinkType.Indexed)
    with pytest.raises(UnsupportedLinkType):
        feature.link_type = nix.LinkType.Tagged
    row = mt.feature_data(1, 0)[:]
    assert row.shape == (1,) and int(row[0][0]) == 2
    mt.create_feature(df, "untagged")
    assert len(mt.feature_data(0, 1)[:]) == 3


def test_indexed_features(block: nix.Block) -> None:
    snippets = block.create_data_array("snippets", "t", data=np.arange(12.0).reshape(3, 4))
    mt = block.create_multi_tag("m", "t", [0.0, 1.0, 2.0, 3.0])
    mt.create_feature(snippets, nix.LinkType.Indexed)
    assert mt.feature_data(1, 0)[:].tolist() == [[4.0, 5.0, 6.0, 7.0]]
    with pytest.raises(OutOfBounds):
        mt.feature_data(3, 0)  # a fourth position but only three snippets
    tag = block.create_tag("t", "t", [0.0])
    tag.create_feature(snippets, nix.LinkType.Indexed)
    assert tag.feature_data(0).shape == (3, 4)


def test_retrieve_aliases_do_not_warn(block: nix.Block) -> None:
    """The tutorial teaches retrieve_data/retrieve_feature_data; nixio marks them deprecated,
    nixkit keeps them as plain names for tagged_data/feature_data."""
    signal = _signal(block)
    tag = block.create_tag("t", "t", [1.0])
    tag.references.append(signal)
    tag.create_feature(signal, nix.LinkType.Tagged)
    mt = block.create_multi_tag("m", "t", [2.0])
    mt.references.append(signal)
    mt.create_feature(signal, nix.LinkType.Indexed)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert tag.retrieve_data(0)[:].tolist() == [10.0]
        assert tag.retrieve_feature_data(0)[:].tolist() == [10.0]
        assert mt.retrieve_data(0, 0)[:].tolist() == [20.0]
        assert mt.retrieve_feature_data(0, 0)[:].tolist() == [0.0]


def test_read_only_files_refuse_every_tag_write(tmp_path: Path) -> None:
    path = tmp_path / "a.nix"
    build_tagging_file(nix, path)
    f = nix.File.open(path, nix.FileMode.ReadOnly)
    b = f.blocks["b"]
    tag, mt = b.tags["epoch"], b.multi_tags["spikes"]
    signal = b.data_arrays["signal"]
    writes = [
        lambda: b.create_tag("x", "t", [1.0]),
        lambda: b.create_multi_tag("x", "t", [1.0]),
        lambda: setattr(tag, "position", [3.0]),
        lambda: setattr(tag, "extent", [3.0]),
        lambda: setattr(tag, "units", ["ms"]),
        lambda: tag.references.append(signal),
        lambda: tag.create_feature(signal, nix.LinkType.Tagged),
        lambda: setattr(tag.features[0], "link_type", nix.LinkType.Tagged),
        lambda: setattr(mt, "positions", signal),
        lambda: setattr(mt, "extents", None),
        lambda: mt.tagged_data(0, 0).__setitem__(0, 1.0),
    ]
    for write in writes:
        with pytest.raises(ReadOnlyError):
            write()
    assert tag.position == (2.0,) and len(tag.features) == 2 and mt.extents is not None
    f.close()


def test_cached_positions_follow_writes_through_any_handle(block: nix.Block) -> None:
    signal = _signal(block)
    mt = block.create_multi_tag("m", "t", [1.0, 2.0])
    mt.references.append(signal)
    assert mt.tagged_data(1, 0)[:].tolist() == [20.0]
    block.data_arrays["m-positions"][1] = 3.0  # another handle on the positions
    assert mt.tagged_data(1, 0)[:].tolist() == [30.0]
    block.data_arrays["m-positions"].append([4.0])
    assert mt.tagged_data(2, 0)[:].tolist() == [40.0]
    block.data_arrays["signal"].dimensions[0].sampling_interval = 0.2
    assert mt.tagged_data(2, 0)[:].tolist() == [20.0]
    other = _signal(block, "other", 10)
    del mt.references[0]
    mt.references.append(other)
    with pytest.raises(OutOfBounds):
        mt.tagged_data(2, 0)
    tag = block.create_tag("t", "t", [1.0])
    tag.references.append(signal)
    assert block.tags["t"].tagged_data(0)[:].tolist() == [5.0]
    tag.position = [2.0]
    assert block.tags["t"].tagged_data(0)[:].tolist() == [10.0]


def test_calibrated_references(block: nix.Block) -> None:
    signal = _signal(block)
    signal.polynom_coefficients = [1.0, 2.0]
    tag = block.create_tag("t", "t", [1.0])
    tag.extent = [0.2]
    tag.references.append(signal)
    assert tag.tagged_data(0)[:].tolist() == [21.0, 23.0]
    positions = block.create_data_array("p", "t", data=[10.0])
    positions.expansion_origin = 5.0  # positions are read through calibration too
    mt = block.create_multi_tag("m", "t", positions)
    mt.references.append(signal)
    assert mt.tagged_data(0, 0)[:].tolist() == [101.0]


def test_sources_and_metadata(block: nix.Block) -> None:
    src = block.create_source("cell", "t")
    tag = block.create_tag("t", "t", [1.0])
    tag.sources.append(src)
    section = block.file.create_section("s", "t")
    tag.metadata = section
    mt = block.create_multi_tag("m", "t", [1.0])
    mt.sources.append(src)
    assert [s.name for s in tag.sources] == ["cell"] and tag.metadata == section
    assert {t.name for t in src.referring_tags} == {"t"} and {t.name for t in src.referring_multi_tags} == {"m"}


def _retrievals(module: Any, path: Path, max_positions: int = 3) -> dict[str, Any]:
    """Tagged and feature data of every tag in the file (the first ``max_positions`` of a
    multi-tag: nixio re-reads 1-D positions on every call), or the exception family raised."""
    out: dict[str, Any] = {}

    def grab(key: str, call: Any) -> None:
        try:
            view = call()
            out[key] = np.asarray(view[:]) if view.valid else "invalid"
        except IndexError:
            out[key] = "IndexError"
        except ValueError:
            out[key] = "ValueError"

    f = module.File.open(str(path), module.FileMode.ReadOnly)
    for b in f.blocks:
        for tag in b.tags:
            for r in range(len(tag.references)):
                grab(f"{b.name}/{tag.name}/ref{r}", lambda tag=tag, r=r: tag.tagged_data(r))
            for i in range(len(tag.features)):
                grab(f"{b.name}/{tag.name}/feat{i}", lambda tag=tag, i=i: tag.feature_data(i))
        for mt in b.multi_tags:
            for p in range(min(mt.positions.shape[0], max_positions)):
                for r in range(len(mt.references)):
                    grab(f"{b.name}/{mt.name}/{p}/ref{r}", lambda mt=mt, p=p, r=r: mt.tagged_data(p, r))
                for i in range(len(mt.features)):
                    grab(f"{b.name}/{mt.name}/{p}/feat{i}", lambda mt=mt, p=p, i=i: mt.feature_data(p, i))
    f.close()
    return out


REAL_WITH_TAGS = [
    "generated/cpp-nix-1.5.0-master_representative.nix",
    "generated/cpp-nix-1.4.5_representative.nix",
    "generated/cpp-nix-1.5.0-master_writefullfile.nix",
    "g-node_nix/docs_data_nix_test_v1.2.h5",
    "bendalab_nixtrack/test.nix",
]


@pytest.mark.parametrize("name", REAL_WITH_TAGS)
def test_real_files_retrieve_as_nixio_does(realfiles: Path, name: str) -> None:
    path = realfiles / name
    ours, theirs = _retrievals(nix, path), _retrievals(nixio, path)
    assert ours.keys() == theirs.keys() and ours
    for key, want in theirs.items():
        if isinstance(want, str):
            assert ours[key] == want, key
        else:
            np.testing.assert_array_equal(ours[key], want, err_msg=key)  # NaN equals NaN here


def test_representative_file_tags(realfiles: Path) -> None:
    with nix.File.open(realfiles / "generated/cpp-nix-1.5.0-master_representative.nix", nix.FileMode.ReadOnly) as f:
        b = f.blocks["recording"]
        region = b.tags["stimulus"].tagged_data("voltage")[:]
        assert region.shape == (200, 2)  # 0.6 s + 0.2 s at 1 kHz from offset 0.5 s; channels 0 and 1
        spikes = b.multi_tags["spikes"]
        assert spikes.feature_data(2, 0)[:].tolist() == [12.0]
        assert [s.shape for s in spikes.tagged_data_all("voltage")] == [(10, 3)] * 3
