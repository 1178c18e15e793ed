"""Pictures of NIX data with matplotlib, labelled from the dimension descriptors.

matplotlib is imported only when a function here is called, so ``import nixkit`` stays
light. Every function takes an optional ``ax`` and returns the Axes it drew into.
"""

from __future__ import annotations

from nixkit.plot.data_array import plot_data_array
from nixkit.plot.tags import plot_multi_tag, plot_tag

__all__ = ["plot_data_array", "plot_multi_tag", "plot_tag"]
