"""Axis labels and coordinates taken from NIX dimension descriptors."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["axis_label", "axis_values", "value_label", "with_unit"]


def with_unit(text: str, unit: str | None) -> str:
    """``"time [s]"`` from ``"time"`` and ``"s"``; the bare text without a unit."""
    return f"{text} [{unit}]" if unit else text


def axis_label(dim: Any) -> str:
    """The label of the axis a dimension describes, with its unit."""
    label = dim.label or f"dimension {dim.index}"
    return with_unit(label, getattr(dim, "unit", None))


def value_label(da: Any) -> str:
    """The label of a DataArray's values: its label (or name) and unit."""
    return with_unit(da.label or da.name, da.unit)


def axis_values(dim: Any, count: int) -> np.ndarray[Any, Any]:
    """Positions of the first ``count`` samples along a dimension.

    Sampled dimensions give ``offset + i * interval``, range dimensions their ticks,
    and set dimensions (or a range dimension with too few ticks) the indices.
    """
    kind = type(dim).__name__
    if kind == "SampledDimension":
        return np.asarray(dim.axis(count), dtype=float)
    if kind == "RangeDimension":
        ticks = np.asarray(dim.ticks, dtype=float)
        if len(ticks) >= count:
            return ticks[:count]
    return np.arange(count, dtype=float)
