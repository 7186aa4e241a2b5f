"""h5py's ``_hl.compat``: file name encoding."""

from __future__ import annotations

import os
from typing import Any


def filename_encode(filename: Any) -> bytes:
    """A file name (str, bytes or path-like) as the bytes given to the file system."""
    return os.fsencode(os.fspath(filename))


def filename_decode(filename: Any) -> str:
    """A file name as str (bytes decoded as the file system encodes them)."""
    return os.fsdecode(os.fspath(filename))
