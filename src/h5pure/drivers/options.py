"""Driver keyword arguments converted as h5py converts them for libhdf5's C calls."""

from __future__ import annotations

from typing import Any


def c_unsigned(value: Any, ctype: str) -> int:
    """``value`` as h5py passes it to a C unsigned integer parameter (``size_t``,
    ``hsize_t``, ``hbool_t``) of a ``set_fapl_*`` call: numbers are truncated to int, a
    negative one is an OverflowError and anything else a TypeError, in h5py's words."""
    if value is None or isinstance(value, (str, bytes, bytearray)):
        raise TypeError("an integer is required")
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise TypeError("an integer is required") from None
    if number < 0:
        raise OverflowError(f"can't convert negative value to {ctype}")
    return number
