"""Tiny model neuron and picture helpers for the tagging examples (numpy only, no download).

``lif_response`` integrates a leaky integrate-and-fire neuron driven by a stimulus plus
noise and returns its membrane potential and spike times; ``make_picture`` makes an RGB
image with a few bright shapes to tag.
"""

from __future__ import annotations

import numpy as np


def stimulus(duration: float = 1.0, dt: float = 1e-4, seed: int = 42) -> tuple[np.ndarray, np.ndarray]:
    """A slowly varying input current (nA): smoothed noise around a mean below threshold."""
    rng = np.random.default_rng(seed)
    time = np.arange(0.0, duration, dt)
    noise = rng.standard_normal(len(time))
    kernel = np.exp(-np.arange(0.0, 0.02, dt) / 0.005)
    smooth = np.convolve(noise, kernel / kernel.sum(), mode="same")
    return time, 0.8 + 15.0 * smooth


def lif_response(
    current: np.ndarray, dt: float = 1e-4, tau: float = 0.01, threshold: float = 1.0, seed: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """Membrane potential (mV) and spike times (s) of a leaky integrate-and-fire neuron.

    The potential relaxes to the input with time constant ``tau``; crossing ``threshold``
    emits a spike (drawn as a 20 mV peak) and resets the potential to 0.
    """
    rng = np.random.default_rng(seed)
    v = np.zeros(len(current))
    spikes = []
    noise = rng.standard_normal(len(current)) * np.sqrt(dt) * 0.5
    for i in range(1, len(current)):
        v[i] = v[i - 1] + dt / tau * (current[i - 1] - v[i - 1]) + noise[i]
        if v[i] >= threshold:
            spikes.append((i - 1) * dt)  # the time of the peak drawn below
            v[i - 1] = 20.0
            v[i] = 0.0
    voltage = -70.0 + 15.0 * v
    voltage[voltage > -40.0] = 20.0  # the spike peaks
    return voltage, np.asarray(spikes)


def make_picture(height: int = 512, width: int = 512) -> np.ndarray:
    """An 8-bit RGB picture: colour gradients with bright discs and a square to tag."""
    y, x = np.mgrid[0:height, 0:width]
    img = np.stack([x / width, y / height, 0.5 + 0.3 * np.sin(x / 17.0) * np.cos(y / 23.0)], axis=-1) * 0.6
    for cy, cx, r in ((265, 272, 20), (270, 335, 18), (352, 292, 16)):
        img[(y - cy) ** 2 + (x - cx) ** 2 < r**2] = (1.0, 0.9, 0.2)
    img[250:280, 250:350] += 0.25
    return np.clip(np.round(img * 255), 0, 255).astype(np.uint8)
