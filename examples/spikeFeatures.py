#!/usr/bin/env python
"""Indexed feature: one stimulus snippet per spike, for the spike-triggered average
(tutorial section "Indexed Feature").

The snippets are cut out of the stimulus and stored as a 2-D DataArray (one row per
spike). Linked as an Indexed feature, row ``i`` belongs to position ``i`` of the
MultiTag: ``feature_data(i, 0)`` is the snippet of spike ``i``.

Writes spike_features.nix and spike_features.png into the current directory.
"""

import matplotlib.pyplot as plt
import numpy as np
from _lif import lif_response, stimulus

import nixkit as nix

FILE_NAME = "spike_features.nix"


def main() -> None:
    time, stim = stimulus(duration=1.0)
    stepsize = time[1] - time[0]
    response, spike_times = lif_response(stim, dt=stepsize)
    sta_offset = 100  # samples before the spike
    length = 150
    indices = np.round(spike_times / stepsize).astype(int)
    indices = indices[(indices >= sta_offset) & (indices - sta_offset + length <= len(stim))]
    snippet_data = np.stack([stim[i - sta_offset : i - sta_offset + length] for i in indices])

    with nix.File.open(FILE_NAME, nix.FileMode.Overwrite) as file:
        block = file.create_block("Recording", "nix.session")
        data = block.create_data_array("membrane voltage", "nix.regular_sampled.time_series", data=response)
        data.unit = "mV"
        data.label = "membrane voltage"
        data.append_sampled_dimension(stepsize, label="time", unit="s")
        positions = block.create_data_array("spike times", "nix.positions", data=indices * stepsize)
        positions.append_set_dimension()
        multi_tag = block.create_multi_tag("spike times", "nix.events.spike_times", positions)
        multi_tag.units = ["s"]
        multi_tag.references.append(data)

        snippets = block.create_data_array("spike triggered stimulus", "nix.regular_sampled.multiple_series",
                                           data=snippet_data)
        snippets.label = "stimulus"
        snippets.unit = "nA"
        snippets.append_set_dimension()
        # add a descriptor for the time axis
        dim = snippets.append_sampled_dimension(stepsize)
        dim.unit = "s"
        dim.label = "time"
        dim.offset = -sta_offset * stepsize
        # set snippets as an indexed feature of the multi_tag
        multi_tag.create_feature(snippets, nix.LinkType.Indexed)

    # let's plot the data from the stored information
    with nix.File.open(FILE_NAME, nix.FileMode.ReadOnly) as file:
        multi_tag = file.blocks["Recording"].multi_tags["spike times"]
        snippets = multi_tag.features[0].data
        dim = snippets.dimensions[1]
        lags = np.asarray(dim.axis(snippets.shape[1])) * 1000.0
        all_snippets = snippets[:]
        single_snippet = multi_tag.feature_data(3, 0)[:]

        fig, ax = plt.subplots(figsize=(7, 4))
        ax.plot(lags, all_snippets.T, color="gray", alpha=0.25, linewidth=0.7)
        ax.plot(lags, single_snippet[0], color="navy", linewidth=1.5, label="snippet of spike 3")
        ax.plot(lags, all_snippets.mean(axis=0), color="crimson", linewidth=2.5, label="spike-triggered average")
        ax.axvline(0.0, color="k", linestyle=":")
        ax.set_xlabel("time relative to spike [ms]")
        ax.set_ylabel(f"{snippets.label} [{snippets.unit}]")
        ax.set_title(f"{snippets.shape[0]} indexed stimulus snippets")
        ax.legend(loc="lower left")
        fig.tight_layout()
        fig.savefig("spike_features.png", dpi=90)
        plt.close(fig)


if __name__ == "__main__":
    main()
