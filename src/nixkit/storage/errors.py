"""HDF5 failures and malformed stored values turned into nixkit errors that name the object."""

from __future__ import annotations

import functools
import numbers
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar, cast

import h5py
import numpy as np

from nixkit.exceptions.exceptions import (
    CorruptFile,
    EntityNotFound,
    FileInUse,
    InvalidAttrType,
    InvalidData,
    InvalidFile,
    NixError,
    WriteFailed,
)

F = TypeVar("F", bound=Callable[..., Any])


def path_of(node: Any) -> str:
    """HDF5 path of a node, or a stand-in when the node's handle is what is broken."""
    try:
        return str(node._h.name)
    except Exception:  # the handle itself may be what is broken
        return "an object of the file"


def target_path(node: Any, args: tuple[Any, ...]) -> str:
    """The path a node method was working on: the node's, or its child's when named."""
    base = path_of(node)
    return f"{base.rstrip('/')}/{args[0]}" if args and isinstance(args[0], str) else base


def guarded(method: Callable[..., Any]) -> Callable[..., Any]:
    """Turn HDF5 read failures into nixkit errors that name the object's path.

    A missing child becomes :class:`EntityNotFound` (a KeyError); an unreadable object
    (damaged metadata, truncated file) becomes :class:`CorruptFile`.
    """

    @functools.wraps(method)
    def call(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except NixError:
            raise
        except KeyError as exc:
            reason = exc.args[0] if exc.args else exc
            raise EntityNotFound(f"{target_path(self, args)} does not exist or cannot be opened ({reason})") from exc
        except (ValueError, TypeError) as exc:
            if args or kwargs:
                raise  # may be about the caller's input (a selection, a value)
            raise CorruptFile(f"cannot read {path_of(self)}: {exc}; the file may be damaged") from exc
        except (OSError, RuntimeError) as exc:
            what = target_path(self, args)
            raise CorruptFile(
                f"cannot read {what}: {exc}; the file may be damaged ('nixkit recover' rescues what is readable)"
            ) from exc

    return call


def attr_path(node: Any, args: tuple[Any, ...]) -> str:
    """What an attribute write works on: ``attribute 'key' of /path``."""
    return f"attribute {args[0]!r} of {path_of(node)}" if args else path_of(node)


def unstorable(exc: UnicodeEncodeError, where: str) -> InvalidData:
    """The error for text ``exc`` could not encode while writing ``where``."""
    text = exc.object if isinstance(exc.object, str) else str(exc.object)
    shown = repr(text if len(text) <= 40 else text[:40] + "...")
    return InvalidData(
        f"cannot store {shown} in {where}: character {text[exc.start : exc.end]!r} "
        f"at position {exc.start} has no {exc.encoding.upper()} form ({exc.reason})"
    )


def check_text(values: Iterable[str], where: str) -> None:
    """Raise :class:`InvalidData` if one of ``values`` has no UTF-8 form.

    For writes that drop or resize what is stored before the new text is converted:
    checking first leaves the old value in place.
    """
    for text in values:
        if not isinstance(text, str):
            continue  # bytes and numbers are converted (or refused) by the write itself
        try:
            text.encode()
        except UnicodeEncodeError as exc:
            raise unstorable(exc, where) from None


def storable(where: Callable[[Any, tuple[Any, ...]], str] = target_path) -> Callable[[F], F]:
    """Turn values HDF5 cannot convert while a write runs into nixkit errors naming the target.

    Python strings may hold lone surrogates, which neither UTF-8 nor ASCII can encode;
    h5py finds out only while converting, as a bare UnicodeEncodeError: it becomes
    :class:`InvalidData` naming what was written (``where(node, args)``) and the text.
    Objects h5py cannot convert (not text where text belongs) raise its TypeError, which
    becomes :class:`InvalidAttrType`. HDF5 failing to write (a full disk, damaged
    structure) becomes :class:`WriteFailed`. The try costs nothing until something fails,
    so write paths stay fast.
    """

    def wrap(method: F) -> F:
        @functools.wraps(method)
        def call(self: Any, *args: Any, **kwargs: Any) -> Any:
            try:
                return method(self, *args, **kwargs)
            except NixError:
                raise
            except UnicodeEncodeError as exc:
                raise unstorable(exc, where(self, args)) from exc
            except TypeError as exc:
                raise InvalidAttrType(f"cannot store the value in {where(self, args)}: {exc}") from exc
            except (OSError, RuntimeError) as exc:
                raise WriteFailed(
                    f"cannot write {where(self, args)}: {exc} ('nixkit recover' rescues what is readable)"
                ) from exc

        return cast(F, call)

    return wrap


def open_error(path: str | Path, exc: OSError) -> NixError:
    """The nixkit error for HDF5 failing to open ``path`` with ``exc``."""
    text = str(exc)
    if "unable to lock" in text:  # not just "lock": "sblock" appears in truncation errors
        return FileInUse(
            f"cannot open {str(path)!r}: another process (or another File object) has it open for "
            f"writing; close that first ({text})"
        )
    if "already open for read-only" in text:
        return FileInUse(
            f"cannot open {str(path)!r} for writing: this process has it open read-only; close that File first"
        )
    if "already open for" in text:
        # A file in the newest format records that a writer has it open. After a killed
        # writer the mark stays: the file is still readable with swmr=True.
        return FileInUse(
            f"cannot open {str(path)!r}: it is marked as open for writing ({text}). If no process "
            "is writing it, its writer was killed: open it with swmr=True to read it, or run "
            "'nixkit recover' to copy it into a new file"
        )
    if _looks_like_hdf5(path):
        return CorruptFile(
            f"{str(path)!r} is a damaged HDF5 file ({text}); 'nixkit recover' copies what can still "
            "be read into a new file"
        )
    return InvalidFile(f"{str(path)!r} is not a readable HDF5 file ({text}); NIX files are HDF5 files")


def _looks_like_hdf5(path: str | Path) -> bool:
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
    except OSError:
        return False
    return head == b"\x89HDF\r\n\x1a\n"


# Attributes with a fixed kind in the NIX layout: a stored value of another kind means
# damage, reported with the object's path instead of failing later in arithmetic.
_TEXT_ATTRS = frozenset(
    (
        "name",
        "type",
        "entity_id",
        "created_at",
        "updated_at",
        "definition",
        "label",
        "unit",
        "link_type",
        "target_type",
        "dimension_type",
        "data_object_type",
        "odml_type",
        "repository",
        "format",
        "id",
    )
)
_NUMBER_ATTRS = frozenset(("sampling_interval", "offset", "expansion_origin", "uncertainty"))
_INDEX_ATTRS = frozenset(("index",))


_CHOICES = {
    "link_type": ("tagged", "untagged", "indexed"),
    "odml_type": ("boolean", "int", "float", "string", "text", "url", "person", "datetime", "date", "time"),
    "data_object_type": ("dataarray", "dataframe"),
    "target_type": ("dataarray", "dataframe"),
}


def checked_attr(node: Any, key: str, value: Any) -> Any:
    """``value`` of attribute ``key`` of ``node``; CorruptFile if the layout fixes another kind."""
    if key in _TEXT_ATTRS:
        if isinstance(value, str) and (key not in _CHOICES or value.lower() in _CHOICES[key]):
            return value
        if isinstance(value, list) and len(value) == 1 and isinstance(value[0], str):
            return value[0]
    elif key in _NUMBER_ATTRS:
        if isinstance(value, np.ndarray) and value.size == 1:
            value = value.reshape(()).item()
        if isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_)):
            return value
    elif key in _INDEX_ATTRS:
        if isinstance(value, (numbers.Integral, np.integer)) or (
            isinstance(value, np.ndarray) and value.ndim <= 1 and value.size and value.dtype.kind in "iu"
        ):
            return value
    else:
        return value
    expected = "text" if key in _TEXT_ATTRS else "integers" if key in _INDEX_ATTRS else "a number"
    if key in _CHOICES:
        expected = " or ".join(map(repr, _CHOICES[key]))
    raise CorruptFile(f"attribute {key!r} of {path_of(node)} holds {value!r} where {expected} belongs")


# Datasets whose element kind the NIX layout fixes.
_NUMBER_DATASETS = frozenset(("position", "extent", "ticks", "polynom_coefficients"))
_TEXT_DATASETS = frozenset(("labels", "units"))


def check_dataset_kind(parent: Any, name: str, ds: h5py.Dataset) -> None:
    """CorruptFile if dataset ``name`` of ``parent`` is not the list of numbers or text the layout fixes."""
    if name in _NUMBER_DATASETS or name in _TEXT_DATASETS:
        numeric = ds.dtype.kind in "biuf"
        if numeric != (name in _NUMBER_DATASETS) or ds.ndim > 1:
            expected = "numbers" if name in _NUMBER_DATASETS else "text"
            where = target_path(parent, (name,))
            raise CorruptFile(f"{where} holds {ds.dtype} {ds.shape} where a list of {expected} belongs")
