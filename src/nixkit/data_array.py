"""nixio-compatible ``nixkit.data_array``."""

from nixkit.model.data_array import DataArray
from nixkit.model.enums import DataSliceMode

__all__ = ["DataArray", "DataSliceMode"]
