"""Scale-offset (filter id 6), ``src/H5Zscaleoffset.c``.

Client data (20 values): ``[scale type, scale factor, nelements, class (0 int, 1 float),
size, sign (0 unsigned, 1 two's complement), order (0 LE, 1 BE), fill defined, fill value
bytes...]``; the fill value sits in ``cd[8:]`` as little-endian bytes, four per value, in
the *memory* order of the writer.  Scale type 2 = integer (scale factor = minimum bits, 0
to compute them per chunk; a factor of full width turns the filter into a no-op), 0 =
floating-point D-scaling (scale factor = decimal digits kept); E-scaling (1) was never
implemented by libhdf5.

A stored chunk starts with a 21-byte header: u32 LE ``minbits``, u8 size of ``minval``
(8), ``minval`` little-endian (8 bytes), 8 zero bytes.  Then ``nelements`` values of
``minbits`` bits each, most significant bit first (see :mod:`.bitpack`), or, when
``minbits`` is the full width, the values themselves in the writer's memory order.
Decoded integers are ``value + minval`` (``2**minbits - 1`` marks the fill value when one is
defined); floats are ``int(value) / 10**D + min`` computed in the float's own precision
(checked bit for bit against h5py).
The writer's memory order is taken to be little-endian, as on every platform libhdf5 runs
on today.

``H5Pset_scaleoffset`` records ``[scale type, scale factor]`` (h5py: integer scaling for
integers, D-scaling for floats); ``set_local`` fills in the rest for the dataset, the fill
value converted to (little-endian) memory order.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import FilterError, UnsupportedFeatureError
from ..format.messages.filter_pipeline import FilterInfo
from . import bitpack
from .base import ChunkInfo, Filter, LocalInfo, big_endian, creation_error, register_filter

HEADER_SIZE = 21
SCALE_FLOAT_D, SCALE_FLOAT_E, SCALE_INT = 0, 1, 2
CLS_INTEGER, CLS_FLOAT = 0, 1
TOTAL_PARAMETERS = 20
"""``H5Z_SCALEOFFSET_TOTAL_NPARMS``: the client data always hold 20 values."""
_FILL_SLOT = 8
_MEMORY_FLOAT_SIZES = (4, 8)  # float and double: the memory types the filter computes in


class _Params:
    def __init__(self, cd: tuple[int, ...], chunk: ChunkInfo) -> None:
        where = f"scaleoffset filter for {chunk.where()}"
        if len(cd) < 8:
            raise FilterError(f"{where}: {len(cd)} parameters (need 20)")
        self.where = where
        (
            self.scale_type,
            raw_factor,
            self.n,
            self.cls,
            self.size,
            self.sign,
            self.order,
            self.filavail,
        ) = cd[:8]
        self.factor = raw_factor - (1 << 32) if raw_factor >= 1 << 31 else raw_factor
        if self.cls == CLS_INTEGER:
            if self.scale_type != SCALE_INT:
                raise FilterError(f"{where}: bad scale type {self.scale_type} for integers")
            if self.size not in (1, 2, 4, 8):
                raise FilterError(f"{where}: unsupported integer size {self.size}")
            self.factor = max(self.factor, 0)
            if self.factor > self.size * 8:
                raise FilterError(f"{where}: minimum bits {self.factor} exceed the type width")
            kind = "i" if self.sign else "u"
        elif self.cls == CLS_FLOAT:
            if self.scale_type == SCALE_FLOAT_E:
                raise UnsupportedFeatureError(
                    f"{where}: E-scaling is not supported (nor by libhdf5)"
                )
            if self.scale_type != SCALE_FLOAT_D:
                raise FilterError(f"{where}: bad scale type {self.scale_type} for floats")
            if self.size not in (4, 8):
                raise FilterError(f"{where}: unsupported float size {self.size}")
            kind = "f"
        else:
            raise FilterError(f"{where}: bad datatype class {self.cls}")
        if chunk.chunk_shape and self.n * self.size > chunk.nbytes:
            raise FilterError(
                f"{where}: {self.n} elements do not fit the chunk ({chunk.nbytes} bytes)"
            )
        self.bits = self.size * 8
        self.mem = np.dtype(f"<{kind}{self.size}")
        """Values as the filter computes them (writer memory order)."""
        self.disk = np.dtype(f"{'>' if self.order == 1 else '<'}{kind}{self.size}")
        """Values in the dataset's byte order."""
        self.uint = np.dtype(f"<u{self.size}")
        self.sint = np.dtype(f"<i{self.size}")
        fill_bytes = b"".join(int(v).to_bytes(4, "little") for v in cd[8:])[: self.size]
        if self.filavail and len(fill_bytes) < self.size:
            raise FilterError(f"{where}: fill value missing from the parameters")
        self.fill = np.frombuffer(fill_bytes, dtype=self.mem)[0] if self.filavail else None

    @property
    def passthrough(self) -> bool:
        return self.cls == CLS_INTEGER and self.factor == self.bits

    def power(self) -> np.floating:
        ft = self.mem.type
        return ft(10.0**self.factor)  # type: ignore[no-any-return]


def _ceil_log2(num: int) -> int:
    """``H5Z__scaleoffset_log2``: ceiling of log2 (1 for 0)."""
    return (num - 1).bit_length() if num > 0 else 1


def _numeric_class(dtype: np.dtype) -> int | None:
    """CLS_INTEGER or CLS_FLOAT for plain numbers; ``None`` for anything else (an enum is
    a class of its own in HDF5)."""
    if "enum" in (dtype.metadata or {}):
        return None
    return {"i": CLS_INTEGER, "u": CLS_INTEGER, "f": CLS_FLOAT}.get(dtype.kind)


@register_filter
class ScaleOffset(Filter):
    filter_id = 6
    name = "scaleoffset"
    h5py_name = "scaleoffset"
    stored_name = "scaleoffset"

    def check_options(self, opts: Any, dtype: np.dtype) -> int:
        """h5py's ``scaleoffset=``: a factor >= 0 (decimal digits for floats, minimum bits
        for integers, where ``True`` means 0: computed per chunk)."""
        if opts < 0:
            raise ValueError("scale factor must be >= 0")
        if dtype.kind == "f":
            if opts is True:
                raise ValueError("integer scaleoffset must be provided for floating point types")
        elif dtype.kind in ("u", "i"):
            if opts is True:
                opts = 0
        else:
            raise TypeError(
                "scale/offset filter only supported for integer and floating-point types"
            )
        return int(opts)

    def values(self, opts: Any, dtype: np.dtype) -> tuple[int, ...]:
        """``(scale type, factor)`` (``H5Pset_scaleoffset``) from the factor; a tuple is
        client data as given."""
        if isinstance(opts, tuple):
            return tuple(int(v) for v in opts)
        scale_type = SCALE_FLOAT_D if np.dtype(dtype).kind == "f" else SCALE_INT
        return (scale_type, int(opts))

    def can_apply(self, local: LocalInfo) -> str | None:
        if _numeric_class(local.dtype) is None:
            raise creation_error("datatype class not supported by scaleoffset")
        return None

    def set_local(self, values: tuple[int, ...], local: LocalInfo) -> tuple[int, ...]:
        dtype = local.dtype
        cls = _numeric_class(dtype)
        if cls is None:
            raise creation_error("datatype class not supported by scaleoffset")
        if cls == CLS_FLOAT and dtype.itemsize not in _MEMORY_FLOAT_SIZES:
            raise creation_error("cannot find matched memory datatype")
        if len(values) < 2:
            raise creation_error("can't get scaleoffset parameters")
        size = local.size
        fill = (local.fill or b"")[:size].ljust(size, b"\0")
        memory = np.frombuffer(fill, dtype=dtype).astype(dtype.newbyteorder("<")).tobytes()
        memory = memory.ljust(-(-size // 4) * 4, b"\0")
        cd = [
            values[0],
            values[1],
            local.nelements,
            cls,
            size,
            1 if dtype.kind == "i" else 0,
            1 if big_endian(dtype) else 0,
            1,  # fill value defined: h5py always has one (zeros by default)
        ]
        cd += [int.from_bytes(memory[i : i + 4], "little") for i in range(0, len(memory), 4)]
        return tuple(cd + [0] * (TOTAL_PARAMETERS - len(cd)))

    def decode(self, data: bytes, info: FilterInfo, chunk: ChunkInfo) -> bytes:
        p = _Params(info.client_data, chunk)
        if p.passthrough:
            return bytes(data)
        if len(data) < HEADER_SIZE:
            raise FilterError(f"{p.where}: {len(data)} bytes, shorter than the 21-byte header")
        minbits = int.from_bytes(data[:4], "little")
        mv_size = min(data[4], 8)
        minval = int.from_bytes(data[5 : 5 + mv_size], "little")
        if minbits > p.bits:
            raise FilterError(f"{p.where}: minimum bits {minbits} exceed the type width {p.bits}")
        body = data[HEADER_SIZE:]
        if minbits == p.bits:  # stored whole, in memory order
            if len(body) < p.n * p.size:
                raise FilterError(f"{p.where}: {len(body)} data bytes, need {p.n * p.size}")
            return np.frombuffer(body, dtype=p.mem, count=p.n).astype(p.disk).tobytes()
        if minbits == 0:
            packed = np.zeros(p.n, dtype=p.uint)
        else:
            pos = bitpack.atomic_positions(0, p.size, False, minbits, 0)
            packed = bitpack.unpack(body, p.n, p.size, pos, p.where).view(p.uint).reshape(p.n)
        marker = p.uint.type((1 << minbits) - 1)
        if p.cls == CLS_INTEGER:
            offset = p.uint.type(minval & ((1 << p.bits) - 1))
            with np.errstate(over="ignore"):
                values = (packed + offset).astype(p.uint).view(p.mem)
        else:
            minimum = np.frombuffer(minval.to_bytes(8, "little")[: p.size], dtype=p.mem)[0]
            ints = packed.view(p.sint).astype(p.mem)
            values = (ints / p.power() + minimum).astype(p.mem)
        if p.fill is not None:
            values = np.where(packed == marker, p.fill, values).astype(p.mem)
        return values.astype(p.disk).tobytes()

    def encode(self, data: bytes, info: FilterInfo, chunk: ChunkInfo) -> bytes:
        p = _Params(info.client_data, chunk)
        if p.passthrough:
            return bytes(data)
        if len(data) != p.n * p.size:
            raise FilterError(f"{p.where}: {len(data)} bytes, expected {p.n * p.size}")
        values = np.frombuffer(data, dtype=p.disk).astype(p.mem)
        if p.cls == CLS_INTEGER:
            minbits, minval, ints = self._prepare_int(values, p)
        else:
            minbits, minval, ints = self._prepare_float(values, p)
        header = minbits.to_bytes(4, "little") + b"\x08" + minval + b"\0" * 8
        if minbits == p.bits:
            return header + values.astype(p.mem).tobytes()
        size_out = HEADER_SIZE + (p.n * minbits) // 8 + 1
        body = b""
        if minbits:
            pos = bitpack.atomic_positions(0, p.size, False, minbits, 0)
            body = bitpack.pack(ints.view(np.uint8).reshape(p.n, p.size), pos)
        out = header + body
        return out + b"\0" * (size_out - len(out))

    @staticmethod
    def _prepare_int(values: np.ndarray, p: _Params) -> tuple[int, bytes, np.ndarray]:
        is_fill = (values == p.fill) if p.fill is not None else np.zeros(len(values), dtype=bool)
        data = values[~is_fill]
        lo = int(data.min()) if len(data) else 0
        hi = int(data.max()) if len(data) else 0
        if p.factor == 0:
            if hi - lo > (1 << p.bits) - 3:  # span too wide: store whole, minval 0
                return p.bits, b"\0" * 8, values
            span = hi - lo + 1
            minbits = _ceil_log2(span + 1 if p.fill is not None else span)
        else:
            minbits = p.factor
        if minbits == p.bits:
            return minbits, (lo & ((1 << 64) - 1)).to_bytes(8, "little"), values
        with np.errstate(over="ignore"):  # two's-complement wrap, as in C
            ints = values.view(p.uint) - p.uint.type(lo & ((1 << p.bits) - 1))
        ints = np.where(is_fill, p.uint.type((1 << minbits) - 1), ints).astype(p.uint)
        return minbits, (lo & ((1 << 64) - 1)).to_bytes(8, "little"), ints

    @staticmethod
    def _prepare_float(values: np.ndarray, p: _Params) -> tuple[int, bytes, np.ndarray]:
        ft = p.mem.type
        scale = p.power()
        if p.fill is not None:
            is_fill = np.abs(values.astype(np.float64) - float(p.fill)) < 10.0**-p.factor
        else:
            is_fill = np.zeros(len(values), dtype=bool)
        data = values[~is_fill]
        lo = ft(data.min()) if len(data) else ft(0)
        hi = ft(data.max()) if len(data) else ft(0)
        width = float(hi * scale - lo * scale)
        if np.round(width) > 2.0 ** (p.bits - 1):
            return p.bits, b"\0" * 8, values
        span = int(np.floor(width + 0.5)) + 1
        minbits = _ceil_log2(span + 1 if p.fill is not None else span)
        minval = np.array([lo], dtype=p.mem).tobytes().ljust(8, b"\0")
        if minbits == p.bits:
            return minbits, minval, values
        scaled = (values * scale - lo * scale).astype(p.mem)
        rounded = np.sign(scaled) * np.floor(np.abs(scaled) + ft(0.5))  # lround: half away from 0
        ints = rounded.astype(p.sint)
        ints = np.where(is_fill, p.sint.type((1 << minbits) - 1), ints).astype(p.sint)
        return minbits, minval, ints
