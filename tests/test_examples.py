"""Every tutorial example in ``examples/`` runs headless, writes its NIX file and a real figure."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import nixio
import numpy as np
import pytest
from PIL import Image

import nixkit as nix

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SCRIPTS = sorted(p for p in EXAMPLES.glob("*.py") if not p.name.startswith("_"))


# The data-section examples; their files must also pass validation without errors. (The
# tagging examples follow the tutorial, whose region tags carry no units, which the
# validator reports as ReferenceUnitsMismatch as nixio's does.)
DATA_EXAMPLES = {
    "fileCreate",
    "regularlySampledData",
    "irregularlySampledData",
    "eventData",
    "multipleTimeSeries",
    "imageData",
    "categoryData",
    "tabulardata",
    "continuousRecording",
    "sources",
    "imageWithMetadata",
}


def test_the_tutorial_sections_have_examples() -> None:
    assert {p.stem for p in SCRIPTS} >= DATA_EXAMPLES


@pytest.mark.parametrize("script", SCRIPTS, ids=[p.stem for p in SCRIPTS])
def test_example_runs_and_draws(script: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(EXAMPLES))  # for helper modules such as _lif
    monkeypatch.setattr(sys, "argv", [str(script)])
    try:
        runpy.run_path(str(script), run_name="__main__")
    finally:
        plt.close("all")
    figures = sorted(tmp_path.glob("*.png"))
    files = sorted(tmp_path.glob("*.nix"))
    assert figures, "no figure saved"
    assert files, "no NIX file written"
    for png in figures:
        with Image.open(png) as im:
            pixels = np.asarray(im.convert("RGB"), dtype=float)
        assert min(pixels.shape[:2]) > 100, png.name
        assert pixels.std() > 5, f"{png.name} is blank"
    for path in files:
        with nix.File.open(str(path), nix.FileMode.ReadOnly) as f:
            report = f.validate()
            assert report.ok or script.stem not in DATA_EXAMPLES, report.to_text()
        g = nixio.File.open(str(path), nixio.FileMode.ReadOnly)  # nixio reads what the example wrote
        try:
            assert len(g.blocks) >= 1
        finally:
            g.close()
