#!/usr/bin/env python
"""Irregularly sampled data: samples at arbitrary times, described by a RangeDimension
(tutorial section "Irregularly sampled data").

Writes irregular_data_example.nix and irregular_data_example.png into the current directory.
"""

import matplotlib.pyplot as plt
import numpy as np

import nixkit as nix

FILE_NAME = "irregular_data_example.nix"


def plot_data(data_array: nix.DataArray) -> None:
    """Plot the samples at their time stamps (the ticks of the range dimension)."""
    dim = data_array.dimensions[0]
    fig, ax = plt.subplots(figsize=(8, 4))
    ax.plot(dim.ticks, data_array[:], marker=".", label=data_array.name)
    ax.set_xlabel(f"{dim.label} [{dim.unit}]")
    ax.set_ylabel(f"{data_array.label} [{data_array.unit}]")
    ax.set_title(data_array.name)
    ax.legend(loc="upper right")
    fig.savefig("irregular_data_example.png", dpi=100)
    plt.close(fig)


def main() -> None:
    # 100 samples taken at random, sorted times within one second
    times = np.sort(np.random.default_rng(42).uniform(0.0, 1.0, 100))
    y = np.sin(2 * np.pi * 3 * times)

    with nix.File.open(FILE_NAME, nix.FileMode.Overwrite) as file:
        block = file.create_block("block name", "nix.session")
        data = block.create_data_array("sinewave", "nix.irregular_sampled", data=y)
        data.unit = "mV"
        data.label = "voltage"
        # add a descriptor for the x-axis: the time stamps of the samples
        dim = data.append_range_dimension(times)
        dim.unit = "s"
        dim.label = "time"

    with nix.File.open(FILE_NAME, nix.FileMode.ReadOnly) as file:
        plot_data(file.blocks["block name"].data_arrays["sinewave"])


if __name__ == "__main__":
    main()
