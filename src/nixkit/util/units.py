"""Unit strings as NIX stores them: cleaning, SI checks and scaling between units.

The helpers keep the names and return types of ``nixio.util.units`` so nixio scripts
keep working, with these corrections:

- :func:`scaling` is right when both units carry a prefix (``ms`` to ``us`` is 1000;
  nixio returns 1.0) and for compound units (``mV/ms`` to ``V/s``).
- Units outside the SI pattern that pint understands (``min``, ``h``, ``inch``,
  ``degree``, ...) convert through pint, imported on first use. Offset units such as
  ``degC`` have no scaling factor and are refused.
- :func:`split` matches whole units (nixio reads ``mmol`` as prefix ``m``, unit ``m``),
  and :func:`invert_power` writes ``Hz^-2``, not ``Hz^^-2``.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Sequence
from typing import Any

from nixkit.exceptions import InvalidUnit

__all__ = [
    "POWER",
    "PREFIXES",
    "PREFIX_FACTORS",
    "UNITS",
    "invert_power",
    "is_atomic",
    "is_compound",
    "is_si",
    "sanitizer",
    "scalable",
    "scaling",
    "split",
    "split_compound",
]

PREFIXES = "(Y|Z|E|P|T|G|M|k|h|da|d|c|m|u|n|p|f|a|z|y)"
UNITS = "(m|g|s|A|K|mol|cd|Hz|N|Pa|J|W|C|V|F|S|Wb|T|H|lm|lx|Bq|Gy|Sv|kat|l|L|Ohm|%|dB|rad)"
POWER = "(\\^[+-]?[1-9]\\d*)"
PREFIX_FACTORS: dict[str, float] = {
    "y": 1.0e-24,
    "z": 1.0e-21,
    "a": 1.0e-18,
    "f": 1.0e-15,
    "p": 1.0e-12,
    "n": 1.0e-9,
    "u": 1.0e-6,
    "m": 1.0e-3,
    "c": 1.0e-2,
    "d": 1.0e-1,
    "da": 1.0e1,
    "h": 1.0e2,
    "k": 1.0e3,
    "M": 1.0e6,
    "G": 1.0e9,
    "T": 1.0e12,
    "P": 1.0e15,
    "E": 1.0e18,
    "Z": 1.0e21,
    "Y": 1.0e24,
}

_ATOMIC = f"{PREFIXES}?{UNITS}{POWER}?"
_ATOMIC_RE = re.compile(f"(?P<prefix>{PREFIXES})?(?P<unit>{UNITS})(?P<power>{POWER})?")
_COMPOUND_RE = re.compile(f"({_ATOMIC}(\\*|/))+{_ATOMIC}")
_TOKEN_RE = re.compile(f"([*/])?({_ATOMIC})(?=[*/]|$)")

# Names NIX files use that pint spells differently (pint is case sensitive).
_PINT_ALIASES = ("Ohm = ohm", "ohms = ohm")


def sanitizer(unit: str | None) -> str | None:
    """Remove blanks and spell micro as ``u`` (``µV``, ``μV`` and ``muV`` become ``uV``)."""
    if unit is None:
        return None
    unit = unit.replace(" ", "")
    for micro in ("mu", "µ", "μ"):
        unit = unit.replace(micro, "u")
    return unit


def is_atomic(unit: str | None) -> re.Match[str] | None:
    """Match ``unit`` as one SI unit with optional prefix and power (``kHz``, ``m^2``).

    Returns
    -------
    re.Match or None
        The match (truthy) when ``unit`` is atomic, else None.
    """
    if not unit:
        return None
    return _ATOMIC_RE.fullmatch(unit)


def is_compound(unit: str | None) -> re.Match[str] | None:
    """Match ``unit`` as SI units joined by ``*`` or ``/`` (``mV/ms``, ``V*s^2``).

    Returns
    -------
    re.Match or None
        The match (truthy) when ``unit`` is compound, else None.
    """
    if not unit:
        return None
    return _COMPOUND_RE.fullmatch(unit)


def is_si(unit: str | None) -> bool:
    """Whether ``unit`` is an SI unit, atomic or compound."""
    return bool(unit) and bool(is_atomic(unit) or is_compound(unit))


def split(combined_unit: str) -> tuple[str, str, str]:
    """Split an atomic unit into ``(prefix, unit, power)``; absent parts are ``""``.

    A string that is not an atomic SI unit comes back whole as the unit part.
    """
    match = _ATOMIC_RE.fullmatch(combined_unit)
    if match is None:
        return "", combined_unit, ""
    power = match.group("power")
    return match.group("prefix") or "", match.group("unit"), power[1:] if power else ""


def invert_power(unit: str) -> str:
    """The reciprocal of an atomic unit: ``Hz`` gives ``Hz^-1``, ``s^-2`` gives ``s^2``."""
    prefix, base, power = split(unit)
    exponent = -int(power) if power else -1
    return f"{prefix}{base}^{exponent}"


def split_compound(compound_unit: str) -> tuple[str, ...]:
    """The atomic factors of a compound unit; a factor after ``/`` is inverted.

    ``"mV*s/Hz^2"`` gives ``("mV", "s", "Hz^-2")``. As in Python, ``/`` binds to the
    next factor only: ``"m/s*kg"`` is ``m * s^-1 * kg``.
    """
    text = compound_unit.replace(" ", "")
    parts: list[str] = []
    pos = 0
    for match in _TOKEN_RE.finditer(text):
        if match.start() != pos:
            break
        sep, unit = match.group(1), match.group(2)
        if (sep is None) != (pos == 0):
            break
        parts.append(invert_power(unit) if sep == "/" else unit)
        pos = match.end()
    if pos != len(text) or not parts:
        raise InvalidUnit(f"{compound_unit!r} is not a product or quotient of SI units", "split_compound")
    return tuple(parts)


def scalable(units_a: str | Sequence[str], units_b: str | Sequence[str]) -> bool:
    """Whether values in ``units_a`` convert to ``units_b`` by a factor.

    Works on two units or on two equally long sequences of units (compared pairwise).
    Unlike nixio, units differing in more than their prefix (``mV/ms`` and ``V/s``,
    ``min`` and ``s``) are scalable when pint can convert them.
    """
    if not isinstance(units_a, str) and not isinstance(units_b, str):
        if len(units_a) != len(units_b):
            return False
        return all(scalable(a, b) for a, b in zip(units_a, units_b, strict=True))
    if not isinstance(units_a, str) or not isinstance(units_b, str):
        return False
    try:
        scaling(units_a, units_b)
    except InvalidUnit:
        return False
    return True


def scaling(origin: str, destination: str) -> float:
    """The factor that converts a value in ``origin`` to ``destination``.

    ``scaling("ms", "s") == 0.001`` and ``scaling("ms", "us") == 1000.0``.

    Raises
    ------
    InvalidUnit
        If the units measure different things, are not understood, or need an offset.
    """
    return _scaling(sanitizer(origin) or "", sanitizer(destination) or "")


@functools.lru_cache(maxsize=1024)
def _scaling(origin: str, destination: str) -> float:
    if origin == destination and origin:
        return 1.0
    fast = _si_factor(origin, destination)
    if fast is not None:
        return fast
    return _pint_factor(origin, destination)


# Powers of ten of the prefixes: ``10.0 ** k`` is exact where a ratio of factors is not.
_EXPONENTS = {prefix: round(math.log10(factor)) for prefix, factor in PREFIX_FACTORS.items()}


def _atomic_factor(prefix: str, power: str) -> tuple[int, int]:
    return _EXPONENTS.get(prefix, 0), int(power) if power else 1


def _si_factor(origin: str, destination: str) -> float | None:
    """The factor for SI units that differ only in their prefixes, else None."""
    try:
        a = split_compound(origin)
        b = split_compound(destination)
    except InvalidUnit:
        return None
    if len(a) != len(b):
        return None
    exponent = 0
    for ua, ub in zip(a, b, strict=True):
        pa, base_a, pow_a = split(ua)
        pb, base_b, pow_b = split(ub)
        fa, na = _atomic_factor(pa, pow_a)
        fb, nb = _atomic_factor(pb, pow_b)
        if base_a != base_b or na != nb or base_a in ("%", "dB"):
            return None
        exponent += (fa - fb) * na
    return 10.0**exponent


@functools.lru_cache(maxsize=1)
def _registry() -> Any:
    import pint

    registry: Any = pint.UnitRegistry()
    for alias in _PINT_ALIASES:
        registry.define(alias)
    return registry


def _pint_factor(origin: str, destination: str) -> float:
    where = "nixkit.util.units.scaling"
    if not origin or not destination:
        raise InvalidUnit(f"cannot scale between {origin!r} and {destination!r}: a unit is missing", where)
    registry = _registry()
    try:
        source = registry.Quantity(1.0, registry.parse_units(origin))
        zero = registry.Quantity(0.0, registry.parse_units(origin))
        factor = float(source.to(destination).magnitude)
        shifted = float(zero.to(destination).magnitude)
    except Exception as exc:  # pint raises many kinds: undefined, syntax, dimensionality
        raise InvalidUnit(f"cannot scale {origin!r} to {destination!r}: {exc}", where) from exc
    if shifted != 0.0 or not math.isfinite(factor):
        raise InvalidUnit(f"{origin!r} and {destination!r} differ by an offset, not by a factor", where)
    return factor
