"""nixkit.util.units: nixio's helpers and constants, its prefix bug fixed, pint for the rest."""

from __future__ import annotations

import nixio.util.units as nixio_units
import pytest

from nixkit.exceptions import InvalidUnit
from nixkit.util import units


def test_constants_match_nixio() -> None:
    assert units.PREFIXES == nixio_units.PREFIXES
    assert units.UNITS == nixio_units.UNITS
    assert units.POWER == nixio_units.POWER
    assert units.PREFIX_FACTORS == nixio_units.PREFIX_FACTORS


@pytest.mark.parametrize("unit", ["mV", "s", "ms^2", "kOhm", "Hz", "mol", "cd", "dam", "uV^-1", "%"])
def test_atomic_units_agree_with_nixio(unit: str) -> None:
    assert bool(units.is_atomic(unit)) == bool(nixio_units.is_atomic(unit)) is True
    assert units.is_si(unit)


@pytest.mark.parametrize("unit", ["mV/s", "mV*s", "V^2/Hz", "m/s/s"])
def test_compound_units(unit: str) -> None:
    assert units.is_compound(unit)
    assert not units.is_atomic(unit)
    assert units.is_si(unit)


@pytest.mark.parametrize("unit", ["", None, "degC", "foo", "1/s"])
def test_not_si(unit: str | None) -> None:
    assert not units.is_si(unit)


@pytest.mark.parametrize(
    ("unit", "parts"),
    [
        ("ms", ("m", "s", "")),
        ("s^2", ("", "s", "2")),
        ("mV^-1", ("m", "V", "-1")),
        ("mol", ("", "mol", "")),
        ("dam", ("da", "m", "")),
        ("m", ("", "m", "")),
        ("degC", ("", "degC", "")),
    ],
)
def test_split(unit: str, parts: tuple[str, str, str]) -> None:
    assert units.split(unit) == parts


def test_split_matches_whole_units() -> None:
    """nixio splits 'mmol' into prefix 'm' and unit 'm' (it matches the start of the string only)."""
    assert nixio_units.split("mmol") == ("m", "m", "")
    assert units.split("mmol") == ("m", "mol", "")
    assert units.split("kmol") == ("k", "mol", "")


def test_invert_power() -> None:
    """nixio's invert_power makes 'Hz^^-2' from 'Hz^2'; ours writes 'Hz^-2'."""
    assert nixio_units.invert_power("Hz^2") == "Hz^^-2"
    assert units.invert_power("Hz^2") == "Hz^-2"
    assert units.invert_power("Hz") == "Hz^-1"
    assert units.invert_power("s^-2") == "s^2"


def test_split_compound() -> None:
    assert units.split_compound("mV/Hz") == nixio_units.split_compound("mV/Hz") == ("mV", "Hz^-1")
    assert units.split_compound("mV*s/Hz^2") == ("mV", "s", "Hz^-2")
    assert units.split_compound("m/s*kg") == ("m", "s^-1", "kg")
    with pytest.raises(InvalidUnit):
        units.split_compound("mV//s")


@pytest.mark.parametrize(
    ("origin", "dest"), [("ms", "s"), ("s", "ms"), ("mV", "V"), ("V", "uV"), ("s", "s"), ("ms^2", "s^2")]
)
def test_scaling_agrees_with_nixio_where_it_is_right(origin: str, dest: str) -> None:
    assert units.scaling(origin, dest) == pytest.approx(nixio_units.scaling(origin, dest))


@pytest.mark.parametrize(("origin", "dest", "factor"), [("ms", "us", 1000.0), ("mV", "uV", 1000.0), ("uV", "mV", 1e-3)])
def test_scaling_between_two_prefixes(origin: str, dest: str, factor: float) -> None:
    """nixio 1.5.4 returns 1.0 when both units carry a prefix (reference section 6.1 item 3)."""
    assert nixio_units.scaling(origin, dest) == 1.0
    assert units.scaling(origin, dest) == factor


def test_prefix_scaling_is_exact() -> None:
    assert units.scaling("ms", "us") == 1000.0
    assert units.scaling("ks", "ms") == 1e6
    assert units.scaling("mV/ms", "V/s") == 1.0


@pytest.mark.parametrize(
    ("origin", "dest", "factor"),
    [
        ("min", "s", 60.0),
        ("h", "min", 60.0),
        ("Ohm", "kOhm", 1e-3),
        ("kohm", "Ohm", 1e3),
        ("inch", "cm", 2.54),
        ("Hz", "1/s", 1.0),
        ("km/h", "m/s", 1 / 3.6),
    ],
)
def test_scaling_through_pint(origin: str, dest: str, factor: float) -> None:
    assert units.scaling(origin, dest) == pytest.approx(factor)
    assert units.scalable(origin, dest)


@pytest.mark.parametrize(("origin", "dest"), [("mV", "s"), ("foo", "s"), ("degC", "K"), ("", "s"), ("s", "")])
def test_not_scalable(origin: str, dest: str) -> None:
    assert not units.scalable(origin, dest)
    with pytest.raises(InvalidUnit) as info:
        units.scaling(origin, dest)
    assert isinstance(info.value, ValueError)


def test_scalable_on_lists() -> None:
    assert units.scalable(["ms", "mV"], ["s", "uV"])
    assert not units.scalable(["ms", "mV"], ["s", "s"])
    assert not units.scalable(["ms"], ["s", "s"])


def test_sanitizer_and_micro_spellings() -> None:
    assert units.sanitizer(" µ V") == "uV"
    assert units.scaling("µV", "mV") == 1e-3
