"""Drawing a Tag or MultiTag over the data it references.

The referenced DataArray is drawn first (see :mod:`nixkit.plot.data_array`); then each
tagged point becomes a vertical line (or a marker on images) and each tagged region a
shaded span (or an outlined rectangle on images). Tag positions given in another unit
than the dimension (``ms`` on a time axis in ``s``) are converted first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from nixkit.plot.data_array import Layout, draw_data_array, new_axes

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_multi_tag", "plot_tag"]

_COLOR = "tab:red"


def _scale(units: tuple[str, ...], axis: int, dims: list[Any]) -> float:
    """Factor from the tag's unit on ``axis`` to the unit of the data's dimension."""
    unit = units[axis] if axis < len(units) else None
    dim_unit = getattr(dims[axis], "unit", None) if axis < len(dims) else None
    if not unit or not dim_unit or unit == dim_unit or unit == "none":
        return 1.0
    from nixkit.util.units import scaling

    return float(scaling(unit, dim_unit))


def _column(
    table: np.ndarray[Any, Any] | None, axis: int, units: tuple[str, ...], dims: list[Any]
) -> np.ndarray[Any, Any] | None:
    if table is None or axis >= table.shape[1]:
        return None
    return table[:, axis] * _scale(units, axis, dims)


def _draw_marks(
    ax: Axes,
    layout: Layout,
    dims: list[Any],
    positions: np.ndarray[Any, Any],
    extents: np.ndarray[Any, Any] | None,
    units: tuple[str, ...],
    label: str,
) -> None:
    """Draw points or regions given as rows of positions (one column per dimension)."""
    from matplotlib.collections import PolyCollection
    from matplotlib.patches import Rectangle

    x = _column(positions, layout.x_axis, units, dims)
    if x is None:
        raise ValueError(f"the positions of {label!r} have no entry for dimension {layout.x_axis + 1} of the data")
    width = _column(extents, layout.x_axis, units, dims)
    if layout.y_axis is None:
        if width is None:
            ax.vlines(x, 0, 1, transform=ax.get_xaxis_transform(), colors=_COLOR, lw=1, label=label)
        else:
            boxes = [[(a, 0.0), (a + w, 0.0), (a + w, 1.0), (a, 1.0)] for a, w in zip(x, width, strict=True)]
            spans = PolyCollection(boxes, transform=ax.get_xaxis_transform(), facecolors=_COLOR, alpha=0.25)
            spans.set_label(label)
            ax.add_collection(spans)
        ax.legend(loc="upper right", fontsize="small")
        return
    y = _column(positions, layout.y_axis, units, dims)
    height = _column(extents, layout.y_axis, units, dims)
    if y is None:
        raise ValueError(f"the positions of {label!r} have no entry for dimension {layout.y_axis + 1} of the data")
    if width is None or height is None:
        ax.plot(x, y, "x", color=_COLOR, ms=8, label=label)
        return
    for i, (a, b, w, h) in enumerate(zip(x, y, width, height, strict=True)):
        ax.add_patch(Rectangle((a, b), w, h, fill=False, edgecolor=_COLOR, lw=2, label=label if i == 0 else None))
        ax.annotate(str(i), (a, b), color=_COLOR, fontsize="small", va="bottom")


def _reference(tag: Any, ref: int | str) -> Any:
    refs = tag.references
    if len(refs) == 0:
        raise ValueError(f"{type(tag).__name__} {tag.name!r} references no data to draw it over")
    return refs[ref]


def _as_table(values: Any) -> np.ndarray[Any, Any]:
    table = np.asarray(values[...], dtype=float)
    return table.reshape(-1, 1) if table.ndim <= 1 else table


def plot_tag(tag: Any, ax: Axes | None = None, ref: int | str = 0, kind: str = "auto") -> Axes:
    """Draw a Tag's point or region over one of its referenced DataArrays.

    Parameters
    ----------
    tag : Tag
        The tag to show.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure is made when omitted.
    ref : int or str
        Which reference to draw (index, name or id).
    kind : {"auto", "line", "lines", "image"}
        Layout of 2-D referenced data, as in :func:`nixkit.plot.plot_data_array`.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn into.
    """
    da = _reference(tag, ref)
    ax = ax if ax is not None else new_axes()
    layout = draw_data_array(da, ax, kind)
    positions = np.asarray(tag.position, dtype=float).reshape(1, -1)
    extent = tuple(tag.extent or ())
    extents = np.asarray(extent, dtype=float).reshape(1, -1) if extent else None
    _draw_marks(ax, layout, list(da.dimensions), positions, extents, tuple(tag.units or ()), tag.name)
    ax.set_title(f"{tag.name} on {da.name}")
    return ax


def plot_multi_tag(mtag: Any, ax: Axes | None = None, ref: int | str = 0, kind: str = "auto") -> Axes:
    """Draw all points or regions of a MultiTag over one of its referenced DataArrays.

    Parameters
    ----------
    mtag : MultiTag
        The multi-tag to show; its positions (and extents) are read once.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure is made when omitted.
    ref : int or str
        Which reference to draw (index, name or id).
    kind : {"auto", "line", "lines", "image"}
        Layout of 2-D referenced data, as in :func:`nixkit.plot.plot_data_array`.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn into.
    """
    da = _reference(mtag, ref)
    ax = ax if ax is not None else new_axes()
    layout = draw_data_array(da, ax, kind)
    positions = _as_table(mtag.positions)
    extents = _as_table(mtag.extents) if mtag.extents is not None else None
    _draw_marks(ax, layout, list(da.dimensions), positions, extents, tuple(mtag.units or ()), mtag.name)
    ax.set_title(f"{mtag.name} on {da.name}")
    return ax
