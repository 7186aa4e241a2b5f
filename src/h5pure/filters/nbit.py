"""N-bit (filter id 5), ``src/H5Znbit.c``.

Client data (set by libhdf5's ``set_local``): ``[nparms, need_not_compress, nelements,
class, size, ...]`` where the tail describes the datatype as a tree:

* atomic (class 1, integer or float): ``size, order (0 LE, 1 BE), precision, offset``;
* array (class 2): ``total size, base class, <base description>``;
* compound (class 3): ``size, nmembers, then per member: offset, class, <description>``;
* no-op (class 4, anything else): ``size`` (bytes copied whole).

At the top level the class comes first (``cd[3]``) and its description starts at ``cd[4]``.
Each element contributes, in tree order, the ``precision`` significant bits of every atomic
leaf (most significant first) and all bits of every no-op leaf; the stream has no padding
between elements and libhdf5 always stores ``total_bits // 8 + 1`` bytes.
"""

from __future__ import annotations

import numpy as np

from ..errors import FilterError
from ..format.messages.filter_pipeline import FilterInfo
from . import bitpack
from .base import ChunkInfo, Filter, register_filter

ATOMIC, ARRAY, COMPOUND, NOOPTYPE = 1, 2, 3, 4
_MAX_DEPTH = 16
_MAX_PARMS = 4096


class _Walker:
    """Turns the parameter tree into the bit positions of one element's stream."""

    def __init__(self, cd: tuple[int, ...], top_size: int, where: str) -> None:
        self.cd = cd
        self.top_bits = top_size * 8
        self.where = where

    def take(self, idx: int, n: int) -> tuple[int, ...]:
        if idx + n > len(self.cd):
            raise FilterError(
                f"nbit filter for {self.where}: parameter list is shorter than its datatype"
            )
        return self.cd[idx : idx + n]

    def atomic(self, base: int, size: int, order: int, precision: int, offset: int) -> np.ndarray:
        if size <= 0 or precision <= 0 or precision + offset > size * 8 or order not in (0, 1):
            raise FilterError(
                f"nbit filter for {self.where}: bad atomic parameters size={size} order={order} "
                f"precision={precision} offset={offset}"
            )
        return self.check(bitpack.atomic_positions(base, size, order == 1, precision, offset))

    def noop(self, base: int, size: int) -> np.ndarray:
        return self.check(np.arange(base * 8, (base + size) * 8, dtype=np.int64))

    def check(self, pos: np.ndarray) -> np.ndarray:
        if len(pos) and (pos.min() < 0 or pos.max() >= self.top_bits):
            raise FilterError(f"nbit filter for {self.where}: a field lies outside the element")
        return pos

    def repeat(self, pos: np.ndarray, count: int, stride: int) -> np.ndarray:
        if count * len(pos) > self.top_bits:
            raise FilterError(
                f"nbit filter for {self.where}: datatype tree describes too many bits"
            )
        shifts = np.arange(count, dtype=np.int64) * stride * 8
        return self.check((pos[None, :] + shifts[:, None]).reshape(-1))

    def array(self, idx: int, base: int, depth: int) -> tuple[np.ndarray, int]:
        if depth > _MAX_DEPTH:
            raise FilterError(f"nbit filter for {self.where}: datatype tree too deep")
        total, base_class = self.take(idx, 2)
        idx += 2
        if base_class == ATOMIC:
            size, order, precision, offset = self.take(idx, 4)
            one = self.atomic(0, size, order, precision, offset)
            idx += 4
            stride = size
        elif base_class in (ARRAY, COMPOUND):
            stride = self.take(idx, 1)[0]
            if stride <= 0:
                raise FilterError(f"nbit filter for {self.where}: bad array base size {stride}")
            walk = self.array if base_class == ARRAY else self.compound
            one, idx = walk(idx, 0, depth + 1)
        elif base_class == NOOPTYPE:
            idx += 1
            return self.noop(base, total), idx
        else:
            raise FilterError(f"nbit filter for {self.where}: bad datatype class {base_class}")
        return self.repeat(one + base * 8, total // stride, stride), idx

    def compound(self, idx: int, base: int, depth: int) -> tuple[np.ndarray, int]:
        if depth > _MAX_DEPTH:
            raise FilterError(f"nbit filter for {self.where}: datatype tree too deep")
        size, nmembers = self.take(idx, 2)
        idx += 2
        parts: list[np.ndarray] = []
        count = 0
        for _ in range(nmembers):
            moff, mclass = self.take(idx, 2)
            idx += 2
            start = base + moff
            if mclass == ATOMIC:
                msize, order, precision, offset = self.take(idx, 4)
                idx += 4
                part = self.atomic(start, msize, order, precision, offset)
            elif mclass == ARRAY:
                part, idx = self.array(idx, start, depth + 1)
            elif mclass == COMPOUND:
                part, idx = self.compound(idx, start, depth + 1)
            elif mclass == NOOPTYPE:
                msize = self.take(idx, 1)[0]
                idx += 1
                part = self.noop(start, msize)
            else:
                raise FilterError(f"nbit filter for {self.where}: bad member class {mclass}")
            count += len(part)
            if count > self.top_bits:
                raise FilterError(
                    f"nbit filter for {self.where}: datatype tree describes too many bits"
                )
            parts.append(part)
        pos = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
        return pos, idx


def nbit_layout(cd: tuple[int, ...], where: str = "chunk") -> tuple[int, int, np.ndarray]:
    """``(nelements, element size, stream bit positions)`` from N-bit client data."""
    if len(cd) < 5:
        raise FilterError(f"nbit filter for {where}: {len(cd)} parameters (need at least 5)")
    if len(cd) > _MAX_PARMS or cd[0] != len(cd):
        raise FilterError(
            f"nbit filter for {where}: parameter count {cd[0]} does not match {len(cd)}"
        )
    nelmts, cls, size = cd[2], cd[3], cd[4]
    if size <= 0:
        raise FilterError(f"nbit filter for {where}: bad datatype size {size}")
    walker = _Walker(cd, size, where)
    if cls == ATOMIC:
        order, precision, offset = walker.take(5, 3)
        pos = walker.atomic(0, size, order, precision, offset)
    elif cls == ARRAY:
        pos, _ = walker.array(4, 0, 0)
    elif cls == COMPOUND:
        pos, _ = walker.compound(4, 0, 0)
    else:
        raise FilterError(f"nbit filter for {where}: bad datatype class {cls}")
    if len(pos) == 0:
        raise FilterError(f"nbit filter for {where}: datatype has no bits to store")
    return nelmts, size, pos


@register_filter
class NBit(Filter):
    filter_id = 5
    name = "nbit"

    def decode(self, data: bytes, info: FilterInfo, chunk: ChunkInfo) -> bytes:
        cd = info.client_data
        if len(cd) >= 2 and cd[1]:  # need_not_compress: full precision everywhere
            return bytes(data)
        n, size, pos = nbit_layout(cd, chunk.where())
        if chunk.chunk_shape and n * size > chunk.nbytes:
            raise FilterError(f"nbit filter: {n} elements of {size} bytes exceed {chunk.where()}")
        return bitpack.unpack(data, n, size, pos, f"nbit filter, {chunk.where()}").tobytes()

    def encode(self, data: bytes, info: FilterInfo, chunk: ChunkInfo) -> bytes:
        cd = info.client_data
        if len(cd) >= 2 and cd[1]:
            return bytes(data)
        n, size, pos = nbit_layout(cd, chunk.where())
        if len(data) != n * size:
            raise FilterError(
                f"nbit filter: {chunk.where()} has {len(data)} bytes, expected {n * size}"
            )
        elements = np.frombuffer(data, dtype=np.uint8).reshape(n, size)
        out = bitpack.pack(elements, pos)
        total_bits = n * len(pos)
        return out + b"\0" * (total_bits // 8 + 1 - len(out))
