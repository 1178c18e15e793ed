#!/usr/bin/env python
"""Event data: spike times stored as values whose own time axis they are (tutorial
section "Event data").

The times go into a 1-D DataArray; a RangeDimension linked to the array itself
(``append_range_dimension_using_self``) says that its values are positions in time.

Writes event_data_example.nix and event_data_example.png into the current directory.
"""

import matplotlib.pyplot as plt
import numpy as np

import nixkit as nix

FILE_NAME = "event_data_example.nix"


def main() -> None:
    rng = np.random.default_rng(7)
    trials = [np.sort(rng.uniform(0.0, 2.0, rng.integers(15, 30))) for _ in range(5)]

    with nix.File.open(FILE_NAME, nix.FileMode.Overwrite) as file:
        block = file.create_block("spike trains", "nix.session")
        for i, times in enumerate(trials, start=1):
            spikes = block.create_data_array(f"trial {i}", "nix.events.spike_times", data=times)
            spikes.unit = "s"
            spikes.label = "time"
            spikes.append_range_dimension_using_self()

    with nix.File.open(FILE_NAME, nix.FileMode.ReadOnly) as file:
        arrays = list(file.blocks["spike trains"].data_arrays)
        dim = arrays[0].dimensions[0]
        fig, ax = plt.subplots(figsize=(8, 3.5))
        ax.eventplot([dim.ticks for dim in (a.dimensions[0] for a in arrays)], colors="k", linelengths=0.8)
        ax.set_yticks(range(len(arrays)), [a.name for a in arrays])
        ax.set_xlabel(f"{dim.label} [{dim.unit}]")
        ax.set_title("spike times as event data")
        fig.savefig("event_data_example.png", dpi=100, bbox_inches="tight")
        plt.close(fig)


if __name__ == "__main__":
    main()
