"""Jenkins lookup3 ``hashlittle``, the checksum of all HDF5 metadata since 1.8.

HDF5 File Format Specification 4.0, I.C and ``src/H5checksum.c``
(``H5_checksum_lookup3``): bytes are consumed as little-endian 32-bit words, twelve at a
time; the checksum of a block is stored as a little-endian u32 right after the bytes it covers.
"""

from __future__ import annotations

import struct
from typing import Any

from ..errors import ChecksumError

_M = 0xFFFFFFFF
_WORDS3 = struct.Struct("<III")


def _rot(x: int, k: int) -> int:
    return ((x << k) | (x >> (32 - k))) & _M


_COMPILED_AFTER = 16 << 10
"""Bytes checksummed in Python before the compiled lookup3 is loaded: importing
imagecodecs costs ~2 ms, what Python takes for ~8 KiB (~0.25 us a byte, against
~1.4 us for a whole object header compiled), so a file with a few checksummed
structures never loads it and a walk of a thousand does early."""

_compiled: Any = None
_python_bytes = 0


def _load_compiled() -> Any:
    """imagecodecs' ``h5checksum_lookup3`` (libhdf5's own algorithm, compiled), or False
    when imagecodecs or that function is missing."""
    try:
        from imagecodecs import h5checksum_lookup3
    except ImportError:
        return False
    return h5checksum_lookup3


def lookup3(data: bytes | bytearray | memoryview, initval: int = 0) -> int:
    """Bob Jenkins' lookup3 ``hashlittle`` of ``data`` (as libhdf5 computes it):
    imagecodecs' compiled function once the Python one below has done enough work to
    pay for importing it."""
    global _compiled, _python_bytes
    compiled = _compiled
    if compiled:
        return int(compiled(data, initval))
    if compiled is None:
        _python_bytes += memoryview(data).nbytes
        if _python_bytes > _COMPILED_AFTER:
            _compiled = _load_compiled()
    return lookup3_python(data, initval)


def lookup3_python(data: bytes | bytearray | memoryview, initval: int = 0) -> int:
    """:func:`lookup3` in Python."""
    mv = memoryview(data).cast("B")
    length = len(mv)
    a = b = c = (0xDEADBEEF + length + initval) & _M
    pos = 0
    unpack = _WORDS3.unpack_from
    while length - pos > 12:
        x, y, z = unpack(mv, pos)
        a = (a + x) & _M
        b = (b + y) & _M
        c = (c + z) & _M
        # mix(a, b, c)
        a = (a - c) & _M
        a ^= _rot(c, 4)
        c = (c + b) & _M  # noqa: E702
        b = (b - a) & _M
        b ^= _rot(a, 6)
        a = (a + c) & _M  # noqa: E702
        c = (c - b) & _M
        c ^= _rot(b, 8)
        b = (b + a) & _M  # noqa: E702
        a = (a - c) & _M
        a ^= _rot(c, 16)
        c = (c + b) & _M  # noqa: E702
        b = (b - a) & _M
        b ^= _rot(a, 19)
        a = (a + c) & _M  # noqa: E702
        c = (c - b) & _M
        c ^= _rot(b, 4)
        b = (b + a) & _M  # noqa: E702
        pos += 12
    rest = length - pos
    if rest == 0:
        return c
    tail = bytes(mv[pos:]) + b"\0" * (12 - rest)
    x, y, z = _WORDS3.unpack(tail)
    a = (a + x) & _M
    b = (b + y) & _M
    c = (c + z) & _M
    # final(a, b, c)
    c ^= b
    c = (c - _rot(b, 14)) & _M  # noqa: E702
    a ^= c
    a = (a - _rot(c, 11)) & _M  # noqa: E702
    b ^= a
    b = (b - _rot(a, 25)) & _M  # noqa: E702
    c ^= b
    c = (c - _rot(b, 16)) & _M  # noqa: E702
    a ^= c
    a = (a - _rot(c, 4)) & _M  # noqa: E702
    b ^= a
    b = (b - _rot(a, 14)) & _M  # noqa: E702
    c ^= b
    c = (c - _rot(b, 24)) & _M  # noqa: E702
    return c


def verify_checksum(block: bytes | bytearray | memoryview, what: str, address: int) -> None:
    """Check the lookup3 checksum stored in the last 4 bytes of ``block``.

    ``block`` runs from the structure's signature through its checksum field.
    """
    mv = memoryview(block)
    if len(mv) < 4:
        raise ChecksumError(f"{what} at 0x{address:x}: too short to hold a checksum")
    stored = int.from_bytes(mv[-4:], "little")
    computed = lookup3(mv[:-4])
    if stored != computed:
        raise ChecksumError(
            f"{what} at 0x{address:x}: checksum mismatch (stored 0x{stored:08x}, "
            f"computed 0x{computed:08x})"
        )


def append_checksum(block: bytes | bytearray) -> bytes:
    """``block`` followed by its lookup3 checksum (for encoders)."""
    return bytes(block) + lookup3(block).to_bytes(4, "little")
