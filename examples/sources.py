#!/usr/bin/env python
"""Storing the origin of data: nested Sources (subject, brain region, cells) linked to
the data they produced (tutorial section "Storing the origin of data").

Writes sources.nix and sources.png into the current directory.
"""

import matplotlib.pyplot as plt
import numpy as np

import nixkit as nix

FILE_NAME = "sources.nix"
STEPSIZE = 0.0005


def fake_response(rng: np.random.Generator, rate: float) -> np.ndarray:
    """A membrane potential trace with spikes at random times."""
    v = -65.0 + rng.normal(0, 1.0, 4000).cumsum() * 0.05
    spikes = rng.random(4000) < rate * STEPSIZE
    v[spikes] = 20.0
    return v


def main() -> None:
    rng = np.random.default_rng(11)
    with nix.File.open(FILE_NAME, nix.FileMode.Overwrite) as file:
        block = file.create_block("recording session", "nix.session")
        # create some source entities
        subject = block.create_source("mouse A", "nix.experimental_subject")
        brain_region = subject.create_source("hippocampus", "nix.brain_region")
        cell_1 = brain_region.create_source("CA1 1", "nix.cell")
        cell_2 = brain_region.create_source("CA1 2", "nix.cell")
        # add them to the data
        for i, cell in enumerate((cell_1, cell_2), start=1):
            da = block.create_data_array(f"cell{i} response", "nix.regular_sampled", data=fake_response(rng, 10.0 * i))
            da.unit = "mV"
            da.label = "membrane voltage"
            da.append_sampled_dimension(STEPSIZE, label="time", unit="s")
            da.sources.append(cell)

    with nix.File.open(FILE_NAME, nix.FileMode.ReadOnly) as file:
        block = file.blocks["recording session"]
        cells = block.find_sources(lambda s: s.type == "nix.cell")
        fig, axes = plt.subplots(len(cells), 1, figsize=(8, 5), sharex=True)
        for ax, cell in zip(axes, cells, strict=True):
            path = [cell.name]
            parent = cell.parent_source
            while parent is not None:
                path.insert(0, parent.name)
                parent = parent.parent_source
            for da in cell.referring_data_arrays:
                dim = da.dimensions[0]
                ax.plot(dim.axis(da.shape[0]), da[:], lw=0.8)
                ax.set_ylabel(f"{da.label} [{da.unit}]", fontsize="small")
                ax.set_title(f"{da.name}, from {' / '.join(path)}", fontsize="medium")
        axes[-1].set_xlabel(f"{dim.label} [{dim.unit}]")
        fig.tight_layout()
        fig.savefig("sources.png", dpi=100)
        plt.close(fig)


if __name__ == "__main__":
    main()
