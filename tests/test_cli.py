"""The ``nixkit`` command line, run through click's CliRunner."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import pytest
from click.testing import CliRunner, Result
from PIL import Image

import nixkit as nix
from nixkit.cli.main import cli
from nixkit.demo import build_file

REALFILES = Path(__file__).resolve().parents[2] / "shared" / "testdata" / "realfiles"
COMMANDS = ["show", "info", "validate", "upgrade", "dump", "plot", "demo", "recover"]


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "tutorial.nix"
    build_file(path)
    return path


@pytest.fixture(scope="module")
def bad_files(tmp_path_factory: pytest.TempPathFactory, demo_file: Path) -> dict[str, Path]:
    """Paths that are not readable NIX files, each for its own reason."""
    folder = tmp_path_factory.mktemp("bad")
    text = folder / "notes.txt"
    text.write_text("not an HDF5 file\n")
    plain = folder / "plain.h5"
    with h5py.File(plain, "w") as f:
        f.create_group("x")
    truncated = folder / "truncated.nix"
    whole = demo_file.read_bytes()
    truncated.write_bytes(whole[: len(whole) // 2])
    empty = folder / "empty.nix"
    empty.write_bytes(b"")
    return {
        "missing": folder / "missing.nix",
        "directory": folder,
        "text": text,
        "plain hdf5": plain,
        "truncated": truncated,
        "empty": empty,
    }


def _one_error_line(result: Result) -> str:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("nixkit: error: ")
    return lines[0]


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert result.output.startswith(f"nixkit, version {nix.__version__}")


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_on_every_command(command: str | None) -> None:
    result = run(*([command] if command else []), "--help")
    assert result.exit_code == 0
    assert result.output.startswith("Usage: nixkit")
    if command is None:
        for name in COMMANDS:
            assert f"  {name} " in result.output


@pytest.mark.parametrize("command", ["show", "info", "validate", "upgrade", "dump", "plot"])
@pytest.mark.parametrize("kind", ["missing", "directory", "text", "plain hdf5", "truncated", "empty"])
def test_bad_files_give_one_line_and_exit_2(command: str, kind: str, bad_files: dict[str, Path]) -> None:
    path = bad_files[kind]
    args = [command, str(path)] + (["sinewave"] if command == "plot" else [])
    line = _one_error_line(run(*args))
    assert str(path) in line


def test_unexpected_failure_is_one_line_exit_1(demo_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("something nobody expected")

    monkeypatch.setattr("nixkit.display.describe.describe", broken)
    result = run("show", str(demo_file))
    assert result.exit_code == 1
    assert result.stderr.strip() == "nixkit: internal error: RuntimeError: something nobody expected"


# -- show ----------------------------------------------------------------------------------------
def test_show_prints_the_whole_tree(demo_file: Path) -> None:
    result = run("show", str(demo_file))
    assert result.exit_code == 0
    out = result.output
    assert out.startswith(f"{demo_file}  NIX 1.2.1")
    assert "Block 'regularly sampled data' [nix.session]" in out
    assert "DataArray 'sinewave' [nix.regular_sampled]  1000 float64 · unit mV · label 'voltage'" in out
    assert "dim 1 sampled · time [s] · interval 0.001 · offset 0" in out
    assert "dim 1 set · sin, cos" in out
    assert "DataFrame 'trials' [nix.trials]  4 rows: trial (int64), condition (str), onset [s] (float64)" in out
    assert "Tag 'late response' [nix.epoch]  position [200] · extent [100] · units [ms] · → membrane voltage" in out
    assert "Feature (indexed) → DataArray 'spike triggered stimulus'" in out
    assert "Source 'CA1 1' [nix.cell]" in out
    assert "Section 'test image' [image.metadata]" in out
    assert "Property 'width' = 256" in out


def test_show_depth(demo_file: Path) -> None:
    out = run("show", str(demo_file), "--depth", "1").output
    assert "Block 'image data'" in out and "Section 'test image'" in out
    assert "DataArray" not in out
    assert "… 1 data array not shown" in out


def test_show_type_and_name_filters(demo_file: Path) -> None:
    out = run("show", str(demo_file), "--type", "multi_tag").output
    assert "MultiTag 'regions of interest'" in out
    assert "Block 'multiple regions'" in out  # the path to a match is shown
    assert "DataArray 'image'" not in out and "Block 'image data'" not in out
    out = run("show", str(demo_file), "-t", "section", "-t", "property", "-n", "seed*").output
    assert "Property 'seeded' = True" in out
    assert "Property 'width'" not in out
    out = run("show", str(demo_file), "-n", "nothing matches this").output
    assert "no entities match the filter" in out


def test_show_rejects_unknown_kinds(demo_file: Path) -> None:
    result = run("show", str(demo_file), "--type", "blob")
    assert result.exit_code == 2
    assert "unknown kind 'blob'" in result.output


def test_show_ids(demo_file: Path) -> None:
    with nix.File.open(str(demo_file), nix.FileMode.ReadOnly) as f:
        block_id = f.blocks["sources"].id
    assert f"id {block_id}" in run("show", str(demo_file), "--ids").output


# -- info ------------------------------------------------------------------------------------------
def test_info_json_counts_and_sizes(demo_file: Path) -> None:
    result = run("info", str(demo_file), "--json")
    assert result.exit_code == 0
    info = json.loads(result.output)
    assert info["version"] == "1.2.1" and info["format"] == "nix"
    assert info["likely_writer"] == "nixio 1.5.1 or later, or nixkit"
    assert info["file_size"] == demo_file.stat().st_size
    assert info["counts"]["blocks"] == 18
    assert info["counts"]["data_frames"] == 1
    assert info["counts"]["tags"] == 3 and info["counts"]["multi_tags"] == 4
    assert info["counts"]["features"] == 3 and info["counts"]["sources"] == 4
    assert info["counts"]["sections"] == 2 and info["counts"]["properties"] == 6
    with nix.File.open(str(demo_file), nix.FileMode.ReadOnly) as f:
        expected = sum(da.size * da.dtype.itemsize for b in f.blocks for da in b.data_arrays)
    assert info["data_size"] == expected


def test_info_table_and_old_formats() -> None:
    result = run("info", str(REALFILES / "generated/cpp-nix-1.4.5_representative.nix"))
    assert result.exit_code == 0
    assert "nix 1.1.0" in result.output
    assert "C++ NIX 1.4" in result.output


# -- validate ----------------------------------------------------------------------------------------
def test_validate_clean_file_exits_0(demo_file: Path) -> None:
    result = run("validate", str(demo_file))
    assert result.exit_code == 0
    assert f"{demo_file}: 0 error(s), 6 warning(s)" in result.output
    assert "unit is not set [NoUnit]" in result.output
    assert "NoUnit" not in run("validate", "--no-warnings", str(demo_file)).output


@pytest.fixture
def broken_file(tmp_path: Path) -> Path:
    path = tmp_path / "broken.nix"
    with nix.File.open(str(path), nix.FileMode.Overwrite) as f:
        da = f.create_block("b", "t").create_data_array("two axes", "t", data=np.zeros((3, 4)))
        da.append_sampled_dimension(1.0)  # one descriptor for two axes
    return path


def test_validate_errors_exit_1(broken_file: Path, demo_file: Path) -> None:
    result = run("validate", str(demo_file), str(broken_file))
    assert result.exit_code == 1
    assert "error DataArray 'two axes'" in result.output
    assert "data dimensionality does not match number of defined dimensions" in result.output


def test_validate_json(broken_file: Path, demo_file: Path) -> None:
    result = run("validate", "--json", str(demo_file), str(broken_file))
    assert result.exit_code == 1
    reports = json.loads(result.stdout)
    assert [r["ok"] for r in reports] == [True, False]
    assert reports[1]["errors"] >= 1
    assert any(i["rule"] == "DimensionMismatch" for i in reports[1]["issues"])


def test_validate_unreadable_file_exits_2_and_goes_on(demo_file: Path, tmp_path: Path) -> None:
    result = run("validate", str(tmp_path / "missing.nix"), str(demo_file))
    assert result.exit_code == 2
    assert result.stderr.strip() == f"nixkit: error: {tmp_path / 'missing.nix'}: no such file"
    assert f"{demo_file}: 0 error(s)" in result.stdout


# -- upgrade --------------------------------------------------------------------------------------------
def test_upgrade_converts_old_formats(tmp_path: Path) -> None:
    target = tmp_path / "old.nix"
    shutil.copy(REALFILES / "generated/cpp-nix-1.4.5_representative.nix", target)
    target.chmod(0o644)
    result = run("upgrade", str(target))
    assert result.exit_code == 0, result.output
    assert f"{target}: 1.1.0 -> 1.2.1" in result.output
    with nix.File.open(str(target), nix.FileMode.ReadWrite) as f:
        assert f.version == (1, 2, 1)
        assert f.blocks["recording"].data_arrays["voltage"].shape == (1000, 3)
    assert [p.name for p in tmp_path.iterdir()] == ["old.nix"]  # no temporary file left


def test_upgrade_drives_a_progress_bar(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The command hands the conversion a progress callback and it runs to the end."""
    # ``nixkit.upgrade`` is also the function, so reach the module through sys.modules
    module = sys.modules["nixkit.upgrade"]
    target = tmp_path / "old.nix"
    shutil.copy(REALFILES / "g-node_nix/docs_data_nix_test_v1.2.h5", target)
    target.chmod(0o644)
    calls: list[tuple[int, int]] = []
    real = module.upgrade

    def spy(path: str, progress: Any = None) -> Any:
        def record(done: int, total: int) -> None:
            calls.append((done, total))
            progress(done, total)

        return real(path, progress=record)

    monkeypatch.setattr(module, "upgrade", spy)
    assert run("upgrade", str(target)).exit_code == 0
    assert len(calls) > 2
    assert calls[-1][0] == calls[-1][1] > 0


def test_upgrade_current_file_is_left_alone(demo_file: Path, tmp_path: Path) -> None:
    target = tmp_path / "current.nix"
    shutil.copy(demo_file, target)
    before = target.read_bytes()
    result = run("upgrade", str(target))
    assert result.exit_code == 0
    assert "up to date (1.2.1)" in result.output
    assert target.read_bytes() == before


def test_upgrade_refuses_non_nix_files_untouched(bad_files: dict[str, Path]) -> None:
    before = bad_files["plain hdf5"].read_bytes()
    line = _one_error_line(run("upgrade", str(bad_files["plain hdf5"])))
    assert "cannot upgrade" in line
    assert bad_files["plain hdf5"].read_bytes() == before


# -- dump ---------------------------------------------------------------------------------------------------
def test_dump_structure_and_metadata(demo_file: Path) -> None:
    result = run("dump", str(demo_file))
    assert result.exit_code == 0
    d = json.loads(result.output)
    assert d["kind"] == "File" and d["version"] == "1.2.1"
    assert [b["name"] for b in d["blocks"]][:3] == [
        "working with files",
        "regularly sampled data",
        "irregularly sampled data",
    ]
    assert "data" not in json.dumps(d["blocks"][1]["data_arrays"][0])  # no values unless asked
    section = d["sections"][0]
    assert {p["name"]: p["values"] for p in section["properties"]}["channels"] == ["red", "green", "blue"]


def test_dump_one_entity_with_data(demo_file: Path) -> None:
    result = run("dump", str(demo_file), "series of signals/waveforms", "--data")
    assert result.exit_code == 0
    d = json.loads(result.stdout)
    assert d["kind"] == "DataArray" and d["name"] == "waveforms"
    with nix.File.open(str(demo_file), nix.FileMode.ReadOnly) as f:
        expected = np.asarray(f.blocks["series of signals"].data_arrays["waveforms"])
    np.testing.assert_allclose(np.array(d["data"]), expected)
    assert d["dimensions"][0]["labels"] == ["sin", "cos"]


def test_dump_data_frame_rows_and_truncation(demo_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "frame.json"
    result = run("dump", str(demo_file), "trials", "--data", "-o", str(out))
    assert result.exit_code == 0
    frame = json.loads(out.read_text())
    assert frame["data"][1] == [2, "drug", 1.5, 20.25]
    d = json.loads(
        run("dump", str(demo_file), "continuous recording/recording", "--data", "--max-elements", "10").stdout
    )
    assert np.array(d["data"]).shape == (5, 2) and d["data_truncated"] is True


def test_dump_by_id_and_unknown_or_ambiguous_names(demo_file: Path) -> None:
    with nix.File.open(str(demo_file), nix.FileMode.ReadOnly) as f:
        tag_id = f.blocks["single region"].tags[0].id
    assert json.loads(run("dump", str(demo_file), tag_id).stdout)["name"] == "region of interest"
    line = _one_error_line(run("dump", str(demo_file), "nobody"))
    assert "no entity of that name or id" in line
    line = _one_error_line(run("dump", str(demo_file), "sinewave"))
    assert "not unique" in line and "'regularly sampled data/sinewave'" in line
    line = _one_error_line(run("dump", str(demo_file), "image data/nobody"))
    assert "no entity named 'nobody' in Block 'image data'" in line


# -- plot -------------------------------------------------------------------------------------------------
def _non_blank(path: Path) -> None:
    with Image.open(path) as im:
        pixels = np.asarray(im.convert("RGB"), dtype=float)
    assert pixels.shape[0] > 100 and pixels.shape[1] > 100
    assert pixels.std() > 5


@pytest.mark.parametrize(
    "entity",
    [
        "regularly sampled data/sinewave",
        "image data/image",
        "region of interest",
        "multiple regions/regions of interest",
    ],
)
def test_plot_writes_a_picture(demo_file: Path, tmp_path: Path, entity: str) -> None:
    out = tmp_path / "figure.png"
    result = run("plot", str(demo_file), entity, "-o", str(out))
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"wrote {out}"
    _non_blank(out)


def test_plot_default_name_and_options(demo_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("plot", str(demo_file), "series of signals/waveforms", "--kind", "image", "--dpi", "50")
    assert result.exit_code == 0
    with Image.open(tmp_path / "waveforms.png") as im:
        assert im.size == (400, 225)  # 8 x 4.5 inches at 50 dpi


def test_plot_refuses_what_it_cannot_draw(demo_file: Path) -> None:
    line = _one_error_line(run("plot", str(demo_file), "image data"))
    assert "a Block cannot be plotted" in line
    line = _one_error_line(run("plot", str(demo_file), "tabular data/trials"))
    assert "a DataFrame cannot be plotted" in line
    line = _one_error_line(run("plot", str(demo_file), "region of interest", "--ref", "5"))
    assert "region of interest" in line


# -- demo --------------------------------------------------------------------------------------------------
def test_demo_without_figures(tmp_path: Path) -> None:
    target = tmp_path / "tour.nix"
    result = run("demo", str(target), "--no-figures")
    assert result.exit_code == 0, result.output
    assert "19 of 19 checks passed" in result.output
    assert target.is_file() and not (tmp_path / "tour_figures").exists()


def test_demo_into_a_missing_folder(tmp_path: Path) -> None:
    line = _one_error_line(run("demo", str(tmp_path / "nowhere" / "tour.nix")))
    assert "does not exist" in line


def test_recover_copies_a_sound_file_whole(demo_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "rescued.nix"
    before = demo_file.read_bytes()
    result = run("recover", str(demo_file), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "nothing was lost" in result.output
    assert demo_file.read_bytes() == before
    with nix.File.open(demo_file, nix.FileMode.ReadOnly) as a, nix.File.open(out, nix.FileMode.ReadOnly) as b:
        assert [blk.name for blk in a.blocks] == [blk.name for blk in b.blocks]
        assert [da.name for da in a.blocks[1].data_arrays] == [da.name for da in b.blocks[1].data_arrays]


@pytest.mark.parametrize("kind", ["missing", "directory", "text", "empty"])
def test_recover_refuses_what_is_no_hdf5_file(kind: str, bad_files: dict[str, Path]) -> None:
    line = _one_error_line(run("recover", str(bad_files[kind])))
    assert str(bad_files[kind]) in line


def test_recover_rescues_the_start_of_a_truncated_file(bad_files: dict[str, Path], tmp_path: Path) -> None:
    """HDF5 refuses a file shorter than its superblock says; recover reads a zero-padded copy."""
    before = bad_files["truncated"].read_bytes()
    result = run("recover", str(bad_files["truncated"]), "-o", str(tmp_path / "r.nix"))
    assert result.exit_code == 1, result.output
    size = len(before)
    assert f"the file is truncated: {size} of" in result.output
    assert bad_files["truncated"].read_bytes() == before
    with nix.File.open(tmp_path / "r.nix", nix.FileMode.ReadOnly) as f:
        assert f.format == "nix"
