#!/usr/bin/env python
"""Retrieving tagged regions: the data of every spike window of a MultiTag (tutorial
section "Retrieving tagged regions").

Each spike gets a window of 15 ms starting 5 ms before the spike (positions and extents
as DataArrays). ``tagged_data(i, ref)`` returns the window of spike ``i`` as a lazy view;
``tagged_data_all(ref)`` (a nixkit addition) returns all windows in one call, reading
positions and extents once, and ``np.stack`` turns the equal windows into one array.

Writes retrieve_regions.nix and retrieve_regions.png into the current directory.
"""

import matplotlib.pyplot as plt
import numpy as np
from _lif import lif_response, stimulus

import nixkit as nix

FILE_NAME = "retrieve_regions.nix"


def main() -> None:
    time, current = stimulus(duration=1.0)
    voltage, spike_times = lif_response(current)
    interval = time[1] - time[0]

    with nix.File.open(FILE_NAME, nix.FileMode.Overwrite) as file:
        block = file.create_block("Recording", "nix.session")
        data = block.create_data_array("membrane voltage", "nix.regular_sampled.time_series", data=voltage)
        data.label = "membrane voltage"
        data.unit = "mV"
        data.append_sampled_dimension(interval, label="time", unit="s")
        starts = block.create_data_array("window starts", "nix.positions", data=spike_times - 0.005)
        starts.append_set_dimension()
        widths = block.create_data_array("window widths", "nix.extents", data=np.full(len(spike_times), 0.015))
        widths.append_set_dimension()
        windows = block.create_multi_tag("spike windows", "nix.epochs", starts)
        windows.extents = widths
        windows.units = ["s"]
        windows.references.append(data)

    with nix.File.open(FILE_NAME, nix.FileMode.ReadOnly) as file:
        windows = file.blocks["Recording"].multi_tags["spike windows"]
        first = windows.tagged_data(0, "membrane voltage")
        print(f"window 0: {first.shape[0]} samples, valid: {first.valid}")
        segments = windows.tagged_data_all("membrane voltage", clip=True)
        full = np.stack([s for s in segments if len(s) == len(segments[0])])
        lags = (np.arange(full.shape[1]) * interval - 0.005) * 1000.0

        fig, ax = plt.subplots(figsize=(7, 4))
        ax.plot(lags, full.T, color="gray", alpha=0.4, linewidth=0.8)
        ax.plot(lags, full.mean(axis=0), color="crimson", linewidth=2, label="mean")
        ax.set_xlabel("time relative to spike [ms]")
        ax.set_ylabel("membrane voltage [mV]")
        ax.set_title(f"{len(full)} tagged spike windows")
        ax.legend()
        fig.tight_layout()
        fig.savefig("retrieve_regions.png", dpi=90)
        plt.close(fig)


if __name__ == "__main__":
    main()
