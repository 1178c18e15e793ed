#!/usr/bin/env python
"""Untagged feature: the stimulus trace linked to the epoch in which it was presented
(tutorial section "Untagged Feature").

A Tag marks the stimulus epoch in the recorded response; the stimulus itself, stored as
its own DataArray, is linked as an Untagged feature: the whole stimulus belongs to the
epoch, so ``feature_data`` returns all of it.

Writes untagged_feature.nix and untagged_feature.png into the current directory.
"""

import matplotlib.pyplot as plt
import numpy as np
from _lif import lif_response

import nixkit as nix

FILE_NAME = "untagged_feature.nix"


def main() -> None:
    dt = 1e-4
    time = np.arange(0.0, 1.0, dt)
    stim_onset, stim_duration = 0.3, 0.4
    stim = np.zeros(int(stim_duration / dt)) + 0.8  # a current step, in nA
    current = np.full(len(time), 0.6)
    first = int(round(stim_onset / dt))
    current[first : first + len(stim)] += stim
    response, _spikes = lif_response(current, dt=dt)

    with nix.File.open(FILE_NAME, nix.FileMode.Overwrite) as file:
        block = file.create_block("Recording", "nix.session")
        data = block.create_data_array("response", "nix.regular_sampled.time_series", data=response)
        data.unit = "mV"
        data.label = "membrane voltage"
        data.append_sampled_dimension(dt, label="time", unit="s")
        stim_array = block.create_data_array("stimulus", "nix.regular_sampled.time_series", data=stim)
        stim_array.unit = "nA"
        stim_array.label = "stimulus current"
        stim_array.append_sampled_dimension(dt, label="time", unit="s", offset=stim_onset)

        tag = block.create_tag("stimulus presentation", "nix.epoch.stimulus_presentation", [stim_onset])
        tag.extent = [stim_duration]
        tag.units = ["s"]
        tag.references.append(data)
        # set stimulus as untagged feature of the tag
        tag.create_feature(stim_array, nix.LinkType.Untagged)

    # let's plot the data from the stored information
    with nix.File.open(FILE_NAME, nix.FileMode.ReadOnly) as file:
        tag = file.blocks["Recording"].tags["stimulus presentation"]
        data = tag.references[0]
        stimulus = tag.features[0].data
        stim_values = tag.feature_data(0)[:]  # untagged: the whole stimulus
        stim_time = np.asarray(stimulus.dimensions[0].axis(stimulus.shape[0]))
        time = np.asarray(data.dimensions[0].axis(data.shape[0]))

        fig, (ax_r, ax_s) = plt.subplots(2, 1, sharex=True, figsize=(8, 5), gridspec_kw={"height_ratios": [2, 1]})
        ax_r.plot(time, data[:], color="dodgerblue")
        ax_r.axvspan(tag.position[0], tag.position[0] + tag.extent[0], color="orange", alpha=0.25, label=tag.name)
        ax_r.set_ylabel(f"{data.label} [{data.unit}]")
        ax_r.legend(loc="upper left")
        ax_s.plot(stim_time, stim_values, color="darkorange")
        ax_s.set_xlim(time[0], time[-1])
        ax_s.set_ylabel(f"{stimulus.label} [{stimulus.unit}]")
        ax_s.set_xlabel("time [s]")
        fig.tight_layout()
        fig.savefig("untagged_feature.png", dpi=90)
        plt.close(fig)


if __name__ == "__main__":
    main()
