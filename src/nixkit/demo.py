"""``nixkit demo``: the whole NIX tutorial in one file, checked and drawn.

:func:`build_file` writes one block per tutorial section (files, regularly and
irregularly sampled data, events, series of signals, images, categories, tables,
continuous recording, single and multiple regions, spike tagging, units in tagging,
untagged, tagged and indexed features, sources, metadata on an image). :func:`check_file`
opens the file again, reads the tagged regions and feature data back and compares them
with what the tutorial says they must be. :func:`run_demo` does both, validates the file,
prints its tree and writes one figure per section into a folder beside the file.

All data are synthetic and seeded, so two runs write the same values.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from rich.console import Console

__all__ = ["Check", "build_file", "check_file", "make_figures", "run_demo"]

DT = 1e-4  # sampling interval of the simulated membrane potentials (s)
DURATION = 1.0  # length of the simulated recordings (s)
IMAGE_SHAPE = (192, 256, 3)
ROI_POSITIONS = np.array([[40.0, 50.0, 0.0], [100.0, 150.0, 0.0], [130.0, 30.0, 0.0]])
ROI_EXTENTS = np.array([[40.0, 60.0, 3.0], [50.0, 70.0, 3.0], [30.0, 45.0, 3.0]])
SNIPPET = 600  # samples per spike-triggered stimulus snippet
SNIPPET_OFFSET = 500  # samples of each snippet before the spike


@dataclass(frozen=True)
class Check:
    """The outcome of one read-back check.

    Attributes
    ----------
    section : str
        The tutorial section (block) checked.
    what : str
        What was compared.
    ok : bool
        Whether the file gave what the tutorial promises.
    detail : str
        Why it failed (empty when it passed).
    """

    section: str
    what: str
    ok: bool
    detail: str = ""


# -- synthetic data ------------------------------------------------------------------------
def synthetic_image() -> np.ndarray[Any, Any]:
    """A colourful 8-bit RGB test picture (gradients and discs; no download needed)."""
    h, w, _ = IMAGE_SHAPE
    y, x = np.mgrid[0:h, 0:w]
    img = np.zeros(IMAGE_SHAPE)
    img[..., 0] = x / w
    img[..., 1] = y / h
    img[..., 2] = 0.5 + 0.5 * np.sin(x / 9.0) * np.cos(y / 7.0)
    for (cy, cx), radius in (((60, 80), 28), ((120, 180), 36), ((150, 50), 20)):
        disc = (y - cy) ** 2 + (x - cx) ** 2 < radius**2
        img[disc] = 1.0 - img[disc]
    return np.asarray(np.round(img * 255), dtype=np.uint8)


def leaky_integrate_and_fire(stimulus: np.ndarray[Any, Any], seed: int = 42) -> tuple[Any, Any]:
    """Membrane potential (mV) of a noisy leaky integrate-and-fire neuron and its spike indices."""
    rng = np.random.default_rng(seed)
    tau, v_rest, v_threshold, v_spike = 0.01, -70.0, -50.0, 20.0
    noise = rng.normal(0.0, 3.0, len(stimulus)) * np.sqrt(DT) / tau
    voltage = np.empty(len(stimulus))
    spikes = []
    v = v_rest
    for i, drive in enumerate(stimulus):
        v += (v_rest - v + drive) * DT / tau + noise[i] * tau
        if v >= v_threshold:
            voltage[i] = v_spike
            spikes.append(i)
            v = v_rest
        else:
            voltage[i] = v
    return voltage, np.asarray(spikes, dtype=int)


def _stimulus() -> np.ndarray[Any, Any]:
    t = np.arange(int(DURATION / DT)) * DT
    slow = 12.0 * np.sin(2 * np.pi * 4 * t) + 8.0 * np.sin(2 * np.pi * 11 * t)
    return np.asarray(17.0 + slow + 4.0 * np.sin(2 * np.pi * 37 * t + 1.0))


# -- the blocks, one per tutorial section ----------------------------------------------------
def _time_series(block: Any, name: str, type_: str, data: Any, unit: str, label: str) -> Any:
    da = block.create_data_array(name, type_, data=data)
    da.unit = unit
    da.label = label
    dim = da.append_sampled_dimension(DT)
    dim.unit = "s"
    dim.label = "time"
    dim.offset = 0.0
    return da


def _image(block: Any, name: str = "image") -> Any:
    da = block.create_data_array(name, "nix.image.rgb", data=synthetic_image())
    # One pixel per micrometre, as from a microscope camera: region tags then carry units.
    height = da.append_sampled_dimension(1.0)
    height.label = "height"
    height.unit = "um"
    width = da.append_sampled_dimension(1.0)
    width.label = "width"
    width.unit = "um"
    da.append_set_dimension(["red", "green", "blue"])
    return da


def _build_sampled(f: Any, nix: ModuleType) -> None:
    block = f.create_block("regularly sampled data", "nix.session")
    t = np.arange(0, 1.0, 0.001)
    da = block.create_data_array("sinewave", "nix.regular_sampled", data=np.sin(2 * np.pi * 5 * t))
    da.unit = "mV"
    da.label = "voltage"
    dim = da.append_sampled_dimension(0.001)
    dim.unit = "s"
    dim.label = "time"
    dim.offset = 0.0


def _build_irregular(f: Any, nix: ModuleType) -> None:
    block = f.create_block("irregularly sampled data", "nix.session")
    times = np.sort(np.random.default_rng(1).uniform(0.0, 1.0, 200))
    da = block.create_data_array("sinewave", "nix.irregular_sampled", data=np.sin(2 * np.pi * 5 * times))
    da.unit = "mV"
    da.label = "voltage"
    dim = da.append_range_dimension(times)
    dim.unit = "s"
    dim.label = "time"


def _build_events(f: Any, nix: ModuleType) -> None:
    block = f.create_block("event data", "nix.session")
    times = np.sort(np.random.default_rng(2).uniform(0.0, 10.0, 40))
    da = block.create_data_array("spike times", "nix.events.spike_times", data=times)
    da.unit = "s"
    da.label = "time"
    da.append_range_dimension_using_self()


def _build_series(f: Any, nix: ModuleType) -> None:
    block = f.create_block("series of signals", "nix.session")
    t = np.arange(0, 1.0, 0.001)
    data = np.vstack((np.sin(2 * np.pi * 3 * t), np.cos(2 * np.pi * 3 * t)))
    da = block.create_data_array("waveforms", "nix.regular_sampled.multiple_series", data=data)
    da.unit = "mV"
    da.label = "voltage"
    da.append_set_dimension(["sin", "cos"])
    dim = da.append_sampled_dimension(0.001)
    dim.unit = "s"
    dim.label = "time"


def _build_image(f: Any, nix: ModuleType) -> None:
    _image(f.create_block("image data", "nix.session"))


def _build_categories(f: Any, nix: ModuleType) -> None:
    block = f.create_block("category data", "nix.session")
    counts = np.array([23, 17, 31, 9, 14])
    da = block.create_data_array("cell counts", "nix.categorical", data=counts, label="count")
    regions = da.append_set_dimension(["CA1", "CA3", "DG", "EC", "SUB"])
    regions.label = "brain region"


def _build_table(f: Any, nix: ModuleType) -> None:
    block = f.create_block("tabular data", "nix.session")
    columns = {"trial": np.int64, "condition": str, "onset": np.float64, "rate": np.float64}
    rows = [(1, "control", 0.5, 12.5), (2, "drug", 1.5, 20.25), (3, "control", 2.5, 11.0), (4, "drug", 3.5, 22.75)]
    df = block.create_data_frame("trials", "nix.trials", col_dict=columns, data=rows)
    df.units = [None, None, "s", "Hz"]


def _build_continuous(f: Any, nix: ModuleType) -> None:
    block = f.create_block("continuous recording", "nix.session", compression=nix.Compression.DeflateNormal)
    chunk = _recording_chunk(0)
    da = block.create_data_array("recording", "nix.regular_sampled.multiple_series", data=chunk)
    da.unit = "mV"
    da.label = "voltage"
    dim = da.append_sampled_dimension(DT)
    dim.unit = "s"
    dim.label = "time"
    da.append_set_dimension(["channel 1", "channel 2"])
    for i in range(1, 10):
        da.append(_recording_chunk(i), axis=0)


def _recording_chunk(i: int) -> np.ndarray[Any, Any]:
    t = (np.arange(1000) + 1000 * i) * DT
    return np.column_stack((np.sin(2 * np.pi * 20 * t), 0.5 * np.cos(2 * np.pi * 7 * t)))


def _build_single_roi(f: Any, nix: ModuleType) -> None:
    block = f.create_block("single region", "nix.session")
    image = _image(block)
    tag = block.create_tag("region of interest", "nix.roi", ROI_POSITIONS[0].tolist())
    tag.extent = ROI_EXTENTS[0].tolist()
    tag.units = ["um", "um", ""]
    tag.references.append(image)


def _build_multiple_rois(f: Any, nix: ModuleType) -> None:
    block = f.create_block("multiple regions", "nix.session")
    image = _image(block)
    positions = block.create_data_array("ROI positions", "nix.positions", data=ROI_POSITIONS)
    positions.append_set_dimension()
    positions.append_set_dimension()
    extents = block.create_data_array("ROI extents", "nix.extents", data=ROI_EXTENTS)
    extents.append_set_dimension()
    extents.append_set_dimension()
    mtag = block.create_multi_tag("regions of interest", "nix.roi", positions)
    mtag.extents = extents
    mtag.units = ["um", "um", ""]
    mtag.references.append(image)


def _spike_block(f: Any, name: str) -> tuple[Any, Any, np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """A block with a stimulus and the membrane voltage it drives; returns the spike indices."""
    block = f.create_block(name, "nix.session")
    stimulus = _stimulus()
    voltage, spikes = leaky_integrate_and_fire(stimulus)
    da = _time_series(block, "membrane voltage", "nix.regular_sampled.time_series", voltage, "mV", "membrane voltage")
    return block, da, stimulus, spikes


def _spike_tag(block: Any, voltage: Any, spikes: np.ndarray[Any, Any], extent: float | None = None) -> Any:
    positions = block.create_data_array("spike times", "nix.positions", data=spikes * DT)
    positions.unit = "s"
    positions.append_set_dimension()
    mtag = block.create_multi_tag("spike times", "nix.events.spike_times", positions)
    mtag.units = ["s"]
    if extent is not None:
        extents = block.create_data_array("spike windows", "nix.extents", data=np.full(len(spikes), extent))
        extents.unit = "s"
        extents.append_set_dimension()
        mtag.extents = extents
    mtag.references.append(voltage)
    return mtag


def _build_spike_tagging(f: Any, nix: ModuleType) -> None:
    block, voltage, _stim, spikes = _spike_block(f, "spike tagging")
    _spike_tag(block, voltage, spikes)


def _build_units(f: Any, nix: ModuleType) -> None:
    block, voltage, _stim, _spikes = _spike_block(f, "unit support in tagging")
    # The tag speaks milliseconds, the time axis seconds: retrieval converts.
    tag = block.create_tag("late response", "nix.epoch", [200.0])
    tag.extent = [100.0]
    tag.units = ["ms"]
    tag.references.append(voltage)


def _build_untagged(f: Any, nix: ModuleType) -> None:
    block, voltage, stimulus, _spikes = _spike_block(f, "untagged feature")
    stim = _time_series(block, "stimulus", "nix.regular_sampled", stimulus, "nA", "stimulus")
    tag = block.create_tag("stimulus presentation", "nix.epoch.stimulus_presentation", [0.0])
    tag.extent = [DURATION]
    tag.units = ["s"]
    tag.references.append(voltage)
    tag.create_feature(stim, nix.LinkType.Untagged)


def _build_tagged(f: Any, nix: ModuleType) -> None:
    block, voltage, stimulus, spikes = _spike_block(f, "tagged feature")
    stim = _time_series(block, "stimulus", "nix.regular_sampled", stimulus, "nA", "stimulus")
    mtag = _spike_tag(block, voltage, spikes, extent=5e-3)
    mtag.create_feature(stim, nix.LinkType.Tagged)


def _snippets(stimulus: np.ndarray[Any, Any], spikes: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    padded = np.pad(stimulus, SNIPPET, mode="edge")  # spikes near the ends get flat, not zero, edges
    return np.array([padded[s + SNIPPET - SNIPPET_OFFSET : s + 2 * SNIPPET - SNIPPET_OFFSET] for s in spikes])


def _build_indexed(f: Any, nix: ModuleType) -> None:
    block, voltage, stimulus, spikes = _spike_block(f, "indexed feature")
    snippets = block.create_data_array(
        "spike triggered stimulus", "nix.regular_sampled.multiple_series", data=_snippets(stimulus, spikes)
    )
    snippets.label = "stimulus"
    snippets.unit = "nA"
    snippets.append_set_dimension()
    dim = snippets.append_sampled_dimension(DT)
    dim.unit = "s"
    dim.label = "time"
    dim.offset = -SNIPPET_OFFSET * DT
    mtag = _spike_tag(block, voltage, spikes)
    mtag.create_feature(snippets, nix.LinkType.Indexed)


def _build_sources(f: Any, nix: ModuleType) -> None:
    block = f.create_block("sources", "nix.session")
    subject = block.create_source("mouse A", "nix.experimental_subject")
    region = subject.create_source("hippocampus", "nix.brain_region")
    cells = [region.create_source(f"CA1 {i}", "nix.cell") for i in (1, 2)]
    stimulus = _stimulus()
    for i, cell in enumerate(cells, start=1):
        voltage, _spikes = leaky_integrate_and_fire(stimulus * (0.9 + 0.1 * i), seed=i)
        da = _time_series(block, f"cell{i} response", "nix.regular_sampled", voltage, "mV", "membrane voltage")
        da.sources.append(cell)


def _build_metadata(f: Any, nix: ModuleType) -> None:
    block = f.create_block("image with metadata", "nix.session")
    image = _image(block)
    section = f.create_section("test image", "image.metadata")
    section["title"] = "synthetic test picture"
    section["width"] = IMAGE_SHAPE[1]
    section["height"] = IMAGE_SHAPE[0]
    section["channels"] = ["red", "green", "blue"]
    source = section.create_section("origin", "image.origin")
    source["generator"] = "nixkit.demo.synthetic_image"
    source["seeded"] = True
    image.metadata = section


_BUILDERS: list[tuple[str, Callable[[Any, ModuleType], None]]] = [
    ("regularly sampled data", _build_sampled),
    ("irregularly sampled data", _build_irregular),
    ("event data", _build_events),
    ("series of signals", _build_series),
    ("image data", _build_image),
    ("category data", _build_categories),
    ("tabular data", _build_table),
    ("continuous recording", _build_continuous),
    ("single region", _build_single_roi),
    ("multiple regions", _build_multiple_rois),
    ("spike tagging", _build_spike_tagging),
    ("unit support in tagging", _build_units),
    ("untagged feature", _build_untagged),
    ("tagged feature", _build_tagged),
    ("indexed feature", _build_indexed),
    ("sources", _build_sources),
    ("image with metadata", _build_metadata),
]


def _library(nix: ModuleType | None) -> ModuleType:
    if nix is not None:
        return nix
    import nixkit

    return nixkit


def build_file(path: str | Path, nix: ModuleType | None = None) -> None:
    """Write the tutorial file: the ``working with files`` block, then one block per section.

    Parameters
    ----------
    path : str or Path
        Where to write (an existing file is overwritten).
    nix : module, optional
        The NIX library to write with (default :mod:`nixkit`; ``nixio`` writes the same file).
    """
    nix = _library(nix)
    f = nix.File.open(str(path), nix.FileMode.Overwrite)
    try:
        block = f.create_block("working with files", "nix.tutorial.files")
        block.definition = "created in Overwrite mode; nixkit.demo re-opens the file ReadOnly and ReadWrite"
        for _name, build in _BUILDERS:
            build(f, nix)
    finally:
        f.close()


# -- reading back ---------------------------------------------------------------------------------
class _Checker:
    def __init__(self) -> None:
        self.checks: list[Check] = []

    def run(self, section: str, what: str, test: Callable[[], Any]) -> None:
        """Record ``test``: it passes when it returns a truthy value and raises nothing."""
        try:
            result = test()
        except Exception as exc:  # a failed read-back is a finding to report, not a crash
            self.checks.append(Check(section, what, False, f"{type(exc).__name__}: {exc}"))
            return
        self.checks.append(Check(section, what, bool(result), "" if result else "values differ"))


def _values(view: Any) -> np.ndarray[Any, Any]:
    return np.asarray(view[...])


def _same(view: Any, expected: Any) -> bool:
    got = _values(view)
    want = np.asarray(expected)
    return got.shape == want.shape and bool(np.allclose(got, want))


def _check_files(c: _Checker, path: str, nix: ModuleType) -> None:
    section = "working with files"

    def read_only_refuses() -> bool:
        with nix.File.open(path, nix.FileMode.ReadOnly) as f:
            before = len(f.blocks)
            try:
                f.create_block("must fail", "test")
            except Exception:  # nixio raises ValueError, nixkit ReadOnlyError (also a ValueError)
                return len(f.blocks) == before
            return False

    def read_write_opens() -> bool:
        with nix.File.open(path, nix.FileMode.ReadWrite) as f:
            return f.blocks[section].type == "nix.tutorial.files"

    c.run(section, "ReadOnly mode refuses to create a block", read_only_refuses)
    c.run(section, "ReadWrite mode opens the file", read_write_opens)


def _check_data(c: _Checker, f: Any) -> None:
    def block(name: str) -> Any:
        return f.blocks[name]

    t = np.arange(0, 1.0, 0.001)
    c.run(
        "regularly sampled data",
        "sine wave and its time axis read back",
        lambda: (
            _same(block("regularly sampled data").data_arrays["sinewave"], np.sin(2 * np.pi * 5 * t))
            and np.allclose(
                block("regularly sampled data").data_arrays["sinewave"].dimensions[0].axis(3), [0, 0.001, 0.002]
            )
        ),
    )
    times = np.sort(np.random.default_rng(1).uniform(0.0, 1.0, 200))
    c.run(
        "irregularly sampled data",
        "range dimension ticks read back",
        lambda: np.allclose(block("irregularly sampled data").data_arrays["sinewave"].dimensions[0].ticks, times),
    )
    c.run(
        "event data",
        "event times are their own time axis",
        lambda: np.allclose(
            block("event data").data_arrays["spike times"].dimensions[0].ticks,
            _values(block("event data").data_arrays["spike times"]),
        ),
    )
    c.run(
        "series of signals",
        "set dimension labels",
        lambda: tuple(block("series of signals").data_arrays["waveforms"].dimensions[0].labels) == ("sin", "cos"),
    )
    c.run(
        "image data", "RGB image read back", lambda: _same(block("image data").data_arrays["image"], synthetic_image())
    )
    c.run(
        "category data",
        "category labels",
        lambda: len(block("category data").data_arrays["cell counts"].dimensions[0].labels) == 5,
    )
    c.run(
        "tabular data",
        "data frame cell and column read back",
        lambda: (
            block("tabular data").data_frames["trials"].read_cell(col_name="condition", row_idx=[1]) == "drug"
            and np.allclose(
                block("tabular data").data_frames["trials"].read_columns(name=["rate"]), [12.5, 20.25, 11.0, 22.75]
            )
        ),
    )
    expected = np.vstack([_recording_chunk(i) for i in range(10)])
    c.run(
        "continuous recording",
        "ten appended chunks read back in order",
        lambda: _same(block("continuous recording").data_arrays["recording"], expected),
    )


def _check_tagging(c: _Checker, f: Any) -> None:
    image = synthetic_image()

    def roi(k: int) -> np.ndarray[Any, Any]:
        (y, x, _), (h, w, _) = ROI_POSITIONS[k].astype(int), ROI_EXTENTS[k].astype(int)
        return image[y : y + h, x : x + w, :]

    c.run(
        "single region",
        "tagged_data is the tagged image region",
        lambda: _same(f.blocks["single region"].tags["region of interest"].tagged_data(0), roi(0)),
    )

    def all_rois() -> bool:
        mtag = f.blocks["multiple regions"].multi_tags["regions of interest"]
        count = mtag.positions.shape[0]
        return count == 3 and all(_same(mtag.tagged_data(p, "image"), roi(p)) for p in range(count))

    c.run("multiple regions", "retrieving each tagged region (tagged_data by reference name)", all_rois)

    stimulus = _stimulus()
    voltage, spikes = leaky_integrate_and_fire(stimulus)

    def spike_samples() -> bool:
        mtag = f.blocks["spike tagging"].multi_tags["spike times"]
        return len(spikes) > 5 and all(_same(mtag.tagged_data(i, 0), voltage[s : s + 1]) for i, s in enumerate(spikes))

    c.run("spike tagging", f"each of the {len(spikes)} spikes tags its peak sample", spike_samples)
    c.run(
        "unit support in tagging",
        "a tag in ms selects 200-300 ms of data in s",
        lambda: _same(f.blocks["unit support in tagging"].tags["late response"].tagged_data(0), voltage[2000:3000]),
    )


def _check_features(c: _Checker, f: Any) -> None:
    stimulus = _stimulus()
    _voltage, spikes = leaky_integrate_and_fire(stimulus)
    c.run(
        "untagged feature",
        "feature_data is the whole stimulus",
        lambda: _same(f.blocks["untagged feature"].tags["stimulus presentation"].feature_data(0), stimulus),
    )

    def tagged() -> bool:
        mtag = f.blocks["tagged feature"].multi_tags["spike times"]
        window = round(5e-3 / DT)
        inside = [(i, s) for i, s in enumerate(spikes) if s + window <= len(stimulus)]
        return all(_same(mtag.feature_data(i, 0), stimulus[s : s + window]) for i, s in inside)

    c.run("tagged feature", "feature_data cuts the stimulus at each spike window", tagged)
    snippets = _snippets(stimulus, spikes)

    def indexed() -> bool:
        mtag = f.blocks["indexed feature"].multi_tags["spike times"]
        return _same(mtag.features[0].data, snippets) and _same(mtag.feature_data(3, 0), snippets[3:4])

    c.run("indexed feature", "retrieving feature data: all snippets, and the one of spike 3", indexed)


def _check_annotations(c: _Checker, f: Any) -> None:
    def sources() -> bool:
        block = f.blocks["sources"]
        cells = block.find_sources(lambda s: s.type == "nix.cell")
        return len(block.find_sources()) == 4 and all(
            [da.name for da in block.data_arrays if cell in list(da.sources)] == [f"cell{i} response"]
            for i, cell in enumerate(sorted(cells, key=lambda s: s.name), start=1)
        )

    c.run("sources", "source tree and the data each cell produced", sources)

    def metadata() -> bool:
        section = f.blocks["image with metadata"].data_arrays["image"].metadata
        return (
            section is not None
            and section["width"] == IMAGE_SHAPE[1]
            and list(section["channels"]) == ["red", "green", "blue"]
            and bool(section.sections["origin"]["seeded"])
        )

    c.run("image with metadata", "the image's section and its properties", metadata)


def check_file(path: str | Path, nix: ModuleType | None = None) -> list[Check]:
    """Open the tutorial file and check what it gives back, section by section.

    Parameters
    ----------
    path : str or Path
        A file written by :func:`build_file`.
    nix : module, optional
        The NIX library to read with (default :mod:`nixkit`; ``nixio`` works too).

    Returns
    -------
    list of Check
        One entry per check, passed or failed.
    """
    nix = _library(nix)
    c = _Checker()
    _check_files(c, str(path), nix)
    with nix.File.open(str(path), nix.FileMode.ReadOnly) as f:
        for check in (_check_data, _check_tagging, _check_features, _check_annotations):
            check(c, f)
    return c.checks


# -- pictures ----------------------------------------------------------------------------------------
def _figure_of(draw: Callable[[Figure], Any], path: Path, panels: int) -> None:
    from matplotlib.figure import Figure

    # Fixed margins: a layout engine would double the drawing time of the demo.
    fig = Figure(figsize=(8, 3.2 + 2.8 * panels))
    fig.subplots_adjust(left=0.09, right=0.97, bottom=0.1, top=0.94, hspace=0.45)
    draw(fig)
    fig.savefig(path, dpi=80)


def _single(plot: Callable[[Any, Axes], Any], entity: Callable[[], Any]) -> Callable[[Figure], Any]:
    return lambda fig: plot(entity(), fig.add_subplot())


def _untagged(block: Any) -> Callable[[Figure], Any]:
    """The stimulus epoch on the response, and below it the whole stimulus, its untagged feature."""
    from nixkit.plot import plot_data_array, plot_tag

    def draw(fig: Figure) -> None:
        top, bottom = fig.subplots(2, 1)
        tag = block.tags[0]
        plot_tag(tag, top)
        plot_data_array(tag.features[0].data, bottom)
        bottom.set_title(f"untagged feature: {tag.features[0].data.name} (all of it belongs to the epoch)")

    return draw


def _tagged(block: Any) -> Callable[[Figure], Any]:
    """Spike windows on the response, and the same windows cut from the stimulus (tagged feature)."""
    from nixkit.plot import plot_data_array, plot_multi_tag

    def draw(fig: Figure) -> None:
        top, bottom = fig.subplots(2, 1, sharex=True)
        mtag = block.multi_tags[0]
        plot_multi_tag(mtag, top)
        stimulus = mtag.features[0].data
        plot_data_array(stimulus, bottom)
        for i, start in enumerate(np.asarray(mtag.positions).ravel()):
            window = np.asarray(mtag.feature_data(i, 0)[...])
            bottom.plot(start + np.arange(len(window)) * DT, window, color="tab:red", lw=2)
        bottom.set_title(f"tagged feature: the spike windows of {stimulus.name}")

    return draw


def _indexed(block: Any) -> Callable[[Figure], Any]:
    """Spikes on the response, and one stimulus snippet per spike with their mean (indexed feature)."""
    from nixkit.plot import plot_data_array, plot_multi_tag

    def draw(fig: Figure) -> None:
        top, bottom = fig.subplots(2, 1)
        mtag = block.multi_tags[0]
        plot_multi_tag(mtag, top)
        snippets = mtag.features[0].data
        plot_data_array(snippets, bottom)
        time_dim = snippets.dimensions[1]
        mean = np.asarray(snippets).mean(axis=0)
        (average,) = bottom.plot(time_dim.axis(len(mean)), mean, color="black", lw=3, label="spike-triggered average")
        bottom.legend(handles=[average], loc="lower right", fontsize="small")
        bottom.set_title(f"indexed feature: one {snippets.label} snippet per spike")

    return draw


def make_figures(f: Any, folder: str | Path) -> list[Path]:
    """Draw one figure per tutorial section of an open tutorial file into ``folder``.

    Returns
    -------
    list of Path
        The PNG files written.
    """
    from nixkit.plot import plot_data_array, plot_multi_tag, plot_tag

    def array(block: str, name: int | str = 0) -> Callable[[], Any]:
        return lambda: f.blocks[block].data_arrays[name]

    drawings: list[tuple[str, int, Callable[[Figure], Any]]] = [
        ("regularly_sampled_data", 1, _single(plot_data_array, array("regularly sampled data"))),
        ("irregularly_sampled_data", 1, _single(plot_data_array, array("irregularly sampled data"))),
        ("event_data", 1, _single(plot_data_array, array("event data"))),
        ("series_of_signals", 1, _single(plot_data_array, array("series of signals"))),
        ("image_data", 1, _single(plot_data_array, array("image data"))),
        ("category_data", 1, _single(plot_data_array, array("category data"))),
        ("continuous_recording", 1, _single(plot_data_array, array("continuous recording"))),
        ("single_region", 1, _single(plot_tag, lambda: f.blocks["single region"].tags[0])),
        ("multiple_regions", 1, _single(plot_multi_tag, lambda: f.blocks["multiple regions"].multi_tags[0])),
        ("spike_tagging", 1, _single(plot_multi_tag, lambda: f.blocks["spike tagging"].multi_tags[0])),
        ("unit_support_in_tagging", 1, _single(plot_tag, lambda: f.blocks["unit support in tagging"].tags[0])),
        ("untagged_feature", 2, _untagged(f.blocks["untagged feature"])),
        ("tagged_feature", 2, _tagged(f.blocks["tagged feature"])),
        ("indexed_feature", 2, _indexed(f.blocks["indexed feature"])),
        ("sources", 1, _single(plot_data_array, array("sources"))),
        ("image_with_metadata", 1, _single(plot_data_array, array("image with metadata"))),
    ]
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for i, (name, panels, draw) in enumerate(drawings, start=1):
        target = out / f"{i:02d}_{name}.png"
        _figure_of(draw, target, panels)
        written.append(target)
    return written


# -- the whole demo ---------------------------------------------------------------------------------
def run_demo(path: str | Path = "nixkit-demo.nix", figures: bool = True, console: Console | None = None) -> int:
    """Build, check, validate, print and draw the tutorial file.

    Parameters
    ----------
    path : str or Path
        The file to write; figures go to ``<stem>_figures/`` beside it.
    figures : bool
        Whether to draw the figures.
    console : rich.console.Console, optional
        Where to print (default: standard output).

    Returns
    -------
    int
        0 when every check passed and the file validates without errors, else 1.
    """
    from rich.console import Console
    from rich.table import Table

    from nixkit.display.describe import describe
    from nixkit.display.tree import rich_tree

    out = console or Console()
    path = Path(path)
    start = time.perf_counter()
    build_file(path)
    out.print(f"[bold]wrote[/] {path} ({len(_BUILDERS) + 1} blocks, one per tutorial section)")
    checks = check_file(path)
    import nixkit

    with nixkit.File.open(str(path), nixkit.FileMode.ReadOnly) as f:
        report = f.validate()
        out.print(rich_tree(describe(f, values=True)))
        written = make_figures(f, path.with_name(f"{path.stem}_figures")) if figures else []
    table = Table(title="read-back checks", show_lines=False)
    for column in ("section", "check", "result"):
        table.add_column(column)
    for check in checks:
        result = "[green]ok[/]" if check.ok else f"[red]FAILED[/] {check.detail}"
        table.add_row(check.section, check.what, result)
    out.print(table)
    style = "green" if report.ok else "red"
    out.print(f"validation: [{style}]{report.error_count} error(s)[/], {report.warning_count} warning(s)")
    for issue in report.issues:
        if issue.severity == "error":
            out.print(f"  {issue}", style="red", markup=False)
    if written:
        out.print(f"figures: {len(written)} PNG files in {written[0].parent}")
    passed = sum(c.ok for c in checks)
    ok = passed == len(checks) and report.ok
    colour = "green" if ok else "red"
    out.print(f"[{colour}]{passed} of {len(checks)} checks passed[/] in {time.perf_counter() - start:.1f} s")
    return 0 if ok else 1
