"""The nixkit exception family.

Every error nixkit raises on purpose derives from :class:`NixError`, and also from the
builtin exception a Python user would reach for (``KeyError``, ``ValueError``, ...), so
``except ValueError`` keeps working. The nixio 1.5.4 names are all here with the same
meaning; where nixio raised a plain builtin (``RuntimeError`` for a bad version,
``ValueError`` when writing to a read-only file) our subclass inherits that builtin too,
so nixio scripts that catch it keep working.
"""

from __future__ import annotations

__all__ = [
    "NixError",
    "DuplicateName",
    "UninitializedEntity",
    "InvalidUnit",
    "InvalidAttrType",
    "InvalidEntity",
    "InvalidSlice",
    "OutOfBounds",
    "IncompatibleDimensions",
    "InvalidFile",
    "DuplicateColumnName",
    "UnsupportedLinkType",
    "ReadOnlyError",
    "FormatVersionError",
    "EntityNotFound",
    "InvalidName",
    "BrokenLink",
    "FileMissing",
    "InvalidData",
    "FileInUse",
    "ColumnNotFound",
    "CopyNameClash",
    "CorruptFile",
    "WriteFailed",
]


class NixError(Exception):
    """Base of every error raised by nixkit."""


class DuplicateName(NixError, ValueError):
    """An entity or property of that name already exists in the container."""

    def __init__(self, caller: str = "", name: str | None = None) -> None:
        msg = caller if name is None else f"{caller}: an entity named {name!r} already exists"
        super().__init__(msg or "duplicate name")


class UninitializedEntity(NixError, RuntimeError):
    """An entity was used before it was set up."""

    def __init__(self, message: str = "The Entity being accessed is uninitialized or empty.") -> None:
        super().__init__(message)


class InvalidUnit(NixError, ValueError):
    """A unit string cannot be parsed or converted."""

    def __init__(self, what: str = "", where: str = "") -> None:
        super().__init__(f"{what} evoked at: {where}" if where else what)


class InvalidAttrType(NixError, TypeError):
    """An attribute was given a value of the wrong type."""

    def __init__(self, type_: object = None, value: object = None) -> None:
        if isinstance(type_, str) and value is None:
            super().__init__(type_)
        else:
            super().__init__(f"Attribute requires type {type_} but {value!r} was provided")


class InvalidEntity(NixError, ValueError):
    """An entity is not valid for the requested operation."""


class InvalidSlice(NixError, IndexError):
    """Data was requested through a view that selects nothing."""

    def __init__(self, message: str = "Trying to access data with an invalid slice.") -> None:
        super().__init__(message)


class OutOfBounds(NixError, IndexError):
    """An index or tagged region lies outside the data."""

    def __init__(self, message: str = "", index: object = None) -> None:
        if index is not None:
            message = f"{message} (index: {index})"
        super().__init__(message)
        self.index = index


class IncompatibleDimensions(NixError, ValueError):
    """Shapes, ranks or units of two related objects do not fit together."""

    def __init__(self, what: str = "", where: str = "") -> None:
        super().__init__(f"{what} evoked at: {where}" if where else what)


class InvalidFile(NixError, OSError):
    """The file is not a (readable) NIX file."""

    def __init__(self, message: str = "The file is not a valid NIX file.") -> None:
        super().__init__(message)


class DuplicateColumnName(NixError, ValueError):
    """Two DataFrame columns share a name."""

    def __init__(self, message: str = "Duplicate column names are not allowed.") -> None:
        super().__init__(message)


class UnsupportedLinkType(NixError, TypeError):
    """The feature link type does not work with this kind of data."""

    def __init__(self, objtype: object = "", linktype: object = "") -> None:
        super().__init__(f"LinkType {linktype} is not supported for {objtype} features")


class ReadOnlyError(NixError, PermissionError, ValueError):
    """A write was attempted on a file opened read-only (nothing was changed)."""


class FormatVersionError(NixError, RuntimeError):
    """The file's NIX format version cannot be opened in the requested mode."""


class EntityNotFound(NixError, KeyError):
    """No entity with that name, id or index exists in the container."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "entity not found"


class InvalidName(NixError, ValueError):
    """A name or type is empty or contains '/'."""


class BrokenLink(NixError, RuntimeError):
    """A reference inside the file points to nothing."""


class FileMissing(NixError, FileNotFoundError, RuntimeError):
    """The file does not exist and the mode does not allow creating it."""


class InvalidData(NixError, ValueError):
    """Data does not fit the array it is written to (type, shape or value range)."""


class FileInUse(NixError, OSError):
    """The file is locked by another open handle or process."""


class ColumnNotFound(NixError, KeyError, ValueError):
    """A DataFrame has no column of that name."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "column not found"


class CopyNameClash(DuplicateName, NameError):
    """A copy would take a name that already exists where it goes (nixio raised NameError)."""


class CorruptFile(InvalidFile, RuntimeError):
    """Part of the file cannot be read: it is damaged or holds values of the wrong kind.

    The message names the HDF5 path of the damaged object. ``nixkit recover`` copies
    whatever can still be read into a new file.
    """


class WriteFailed(NixError, OSError):
    """HDF5 could not write a change: the disk is full or the file's structure is damaged.

    The message says which object was being written and HDF5's reason. What the change
    wrote before it failed is not rolled back; ``nixkit recover`` copies whatever can be
    read into a new file.
    """
