"""Dimension.index_of / range_indices: the truth table of reference section 1.10, against nixio."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nixio
import numpy as np
import pytest

import nixkit as nix

MODES = ("Less", "LessOrEqual", "GreaterOrEqual")
INVALID = "invalid"


def _answer(dim: Any, position: float, mode: Any) -> Any:
    try:
        return int(dim.index_of(position, mode))
    except IndexError:
        return INVALID


def _dims(module: Any, path: Path) -> tuple[Any, Any, Any, Any, Any]:
    f = module.File.open(str(path), module.FileMode.Overwrite)
    b = f.create_block("b", "t")
    sampled = b.create_data_array("s", "t", data=np.zeros(10)).append_sampled_dimension(1.0, offset=-1.0)
    ranged = b.create_data_array("r", "t", data=np.zeros(4)).append_range_dimension([-1.9, 0, 3, 5.9])
    labelled = b.create_data_array("l", "t", data=np.zeros(3)).append_set_dimension(["A", "B", "C"])
    unlabelled = b.create_data_array("u", "t", data=np.zeros(3)).append_set_dimension()
    return f, sampled, ranged, labelled, unlabelled


# (dimension, position, expected answers for Less, LessOrEqual, GreaterOrEqual)
TRUTH_TABLE = [
    ("sampled", -2, (INVALID, INVALID, 0)),
    ("sampled", -1, (INVALID, 0, 0)),
    ("sampled", 0, (0, 1, 1)),
    ("range", -2, (INVALID, INVALID, 0)),
    ("range", -1, (0, 0, 1)),
    ("range", 0, (0, 1, 1)),
    ("range", 6, (3, 3, INVALID)),
    ("labelled", -2, (INVALID, INVALID, 0)),
    ("labelled", 0, (INVALID, 0, 0)),
    ("labelled", 6, (2, 2, INVALID)),
    ("unlabelled", 6, (5, 6, 6)),
]
# nixio's Less-mode guard tests the raw position instead of the index (section 6.1 item 5).
NIXIO_BUGS = {("sampled", -1, "Less"): -1, ("sampled", 0, "Less"): INVALID}


@pytest.fixture
def both(tmp_path: Path) -> Any:
    ours = _dims(nix, tmp_path / "ours.nix")
    theirs = _dims(nixio, tmp_path / "theirs.nix")
    yield (
        dict(zip(("sampled", "range", "labelled", "unlabelled"), ours[1:], strict=True)),
        dict(zip(("sampled", "range", "labelled", "unlabelled"), theirs[1:], strict=True)),
    )
    ours[0].close()
    theirs[0].close()


@pytest.mark.parametrize(("kind", "position", "expected"), TRUTH_TABLE, ids=[f"{k}-{p}" for k, p, _ in TRUTH_TABLE])
def test_truth_table_row(both: Any, kind: str, position: float, expected: tuple[Any, ...]) -> None:
    ours, theirs = both
    for mode_name, want in zip(MODES, expected, strict=True):
        assert _answer(ours[kind], position, getattr(nix.IndexMode, mode_name)) == want, mode_name
        nixio_want = NIXIO_BUGS.get((kind, position, mode_name), want)
        assert _answer(theirs[kind], position, getattr(nixio.IndexMode, mode_name)) == nixio_want, mode_name


def test_sampled_less_at_offset_follows_the_cpp_table(both: Any) -> None:
    """nixio answers -1 for Less exactly at the offset and IndexError one sample later; C++ NIX
    (and nixkit) say: no sample before the first one, and sample 0 before sample 1."""
    ours, theirs = both
    assert theirs["sampled"].index_of(-1, nixio.IndexMode.Less) == -1
    with pytest.raises(IndexError):
        ours["sampled"].index_of(-1, nix.IndexMode.Less)
    with pytest.raises(IndexError):
        theirs["sampled"].index_of(0, nixio.IndexMode.Less)
    assert ours["sampled"].index_of(0, nix.IndexMode.Less) == 0


def test_index_of_returns_python_int_and_default_mode(both: Any) -> None:
    ours, _ = both
    for dim in ours.values():
        assert type(dim.index_of(1.0)) is int
    assert ours["sampled"].index_of(0.5) == 1
    assert ours["range"].index_of(0.5) == 1


def test_sampled_snapping_does_not_grow_with_the_index(tmp_path: Path) -> None:
    """nixio snaps with np.isclose (relative 1e-5): 0.3 samples off at index 1e6 counts as a hit."""
    f = nix.File.open(tmp_path / "a.nix", nix.FileMode.Overwrite)
    dim = f.create_block("b", "t").create_data_array("x", "t", data=np.zeros(2)).append_sampled_dimension(1.0)
    assert dim.index_of(1_000_000.3, nix.IndexMode.GreaterOrEqual) == 1_000_001
    assert dim.index_of(1_000_000.3, nix.IndexMode.LessOrEqual) == 1_000_000
    assert dim.index_of(0.1 * 3 / 0.1, nix.IndexMode.Less) == 2  # 3.0000000000000004 is on sample 3
    f.close()


@pytest.mark.parametrize(
    ("kind", "start", "end", "mode", "expected"),
    [
        ("sampled", 0.0, 2.0, "Exclusive", (1, 2)),
        ("sampled", 0.0, 2.0, "Inclusive", (1, 3)),
        ("sampled", 0.5, 0.7, "Inclusive", None),
        ("range", -1.0, 3.0, "Exclusive", (1, 1)),
        ("range", -1.0, 3.0, "Inclusive", (1, 2)),
        ("range", 6.0, 7.0, "Inclusive", None),
        ("labelled", 0, 2, "Exclusive", (0, 1)),
        ("labelled", 0, 6, "Inclusive", (0, 2)),
    ],
)
def test_range_indices(both: Any, kind: str, start: float, end: float, mode: str, expected: Any) -> None:
    ours, theirs = both
    assert ours[kind].range_indices(start, end, getattr(nix.SliceMode, mode)) == expected
    got = theirs[kind].range_indices(start, end, getattr(nixio.SliceMode, mode))
    assert (None if got is None else tuple(int(i) for i in got)) == expected


@pytest.mark.parametrize("kind", ["sampled", "range", "labelled"])
def test_reversed_range_is_empty_for_every_kind(both: Any, kind: str) -> None:
    """nixio returns None for sampled dimensions but raises IndexError for range and set
    dimensions when start > end (section 6.1 item 6); nixkit answers None for all three."""
    ours, theirs = both
    assert ours[kind].range_indices(2.0, 1.0) is None
    if kind == "sampled":
        assert theirs[kind].range_indices(2.0, 1.0) is None
    else:
        with pytest.raises(IndexError):
            theirs[kind].range_indices(2.0, 1.0)


def test_invalid_modes_raise_value_error(both: Any) -> None:
    ours, _ = both
    with pytest.raises(ValueError):
        ours["sampled"].index_of(1.0, "leq")
    with pytest.raises(ValueError):
        ours["range"].range_indices(0.0, 1.0, "exclusive")


def test_passed_ticks_and_labels_are_used(both: Any) -> None:
    ours, _ = both
    assert ours["range"].index_of(10.0, nix.IndexMode.LessOrEqual, ticks=[0.0, 5.0, 20.0]) == 1
    assert ours["unlabelled"].index_of(6, nix.IndexMode.LessOrEqual, dim_labels=["a", "b"]) == 1
