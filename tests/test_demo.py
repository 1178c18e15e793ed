"""``nixkit demo``: the tutorial file, its read-back checks, both ways with nixio, end to end."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nixio
import numpy as np
import pytest
from PIL import Image
from rich.console import Console

import nixkit as nix
from nixkit import demo

SECTIONS = [
    "working with files",
    "regularly sampled data",
    "irregularly sampled data",
    "event data",
    "series of signals",
    "image data",
    "category data",
    "tabular data",
    "continuous recording",
    "single region",
    "multiple regions",
    "spike tagging",
    "unit support in tagging",
    "untagged feature",
    "tagged feature",
    "indexed feature",
    "sources",
    "image with metadata",
]


@pytest.fixture(scope="module")
def tutorial(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "tutorial.nix"
    demo.build_file(path)
    return path


def _command() -> list[str]:
    script = shutil.which("nixkit")
    return [script] if script else [sys.executable, "-c", "from nixkit.cli.main import main; main()"]


def test_nixkit_demo_end_to_end(tmp_path: Path) -> None:
    """The README's command: writes the file and figures, prints the tree and checks."""
    env = {**os.environ, "COLUMNS": "120"}
    out = subprocess.run([*_command(), "demo"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    assert (tmp_path / "nixkit-demo.nix").is_file()
    figures = sorted((tmp_path / "nixkit-demo_figures").glob("*.png"))
    assert len(figures) == 16
    for png in figures:
        with Image.open(png) as im:
            pixels = np.asarray(im.convert("RGB"), dtype=float)
        assert pixels.size > 0 and pixels.std() > 5, png.name
    text = out.stdout
    assert "19 of 19 checks passed" in text
    assert "validation: 0 error(s)" in text
    assert "Block 'tagged feature' [nix.session]" in text  # the tree
    assert "Traceback" not in out.stderr


def test_one_block_per_tutorial_section(tutorial: Path) -> None:
    with nix.File.open(str(tutorial), nix.FileMode.ReadOnly) as f:
        assert [b.name for b in f.blocks] == SECTIONS
        assert f.validate().ok


def test_all_checks_pass_reading_with_nixkit(tutorial: Path) -> None:
    checks = demo.check_file(tutorial)
    assert len(checks) == 19
    assert [c for c in checks if not c.ok] == []
    assert {c.section for c in checks} == set(SECTIONS)  # every section is checked


def test_nixio_reads_the_nixkit_file_and_agrees(tutorial: Path) -> None:
    """Written by nixkit, read by nixio 1.5.4: every tagged region and feature is the same."""
    checks = demo.check_file(tutorial, nix=nixio)
    assert [c for c in checks if not c.ok] == []
    g = nixio.File.open(str(tutorial), nixio.FileMode.ReadOnly)
    try:
        assert g.validate()["errors"] == {}
    finally:
        g.close()


def test_nixkit_reads_the_nixio_file_and_agrees(tmp_path: Path) -> None:
    """Written by nixio 1.5.4 with the same code, read by nixkit: the checks pass too."""
    path = tmp_path / "by_nixio.nix"
    demo.build_file(path, nix=nixio)
    assert [c for c in demo.check_file(path) if not c.ok] == []


def test_a_damaged_value_fails_its_check_and_the_demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "damaged.nix"
    build = demo.build_file

    def build_then_damage(target: Path, nix_module: object = None) -> None:
        build(target)
        with nix.File.open(str(target), nix.FileMode.ReadWrite) as f:
            f.blocks["single region"].data_arrays["image"][50, 60, 0] ^= 0xFF

    monkeypatch.setattr(demo, "build_file", build_then_damage)
    buf = io.StringIO()
    code = demo.run_demo(path, figures=False, console=Console(file=buf, width=200))
    assert code == 1
    assert re.search(r"single region .*tagged_data is the tagged image region .*FAILED values differ", buf.getvalue())
    assert "18 of 19 checks passed" in buf.getvalue()
    failed = [c for c in demo.check_file(path) if not c.ok]
    assert [c.section for c in failed] == ["single region"]


def test_validation_errors_fail_the_demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build = demo.build_file

    def build_with_error(target: Path, nix_module: object = None) -> None:
        build(target)
        with nix.File.open(str(target), nix.FileMode.ReadWrite) as f:
            da = f.blocks["working with files"].create_data_array("bad", "t", data=np.zeros((2, 2)))
            da.append_set_dimension()  # one descriptor for two axes

    monkeypatch.setattr(demo, "build_file", build_with_error)
    buf = io.StringIO()
    assert demo.run_demo(tmp_path / "invalid.nix", figures=False, console=Console(file=buf, width=200)) == 1
    assert "validation: 1 error(s)" in buf.getvalue()
    assert "19 of 19 checks passed" in buf.getvalue()


def test_synthetic_data_are_reproducible() -> None:
    np.testing.assert_array_equal(demo.synthetic_image(), demo.synthetic_image())
    assert demo.synthetic_image().std() > 30
    v1, s1 = demo.leaky_integrate_and_fire(np.full(5000, 30.0))
    v2, _s2 = demo.leaky_integrate_and_fire(np.full(5000, 30.0))
    np.testing.assert_array_equal(v1, v2)
    assert len(s1) > 5 and np.all(v1[s1] == 20.0)
