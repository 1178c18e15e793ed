"""Drawing a DataArray: the layout follows from its rank and dimension descriptors.

=====================================  ========================================
data                                   drawing
=====================================  ========================================
1-D, set dimension                     bars, one per category label
1-D, range dimension of its own values event raster (spike times and the like)
1-D, sampled or range dimension        a line over the positions
2-D, one set dimension                 one line per set entry, legend from labels
2-D, otherwise (or ``kind="image"``)   an image with a colour bar
3-D whose last axis has 3 or 4 entries an RGB(A) image
=====================================  ========================================
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from nixkit.plot.labels import axis_label, axis_values, value_label

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["Layout", "draw_data_array", "plot_data_array"]

#: Lines drawn at most for a 2-D array; more would be unreadable.
MAX_LINES = 20
_KINDS = ("auto", "line", "lines", "image")


@dataclass(frozen=True)
class Layout:
    """How a DataArray was drawn, so tags can be drawn over it in the same coordinates.

    Attributes
    ----------
    kind : str
        ``"line"``, ``"lines"``, ``"bar"``, ``"events"``, ``"image"`` or ``"rgb"``.
    x_axis : int
        The data axis along the horizontal axis of the plot.
    y_axis : int or None
        The data axis along the vertical axis (images only).
    """

    kind: str
    x_axis: int
    y_axis: int | None = None


def _dims(da: Any) -> list[Any]:
    return list(da.dimensions)


def _is_set(dim: Any) -> bool:
    return type(dim).__name__ == "SetDimension"


def _label(dims: list[Any], axis: int) -> str:
    return axis_label(dims[axis]) if axis < len(dims) else f"index (axis {axis + 1})"


def _values(dims: list[Any], axis: int, count: int) -> np.ndarray[Any, Any]:
    return axis_values(dims[axis], count) if axis < len(dims) else np.arange(count, dtype=float)


def _edges(values: np.ndarray[Any, Any]) -> tuple[float, float]:
    """Outer edges of pixels centred on ``values``."""
    step = float(values[-1] - values[0]) / (len(values) - 1) if len(values) > 1 else 1.0
    return float(values[0]) - step / 2, float(values[-1]) + step / 2


def _read(da: Any) -> np.ndarray[Any, Any]:
    data = np.asarray(da[...])
    if data.dtype.kind not in "biuf":
        raise TypeError(f"cannot plot {da.name!r}: its values are {data.dtype}, not numbers")
    return data


def _draw_1d(da: Any, data: np.ndarray[Any, Any], dims: list[Any], ax: Axes) -> Layout:
    n = data.shape[0]
    if dims and _is_set(dims[0]):
        ax.bar(np.arange(n), data, color="tab:blue")
        labels = list(dims[0].labels)
        if len(labels) == n:
            ax.set_xticks(np.arange(n), labels)
        ax.set_xlabel(_label(dims, 0))
        ax.set_ylabel(value_label(da))
        return Layout("bar", 0)
    x = _values(dims, 0, n)
    if dims and type(dims[0]).__name__ == "RangeDimension" and np.array_equal(x, data):
        ax.eventplot(data, lineoffsets=0.5, linelengths=0.8, colors="tab:blue")
        ax.set_yticks([])
        ax.set_xlabel(_label(dims, 0))
        return Layout("events", 0)
    ax.plot(x, data, color="tab:blue", lw=1)
    ax.set_xlabel(_label(dims, 0))
    ax.set_ylabel(value_label(da))
    return Layout("line", 0)


def _draw_lines(da: Any, data: np.ndarray[Any, Any], dims: list[Any], ax: Axes) -> Layout:
    set_axis = 0 if dims and _is_set(dims[0]) else 1
    x_axis = 1 - set_axis
    x = _values(dims, x_axis, data.shape[x_axis])
    labels = list(dims[set_axis].labels) if set_axis < len(dims) and _is_set(dims[set_axis]) else []
    count = data.shape[set_axis]
    for i in range(min(count, MAX_LINES)):
        y = data[i] if set_axis == 0 else data[:, i]
        ax.plot(x, y, lw=1, label=labels[i] if i < len(labels) else f"{i}")
    if count <= 10:
        ax.legend(loc="upper right", fontsize="small")
    if count > MAX_LINES:
        ax.text(0.01, 0.99, f"first {MAX_LINES} of {count} shown", transform=ax.transAxes, va="top", fontsize="small")
    ax.set_xlabel(_label(dims, x_axis))
    ax.set_ylabel(value_label(da))
    return Layout("lines", x_axis)


def _draw_image(da: Any, data: np.ndarray[Any, Any], dims: list[Any], ax: Axes, rgb: bool) -> Layout:
    rows = _values(dims, 0, data.shape[0])
    cols = _values(dims, 1, data.shape[1])
    x0, x1 = _edges(cols)
    y0, y1 = _edges(rows)
    picture = rgb or "image" in (da.type or "")
    if rgb:
        if data.dtype != np.uint8:
            span = float(np.nanmax(data) - np.nanmin(data)) or 1.0
            data = (data - np.nanmin(data)) / span
        image = ax.imshow(data, extent=(x0, x1, y1, y0), origin="upper", aspect="equal")
    else:
        extent = (x0, x1, y1, y0) if picture else (x0, x1, y0, y1)
        image = ax.imshow(data, extent=extent, origin="upper" if picture else "lower", aspect="auto", cmap="viridis")
        ax.figure.colorbar(image, ax=ax, label=value_label(da))
    ax.set_xlabel(_label(dims, 1))
    ax.set_ylabel(_label(dims, 0))
    return Layout("rgb" if rgb else "image", 1, 0)


def draw_data_array(da: Any, ax: Axes, kind: str = "auto") -> Layout:
    """Draw ``da`` into ``ax`` and say how (see the module table).

    Parameters
    ----------
    da : DataArray
        1-, 2- or 3-D numeric data.
    ax : matplotlib.axes.Axes
        Where to draw.
    kind : {"auto", "line", "lines", "image"}
        Force lines or an image for 2-D data.

    Returns
    -------
    Layout
        Which data axes went to the plot axes.
    """
    if kind not in _KINDS:
        raise ValueError(f"kind must be one of {', '.join(_KINDS)}, not {kind!r}")
    data = _read(da)
    dims = _dims(da)
    if data.ndim == 1:
        layout = _draw_1d(da, data, dims, ax)
    elif data.ndim == 2:
        has_set = any(_is_set(d) for d in dims[:2])
        if kind in ("line", "lines") or (kind == "auto" and has_set):
            layout = _draw_lines(da, data, dims, ax)
        else:
            layout = _draw_image(da, data, dims, ax, rgb=False)
    elif data.ndim == 3 and data.shape[2] in (3, 4):
        layout = _draw_image(da, data, dims, ax, rgb=True)
    else:
        raise ValueError(
            f"cannot plot {da.name!r} of shape {data.shape}: only 1-D, 2-D and 3-D RGB(A) data "
            "(last axis of length 3 or 4) are drawn; plot a slice of it instead"
        )
    ax.set_title(da.name)
    return layout


def new_axes() -> Axes:
    """A fresh figure's Axes (matplotlib is imported here, on first use)."""
    import matplotlib.pyplot as plt

    _fig, ax = plt.subplots(figsize=(8, 4.5), layout="constrained")
    return ax


def plot_data_array(da: Any, ax: Axes | None = None, kind: str = "auto") -> Axes:
    """Plot a DataArray with axes labelled from its dimensions' labels and units.

    Parameters
    ----------
    da : DataArray
        The data to draw.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure is made when omitted.
    kind : {"auto", "line", "lines", "image"}
        Layout of 2-D data: lines per set entry (the default when one axis is a set
        dimension) or an image.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn into.
    """
    ax = ax if ax is not None else new_axes()
    draw_data_array(da, ax, kind)
    return ax
