#!/usr/bin/env python
"""A regularly sampled signal: a sine wave with a SampledDimension (tutorial section
"Regularly sampled data").

Writes regular_data_example.nix and regular_data_example.png into the current directory.
"""

import matplotlib.pyplot as plt
import numpy as np

import nixkit as nix

FILE_NAME = "regular_data_example.nix"


def plot_data(data_array: nix.DataArray) -> None:
    """Plot a 1-D sampled signal, labelling the axes from the stored metadata."""
    dim = data_array.dimensions[0]
    x = dim.axis(data_array.shape[0])
    fig, ax = plt.subplots(figsize=(8, 4))
    ax.plot(x, data_array[:], label=data_array.name)
    ax.set_xlabel(f"{dim.label} [{dim.unit}]")
    ax.set_ylabel(f"{data_array.label} [{data_array.unit}]")
    ax.set_title(data_array.name)
    ax.legend(loc="upper right")
    fig.savefig("regular_data_example.png", dpi=100)
    plt.close(fig)


def main() -> None:
    # a 5 Hz sine wave sampled at 1 kHz
    stepsize = 0.001
    x = np.arange(0, 1, stepsize)
    y = np.sin(2 * np.pi * 5 * x)

    with nix.File.open(FILE_NAME, nix.FileMode.Overwrite) as file:
        # create a 'Block' that represents a grouping object. Here, the recording session.
        block = file.create_block("block name", "nix.session")
        # create a 'DataArray' to take the sinewave, add some information about the signal
        data = block.create_data_array("sinewave", "nix.regular_sampled", data=y)
        data.unit = "mV"
        data.label = "voltage"
        # add a descriptor for the x-axis
        dim = data.append_sampled_dimension(stepsize)
        dim.unit = "s"
        dim.label = "time"
        dim.offset = 0.0  # optional

    # read it back and plot it
    with nix.File.open(FILE_NAME, nix.FileMode.ReadOnly) as file:
        plot_data(file.blocks["block name"].data_arrays["sinewave"])


if __name__ == "__main__":
    main()
