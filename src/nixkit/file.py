"""nixio-compatible ``nixkit.file``: the File class and the format constants."""

from nixkit.model.enums import FileMode
from nixkit.model.file import FILE_FORMAT, HDF_FF_VERSION, File, can_read, can_write

__all__ = ["FILE_FORMAT", "HDF_FF_VERSION", "File", "FileMode", "can_read", "can_write"]
