#!/usr/bin/env python
"""Tagging spikes in a membrane potential: a MultiTag whose positions are the spike times
(tutorial section "Tagging spikes in membrane potential").

The voltage of a model neuron (a leaky integrate-and-fire neuron, see ``_lif.py``) is a
regularly sampled DataArray; the detected spike times become the positions of a
MultiTag that references the voltage.

Writes spike_tagging.nix and spike_tagging.png into the current directory.
"""

import matplotlib.pyplot as plt
import numpy as np
from _lif import lif_response, stimulus

import nixkit as nix

FILE_NAME = "spike_tagging.nix"


def main() -> None:
    time, current = stimulus(duration=0.5)
    voltage, spike_times = lif_response(current)

    with nix.File.open(FILE_NAME, nix.FileMode.Overwrite) as file:
        block = file.create_block("Recording", "nix.session")
        data = block.create_data_array("membrane voltage", "nix.regular_sampled.time_series", data=voltage)
        data.label = "membrane voltage"
        data.unit = "mV"
        # add descriptors for time axis
        time_dim = data.append_sampled_dimension(time[1] - time[0])
        time_dim.label = "time"
        time_dim.unit = "s"
        # create the positions DataArray
        positions = block.create_data_array("times", "nix.positions", data=spike_times)
        positions.append_set_dimension()  # these can be empty
        # create a MultiTag
        multi_tag = block.create_multi_tag("spike times", "nix.events.spike_times", positions)
        multi_tag.units = ["s"]
        multi_tag.references.append(data)

    with nix.File.open(FILE_NAME, nix.FileMode.ReadOnly) as file:
        block = file.blocks["Recording"]
        multi_tag = block.multi_tags["spike times"]
        data = multi_tag.references[0]
        dim = data.dimensions[0]
        times = np.asarray(dim.axis(data.shape[0]))
        spikes = multi_tag.positions[:]
        # a point position selects the one sample at the spike
        peaks = [multi_tag.tagged_data(i, "membrane voltage")[0] for i in range(len(spikes))]

        fig, ax = plt.subplots(figsize=(9, 3.5))
        ax.plot(times, data[:], color="dodgerblue", label=data.name)
        ax.scatter(spikes, np.asarray(peaks) + 6, color="red", marker="v", label=multi_tag.name)
        ax.set_ylim(top=35)
        ax.set_xlabel(f"{dim.label} [{dim.unit}]")
        ax.set_ylabel(f"{data.label} [{data.unit}]")
        ax.set_title(f"{len(spikes)} spikes tagged")
        ax.legend(loc="lower right")
        fig.tight_layout()
        fig.savefig("spike_tagging.png", dpi=90)
        plt.close(fig)


if __name__ == "__main__":
    main()
