"""Helpers importable as in nixio: ``nixkit.util.units``, ``nixkit.util.names`` and the id/time functions."""

from nixkit.util import names, units
from nixkit.util.ids import (
    check_attr_type,
    check_entity_name,
    check_entity_name_and_type,
    check_entity_type,
    create_id,
    is_uuid,
)
from nixkit.util.time import now_int, str_to_time, time_to_str

__all__ = [
    "check_attr_type",
    "check_entity_name",
    "check_entity_name_and_type",
    "check_entity_type",
    "create_id",
    "is_uuid",
    "names",
    "now_int",
    "str_to_time",
    "time_to_str",
    "units",
]
