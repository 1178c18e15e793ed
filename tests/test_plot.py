"""Plots of DataArrays, Tags and MultiTags: layouts, labels from dimensions, tag overlays."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.collections import EventCollection, LineCollection, PolyCollection
from matplotlib.image import AxesImage
from matplotlib.patches import Rectangle

import nixkit as nix


@pytest.fixture
def block(tmp_path: Path) -> Iterator[Any]:
    f = nix.File.open(str(tmp_path / "plot.nix"), nix.FileMode.Overwrite)
    yield f.create_block("b", "nix.session")
    f.close()
    plt.close("all")


def _signal(block: Any, name: str = "voltage", n: int = 100) -> Any:
    da = block.create_data_array(name, "nix.sampled", data=np.sin(np.arange(n) / 5.0))
    da.unit = "mV"
    da.label = "membrane potential"
    da.append_sampled_dimension(0.01, label="time", unit="s", offset=0.5)
    return da


def test_sampled_line_is_labelled_from_the_dimension(block: Any) -> None:
    da = _signal(block)
    ax = da.plot()
    (line,) = ax.get_lines()
    np.testing.assert_allclose(line.get_xdata(), 0.5 + np.arange(100) * 0.01)
    np.testing.assert_allclose(line.get_ydata(), np.asarray(da))
    assert ax.get_xlabel() == "time [s]"
    assert ax.get_ylabel() == "membrane potential [mV]"
    assert ax.get_title() == "voltage"


def test_plot_draws_into_a_given_axes(block: Any) -> None:
    _fig, ax = plt.subplots()
    assert _signal(block).plot(ax=ax) is ax


def test_range_dimension_uses_its_ticks(block: Any) -> None:
    ticks = np.array([0.0, 0.1, 0.5, 0.6, 2.0])
    da = block.create_data_array("irregular", "nix.irregular", data=np.arange(5.0))
    da.append_range_dimension(ticks, label="time", unit="ms")
    ax = da.plot()
    np.testing.assert_allclose(ax.get_lines()[0].get_xdata(), ticks)
    assert ax.get_xlabel() == "time [ms]"
    assert ax.get_ylabel() == "irregular"  # no label: the name, and no unit brackets


def test_event_times_are_drawn_as_events(block: Any) -> None:
    times = np.array([0.1, 0.4, 0.45, 0.9])
    da = block.create_data_array("spikes", "nix.events", data=times)
    da.unit = "s"
    da.label = "time"
    da.append_range_dimension_using_self()
    ax = da.plot()
    (events,) = [c for c in ax.collections if isinstance(c, EventCollection)]
    np.testing.assert_allclose(sorted(events.get_positions()), times)
    assert ax.get_xlabel() == "time [s]"


def test_set_dimension_gives_labelled_bars(block: Any) -> None:
    da = block.create_data_array("counts", "nix.categorical", data=[3, 1, 4])
    dim = da.append_set_dimension(["x", "y", "z"])
    dim.label = "category"
    ax = da.plot()
    assert [p.get_height() for p in ax.patches] == [3, 1, 4]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["x", "y", "z"]
    assert ax.get_xlabel() == "category"


def test_series_gives_one_line_per_set_entry(block: Any) -> None:
    da = block.create_data_array("waves", "nix.series", data=np.vstack([np.zeros(20), np.ones(20)]))
    da.append_set_dimension(["sin", "cos"])
    da.append_sampled_dimension(0.1, label="time", unit="s")
    ax = da.plot()
    assert [line.get_label() for line in ax.get_lines()] == ["sin", "cos"]
    np.testing.assert_allclose(ax.get_lines()[1].get_ydata(), np.ones(20))
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["sin", "cos"]
    assert ax.get_xlabel() == "time [s]"


def test_series_with_time_first_uses_columns(block: Any) -> None:
    da = block.create_data_array("channels", "nix.series", data=np.column_stack([np.arange(10.0), -np.arange(10.0)]))
    da.append_sampled_dimension(1.0, label="time", unit="s")
    da.append_set_dimension()
    ax = da.plot()
    np.testing.assert_allclose(ax.get_lines()[1].get_ydata(), -np.arange(10.0))


def test_2d_sampled_data_is_an_image_with_colour_bar(block: Any) -> None:
    da = block.create_data_array("map", "nix.map", data=np.arange(12.0).reshape(3, 4))
    da.unit = "Hz"
    da.label = "rate"
    da.append_sampled_dimension(1.0, label="y", unit="m")
    da.append_sampled_dimension(2.0, label="x", unit="m")
    ax = da.plot()
    (image,) = ax.get_images()
    np.testing.assert_array_equal(image.get_array(), np.arange(12.0).reshape(3, 4))
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("x [m]", "y [m]")
    assert any(a.get_ylabel() == "rate [Hz]" for a in ax.figure.axes if a is not ax)  # the colour bar


def test_lines_can_be_forced_for_2d(block: Any) -> None:
    da = block.create_data_array("map", "nix.map", data=np.arange(12.0).reshape(3, 4))
    ax = da.plot(kind="lines")
    assert len(ax.get_lines()) == 4 and not ax.get_images()
    with pytest.raises(ValueError, match="kind must be one of"):
        da.plot(kind="pie")


def test_rgb_image(block: Any) -> None:
    rgb = np.random.default_rng(0).integers(0, 255, (8, 10, 3)).astype(np.uint8)
    da = block.create_data_array("img", "nix.image.rgb", data=rgb)
    da.append_sampled_dimension(1.0, label="height")
    da.append_sampled_dimension(1.0, label="width")
    da.append_set_dimension(["r", "g", "b"])
    ax = da.plot()
    (image,) = ax.get_images()
    assert isinstance(image, AxesImage)
    np.testing.assert_array_equal(image.get_array(), rgb)
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("width", "height")


def test_unplottable_data_is_refused_clearly(block: Any) -> None:
    four_d = block.create_data_array("4d", "t", data=np.zeros((2, 2, 2, 2)))
    with pytest.raises(ValueError, match="only 1-D, 2-D and 3-D RGB"):
        four_d.plot()
    text = block.create_data_array("words", "t", data=["a", "b"], dtype=nix.DataType.String)
    with pytest.raises(TypeError, match="not numbers"):
        text.plot()


def test_tag_region_is_converted_to_the_axis_unit(block: Any) -> None:
    """A tag given in ms on a time axis in s is drawn at the right place."""
    da = _signal(block)
    tag = block.create_tag("stimulus", "nix.epoch", [700.0])
    tag.extent = [200.0]
    tag.units = ["ms"]
    tag.references.append(da)
    ax = tag.plot()
    (span,) = [c for c in ax.collections if isinstance(c, PolyCollection)]
    xs = span.get_paths()[0].vertices[:, 0]
    np.testing.assert_allclose([xs.min(), xs.max()], [0.7, 0.9])
    assert ax.get_title() == "stimulus on voltage"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["stimulus"]


def test_tag_point_is_a_vertical_line(block: Any) -> None:
    da = _signal(block)
    tag = block.create_tag("click", "nix.point", [0.8])
    tag.references.append(da)
    ax = tag.plot()
    (marks,) = [c for c in ax.collections if isinstance(c, LineCollection)]
    assert marks.get_segments()[0][0][0] == pytest.approx(0.8)


def test_multi_tag_points_and_regions(block: Any) -> None:
    da = _signal(block)
    points = block.create_multi_tag("spikes", "nix.events", positions=np.array([0.6, 0.9, 1.2]))
    points.references.append(da)
    ax = points.plot()
    (marks,) = [c for c in ax.collections if isinstance(c, LineCollection)]
    np.testing.assert_allclose([seg[0][0] for seg in marks.get_segments()], [0.6, 0.9, 1.2])
    regions = block.create_multi_tag(
        "epochs", "nix.epochs", positions=np.array([[0.6], [1.0]]), extents=np.array([[0.1], [0.2]])
    )
    regions.references.append(da)
    ax = regions.plot()
    (spans,) = [c for c in ax.collections if isinstance(c, PolyCollection)]
    widths = [np.ptp(p.vertices[:, 0]) for p in spans.get_paths()]
    np.testing.assert_allclose(widths, [0.1, 0.2])


def test_multi_tag_regions_on_an_image_are_rectangles(block: Any) -> None:
    img = block.create_data_array("img", "nix.image.rgb", data=np.zeros((20, 30, 3), dtype=np.uint8))
    img.append_sampled_dimension(1.0, label="height")
    img.append_sampled_dimension(1.0, label="width")
    img.append_set_dimension(["r", "g", "b"])
    mtag = block.create_multi_tag(
        "rois",
        "nix.roi",
        positions=np.array([[2.0, 3.0, 0.0], [10.0, 12.0, 0.0]]),
        extents=np.array([[5.0, 6.0, 3.0], [4.0, 8.0, 3.0]]),
    )
    mtag.references.append(img)
    ax = mtag.plot()
    boxes = [(p.get_x(), p.get_y(), p.get_width(), p.get_height()) for p in ax.patches if isinstance(p, Rectangle)]
    assert (3.0, 2.0, 6.0, 5.0) in boxes and (12.0, 10.0, 8.0, 4.0) in boxes


def test_tag_without_references_is_refused(block: Any) -> None:
    tag = block.create_tag("lonely", "nix.point", [1.0])
    with pytest.raises(ValueError, match="references no data"):
        tag.plot()


def test_matplotlib_is_imported_only_when_plotting() -> None:
    code = "import sys, nixkit, nixkit.plot, nixkit.display.html, nixkit.cli.main;print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
