"""Views of NIX files for people: text trees, notebook HTML and rich trees.

Everything here reads metadata only (names, types, shapes, units, dimension
descriptors, properties), never the data of a DataArray or DataFrame, so showing a
file costs the same whether it holds kilobytes or gigabytes.
"""

from __future__ import annotations
