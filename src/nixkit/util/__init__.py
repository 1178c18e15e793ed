"""Helpers importable as in nixio: ``nixkit.util.units`` and ``nixkit.util.names``."""

from nixkit.util import names, units

__all__ = ["names", "units"]
