#!/usr/bin/env python
"""Tagged feature: the spike times also apply to the stimulus that caused them (tutorial
section "Tagged Feature").

A MultiTag marks a short window around each spike of the response. The stimulus is
linked as a Tagged feature, so each position and extent select the matching window of
the stimulus too: ``feature_data(i, "stimulus")`` is the stimulus around spike ``i``.

Writes tagged_feature.nix and tagged_feature.png into the current directory.
"""

import matplotlib.pyplot as plt
import numpy as np
from _lif import lif_response, stimulus

import nixkit as nix

FILE_NAME = "tagged_feature.nix"


def main() -> None:
    time, stim = stimulus(duration=1.0)
    stepsize = time[1] - time[0]
    response, spike_times = lif_response(stim, dt=stepsize)
    before, window = 0.01, 0.012

    with nix.File.open(FILE_NAME, nix.FileMode.Overwrite) as file:
        block = file.create_block("Recording", "nix.session")
        data = block.create_data_array("membrane voltage", "nix.regular_sampled.time_series", data=response)
        data.unit = "mV"
        data.label = "membrane voltage"
        data.append_sampled_dimension(stepsize, label="time", unit="s")
        # keep the spikes whose window lies inside the recording
        starts = spike_times - before
        starts = starts[(starts >= 0) & (starts + window < time[-1])]
        positions = block.create_data_array("spike windows", "nix.positions", data=starts)
        positions.append_set_dimension()
        extents = block.create_data_array("spike window sizes", "nix.extents", data=np.full(len(starts), window))
        extents.append_set_dimension()
        multi_tag = block.create_multi_tag("spike windows", "nix.events.spike_windows", positions)
        multi_tag.extents = extents
        multi_tag.units = ["s"]
        multi_tag.references.append(data)

        stimulus_array = block.create_data_array("stimulus", "nix.regular_sampled", data=stim)
        stimulus_array.label = "stimulus"
        stimulus_array.unit = "nA"
        # add a descriptor for the time axis
        dim = stimulus_array.append_sampled_dimension(stepsize)
        dim.unit = "s"
        dim.label = "time"
        # set stimulus as a tagged feature of the multi_tag
        multi_tag.create_feature(stimulus_array, nix.LinkType.Tagged)

    # let's plot the data from the stored information
    with nix.File.open(FILE_NAME, nix.FileMode.ReadOnly) as file:
        multi_tag = file.blocks["Recording"].multi_tags["spike windows"]
        stimulus_array = multi_tag.features[0].data
        count = multi_tag.positions.shape[0]
        snippets = [multi_tag.feature_data(i, "stimulus")[:] for i in range(count)]
        length = min(len(s) for s in snippets)
        snippets = np.stack([s[:length] for s in snippets])
        lags = (np.arange(length) * stepsize - before) * 1000.0

        fig, ax = plt.subplots(figsize=(7, 4))
        ax.plot(lags, snippets.T, color="gray", alpha=0.3, linewidth=0.7)
        ax.plot(lags, snippets.mean(axis=0), color="crimson", linewidth=2.5, label="spike-triggered average")
        ax.axvline(0.0, color="k", linestyle=":")
        ax.set_xlabel("time relative to spike [ms]")
        ax.set_ylabel(f"{stimulus_array.label} [{stimulus_array.unit}]")
        ax.set_title(f"stimulus around {count} spikes (tagged feature)")
        ax.legend(loc="lower left")
        fig.tight_layout()
        fig.savefig("tagged_feature.png", dpi=90)
        plt.close(fig)


if __name__ == "__main__":
    main()
