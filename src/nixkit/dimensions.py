"""nixio-compatible ``nixkit.dimensions``."""

from nixkit.model.dimensions import (
    DimensionLink,
    DimensionType,
    IndexMode,
    RangeDimension,
    SampledDimension,
    SetDimension,
    SliceMode,
)

__all__ = [
    "DimensionLink",
    "DimensionType",
    "IndexMode",
    "RangeDimension",
    "SampledDimension",
    "SetDimension",
    "SliceMode",
]
