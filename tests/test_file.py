"""File: modes, header, timestamps, read-only protection."""

from __future__ import annotations

import hashlib
import time
import uuid
from pathlib import Path

import h5py
import numpy as np
import pytest

import nixkit as nix
from nixkit.exceptions import FileMissing, FormatVersionError, InvalidAttrType, NixError, ReadOnlyError


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_overwrite_writes_the_nix_header(tmp_path: Path) -> None:
    path = tmp_path / "f.nix"
    with nix.File.open(path, nix.FileMode.Overwrite) as f:
        assert f.format == "nix"
        assert f.version == (1, 2, 1)
        uuid.UUID(f.id)
    with h5py.File(path, "r") as h:
        version = h.attrs["version"]
        assert version.dtype == np.int32 and list(version) == [1, 2, 1]
        assert set(h) == {"data", "metadata"}
        order = h5py.h5g.open(h.id, b"/").get_create_plist().get_link_creation_order()
        assert order == h5py.h5p.CRT_ORDER_TRACKED | h5py.h5p.CRT_ORDER_INDEXED
        data_order = h["data"].id.get_create_plist().get_link_creation_order()
        assert data_order == h5py.h5p.CRT_ORDER_TRACKED | h5py.h5p.CRT_ORDER_INDEXED


def test_created_at_is_utc_now(tmp_path: Path) -> None:
    before = int(time.time())
    with nix.File.open(tmp_path / "f.nix", nix.FileMode.Overwrite) as f:
        assert before - 1 <= f.created_at <= int(time.time()) + 1
        assert f.updated_at == f.created_at


def test_readwrite_creates_a_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "new.nix"
    f = nix.File.open(str(path))
    assert f.mode == nix.FileMode.Overwrite
    f.create_block("b", "t")
    f.close()
    with nix.File.open(path, nix.FileMode.ReadWrite) as f:
        assert f.mode == nix.FileMode.ReadWrite
        assert [b.name for b in f.blocks] == ["b"]


def test_readonly_on_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileMissing) as info:
        nix.File.open(tmp_path / "nothing.nix", nix.FileMode.ReadOnly)
    # nixio raised RuntimeError; a Python user expects FileNotFoundError: both catch it.
    assert isinstance(info.value, FileNotFoundError)
    assert isinstance(info.value, RuntimeError)
    assert not (tmp_path / "nothing.nix").exists()


def test_bad_mode_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="mode"):
        nix.File.open(tmp_path / "f.nix", "x")


def test_writes_on_a_read_only_file_fail_before_touching_it(tmp_path: Path) -> None:
    path = tmp_path / "f.nix"
    with nix.File.open(path, nix.FileMode.Overwrite) as f:
        b = f.create_block("b", "t")
        da = b.create_data_array("x", "t", data=np.arange(5.0))
        da.append_sampled_dimension(0.5)
        b.create_source("s", "t")
        b.create_group("g", "t").data_arrays.append(da)
    before = digest(path)
    with nix.File.open(path, nix.FileMode.ReadOnly) as f:
        b = f.blocks["b"]
        da = b.data_arrays["x"]
        attempts = [
            lambda: f.create_block("c", "t"),
            lambda: b.create_data_array("y", "t", data=[1]),
            lambda: b.create_source("s2", "t"),
            lambda: b.create_group("g2", "t"),
            lambda: setattr(b, "definition", "d"),
            lambda: setattr(da, "unit", "mV"),
            lambda: da.append([1.0]),
            lambda: da.__setitem__(0, 3.0),
            lambda: da.append_set_dimension(),
            lambda: setattr(da.dimensions[0], "label", "time"),
            lambda: f.blocks.__delitem__("b"),
            lambda: f.force_updated_at(),
            lambda: b.groups["g"].data_arrays.append(da),
            lambda: da.sources.append(b.sources["s"]),
            lambda: b.groups["g"].data_arrays.__delitem__("x"),
        ]
        for attempt in attempts:
            with pytest.raises(ReadOnlyError):
                attempt()
    assert digest(path) == before


def test_read_only_error_is_caught_as_in_nixio_scripts(tmp_path: Path) -> None:
    """The tutorial's fileCreate.py catches ValueError when writing to a read-only file."""
    path = tmp_path / "f.nix"
    nix.File.open(path, nix.FileMode.Overwrite).close()
    f = nix.File.open(path, nix.FileMode.ReadOnly)
    with pytest.raises(ValueError):
        f.create_block("test block", "test")
    with pytest.raises(NixError) as info:
        f.create_block("test block", "test")
    assert isinstance(info.value, PermissionError)
    assert "read-only" in str(info.value)
    f.close()


def test_force_timestamps_take_python_ints_only(tmp_path: Path) -> None:
    with nix.File.open(tmp_path / "f.nix", nix.FileMode.Overwrite) as f:
        f.force_created_at(1_600_000_000)
        assert f.created_at == 1_600_000_000
        b = f.create_block("b", "t")
        b.force_updated_at(1_500_000_000)
        assert b.updated_at == 1_500_000_000
        for bad in (1.5, np.int64(3), "now"):
            with pytest.raises(InvalidAttrType):
                b.force_created_at(bad)  # type: ignore[arg-type]


def test_setters_refresh_updated_at_unless_disabled(tmp_path: Path) -> None:
    with nix.File.open(tmp_path / "f.nix", nix.FileMode.Overwrite) as f:
        b = f.create_block("b", "t")
        b.force_updated_at(1_000)
        b.definition = "changed"
        assert b.updated_at > 1_000
        f.auto_update_timestamps = False
        b.force_updated_at(1_000)
        b.type = "other"
        assert b.updated_at == 1_000


def test_newer_version_opens_only_where_allowed(tmp_path: Path) -> None:
    path = tmp_path / "f.nix"
    nix.File.open(path, nix.FileMode.Overwrite).close()
    cases = {(1, 2, 0): True, (1, 1, 1): True, (1, 2, 3): True, (1, 3, 0): False, (2, 0, 0): False}
    for version, readable in cases.items():
        with h5py.File(path, "r+") as h:
            h.attrs["version"] = np.array(version, dtype=np.int32)
        if readable:
            nix.File.open(path, nix.FileMode.ReadOnly).close()
        else:
            with pytest.raises(FormatVersionError, match="newer"):
                nix.File.open(path, nix.FileMode.ReadOnly)
        with pytest.raises(FormatVersionError) as info:
            nix.File.open(path, nix.FileMode.ReadWrite)
        assert isinstance(info.value, RuntimeError)
        if readable:
            assert "upgrade" in str(info.value)


def test_closed_file_refuses_work(tmp_path: Path) -> None:
    f = nix.File.open(tmp_path / "f.nix", nix.FileMode.Overwrite)
    f.close()
    assert not f.is_open()
    with pytest.raises(ValueError, match="closed"):
        f.create_block("b", "t")
    f.close()  # closing twice is harmless


def test_a_writer_holds_bounded_metadata(tmp_path: Path) -> None:
    """Changed HDF5 metadata is held until flush for crash safety, but only up to a bound."""
    from nixkit.storage.durability import HOLD_LIMIT_BYTES

    path = tmp_path / "many.nix"
    with nix.File.open(path, nix.FileMode.Overwrite) as f:
        b = f.create_block("b", "t")
        for i in range(3000):
            da = b.create_data_array(f"a{i}", "t", data=np.zeros(10), unit="mV")
            da.append_sampled_dimension(0.1, label="time", unit="s")
        held = f._handle._f.id.get_mdc_size()[2]
        assert held < 2 * HOLD_LIMIT_BYTES
    with h5py.File(path, "r") as h:
        assert set(h) == {"data", "metadata"}
        assert len(h["data/b/data_arrays"]) == 3000


def test_readers_keep_a_small_metadata_cache(tmp_path: Path) -> None:
    """HDF5 would let a reader's metadata cache grow to 32 MiB (and several times that in
    RAM); readers are capped, writers keep their own smaller limit."""
    from nixkit.storage.file_handle import READ_CACHE_BYTES

    path = tmp_path / "cache.nix"
    with nix.File.open(str(path), nix.FileMode.Overwrite) as f:
        f.create_block("b", "t")
    with nix.File.open(str(path), nix.FileMode.ReadOnly) as f:
        config = f._handle._f.id.get_mdc_config()
        assert config.max_size == READ_CACHE_BYTES
        assert config.initial_size <= READ_CACHE_BYTES and config.min_size <= READ_CACHE_BYTES
