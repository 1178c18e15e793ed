"""Property: a named list of values of one type, stored as a 1-D dataset of its Section.

Values are int64 for Python ints, float64 for floats, the HDF5 bool enum for booleans and
variable-length UTF-8 for text; numpy arrays keep their own numeric type. Files older than
format 1.2.0 store one compound record per value (``value, uncertainty, reference,
filename, encoder, checksum``); such properties are recognised by their type, not by the
file version, and read as if they were current ones.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

from nixkit.exceptions import InvalidAttrType, InvalidData
from nixkit.model.entity import Entity, check_name, container_group, new_id, write_header
from nixkit.model.enums import DataType, OdmlType
from nixkit.storage.dataset import bitfield_members
from nixkit.storage.dtypes import STR_DTYPE, decode, is_string_dtype
from nixkit.storage.errors import check_text
from nixkit.util.units import sanitizer

if TYPE_CHECKING:
    from nixkit.model.file import File
    from nixkit.model.section import Section
    from nixkit.storage.dataset import DatasetNode
    from nixkit.storage.group import GroupNode

__all__ = ["OdmlType", "Property", "copy_property", "create_property"]

# Value families: a property holds values of one family; numpy widths within it may differ.
_BOOL, _INT, _FLOAT, _STR = "bool", "int", "float", "str"
_ODML_FAMILIES = {
    _BOOL: {OdmlType.Boolean},
    _INT: {OdmlType.Int},
    _FLOAT: {OdmlType.Float},
    _STR: {
        OdmlType.String,
        OdmlType.Text,
        OdmlType.URL,
        OdmlType.Person,
        OdmlType.Datetime,
        OdmlType.Date,
        OdmlType.Time,
    },
}
# Legacy (format < 1.2.0) compound records hold the value in this member.
_LEGACY_VALUE = "value"
# Chunk length of an empty property, which is expected to grow (nixio uses the same).
_EMPTY_CHUNK = 8
_MAX_CHUNK = 4096


def _family_of_dtype(dtype: np.dtype[Any]) -> str:
    if is_string_dtype(dtype):
        return _STR
    kind = dtype.kind
    if kind == "b":
        return _BOOL
    if kind in "iu":
        return _INT
    if kind == "f":
        return _FLOAT
    raise InvalidAttrType(f"property values cannot have the type {dtype}; use bool, int, float or str values")


def _family_of_value(value: Any) -> str:
    if isinstance(value, (bool, np.bool_)):
        return _BOOL
    if isinstance(value, numbers.Integral):
        return _INT
    if isinstance(value, numbers.Real):
        return _FLOAT
    if isinstance(value, (str, bytes)):
        return _STR
    raise InvalidAttrType(f"property values must be bool, int, float or str, not {type(value).__name__} ({value!r})")


def _text(value: Any) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def storage_dtype(type_: Any) -> np.dtype[Any]:
    """The dataset type for a NIX data type given to ``create_property`` (e.g. ``DataType.Float``)."""
    if type_ in (DataType.String, str, bytes, np.bytes_, object):
        return STR_DTYPE
    try:
        dtype = np.dtype(type_)
    except TypeError as exc:
        raise InvalidAttrType(f"{type_!r} is not a data type a property can hold") from exc
    if dtype.kind in "USO":
        return STR_DTYPE
    _family_of_dtype(dtype)
    return dtype


def as_values(data: Any) -> np.ndarray[Any, Any]:
    """Turn user input (a value, a sequence or a 1-D array) into a 1-D array of one family.

    Python and numpy scalars are stored as NIX does (int64, float64, bool, str); a numpy
    array keeps its numeric type. Text comes back as an object array of ``str``.

    Raises
    ------
    InvalidAttrType
        Values of mixed families, or of a type a property cannot hold.
    ValueError
        Nested sequences or arrays of more than one dimension.
    """
    if isinstance(data, np.ndarray):
        arr = data.reshape(1) if data.ndim == 0 else data
        if arr.ndim != 1:
            raise ValueError(f"property values must be one-dimensional, not of shape {arr.shape}")
        if arr.dtype.kind != "O":
            if arr.dtype.kind in "US":
                return np.array([_text(v) for v in arr.tolist()], dtype=object)
            _family_of_dtype(arr.dtype)
            return arr
        items: list[Any] = arr.tolist()
    elif isinstance(data, (str, bytes)) or not isinstance(data, Iterable):
        items = [data]
    elif isinstance(data, (dict, set, frozenset)):
        raise InvalidAttrType(f"property values must be a value or a sequence, not a {type(data).__name__}")
    else:
        items = list(data)
    if not items:
        return np.empty(0, dtype=np.int64)
    for item in items:
        if isinstance(item, (list, tuple, np.ndarray, dict, set)):
            raise ValueError(f"property values cannot be nested: {item!r} is not a single value")
    family = _family_of_value(items[0])
    for item in items[1:]:
        if _family_of_value(item) != family:
            raise InvalidAttrType(f"Array contains inconsistent values: {item!r} is not a {family} like {items[0]!r}")
    if family == _STR:
        return np.array([_text(v) for v in items], dtype=object)
    dtype = {_BOOL: np.bool_, _INT: np.int64, _FLOAT: np.float64}[family]
    try:
        return np.array(items, dtype=dtype)
    except OverflowError as exc:
        raise InvalidData(f"integer property values must fit into int64: {exc}") from exc


def fit_values(arr: np.ndarray[Any, Any], dtype: np.dtype[Any]) -> np.ndarray[Any, Any]:
    """Convert prepared values to the dataset type ``dtype`` of an existing property."""
    target = _family_of_dtype(dtype)
    if arr.size == 0:
        return arr
    family = _STR if arr.dtype.kind == "O" else _family_of_dtype(arr.dtype)
    if family != target:
        shown = DataType.String if target == _STR else dtype
        raise InvalidAttrType(f"New data type '{arr.dtype}' is inconsistent with the Property's data type '{shown}'")
    if family == _STR or arr.dtype == dtype:
        return arr
    if family == _INT:
        info = np.iinfo(dtype)
        low, high = int(arr.min()), int(arr.max())
        if low < info.min or high > info.max:
            raise InvalidData(f"values from {low} to {high} do not fit into the property's type {dtype}")
    return arr.astype(dtype)


def _chunk(n: int) -> tuple[int]:
    return (min(n, _MAX_CHUNK) if n else _EMPTY_CHUNK,)


class Property(Entity):
    """A named list of values (with unit, uncertainty and odML annotations) in a Section.

    Properties are stored as datasets and carry no ``type``.
    """

    _node: DatasetNode

    # -- identity ---------------------------------------------------------------------
    @property
    def type(self) -> None:
        """Always None: properties have no type."""
        return None

    @type.setter
    def type(self, value: str) -> None:
        raise AttributeError("a Property has no type; describe it with definition or odml_type")

    def __repr__(self) -> str:
        return f"Property: {{name = {self.name}}}"

    __str__ = __repr__

    def _writable(self, action: str) -> None:
        # Named by path: a repr would read attributes on every write, even when allowed.
        self._file._check_writable(f"{action} on the Property at {self._node.path}")

    # -- storage helpers ------------------------------------------------------------------
    def _legacy(self) -> bool:
        names = self._node.dtype.names
        return names is not None and _LEGACY_VALUE in names

    def _value_dtype(self) -> np.dtype[Any]:
        """Type of the values as this library presents them (bool for legacy bitfields)."""
        dtype = self._node.dtype
        if self._legacy():
            bits = bitfield_members(self._node)
            return np.dtype(bool) if _LEGACY_VALUE in bits else dtype[_LEGACY_VALUE]
        if bitfield_members(self._node):
            return np.dtype(bool)
        return dtype

    def _read(self) -> np.ndarray[Any, Any]:
        """All values as a 1-D array (text as ``str`` objects)."""
        node = self._node
        if not node.shape or node.shape[0] == 0:
            return np.empty(0, dtype=self._value_dtype())
        if self._legacy():
            arr = node.read(_LEGACY_VALUE)
            if arr.dtype.kind in "OS":
                return np.array(decode(arr), dtype=object)
            return arr.astype(bool) if _LEGACY_VALUE in bitfield_members(node) else arr
        arr = node.read()
        return arr.astype(bool) if bitfield_members(node) else arr

    def _first_record(self, member: str) -> Any:
        node = self._node
        if not node.shape or node.shape[0] == 0:
            return None
        return node.read(0)[member]

    def _store(self, arr: np.ndarray[Any, Any], start: int) -> None:
        """Write ``arr`` from position ``start`` on, making the dataset exactly that long."""
        node = self._node
        if self._legacy():
            raise InvalidData(f"{self!r} uses the pre-1.2 compound layout; convert the file with nixkit.upgrade first")
        if arr.dtype.kind == "O":
            check_text(arr, repr(self))  # before a resize, so bad text leaves no blank values
        size = start + len(arr)
        if node.shape != (size,):
            limit = node.maxshape[0]
            if node.chunks is None or (limit is not None and size > limit):
                raise InvalidData(
                    f"the dataset of {self!r} has a fixed size of {node.shape[0]} and cannot hold {size} "
                    "values (nixio's upgrade tool writes such datasets); delete and recreate the property"
                )
            if size < node.shape[0]:
                # Values first, then the shrink: a shrink flushes at once (see
                # DatasetNode.resize), and the flushed state must be the whole new list.
                if len(arr):
                    node.write(slice(start, size), arr)
                node.resize((size,))
                return
            node.resize((size,))
        if len(arr):
            node.write(slice(start, size), arr)

    # -- values -----------------------------------------------------------------------------
    @property
    def values(self) -> tuple[Any, ...]:
        """The values: numpy scalars, or ``str`` for text; ``()`` when empty.

        Setting replaces all values. A single value is wrapped; None or an empty sequence
        empties the property. New values must be of the property's family (bool, int,
        float or text) and fit its numeric type.
        """
        return tuple(self._read())

    @values.setter
    def values(self, vals: Any) -> None:
        self._writable("set values")
        arr = np.empty(0) if vals is None else as_values(vals)
        arr = fit_values(arr, self._node.dtype) if arr.size else arr
        self._store(arr, 0)

    def extend_values(self, data: Any) -> None:
        """Append ``data`` (a value or a flat sequence) to the values."""
        self._writable("extend values")
        arr = fit_values(as_values(data), self._node.dtype)
        self._store(arr, self._node.shape[0])

    def delete_values(self) -> None:
        """Remove all values; the property keeps its type."""
        self._writable("delete values")
        self._store(np.empty(0), 0)

    @property
    def data_type(self) -> Any:
        """Type of the values: a numpy dtype, or ``DataType.String`` for text."""
        dtype = self._value_dtype()
        return DataType.String if is_string_dtype(dtype) else dtype

    # -- attributes -------------------------------------------------------------------------
    @property
    def unit(self) -> str | None:
        """Unit of the values (blanks removed, micro spelled ``u``); None when unset."""
        return self._node.get_attr("unit")

    @unit.setter
    def unit(self, value: str | None) -> None:
        if value is not None and not isinstance(value, str):
            raise InvalidAttrType(str, value)
        self._set_optional_str("unit", sanitizer(value) or None, touch=False)

    @property
    def uncertainty(self) -> float | None:
        """Uncertainty of the values (stored as float64); None when unset."""
        legacy = self._legacy()
        value = self._first_record("uncertainty") if legacy else self._node.get_attr("uncertainty")
        return None if value is None else float(value)

    @uncertainty.setter
    def uncertainty(self, value: float | None) -> None:
        if value is not None and (not isinstance(value, numbers.Real) or isinstance(value, (bool, np.bool_))):
            raise InvalidAttrType(numbers.Real, value)
        self._writable("set uncertainty")
        if value is None:
            self._node.del_attr("uncertainty")
        else:
            self._node.set_attr("uncertainty", np.float64(value))

    @property
    def reference(self) -> str | None:
        """Reference (e.g. a citation or URL) for the values."""
        if self._legacy():
            value = self._first_record("reference")
            return None if value is None else _text(value)
        return self._node.get_attr("reference")

    @reference.setter
    def reference(self, value: str | None) -> None:
        self._set_optional_str("reference", value, touch=False)

    @property
    def definition(self) -> str | None:
        """Free-text definition of the property."""
        return self._node.get_attr("definition")

    @definition.setter
    def definition(self, value: str | None) -> None:
        self._set_optional_str("definition", value, touch=False)

    @property
    def dependency(self) -> str | None:
        """Name of a property these values depend on."""
        return self._node.get_attr("dependency")

    @dependency.setter
    def dependency(self, value: str | None) -> None:
        self._set_optional_str("dependency", value, touch=False)

    @property
    def dependency_value(self) -> str | None:
        """Value of the ``dependency`` property these values belong to."""
        return self._node.get_attr("dependency_value")

    @dependency_value.setter
    def dependency_value(self, value: str | None) -> None:
        self._set_optional_str("dependency_value", value, touch=False)

    @property
    def value_origin(self) -> str | None:
        """Where the values came from."""
        return self._node.get_attr("value_origin")

    @value_origin.setter
    def value_origin(self, value: str | None) -> None:
        self._set_optional_str("value_origin", value, touch=False)

    @property
    def odml_type(self) -> OdmlType | None:
        """The odML type of the values, or None."""
        value = self._node.get_attr("odml_type")
        return OdmlType(value) if value else None

    @odml_type.setter
    def odml_type(self, value: OdmlType | None) -> None:
        if value is not None:
            if not isinstance(value, OdmlType):
                raise InvalidAttrType(f"'{value}' is not a valid odml_type; use an OdmlType member")
            if value not in _ODML_FAMILIES[_family_of_dtype(self._value_dtype())]:
                raise InvalidAttrType(f"Type '{value}' is incompatible with property values of {self.data_type}")
        self._set_optional_str("odml_type", None if value is None else value.value, touch=False)

    # -- display ----------------------------------------------------------------------------
    def pprint(self, indent: int = 2, max_length: int = 80, current_depth: int = -1) -> None:
        """Print ``name: values unit`` on one line.

        Parameters
        ----------
        indent : int
            Spaces per tree level.
        max_length : int
            Longer lines are shortened in the middle.
        current_depth : int
            Depth of the owning section; -1 prints the property on its own.
        """
        items = tuple(v.item() if isinstance(v, np.generic) else v for v in self.values)
        line = f"{self.name}: {items}{self.unit or ''}"
        if current_depth >= 0:
            line = " " * ((current_depth + 2) * indent) + "|- " + line
        if len(line) > max_length:
            half = max(1, (max_length - 5) // 2)
            line = f"{line[:half]} ... {line[-half:]}"
        print(line)


def create_property(section: Section, name: str, values_or_dtype: Any, oid: str | None = None) -> Property:
    """Create a Property in ``section`` from values or from a data type (then empty).

    Everything is checked before the file is touched, so a failed call leaves no trace.
    """
    section._writable(f"create property {name!r}")
    check_name(name)
    if isinstance(values_or_dtype, (type, np.dtype)):
        dtype = storage_dtype(values_or_dtype)
        arr: np.ndarray[Any, Any] = np.empty(0, dtype=object if dtype == STR_DTYPE else dtype)
    else:
        if values_or_dtype is None:
            raise InvalidAttrType("Please provide either a non empty value or a DataType.")
        arr = as_values(values_or_dtype)
        if arr.size == 0:
            raise InvalidAttrType("Please provide either a non empty value or a DataType.")
        dtype = STR_DTYPE if arr.dtype.kind == "O" else arr.dtype
    with container_group(section._file, section._node, "properties", name, "create_property") as group:
        node = group.create_dataset(name, (len(arr),), dtype, data=arr if len(arr) else None, chunks=_chunk(len(arr)))
        write_header(node, name, None, oid)
    section._file._changed(group)
    return Property(section._file, node, section)


def copy_property(file: File, group: GroupNode, source: Property, name: str, keep_id: bool) -> DatasetNode:
    """Write a copy of ``source`` named ``name`` into the ``properties`` group ``group``.

    The copy is always in the current layout: legacy compound values are flattened, and
    their uncertainty and reference become attributes.
    """
    arr = source._read()
    dtype = source._value_dtype()
    if is_string_dtype(dtype) or arr.dtype.kind == "O":
        dtype = STR_DTYPE
    node = group.create_dataset(name, (len(arr),), dtype, data=arr if len(arr) else None, chunks=_chunk(len(arr)))
    src = source._node
    legacy = source._legacy()
    for key in src.attr_names():
        value = src.get_attr(key)
        if key == "name":
            value = name
        elif key == "entity_id" and not keep_id:
            value = new_id()
        node.set_attr(key, value, ascii_str=key in ("created_at", "updated_at"))
    if legacy:
        # The flattened layout keeps only meaningful per-property annotations.
        uncertainty, reference = source.uncertainty, source.reference
        if uncertainty:
            node.set_attr("uncertainty", np.float64(uncertainty))
        if reference:
            node.set_attr("reference", reference)
    file._changed(group)
    return node
