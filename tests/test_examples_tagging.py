"""The tagging examples run headless, save real figures, and nixio reads their tags alike."""

from __future__ import annotations

import os
import runpy
import sys
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import nixio
import numpy as np
import pytest
from PIL import Image

import nixkit as nix

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
# One script per tagging section of the tutorial.
TAGGING_SCRIPTS = {
    "singleROI": "single_roi",  # Single point or region
    "multipleROIs": "multiple_rois",  # Multiple points or regions
    "spikeTagging": "spike_tagging",  # Tagging spikes in membrane potential
    "retrieveTaggedRegions": "retrieve_regions",  # Retrieving tagged regions
    "tagUnits": "tag_units",  # Unit support in tagging
    "untaggedFeature": "untagged_feature",  # Untagged Feature
    "taggedFeature": "tagged_feature",  # Tagged Feature
    "spikeFeatures": "spike_features",  # Indexed Feature
    "retrieveFeatureData": "retrieve_feature_data",  # Retrieving feature data
}


def _tag_contents(module: Any, path: Path) -> list[Any]:
    """Tagged and feature data of every tag (first five positions of multi-tags)."""
    out: list[Any] = []
    f = module.File.open(str(path), module.FileMode.ReadOnly)
    for block in f.blocks:
        for tag in block.tags:
            out += [np.asarray(tag.tagged_data(r)[:]) for r in range(len(tag.references))]
            out += [np.asarray(tag.feature_data(i)[:]) for i in range(len(tag.features))]
        for mt in block.multi_tags:
            for p in range(min(5, mt.positions.shape[0])):
                out += [np.asarray(mt.tagged_data(p, r)[:]) for r in range(len(mt.references))]
                out += [np.asarray(mt.feature_data(p, i)[:]) for i in range(len(mt.features))]
    f.close()
    return out


@pytest.mark.parametrize("script", sorted(TAGGING_SCRIPTS), ids=sorted(TAGGING_SCRIPTS))
def test_tagging_example(script: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.syspath_prepend(str(EXAMPLES))
    monkeypatch.setattr(sys, "argv", [script])
    try:
        runpy.run_path(str(EXAMPLES / f"{script}.py"), run_name="__main__")
    finally:
        plt.close("all")
    stem = TAGGING_SCRIPTS[script]
    png, nix_file = tmp_path / f"{stem}.png", tmp_path / f"{stem}.nix"
    assert png.is_file() and nix_file.is_file(), os.listdir(tmp_path)
    with Image.open(png) as im:
        assert im.format == "PNG"
        pixels = np.asarray(im.convert("RGB"), dtype=float)
    assert min(pixels.shape[:2]) > 200
    assert pixels.std() > 10, "the figure is blank"
    assert len(np.unique(pixels.reshape(-1, 3), axis=0)) > 20, "the figure has hardly any content"
    ours, theirs = _tag_contents(nix, nix_file), _tag_contents(nixio, nix_file)
    assert ours, "the example tagged nothing"
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_array_equal(a, b)


def test_every_tagging_section_has_a_script() -> None:
    present = {p.stem for p in EXAMPLES.glob("*.py")}
    assert set(TAGGING_SCRIPTS) <= present
    assert "_lif" in present  # the model neuron the examples share (no scipy, no network)
