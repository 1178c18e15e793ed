#!/usr/bin/env python
"""Tabular data: a DataFrame of typed, named columns with units (tutorial section
"Tabular data").

Writes dataframe_example.nix and dataframe_example.png into the current directory.
"""

import matplotlib.pyplot as plt
import numpy as np

import nixkit as nix

FILE_NAME = "dataframe_example.nix"


def main() -> None:
    columns = {"trial": np.int64, "condition": str, "onset": np.float64, "rate": np.float64}
    rows = [
        (1, "control", 0.5, 12.5),
        (2, "drug", 1.5, 20.25),
        (3, "control", 2.5, 11.0),
        (4, "drug", 3.5, 22.75),
        (5, "control", 4.5, 13.5),
        (6, "drug", 5.5, 19.0),
    ]

    with nix.File.open(FILE_NAME, nix.FileMode.Overwrite) as file:
        block = file.create_block("experiment", "nix.session")
        df = block.create_data_frame("trials", "nix.trials", col_dict=columns, data=rows)
        df.units = [None, None, "s", "Hz"]
        df.append_rows([(7, "control", 6.5, 12.0)])

    with nix.File.open(FILE_NAME, nix.FileMode.ReadOnly) as file:
        df = file.blocks["experiment"].data_frames["trials"]
        df.print_table()
        print("condition of trial 2:", df.read_cell(col_name="condition", row_idx=[1]))
        units = dict(zip(df.column_names, df.units, strict=True))
        onset = df.read_columns(name=["onset"])
        rate = df.read_columns(name=["rate"])
        condition = df.read_columns(name=["condition"])

        fig, ax = plt.subplots(figsize=(8, 4))
        for name, colour in (("control", "tab:blue"), ("drug", "tab:red")):
            chosen = np.asarray(condition) == name
            ax.plot(onset[chosen], rate[chosen], "o-", color=colour, label=name)
        ax.set_xlabel(f"onset [{units['onset']}]")
        ax.set_ylabel(f"rate [{units['rate']}]")
        ax.set_title(f"DataFrame {df.name!r}: {len(df)} rows")
        ax.legend()
        fig.savefig("dataframe_example.png", dpi=100)
        plt.close(fig)


if __name__ == "__main__":
    main()
