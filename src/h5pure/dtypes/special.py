"""h5py's "special dtype" helpers, with h5py's signatures and semantics.

A special dtype is an ordinary numpy dtype whose ``metadata`` carries the HDF5 meaning
that numpy cannot express: ``vlen`` (str, bytes or a base dtype), ``enum`` (name -> value
dict), ``ref`` (:class:`Reference` or :class:`RegionReference`), ``h5py_encoding`` for
fixed-length strings and ``h5py_opaque`` for tagged opaque data.  The helpers below build
and inspect those dtypes exactly as the functions of the same names in h5py do.
"""

from __future__ import annotations

import codecs
from typing import Any, NamedTuple

import numpy as np

from .references import Reference, RegionReference

__all__ = [
    "string_info",
    "string_dtype",
    "vlen_dtype",
    "enum_dtype",
    "opaque_dtype",
    "ref_dtype",
    "regionref_dtype",
    "special_dtype",
    "check_dtype",
    "check_string_dtype",
    "check_vlen_dtype",
    "check_enum_dtype",
    "check_opaque_dtype",
    "check_ref_dtype",
]


class string_info(NamedTuple):  # noqa: N801 - h5py's name
    """What :func:`check_string_dtype` reports: ``encoding`` ('utf-8' or 'ascii') and
    ``length`` (bytes, or None for variable-length strings)."""

    encoding: str
    length: int | None


def _metadata(dt: Any) -> Any:
    return getattr(dt, "metadata", None)


def string_dtype(encoding: str = "utf-8", length: int | None = None) -> np.dtype:
    """Dtype for HDF5 strings: fixed-length (``length`` bytes, ``S`` dtype tagged with the
    encoding) or variable-length (object dtype whose ``vlen`` is ``str`` for UTF-8 and
    ``bytes`` for ASCII)."""
    try:
        encoding = codecs.lookup(encoding).name
    except LookupError:
        pass
    if encoding not in ("ascii", "utf-8"):
        raise ValueError(f"Invalid encoding ({encoding!r}); 'utf-8' or 'ascii' allowed")
    if length is None:
        return np.dtype("O", metadata={"vlen": str if encoding == "utf-8" else bytes})
    if isinstance(length, int):
        return np.dtype(f"|S{length}", metadata={"h5py_encoding": encoding})
    raise TypeError(f"length must be integer or None (got {length!r})")


def vlen_dtype(basetype: Any) -> np.dtype:
    """Dtype for an HDF5 variable-length sequence of ``basetype`` elements."""
    return np.dtype("O", metadata={"vlen": basetype})


def enum_dtype(values_dict: dict[str, int], basetype: Any = np.uint8) -> np.dtype:
    """Dtype for an HDF5 enumeration over the integer ``basetype``."""
    dt = np.dtype(basetype)
    if not np.issubdtype(dt, np.integer):
        raise TypeError("Only integer types can be used as enums")
    return np.dtype(dt, metadata={"enum": values_dict})


def opaque_dtype(np_dtype: Any) -> np.dtype:
    """``np_dtype`` tagged to be stored as HDF5 opaque data (tag ``NUMPY:<descr>``)."""
    dt = np.dtype(np_dtype)
    if dt.kind == "O":
        raise TypeError("Cannot store numpy object arrays as opaque data")
    if dt.names is not None:
        raise TypeError("Cannot store numpy structured arrays as opaque data")
    if dt.subdtype is not None:
        raise TypeError("Cannot store numpy sub-array dtype as opaque data")
    if dt.itemsize == 0:
        raise TypeError("dtype for opaque data must have explicit size")
    return np.dtype(dt, metadata={"h5py_opaque": True})


ref_dtype = np.dtype("O", metadata={"ref": Reference})
"""Dtype of object references."""
regionref_dtype = np.dtype("O", metadata={"ref": RegionReference})
"""Dtype of dataset region references."""


def special_dtype(**kwds: Any) -> np.dtype:
    """Legacy constructor: exactly one of ``vlen=base``, ``enum=(base, values)``,
    ``ref=Reference|RegionReference``."""
    if len(kwds) != 1:
        raise TypeError("Exactly one keyword may be provided")
    name, val = kwds.popitem()
    if name == "vlen":
        return np.dtype("O", metadata={"vlen": val})
    if name == "enum":
        try:
            base, values = val
        except TypeError:
            raise TypeError(
                "Enums must be created from a 2-tuple (basetype, values_dict)"
            ) from None
        return enum_dtype(values, base)
    if name == "ref":
        if val not in (Reference, RegionReference):
            raise ValueError("Ref class must be Reference or RegionReference")
        return ref_dtype if val is Reference else regionref_dtype
    raise TypeError(f'Unknown special type "{name}"')


def check_dtype(**kwds: Any) -> Any:
    """Legacy inspector: exactly one of ``vlen=dt``, ``enum=dt``, ``ref=dt``; returns the
    hint stored in the dtype's metadata or None."""
    if len(kwds) != 1:
        raise TypeError("Exactly one keyword may be provided")
    name, dt = kwds.popitem()
    if name not in ("vlen", "enum", "ref"):
        raise TypeError(f'Unknown special type "{name}"')
    meta = _metadata(dt)
    if meta is None:
        return None
    return meta.get(name)


def check_vlen_dtype(dt: Any) -> Any:
    """The vlen base (``str``, ``bytes`` or a dtype) or None."""
    meta = _metadata(dt)
    return None if meta is None else meta.get("vlen", None)


def check_string_dtype(dt: Any) -> string_info | None:
    """A :class:`string_info` for string dtypes (fixed or variable length), else None."""
    vlen = check_vlen_dtype(dt)
    if vlen is str:
        return string_info("utf-8", None)
    if vlen is bytes:
        return string_info("ascii", None)
    if dt.kind == "S":
        enc = (_metadata(dt) or {}).get("h5py_encoding", "ascii")
        return string_info(enc, dt.itemsize)
    return None


def check_enum_dtype(dt: Any) -> dict[str, int] | None:
    """The enum's name -> value dict, or None."""
    meta = _metadata(dt)
    return None if meta is None else meta.get("enum", None)


def check_opaque_dtype(dt: Any) -> bool:
    """True when ``dt`` is tagged to be stored as opaque data."""
    meta = _metadata(dt)
    return False if meta is None else bool(meta.get("h5py_opaque", False))


def check_ref_dtype(dt: Any) -> type[Reference] | None:
    """:class:`Reference`, :class:`RegionReference` or None."""
    meta = _metadata(dt)
    return None if meta is None else meta.get("ref", None)
