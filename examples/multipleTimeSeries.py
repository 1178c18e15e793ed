#!/usr/bin/env python
"""Series of signals: several signals of the same length in one 2-D DataArray, a
SetDimension naming them and a SampledDimension for time (tutorial section "Series of
signals").

Writes multiple_time_series.nix and multiple_time_series.png into the current directory.
"""

import matplotlib.pyplot as plt
import numpy as np

import nixkit as nix

FILE_NAME = "multiple_time_series.nix"


def plot_data(data_array: nix.DataArray) -> None:
    """One line per entry of the set dimension, over the sampled time axis."""
    set_dim, time_dim = data_array.dimensions
    # nixio 1.5.4 drops offset=0.0, so this sum failed there with None; nixkit stores the offset
    x = time_dim.offset + np.arange(data_array.shape[1]) * time_dim.sampling_interval
    fig, ax = plt.subplots(figsize=(8, 4))
    for label, signal in zip(set_dim.labels, data_array[:], strict=True):
        ax.plot(x, signal, label=label)
    ax.set_xlabel(f"{time_dim.label} [{time_dim.unit}]")
    ax.set_ylabel(f"{data_array.label} [{data_array.unit}]")
    ax.set_title(data_array.name)
    ax.legend(loc="upper right")
    fig.savefig("multiple_time_series.png", dpi=100)
    plt.close(fig)


def main() -> None:
    stepsize = 0.001
    t = np.arange(0, 1, stepsize)
    sine = np.sin(2 * np.pi * 2 * t)
    cosine = np.cos(2 * np.pi * 2 * t)

    with nix.File.open(FILE_NAME, nix.FileMode.Overwrite) as file:
        block = file.create_block("block name", "nix.session")
        y = np.vstack((sine, cosine))
        data = block.create_data_array("waveforms", "nix.regular_sampled.multiple_series", data=y)
        data.unit = "mV"
        data.label = "voltage"
        # descriptor for the first dimension is a set
        set_dim = data.append_set_dimension()
        set_dim.labels = ["sin", "cos"]
        # add a descriptor for the x-axis
        dim = data.append_sampled_dimension(stepsize, offset=0.0)
        dim.unit = "s"
        dim.label = "time"

    with nix.File.open(FILE_NAME, nix.FileMode.ReadOnly) as file:
        plot_data(file.blocks["block name"].data_arrays["waveforms"])


if __name__ == "__main__":
    main()
