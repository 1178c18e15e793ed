"""Creation and modification times, shared by the File and every entity."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nixkit.exceptions import InvalidAttrType, InvalidEntity
from nixkit.util.time import now_int, str_to_time, time_to_str


class Timestamped:
    """``created_at``/``updated_at`` stored as NIX timestamp attributes of ``_node``."""

    _node: Any
    # Supplied by the File and Entity classes: raises unless the file may be written.
    _writable: Callable[[str], None]

    @property
    def created_at(self) -> int:
        """Creation time in seconds since the epoch (UTC)."""
        return self._time_attr("created_at")

    @property
    def updated_at(self) -> int:
        """Time of the last recorded change, seconds since the epoch (UTC)."""
        return self._time_attr("updated_at")

    def _time_attr(self, key: str) -> int:
        value = self._node.get_attr(key)
        try:
            return str_to_time(value) if value else 0
        except ValueError as exc:
            raise InvalidEntity(f"{key} of {self._node.path} is not a date (YYYYMMDDTHHMMSS): {value!r}") from exc

    def force_created_at(self, time: int | None = None) -> None:
        """Set the creation time (``None``: now); ``time`` must be a Python int."""
        self._force_time("created_at", time)

    def force_updated_at(self, time: int | None = None) -> None:
        """Set the time of the last change (``None``: now); ``time`` must be a Python int."""
        self._force_time("updated_at", time)

    def _force_time(self, key: str, t: int | None) -> None:
        if t is None:
            t = now_int()
        if type(t) is not int:
            raise InvalidAttrType(int, t)
        self._writable(f"set {key}")
        self._node.set_attr(key, time_to_str(t), ascii_str=True)
