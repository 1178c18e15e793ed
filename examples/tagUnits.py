#!/usr/bin/env python
"""Unit support in tagging: positions and extents in other units than the data (tutorial
section "Unit support in tagging").

The recording's time axis is in seconds; one tag gives its region in milliseconds, one in
seconds, and a multi-tag in microseconds. nixkit converts between the units (SI
prefixes directly, other units such as minutes through pint), so all select the same
samples. A unit that does not convert (volts against seconds) raises
IncompatibleDimensions naming both units.

Writes tag_units.nix and tag_units.png into the current directory.
"""

import matplotlib.pyplot as plt
import numpy as np
from _lif import lif_response, stimulus

import nixkit as nix

FILE_NAME = "tag_units.nix"


def main() -> None:
    time, current = stimulus(duration=0.3)
    voltage, _spikes = lif_response(current)

    with nix.File.open(FILE_NAME, nix.FileMode.Overwrite) as file:
        block = file.create_block("Recording", "nix.session")
        data = block.create_data_array("membrane voltage", "nix.regular_sampled.time_series", data=voltage)
        data.unit = "mV"
        data.label = "membrane voltage"
        data.append_sampled_dimension(time[1] - time[0], label="time", unit="s")

        in_ms = block.create_tag("epoch in ms", "nix.epoch", [100.0])
        in_ms.extent = [50.0]
        in_ms.units = ["ms"]
        in_s = block.create_tag("epoch in s", "nix.epoch", [0.1])
        in_s.extent = [0.05]
        in_s.units = ["s"]
        in_us = block.create_multi_tag("epochs in us", "nix.epoch", [[20_000.0], [200_000.0]])
        in_us.extents = block.create_data_array("epochs in us extents", "nix.extents", data=[[30_000.0], [60_000.0]])
        in_us.extents.append_set_dimension()
        in_us.extents.append_set_dimension()
        in_us.units = ["us"]
        for tag in (in_ms, in_s, in_us):
            tag.references.append(data)

    with nix.File.open(FILE_NAME, nix.FileMode.ReadOnly) as file:
        block = file.blocks["Recording"]
        data = block.data_arrays["membrane voltage"]
        times = np.asarray(data.dimensions[0].axis(data.shape[0]))
        ms_region = block.tags["epoch in ms"].tagged_data(0)
        s_region = block.tags["epoch in s"].tagged_data(0)
        assert np.array_equal(ms_region[:], s_region[:])
        print(f"'epoch in ms' and 'epoch in s' select the same {ms_region.shape[0]} samples")

        fig, ax = plt.subplots(figsize=(9, 3.5))
        ax.plot(times, data[:], color="lightgray", label=data.name)
        first = ms_region.slices[0].start
        ax.plot(times[first : first + ms_region.shape[0]], ms_region[:], color="crimson", label="tag in ms")
        multi = block.multi_tags["epochs in us"]
        for i in range(multi.positions.shape[0]):
            view = multi.tagged_data(i, 0)
            start = view.slices[0].start
            ax.plot(times[start : start + view.shape[0]], view[:], color="navy", label="multi-tag in us" if i == 0 else None)
        ax.set_xlabel("time [s]")
        ax.set_ylabel(f"{data.label} [{data.unit}]")
        ax.legend(loc="upper right")
        ax.set_title("regions given in ms, s and us select the same samples")
        fig.tight_layout()
        fig.savefig("tag_units.png", dpi=90)
        plt.close(fig)


if __name__ == "__main__":
    main()
