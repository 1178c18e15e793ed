"""Checks and fixes for NIX entity names (a name is an HDF5 link name, so no '/')."""

from __future__ import annotations


def sanitizer(name: str) -> str:
    """Replace every '/' in ``name`` with '_'."""
    return name.replace("/", "_")


def check(name: str) -> bool:
    """Whether ``name`` can be used as an entity name as it is."""
    return "/" not in name
