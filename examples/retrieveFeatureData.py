#!/usr/bin/env python
"""Retrieving feature data: all of it through the Feature, or the part of one position
through ``retrieve_feature_data`` (tutorial section "Retrieving feature data").

A MultiTag on the spikes of a model neuron carries three features: the whole stimulus
(Untagged), the stimulus around each spike (Tagged, using the spike windows), and the
peak voltage of each spike (Indexed).

Writes retrieve_feature_data.nix and retrieve_feature_data.png into the current directory.
"""

import matplotlib.pyplot as plt
import numpy as np
from _lif import lif_response, stimulus

import nixkit as nix

FILE_NAME = "retrieve_feature_data.nix"


def main() -> None:
    time, stim = stimulus(duration=0.5)
    dt = time[1] - time[0]
    response, spike_times = lif_response(stim, dt=dt)
    starts = spike_times - 0.005
    keep = (starts >= 0) & (starts + 0.01 < time[-1])
    starts = starts[keep]
    peaks = response[np.round(spike_times[keep] / dt).astype(int)]

    with nix.File.open(FILE_NAME, nix.FileMode.Overwrite) as file:
        block = file.create_block("Recording", "nix.session")
        data = block.create_data_array("membrane voltage", "nix.regular_sampled.time_series", data=response)
        data.unit = "mV"
        data.append_sampled_dimension(dt, label="time", unit="s")
        stim_array = block.create_data_array("stimulus", "nix.regular_sampled.time_series", data=stim)
        stim_array.unit = "nA"
        stim_array.label = "stimulus"
        stim_array.append_sampled_dimension(dt, label="time", unit="s")
        peak_array = block.create_data_array("spike peaks", "nix.feature", data=peaks)
        peak_array.unit = "mV"
        peak_array.append_set_dimension()

        tag = block.create_multi_tag("spikes", "nix.events.spike_windows", starts.reshape(-1, 1),
                                     np.full((len(starts), 1), 0.01))
        tag.units = ["s"]
        tag.references.append(data)
        tag.create_feature(stim_array, nix.LinkType.Untagged)
        tag.create_feature(stim_array, nix.LinkType.Tagged)
        tag.create_feature(peak_array, nix.LinkType.Indexed)

    with nix.File.open(FILE_NAME, nix.FileMode.ReadOnly) as file:
        tag = file.blocks["Recording"].multi_tags["spikes"]
        whole_stimulus = tag.features[0].data[:]  # (i) everything, through the feature
        single_snippet = tag.retrieve_feature_data(3, 1)[:]  # (ii) position 3, feature 1
        peak_of_3 = tag.retrieve_feature_data(3, "spike peaks")[:]
        print(f"stimulus: {whole_stimulus.shape}, snippet of spike 3: {single_snippet.shape}, peak: {peak_of_3}")

        fig, (ax_all, ax_one) = plt.subplots(1, 2, figsize=(10, 3.8), gridspec_kw={"width_ratios": [2, 1]})
        ax_all.plot(time, whole_stimulus, color="darkorange", label="untagged: whole stimulus")
        start = tag.positions[3][0]
        ax_all.axvspan(start, start + tag.extents[3][0], color="navy", alpha=0.3, label="window of spike 3")
        ax_all.set_xlabel("time [s]")
        ax_all.set_ylabel("stimulus [nA]")
        ax_all.legend(loc="upper right", fontsize=8)
        ax_one.plot((np.arange(len(single_snippet)) * dt - 0.005) * 1000.0, single_snippet, color="navy")
        ax_one.set_xlabel("time relative to spike 3 [ms]")
        ax_one.set_title(f"tagged feature; indexed peak {peak_of_3[0]:.0f} mV", fontsize=9)
        fig.tight_layout()
        fig.savefig("retrieve_feature_data.png", dpi=90)
        plt.close(fig)


if __name__ == "__main__":
    main()
