"""Entity ids and the checks every name, type and attribute value goes through."""

from __future__ import annotations

import uuid

from nixkit.exceptions import InvalidAttrType, InvalidName


def create_id() -> str:
    """A fresh entity id (UUID4, lower case with dashes)."""
    return str(uuid.uuid4())


def is_uuid(value: object) -> bool:
    """Whether ``value`` reads as a UUID."""
    if not isinstance(value, str) or len(value) < 32:
        return False
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def check_entity_name(name: object, what: str = "name") -> str:
    """Validate an entity name: a non-empty str without '/'."""
    if not isinstance(name, str):
        raise InvalidAttrType(str, name)
    if not name:
        raise InvalidName(f"{what} must not be empty")
    if "/" in name:
        raise InvalidName(f"{what} {name!r} must not contain '/'; nixkit.util.names.sanitizer fixes it")
    _check_storable(name, what)
    return name


def _check_storable(text: str, what: str) -> None:
    """Refuse text that has no UTF-8 form (lone surrogates, as from undecodable file names):
    HDF5 stores names and attributes as UTF-8, and the write would fail half-way."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidName(
            f"{what} {text!r} cannot be stored: character {exc.start} is a lone surrogate, "
            "not Unicode text (decode the source with the right encoding)"
        ) from None


def check_entity_type(type_: object) -> str:
    """Validate an entity type: a non-empty str."""
    if not isinstance(type_, str):
        raise InvalidAttrType(str, type_)
    if not type_:
        raise InvalidName("type must not be empty")
    _check_storable(type_, "type")
    return type_


def check_entity_name_and_type(name: object, type_: object) -> None:
    """Validate a name and a type together."""
    check_entity_name(name)
    check_entity_type(type_)


def check_attr_type(value: object, type_: type) -> None:
    """Raise InvalidAttrType unless ``value`` is None or of ``type_``."""
    if value is not None and not isinstance(value, type_):
        raise InvalidAttrType(type_, value)
