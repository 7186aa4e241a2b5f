"""Memory -> storage conversion: the bytes libhdf5 writes for an array of h5py values.

:func:`to_storage` is the reverse of :func:`~h5pure.dtypes.convert.to_memory`: it takes
the values h5py accepts for a dataset or attribute of HDF5 type ``dt`` and returns an array
of :func:`~h5pure.dtypes.mapping.storage_dtype` whose bytes are what goes into the file.

- integers, floats, the bool enum, enums: a cast to the stored type; when the input
  already has the stored layout it is returned as is (no copy);
- complex -> compound ``{r, i}`` (or the complex class);
- fixed strings: ``bytes``/``str`` items (``str`` encoded in the type's character set) up
  to their first NUL, truncated or padded as the type's padding says (NULLPAD: NULs,
  NULLTERM: at most ``size - 1`` bytes then NULs, SPACEPAD: spaces); same-size NULLPAD
  ``S`` input is stored unchanged;
- vlen strings and sequences: each item's bytes go to the global heap through
  ``heap_writer.put(data) -> (collection_address, index)`` (all of an array's items in one
  batch when the writer has ``put_packed(blob, sizes) -> (addresses, indices)``); the element is
  ``{length u4, address, index u4}`` (length in bytes for strings, in elements for
  sequences).  As libhdf5 does, an empty string is stored as a zero-length heap object,
  while an empty sequence (and ``None``) is the null element (all zero);
- old object references -> the target's object header address (0 = null); old region
  references -> a heap blob (address + serialized selection), null = all zero;
- compounds member by member (padding bytes zero), arrays element-wise (array types are
  expanded: the array dimensions trail, as :func:`to_memory` expects them).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

import numpy as np

from ..errors import UnsupportedFeatureError
from ..format.messages.datatype import (
    ArrayType,
    BitfieldType,
    CharacterSet,
    ComplexType,
    CompoundType,
    Datatype,
    EnumType,
    FixedPointType,
    FloatType,
    OpaqueType,
    ReferenceKind,
    ReferenceType,
    StringPadding,
    StringType,
    TimeType,
    VlenKind,
    VlenType,
)
from ..format.selection_codec import SelectionType, SerializedSelection, encode_selection
from .mapping import numpy_dtype, storage_dtype
from .references import RegionReference

__all__ = ["HeapWriter", "fill_value_bytes", "to_storage"]


class HeapWriter(Protocol):
    """Stores global heap objects (vlen data, region reference blobs) for the writer."""

    def put(self, data: bytes) -> tuple[int, int]:
        """Store ``data`` (possibly empty) as a new global heap object; return its
        collection address and object index."""
        ...


def to_storage(arr: Any, dt: Datatype, heap_writer: HeapWriter | None = None) -> np.ndarray:
    """Convert ``arr`` (h5py memory values for HDF5 type ``dt``) to an array of
    ``storage_dtype(dt)`` holding the exact bytes to write (see module docstring).

    ``heap_writer`` is needed for vlen data and region references.  Raises
    :class:`TypeError`/:class:`ValueError` for values h5py would reject and
    :class:`UnsupportedFeatureError` for stored types h5pure cannot produce.
    """
    conv = _CONVERTERS.get(type(dt))
    if conv is None:
        raise UnsupportedFeatureError(f"cannot write datatype class {dt.cls.name}")
    return conv(np.asarray(arr), dt, heap_writer)


def fill_value_bytes(value: Any, dt: Datatype, heap_writer: HeapWriter | None = None) -> bytes:
    """The fill value message bytes (``dt.size`` bytes, stored type) for h5py's
    ``fillvalue=value``."""
    mem = numpy_dtype(dt)
    if mem.kind == "O":
        if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "OSU":
            value = value[()]  # a 0-d array holding the one string (h5netcdf passes those)
        arr = np.empty((), dtype=mem)
        arr[()] = value
    else:
        arr = np.asarray(value, dtype=mem)
    out = to_storage(arr, dt, heap_writer)
    data = np.ascontiguousarray(out).tobytes()
    if len(data) != dt.size:
        raise ValueError(f"fill value {value!r} does not hold one element of {dt.size} bytes")
    return data


# --------------------------------------------------------------------------- converters


def _need(heap_writer: HeapWriter | None) -> HeapWriter:
    if heap_writer is None:
        raise ValueError("a global heap writer is needed for vlen data and region references")
    return heap_writer


def _cast(arr: np.ndarray, target: np.ndarray | np.dtype) -> np.ndarray:
    target = np.dtype(target)
    if arr.dtype == target and arr.dtype.names is None:
        return arr  # same layout: the caller's buffer goes to the file as is
    return arr.astype(target)


def _s_atomic(
    arr: np.ndarray, dt: FixedPointType | BitfieldType | FloatType, hw: HeapWriter | None
) -> np.ndarray:
    target = storage_dtype(dt)
    if target.kind == "V":
        raise UnsupportedFeatureError(
            f"writing {type(dt).__name__} of {dt.size} bytes, precision {dt.precision}, "
            f"offset {dt.bit_offset} is not supported"
        )
    return _cast(arr, target)


def _s_time(arr: np.ndarray, dt: TimeType, hw: HeapWriter | None) -> np.ndarray:
    raise UnsupportedFeatureError("the HDF5 time datatype cannot be written (h5py cannot either)")


def _encoded(item: Any, encoding: str) -> bytes:
    if isinstance(item, bytes):
        return item
    if isinstance(item, str):
        return item.encode(encoding, "surrogateescape" if encoding == "utf-8" else "strict")
    raise TypeError(f"Can't implicitly convert non-string objects to strings: {item!r}")


def _s_string(arr: np.ndarray, dt: StringType, hw: HeapWriter | None) -> np.ndarray:
    n = dt.size
    target = np.dtype(f"S{n}")
    if arr.dtype == target and dt.padding == StringPadding.NULLPAD:
        return arr  # libhdf5 copies same-size NULLPAD strings unchanged
    encoding = "utf-8" if dt.cset == CharacterSet.UTF8 else "ascii"
    # libhdf5's string conversion (H5T__conv_s_s) takes a NULLPAD source up to its first
    # NUL, keeps at most size - 1 bytes for NULLTERM, and pads with NULs (spaces: SPACEPAD)
    keep = n - 1 if dt.padding == StringPadding.NULLTERM else n
    pad = b" " if dt.padding == StringPadding.SPACEPAD else b"\0"
    items = [
        _encoded(x, encoding).split(b"\0", 1)[0][: max(keep, 0)].ljust(n, pad)
        for x in arr.reshape(-1)
    ]
    return np.array(items, dtype=target).reshape(arr.shape)


def _s_opaque(arr: np.ndarray, dt: OpaqueType, hw: HeapWriter | None) -> np.ndarray:
    if arr.dtype.itemsize != dt.size or arr.dtype.kind == "O":
        raise TypeError(f"cannot store {arr.dtype} as {dt.size}-byte opaque data")
    return np.ascontiguousarray(arr).view(f"V{dt.size}")


def _s_compound(arr: np.ndarray, dt: CompoundType, hw: HeapWriter | None) -> np.ndarray:
    target = storage_dtype(dt)
    if arr.dtype.kind == "c":  # complex written as {r, i} (h5py's complex_names)
        from . import mapping

        if tuple(m.name for m in dt.members) != mapping.COMPLEX_NAMES:
            raise TypeError(
                f"cannot store complex values as compound {[m.name for m in dt.members]}"
            )
        out = np.zeros(arr.shape, dtype=target)
        real, imag = target.names or ("", "")
        out[real] = to_storage(arr.real, dt.members[0].effective_type, hw)
        out[imag] = to_storage(arr.imag, dt.members[1].effective_type, hw)
        return out
    if arr.dtype.names is None:
        raise TypeError(f"cannot store {arr.dtype} as a compound of {len(dt.members)} members")
    if _same_layout(arr.dtype, target):
        return arr
    out = np.zeros(arr.shape, dtype=target)
    for m in dt.members:
        if m.name not in arr.dtype.names:
            raise ValueError(f"compound member {m.name!r} missing from {arr.dtype}")
        out[m.name] = to_storage(arr[m.name], m.effective_type, hw)
    return out


def _same_layout(a: np.dtype, b: np.dtype) -> bool:
    """Identical bytes: equal structure, and no member needing conversion (objects)."""
    return a == b and a.itemsize == b.itemsize and not a.hasobject


def _null_element(arr: np.ndarray, target: np.dtype) -> np.ndarray:
    return np.zeros(arr.shape, dtype=target)


def _s_reference(arr: np.ndarray, dt: ReferenceType, hw: HeapWriter | None) -> np.ndarray:
    target = storage_dtype(dt)
    if dt.kind == ReferenceKind.OBJECT1:
        if arr.dtype.kind in "ui":
            return _cast(arr, target)
        items = arr.reshape(-1).tolist()
        if any(isinstance(x, RegionReference) for x in items):
            # libhdf5 has no conversion from region to object references (h5py's error)
            raise TypeError("Can't convert dataset region reference to object reference")
        addresses = [_address(x) for x in items]
        return np.array(addresses, dtype=target).reshape(arr.shape)
    if dt.kind != ReferenceKind.DATASET_REGION1:
        raise UnsupportedFeatureError(f"writing {dt.kind.name} references is not supported")
    out = _null_element(arr, target)
    flat = out.reshape(-1)
    o = dt.size - 4
    for i, ref in enumerate(arr.reshape(-1)):
        address = _address(ref)
        if address == 0:
            continue
        sel = getattr(ref, "selection", None)
        if sel is None:
            sel = SerializedSelection(SelectionType.ALL, 0)
        blob = address.to_bytes(o, "little") + encode_selection(sel)
        flat[i] = _need(hw).put(blob)
    return out


def _address(ref: Any) -> int:
    if ref is None:
        return 0
    address = getattr(ref, "address", None)
    if address is None:
        raise TypeError(f"not a reference: {ref!r}")
    return int(address)


def _s_enum(arr: np.ndarray, dt: EnumType, hw: HeapWriter | None) -> np.ndarray:
    return to_storage(arr, dt.base, hw)


def _s_vlen(arr: np.ndarray, dt: VlenType, hw: HeapWriter | None) -> np.ndarray:
    target = storage_dtype(dt)
    out = _null_element(arr, target)
    flat = out.reshape(-1)
    if dt.kind == VlenKind.STRING:
        _s_vlen_strings(arr.reshape(-1).tolist(), dt, hw, flat)
        return out
    base = dt.base
    base_mem = numpy_dtype(base)
    datas: list[bytes] = []
    counts: list[int] = []
    positions: list[int] = []
    for i, item in enumerate(arr.reshape(-1)):
        if item is None:
            continue
        seq = _sequence(item, base_mem)
        count = seq.shape[0] if seq.ndim else 1
        if count == 0:
            continue  # libhdf5 writes an empty sequence as the null element
        datas.append(np.ascontiguousarray(to_storage(seq, base, hw)).tobytes())
        counts.append(count)
        positions.append(i)
    if datas:
        sizes = np.fromiter(map(len, datas), dtype=np.int64, count=len(datas))
        addresses, indices = _put_packed(_need(hw), b"".join(datas), sizes)
        where = np.asarray(positions, dtype=np.intp)
        flat["length"][where] = counts
        flat["address"][where] = addresses
        flat["index"][where] = indices
    return out


def _put_packed(heap: HeapWriter, blob: bytes, sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Store the objects packed back to back in ``blob`` (``sizes`` bytes each): one
    ``put_packed`` call when the heap writer has it, else a ``put`` each."""
    put_packed = getattr(heap, "put_packed", None)
    if put_packed is not None:
        return put_packed(blob, sizes)  # type: ignore[no-any-return]
    ends = np.cumsum(sizes).tolist()
    places = [heap.put(blob[e - n : e]) for e, n in zip(ends, sizes.tolist())]
    addresses = np.array([a for a, _ in places], dtype=np.uint64)
    indices = np.array([k for _, k in places], dtype=np.uint64)
    return addresses, indices


def _s_vlen_strings(
    items: list[Any], dt: VlenType, hw: HeapWriter | None, flat: np.ndarray
) -> None:
    """Store vlen strings: every string encoded, then put in the heap as one batch, then
    the heap IDs stored with three field assignments; None stays the null element."""
    encoding = "utf-8" if dt.cset == CharacterSet.UTF8 else "ascii"
    errors = "surrogateescape" if encoding == "utf-8" else "strict"
    where: np.ndarray | None = None  # positions of the stored items (None: all)
    try:
        joined = "".join(items)  # TypeError unless every item is a str
    except TypeError:
        joined = None
    if joined is not None and joined.isascii():
        # ASCII text encodes to one byte per character: one encode for all of it
        blob = joined.encode("ascii")
        sizes = np.fromiter(map(len, items), dtype=np.int64, count=len(items))
    else:
        datas: list[bytes] = []
        positions: list[int] = []
        for i, item in enumerate(items):
            if item is None:
                continue
            datas.append(
                item.encode(encoding, errors) if type(item) is str else _encoded(item, encoding)
            )
            positions.append(i)
        if len(positions) < len(items):
            where = np.asarray(positions, dtype=np.intp)
        blob = b"".join(datas)
        sizes = np.fromiter(map(len, datas), dtype=np.int64, count=len(datas))
    if not len(sizes):
        return
    if b"\0" in blob:  # (one scan of all the strings)
        raise ValueError("VLEN strings do not support embedded NULLs")
    addresses, indices = _put_packed(_need(hw), blob, sizes)
    if where is None:
        flat["length"] = sizes
        flat["address"] = addresses
        flat["index"] = indices
    else:
        flat["length"][where] = sizes
        flat["address"][where] = addresses
        flat["index"][where] = indices


def _sequence(item: Any, base_mem: np.dtype) -> np.ndarray:
    """One vlen item as a 1-D array of the base memory type (subarray dims trailing)."""
    if base_mem.kind == "O":
        seq = np.empty(len(item), dtype=base_mem)
        seq[:] = list(item)
        return seq
    if base_mem.subdtype is None:
        return np.asarray(item, dtype=base_mem).reshape(-1)
    # asarray with a subarray dtype would repeat every scalar over the subarray shape
    element, inner = base_mem.subdtype
    return np.asarray(item, dtype=element).reshape((-1, *inner))


def _s_array(arr: np.ndarray, dt: ArrayType, hw: HeapWriter | None) -> np.ndarray:
    return to_storage(arr, dt.base, hw)


def _s_complex(arr: np.ndarray, dt: ComplexType, hw: HeapWriter | None) -> np.ndarray:
    target = storage_dtype(dt)
    if target.kind != "c":
        raise UnsupportedFeatureError(f"writing complex datatype {dt} is not supported")
    return _cast(arr, target)


_CONVERTERS: dict[type, Callable[[np.ndarray, Any, Any], np.ndarray]] = {
    FixedPointType: _s_atomic,
    BitfieldType: _s_atomic,
    FloatType: _s_atomic,
    TimeType: _s_time,
    StringType: _s_string,
    OpaqueType: _s_opaque,
    CompoundType: _s_compound,
    ReferenceType: _s_reference,
    EnumType: _s_enum,
    VlenType: _s_vlen,
    ArrayType: _s_array,
    ComplexType: _s_complex,
}
