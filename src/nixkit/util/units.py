"""Unit strings as NIX stores them: cleaning, SI checks and scaling between units."""

from __future__ import annotations

__all__ = ["sanitizer"]


def sanitizer(unit: str | None) -> str | None:
    """Remove blanks and spell micro as ``u`` (``µV``, ``μV`` and ``muV`` become ``uV``)."""
    if unit is None:
        return None
    unit = unit.replace(" ", "")
    for micro in ("mu", "µ", "μ"):
        unit = unit.replace(micro, "u")
    return unit
