"""NIX timestamps: ``YYYYMMDDTHHMMSS`` strings in UTC (Boost ISO format, no zone)."""

from __future__ import annotations

import calendar
import time

_FMT = "%Y%m%dT%H%M%S"


def now_int() -> int:
    """Seconds since the epoch, now (true UTC; nixio writes local time labelled as UTC)."""
    return int(time.time())


def time_to_str(seconds: int) -> str:
    """Format epoch seconds as a NIX timestamp."""
    return time.strftime(_FMT, time.gmtime(seconds))


def str_to_time(text: str | bytes) -> int:
    """Parse a NIX timestamp (fractional seconds, if any, are dropped)."""
    if isinstance(text, bytes):
        text = text.decode("ascii")
    return calendar.timegm(time.strptime(text.split(".")[0].split(",")[0], _FMT))
