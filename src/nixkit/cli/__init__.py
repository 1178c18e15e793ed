"""The ``nixkit`` command line: explore, check, upgrade, dump and plot NIX files."""

from __future__ import annotations
