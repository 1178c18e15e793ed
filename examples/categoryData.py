#!/usr/bin/env python
"""Category data: one value per named category, described by a labelled SetDimension.

Writes category_data.nix and category_data.png into the current directory.
"""

import matplotlib.pyplot as plt
import numpy as np

import nixkit as nix

FILE_NAME = "category_data.nix"


def main() -> None:
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    temperatures = np.array([1.5, 2.4, 5.6, 9.8, 13.9, 17.1, 19.0, 18.6, 15.0, 10.3, 5.7, 2.6])

    with nix.File.open(FILE_NAME, nix.FileMode.Overwrite) as file:
        block = file.create_block("weather", "nix.analysis_session")
        data = block.create_data_array(
            "average temperature", "nix.categorical", data=temperatures, label="temperature", unit="degC"
        )
        dim = data.append_set_dimension(months)
        dim.label = "month"

    with nix.File.open(FILE_NAME, nix.FileMode.ReadOnly) as file:
        data = file.blocks["weather"].data_arrays["average temperature"]
        dim = data.dimensions[0]
        fig, ax = plt.subplots(figsize=(8, 4))
        ax.bar(range(len(dim.labels)), data[:], color="tab:orange")
        ax.set_xticks(range(len(dim.labels)), dim.labels)
        ax.set_xlabel(dim.label)
        ax.set_ylabel(f"{data.label} [{data.unit}]")
        ax.set_title(data.name)
        fig.savefig("category_data.png", dpi=100)
        plt.close(fig)


if __name__ == "__main__":
    main()
