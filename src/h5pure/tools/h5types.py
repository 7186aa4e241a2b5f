"""HDF5 datatype records in the HDF Group tools' words: class names, the standard type
an integer or float is, equality as ``H5Tequal`` sees it."""

from __future__ import annotations

import dataclasses
from typing import Any

_CLASS_NAMES = {
    "FIXED_POINT": "H5T_INTEGER",
    "FLOATING_POINT": "H5T_FLOAT",
    "TIME": "H5T_TIME",
    "STRING": "H5T_STRING",
    "BITFIELD": "H5T_BITFIELD",
    "OPAQUE": "H5T_OPAQUE",
    "COMPOUND": "H5T_COMPOUND",
    "REFERENCE": "H5T_REFERENCE",
    "ENUM": "H5T_ENUM",
    "VARIABLE_LENGTH": "H5T_VLEN",
    "ARRAY": "H5T_ARRAY",
    "COMPLEX": "H5T_COMPLEX",
}


def h5_class(record: Any) -> str:
    """``H5Tget_class``'s name for an HDF5 datatype record (a variable-length string is
    ``H5T_STRING``)."""
    name = record.cls.name
    if name == "VARIABLE_LENGTH" and int(getattr(record, "kind", 0)) == 1:
        return "H5T_STRING"
    return _CLASS_NAMES.get(name, "Invalid class")


def is_vlen_string(record: Any) -> bool:
    return record.cls.name == "VARIABLE_LENGTH" and int(getattr(record, "kind", 0)) == 1


def type_key(record: Any) -> Any:
    """A datatype record without its message versions (``H5Tequal`` ignores them)."""

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k != "version"}
        if isinstance(value, (list, tuple)):
            return tuple(strip(v) for v in value)
        return value

    return (type(record).__name__, strip(dataclasses.asdict(record)))


def std_name(record: Any) -> str:
    """``h5diff``'s ``print_type``: the standard type equal to an integer or float."""
    name = record.cls.name
    order = "BE" if int(getattr(record, "byte_order", 0)) == 1 else "LE"
    if name == "FIXED_POINT":
        bits = record.size * 8
        if record.size in (1, 2, 4, 8) and record.precision == bits and record.bit_offset == 0:
            return f"H5T_STD_{'I' if record.signed else 'U'}{bits}{order}"
        return "undefined integer"
    if name == "FLOATING_POINT":
        if record.size in (4, 8):
            return f"H5T_IEEE_F{record.size * 8}{order}"
        return "undefined float"
    return ""
