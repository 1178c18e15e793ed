#!/usr/bin/env python
"""Continuous recording: data arriving in chunks are appended to a compressed DataArray
(tutorial section "Continuous recording").

Writes continuous_recording.nix and continuous_recording.png into the current directory.
"""

import matplotlib.pyplot as plt
import numpy as np

import nixkit as nix

FILE_NAME = "continuous_recording.nix"
SAMPLING_RATE = 20000.0  # Hz
CHUNK = 2000  # samples per channel and chunk
CHANNELS = 3


def record_chunk(index: int, rng: np.random.Generator) -> np.ndarray:
    """Fake acquisition: one chunk of samples x channels."""
    t = (np.arange(CHUNK) + index * CHUNK) / SAMPLING_RATE
    freqs = np.array([5.0, 11.0, 23.0])
    return np.sin(2 * np.pi * np.outer(t, freqs)) + rng.normal(0, 0.05, (CHUNK, CHANNELS))


def main() -> None:
    rng = np.random.default_rng(3)
    # compression set on the file applies to every data array created through it
    with nix.File.open(FILE_NAME, nix.FileMode.Overwrite, compression=nix.Compression.DeflateNormal) as file:
        block = file.create_block("session", "nix.recording")
        data = block.create_data_array("recording", "nix.regular_sampled.multiple_series", data=record_chunk(0, rng))
        data.unit = "mV"
        data.label = "voltage"
        time_dim = data.append_sampled_dimension(1 / SAMPLING_RATE, label="time", unit="s")
        time_dim.offset = 0.0
        data.append_set_dimension([f"channel {i}" for i in range(1, CHANNELS + 1)])
        for i in range(1, 50):
            data.append(record_chunk(i, rng), axis=0)
        print(f"recorded {data.shape[0]} samples of {data.shape[1]} channels")

    with nix.File.open(FILE_NAME, nix.FileMode.ReadOnly) as file:
        data = file.blocks["session"].data_arrays["recording"]
        time_dim, channel_dim = data.dimensions
        # read the last half second only
        count = int(0.5 * SAMPLING_RATE)
        start = data.shape[0] - count
        x = time_dim.axis(count, start=start)
        fig, ax = plt.subplots(figsize=(8, 4))
        for i, label in enumerate(channel_dim.labels):
            ax.plot(x, data[start:, i] + 2.5 * i, lw=0.8, label=label)
        ax.set_xlabel(f"{time_dim.label} [{time_dim.unit}]")
        ax.set_ylabel(f"{data.label} [{data.unit}] (offset per channel)")
        ax.set_title(f"last 0.5 s of {data.shape[0] / SAMPLING_RATE:.0f} s recorded in chunks")
        ax.legend(loc="upper right")
        fig.savefig("continuous_recording.png", dpi=100)
        plt.close(fig)


if __name__ == "__main__":
    main()
