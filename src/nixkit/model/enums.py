"""Enumerations and constant holders of the NIX model (values as stored on disk)."""

from __future__ import annotations

import numbers
from enum import Enum
from typing import Any

import numpy as np

from nixkit.exceptions import InvalidEntity


class FileMode:
    """How a file is opened: the values are the h5py-style mode letters."""

    ReadOnly = "r"
    ReadWrite = "a"
    Overwrite = "w"


class Compression(Enum):
    """Compression of DataArray data: ``DeflateNormal`` is gzip level 6."""

    No = "None"
    DeflateNormal = "DeflateNormal"
    Auto = "Auto"


class DimensionType(Enum):
    """Kind of a dimension descriptor."""

    Sample = "sample"
    Range = "range"
    Set = "set"


class LinkType(Enum):
    """How a Feature's data relates to the positions of its Tag or MultiTag."""

    Tagged = "tagged"
    Untagged = "untagged"
    Indexed = "indexed"

    @classmethod
    def parse(cls, value: LinkType | str) -> LinkType:
        """Accept the enum or a case-insensitive name."""
        if isinstance(value, LinkType):
            return value
        if isinstance(value, str):
            try:
                return cls(value.lower())
            except ValueError:
                pass
        raise InvalidEntity(f"invalid link type {value!r}; use one of tagged, untagged, indexed")


class IndexMode(Enum):
    """Which sample ``index_of`` picks for a position between samples."""

    Less = "less"
    LessOrEqual = "leq"
    GreaterOrEqual = "geq"
    LEQ = "leq"
    GEQ = "geq"


class SliceMode(Enum):
    """Whether the end of a tagged region is excluded or included."""

    Exclusive = "exclusive"
    Inclusive = "inclusive"

    def to_index_mode(self) -> IndexMode:
        """The index mode that finds the last sample of a region."""
        return IndexMode.Less if self is SliceMode.Exclusive else IndexMode.LessOrEqual


class DataSliceMode(Enum):
    """Whether ``DataArray.get_slice`` takes indices or positions in dimension units."""

    Index = 1
    Data = 2


class DataType:
    """Numpy types of the NIX data types."""

    UInt8 = np.uint8
    UInt16 = np.uint16
    UInt32 = np.uint32
    UInt64 = np.uint64
    Int8 = np.int8
    Int16 = np.int16
    Int32 = np.int32
    Int64 = np.int64
    Float = np.float32
    Double = np.double
    String = np.str_
    Bool = np.bool_
    Char = np.int8
    Opaque = np.void

    IntTypes = (Int8, Int16, Int32, Int64, UInt8, UInt16, UInt32, UInt64)
    FloatTypes = (Float, Double)

    @classmethod
    def get_dtype(cls, value: Any) -> Any:
        """The NIX type a Python value is stored as (ints widen to Int64, reals to Double)."""
        if isinstance(value, (bool, np.bool_)):
            return cls.Bool
        if isinstance(value, numbers.Integral):
            return cls.Int64
        if isinstance(value, numbers.Real):
            return cls.Double
        if isinstance(value, (str, bytes)):
            return cls.String
        raise ValueError(f"Unknown type for value {value!r}")

    @classmethod
    def is_numeric_dtype(cls, dtype: Any) -> bool:
        """Whether ``dtype`` is an integer or floating type."""
        return np.dtype(dtype).kind in "iuf"


class OdmlType(Enum):
    """odML value types a Property may declare."""

    Boolean = "boolean"
    Int = "int"
    Float = "float"
    String = "string"
    Text = "text"
    URL = "url"
    Person = "person"
    Datetime = "datetime"
    Date = "date"
    Time = "time"

    def __str__(self) -> str:
        return self.value

    def compatible(self, value: Any) -> bool:
        """Whether ``value`` fits this type."""
        if self in (OdmlType.String, OdmlType.Text, OdmlType.URL, OdmlType.Person):
            return isinstance(value, str)
        if self is OdmlType.Boolean:
            return isinstance(value, (bool, np.bool_))
        if self is OdmlType.Float:
            return isinstance(value, numbers.Real) and not isinstance(value, numbers.Integral)
        if self is OdmlType.Int:
            return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))
        return isinstance(value, str)

    @classmethod
    def get_odml_type(cls, dtype: Any) -> OdmlType:
        """The odML type matching a NIX data type."""
        if dtype in (DataType.String, str) or (isinstance(dtype, np.dtype) and dtype.kind in ("U", "S", "O")):
            return cls.String
        kind = np.dtype(dtype).kind
        if kind == "b":
            return cls.Boolean
        if kind == "f":
            return cls.Float
        if kind in "iu":
            return cls.Int
        raise TypeError(f"no odML type for {dtype!r}")
