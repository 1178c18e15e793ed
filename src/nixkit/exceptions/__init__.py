"""nixkit exceptions, importable as in nixio (``nixkit.exceptions`` and ``nixkit.exceptions.exceptions``)."""

from nixkit.exceptions import exceptions
from nixkit.exceptions.exceptions import *  # noqa: F403
from nixkit.exceptions.exceptions import __all__ as _names

__all__ = ["exceptions", *_names]
