"""nixkit: the NIX data model and file format for neuroscience data.

``import nixkit as nix`` gives the names nixio users know (``File``, ``Block``,
``DataArray``, ``Tag`` ...) with the same meaning, reading and writing the same files.
"""

from nixkit import exceptions, validator
from nixkit.info import VERSION, __version__
from nixkit.model.block import Block
from nixkit.model.data_array import DataArray
from nixkit.model.data_frame import DataFrame
from nixkit.model.dimensions import RangeDimension, SampledDimension, SetDimension
from nixkit.model.enums import (
    Compression,
    DataSliceMode,
    DataType,
    DimensionType,
    FileMode,
    IndexMode,
    LinkType,
    OdmlType,
    SliceMode,
)
from nixkit.model.feature import Feature
from nixkit.model.file import File
from nixkit.model.group import Group
from nixkit.model.multi_tag import MultiTag
from nixkit.model.property import Property
from nixkit.model.section import S, Section
from nixkit.model.source import Source
from nixkit.model.tag import Tag
from nixkit.upgrade import file_upgrade, upgrade

__all__ = [
    "VERSION",
    "Block",
    "Compression",
    "DataArray",
    "DataFrame",
    "DataSliceMode",
    "DataType",
    "DimensionType",
    "Feature",
    "File",
    "FileMode",
    "Group",
    "IndexMode",
    "LinkType",
    "MultiTag",
    "OdmlType",
    "Property",
    "RangeDimension",
    "S",
    "SampledDimension",
    "Section",
    "SetDimension",
    "SliceMode",
    "Source",
    "Tag",
    "__version__",
    "exceptions",
    "file_upgrade",
    "upgrade",
    "validator",
]
