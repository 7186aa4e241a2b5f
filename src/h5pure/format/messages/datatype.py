"""The datatype message (type 0x03): decode and encode, every class, versions 1-5.

HDF5 File Format Specification 4.0, IV.A.2.d "Datatype Message"; what libhdf5 really
writes is settled by ``src/H5Odtype.c``.

Record design
-------------
One frozen dataclass per datatype class, all deriving from :class:`Datatype` (fields
``version`` and ``size``; the class number is the class attribute ``cls``).  Nested types
(compound members, enum/vlen/array/complex bases) are records of the same tree.  The
class-specific decoders are found through a registry keyed by the on-disk class number
(:data:`DATATYPE_CLASSES`), so adding a class is adding a subclass.

Every field that the message stores is kept, so :func:`encode_datatype` reproduces the
bytes libhdf5 writes: ``encode_datatype(decode_datatype(b)[0]) == b``.

Version rules (libhdf5):

- v1: compound members carry names padded to 8 bytes, a 4-byte offset and a 28-byte legacy
  block (rank, permutation, four dimension sizes) that can make the member an array;
- v2: like v1 without the legacy block; array class allowed (with permutation indices);
- v3+: names not padded, compound member offsets use the fewest bytes able to hold the
  compound size, array has no permutation; v4 is v3 plus revised references; v5 adds the
  complex class (11).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from enum import IntEnum
from typing import ClassVar, Literal, TypeVar

from ..structs import U8, U16, U32, Bytes, Cursor, Reserved, Struct
from . import MessageType, register

MAX_NESTING = 32
"""Deepest nesting of compound/array/vlen/enum types accepted (hostile-input guard)."""
MAX_ARRAY_RANK = 32
"""H5S_MAX_RANK: the largest rank an array datatype may have."""


class DatatypeClass(IntEnum):
    """On-disk class numbers (low nibble of the first byte)."""

    FIXED_POINT = 0
    FLOATING_POINT = 1
    TIME = 2
    STRING = 3
    BITFIELD = 4
    OPAQUE = 5
    COMPOUND = 6
    REFERENCE = 7
    ENUM = 8
    VARIABLE_LENGTH = 9
    ARRAY = 10
    COMPLEX = 11


class ByteOrder(IntEnum):
    LITTLE = 0
    BIG = 1
    VAX = 2
    """Floating point only: bit 0 and bit 6 both set (mixed-endian VAX order)."""


class StringPadding(IntEnum):
    NULLTERM = 0
    NULLPAD = 1
    SPACEPAD = 2


class CharacterSet(IntEnum):
    ASCII = 0
    UTF8 = 1


class Normalization(IntEnum):
    NONE = 0
    MSB_SET = 1
    IMPLIED = 2


class ReferenceKind(IntEnum):
    """Reference class bits 0-3 (H5R_type_t)."""

    OBJECT1 = 0
    """Old object reference: an object header address."""
    DATASET_REGION1 = 1
    """Old region reference: a global heap ID of (address + selection)."""
    OBJECT2 = 2
    DATASET_REGION2 = 3
    ATTRIBUTE = 4


class VlenKind(IntEnum):
    SEQUENCE = 0
    STRING = 1


_HEAD = Struct(
    "datatype message",
    [("class_and_version", U8), ("bits", Bytes(3)), ("size", U32)],
)
_ATOMIC_PROPS = Struct("fixed-point/bitfield properties", [("offset", U16), ("precision", U16)])
_FLOAT_PROPS = Struct(
    "floating-point properties",
    [
        ("offset", U16),
        ("precision", U16),
        ("exponent_location", U8),
        ("exponent_size", U8),
        ("mantissa_location", U8),
        ("mantissa_size", U8),
        ("exponent_bias", U32),
    ],
)
_TIME_PROPS = Struct("time properties", [("precision", U16)])
_MEMBER_V1 = Struct(
    "compound member (v1)",
    [
        ("offset", U32),
        ("rank", U8),
        ("reserved0", Reserved(3)),
        ("permutation", U32),
        ("reserved1", Reserved(4)),
        ("dim0", U32),
        ("dim1", U32),
        ("dim2", U32),
        ("dim3", U32),
    ],
)
_MEMBER_V2 = Struct("compound member (v2)", [("offset", U32)])
_ARRAY_V2_HEAD = Struct("array properties (v2)", [("rank", U8), ("reserved", Reserved(3))])
_ARRAY_V3_HEAD = Struct("array properties (v3)", [("rank", U8)])


def _pad_name(name: bytes, pad8: bool) -> bytes:
    out = name + b"\0"
    if pad8:
        out += b"\0" * (-len(out) % 8)
    return out


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class Datatype(ABC):
    """Base of every datatype record (one subclass per datatype class)."""

    cls: ClassVar[DatatypeClass]
    version: int
    """Message version 1-5 (high nibble of the first byte)."""
    size: int
    """Element size in bytes."""

    # -- subclasses implement these two ----------------------------------------------
    @classmethod
    @abstractmethod
    def _decode_body(cls, r: Cursor, version: int, bits: int, size: int, depth: int) -> Datatype:
        """Decode the class bits and properties that follow the 8-byte head."""

    @abstractmethod
    def _encode_body(self) -> tuple[int, bytes]:
        """Return (24 class bits, property bytes)."""


DATATYPE_CLASSES: dict[int, type[Datatype]] = {}
"""Registry: on-disk class number -> record class."""


def _register(klass: type[Datatype]) -> type[Datatype]:
    DATATYPE_CLASSES[int(klass.cls)] = klass
    return klass


def _order_bits(order: ByteOrder) -> int:
    if order == ByteOrder.VAX:
        return 0x41
    return int(order)


@_register
@dataclass(frozen=True)
class FixedPointType(Datatype):
    """Integers (class 0)."""

    cls: ClassVar[DatatypeClass] = DatatypeClass.FIXED_POINT
    byte_order: ByteOrder = ByteOrder.LITTLE
    lo_pad: int = 0
    hi_pad: int = 0
    signed: bool = False
    bit_offset: int = 0
    precision: int = 0

    @classmethod
    def _decode_body(cls, r: Cursor, version: int, bits: int, size: int, depth: int) -> Datatype:
        p = r.struct(_ATOMIC_PROPS)
        return cls(
            version,
            size,
            ByteOrder(bits & 1),
            (bits >> 1) & 1,
            (bits >> 2) & 1,
            bool(bits & 8),
            p["offset"],
            p["precision"],
        )

    def _encode_body(self) -> tuple[int, bytes]:
        bits = int(self.byte_order) | self.lo_pad << 1 | self.hi_pad << 2 | int(self.signed) << 3
        return bits, _ATOMIC_PROPS.encode({"offset": self.bit_offset, "precision": self.precision})


@_register
@dataclass(frozen=True)
class FloatType(Datatype):
    """Floating point (class 1), any bit layout (IEEE, bfloat16, FP8, VAX order)."""

    cls: ClassVar[DatatypeClass] = DatatypeClass.FLOATING_POINT
    byte_order: ByteOrder = ByteOrder.LITTLE
    lo_pad: int = 0
    hi_pad: int = 0
    internal_pad: int = 0
    normalization: Normalization = Normalization.IMPLIED
    sign_location: int = 0
    bit_offset: int = 0
    precision: int = 0
    exponent_location: int = 0
    exponent_size: int = 0
    mantissa_location: int = 0
    mantissa_size: int = 0
    exponent_bias: int = 0

    @classmethod
    def _decode_body(cls, r: Cursor, version: int, bits: int, size: int, depth: int) -> Datatype:
        lo, hi = bits & 1, (bits >> 6) & 1
        if lo and hi:
            order = ByteOrder.VAX
        elif hi:
            raise r.fail("floating-point byte order bits 0/6 = 0/1 is reserved")
        else:
            order = ByteOrder(lo)
        norm = (bits >> 4) & 3
        if norm == 3:
            raise r.fail("floating-point normalization 3 is reserved")
        p = r.struct(_FLOAT_PROPS)
        return cls(
            version,
            size,
            order,
            (bits >> 1) & 1,
            (bits >> 2) & 1,
            (bits >> 3) & 1,
            Normalization(norm),
            (bits >> 8) & 0xFF,
            p["offset"],
            p["precision"],
            p["exponent_location"],
            p["exponent_size"],
            p["mantissa_location"],
            p["mantissa_size"],
            p["exponent_bias"],
        )

    def _encode_body(self) -> tuple[int, bytes]:
        bits = (
            _order_bits(self.byte_order)
            | self.lo_pad << 1
            | self.hi_pad << 2
            | self.internal_pad << 3
            | int(self.normalization) << 4
            | self.sign_location << 8
        )
        props = {
            "offset": self.bit_offset,
            "precision": self.precision,
            "exponent_location": self.exponent_location,
            "exponent_size": self.exponent_size,
            "mantissa_location": self.mantissa_location,
            "mantissa_size": self.mantissa_size,
            "exponent_bias": self.exponent_bias,
        }
        return bits, _FLOAT_PROPS.encode(props)


@_register
@dataclass(frozen=True)
class TimeType(Datatype):
    """Time (class 2): decoded, but h5pure cannot convert it (neither can h5py)."""

    cls: ClassVar[DatatypeClass] = DatatypeClass.TIME
    byte_order: ByteOrder = ByteOrder.LITTLE
    precision: int = 0

    @classmethod
    def _decode_body(cls, r: Cursor, version: int, bits: int, size: int, depth: int) -> Datatype:
        return cls(version, size, ByteOrder(bits & 1), r.struct(_TIME_PROPS)["precision"])

    def _encode_body(self) -> tuple[int, bytes]:
        return int(self.byte_order), _TIME_PROPS.encode({"precision": self.precision})


@_register
@dataclass(frozen=True)
class StringType(Datatype):
    """Fixed-length string (class 3)."""

    cls: ClassVar[DatatypeClass] = DatatypeClass.STRING
    padding: StringPadding = StringPadding.NULLTERM
    cset: CharacterSet = CharacterSet.ASCII

    @classmethod
    def _decode_body(cls, r: Cursor, version: int, bits: int, size: int, depth: int) -> Datatype:
        return cls(
            version,
            size,
            _enum(StringPadding, bits & 15, r),
            _enum(CharacterSet, (bits >> 4) & 15, r),
        )

    def _encode_body(self) -> tuple[int, bytes]:
        return int(self.padding) | int(self.cset) << 4, b""


@_register
@dataclass(frozen=True)
class BitfieldType(Datatype):
    """Bitfield (class 4)."""

    cls: ClassVar[DatatypeClass] = DatatypeClass.BITFIELD
    byte_order: ByteOrder = ByteOrder.LITTLE
    lo_pad: int = 0
    hi_pad: int = 0
    bit_offset: int = 0
    precision: int = 0

    @classmethod
    def _decode_body(cls, r: Cursor, version: int, bits: int, size: int, depth: int) -> Datatype:
        p = r.struct(_ATOMIC_PROPS)
        return cls(
            version,
            size,
            ByteOrder(bits & 1),
            (bits >> 1) & 1,
            (bits >> 2) & 1,
            p["offset"],
            p["precision"],
        )

    def _encode_body(self) -> tuple[int, bytes]:
        bits = int(self.byte_order) | self.lo_pad << 1 | self.hi_pad << 2
        return bits, _ATOMIC_PROPS.encode({"offset": self.bit_offset, "precision": self.precision})


@_register
@dataclass(frozen=True)
class OpaqueType(Datatype):
    """Opaque (class 5) with an ASCII tag, stored NUL-padded to a multiple of 8."""

    cls: ClassVar[DatatypeClass] = DatatypeClass.OPAQUE
    tag: bytes = b""

    @classmethod
    def _decode_body(cls, r: Cursor, version: int, bits: int, size: int, depth: int) -> Datatype:
        raw = r.take(bits & 0xFF)
        return cls(version, size, raw.split(b"\0", 1)[0])

    def _encode_body(self) -> tuple[int, bytes]:
        padded = self.tag + b"\0" * (-len(self.tag) % 8)
        if len(padded) > 255:
            raise ValueError("opaque tag longer than 255 bytes")
        return len(padded), padded


@dataclass(frozen=True)
class CompoundMember:
    """One member of a compound type."""

    name: str
    offset: int
    """Byte offset of the member inside the compound element."""
    datatype: Datatype
    legacy_dims: tuple[int, ...] = ()
    """Version-1 messages only: the member's array dimensions from the legacy block
    (empty when the member is not an array)."""
    legacy_permutation: int = 0
    """Version-1 messages only: the packed permutation word of the legacy block."""

    @property
    def effective_type(self) -> Datatype:
        """The member type with the v1 legacy dimensions applied (an :class:`ArrayType`)."""
        if not self.legacy_dims:
            return self.datatype
        n = 1
        for d in self.legacy_dims:
            n *= d
        return ArrayType(2, self.datatype.size * n, self.legacy_dims, self.datatype)


def _offset_width(size: int) -> int:
    """Bytes needed for a member offset in a v3+ compound of ``size`` bytes
    (H5VM_limit_enc_size: log2(size) / 8 + 1)."""
    return (max(size, 1).bit_length() - 1) // 8 + 1


@_register
@dataclass(frozen=True)
class CompoundType(Datatype):
    """Compound (class 6)."""

    cls: ClassVar[DatatypeClass] = DatatypeClass.COMPOUND
    members: tuple[CompoundMember, ...] = ()

    @classmethod
    def _decode_body(cls, r: Cursor, version: int, bits: int, size: int, depth: int) -> Datatype:
        count = bits & 0xFFFF
        # each member takes at least 2 (name+offset) + 8 (type header) bytes
        if count * 10 > r.remaining:
            raise r.fail(f"compound claims {count} members, more than the message can hold")
        members = []
        names: set[str] = set()
        for _ in range(count):
            name = _decode_name(r, pad8=version < 3)
            if name in names:  # libhdf5's H5Tinsert refuses it: "member name is not unique"
                raise r.fail(f"compound member name {name!r} is not unique")
            names.add(name)
            dims: tuple[int, ...] = ()
            perm = 0
            if version == 1:
                m = r.struct(_MEMBER_V1)
                offset, rank, perm = m["offset"], m["rank"], m["permutation"]
                if rank > 4:
                    raise r.fail(f"compound member {name!r}: legacy rank {rank} > 4")
                dims = tuple(m[f"dim{i}"] for i in range(rank))
            elif version == 2:
                offset = r.struct(_MEMBER_V2)["offset"]
            else:
                offset = r.uint(_offset_width(size))
            mtype = _decode(r, depth + 1)
            members.append(CompoundMember(name, offset, mtype, dims, perm))
        return cls(version, size, tuple(members))

    def _encode_body(self) -> tuple[int, bytes]:
        parts = []
        for m in self.members:
            parts.append(_pad_name(m.name.encode("utf-8"), self.version < 3))
            if self.version == 1:
                dims = list(m.legacy_dims) + [0] * (4 - len(m.legacy_dims))
                fields = {
                    "offset": m.offset,
                    "rank": len(m.legacy_dims),
                    "permutation": m.legacy_permutation,
                }
                fields.update({f"dim{i}": d for i, d in enumerate(dims)})
                parts.append(_MEMBER_V1.encode(fields))
            elif self.version == 2:
                parts.append(_MEMBER_V2.encode({"offset": m.offset}))
            else:
                parts.append(m.offset.to_bytes(_offset_width(self.size), "little"))
            parts.append(encode_datatype(m.datatype))
        return len(self.members), b"".join(parts)


@_register
@dataclass(frozen=True)
class ReferenceType(Datatype):
    """Reference (class 7).  Old kinds (OBJECT1, DATASET_REGION1) in any version; the
    revised kinds (H5T_STD_REF) come with version 4 and ``encoding_version`` (bits 4-7)."""

    cls: ClassVar[DatatypeClass] = DatatypeClass.REFERENCE
    kind: ReferenceKind = ReferenceKind.OBJECT1
    encoding_version: int = 0

    @classmethod
    def _decode_body(cls, r: Cursor, version: int, bits: int, size: int, depth: int) -> Datatype:
        return cls(version, size, _enum(ReferenceKind, bits & 15, r), (bits >> 4) & 15)

    def _encode_body(self) -> tuple[int, bytes]:
        return int(self.kind) | self.encoding_version << 4, b""

    @property
    def is_revised(self) -> bool:
        return self.kind >= ReferenceKind.OBJECT2


@_register
@dataclass(frozen=True)
class EnumType(Datatype):
    """Enumeration (class 8): a base integer type, member names and raw member values."""

    cls: ClassVar[DatatypeClass] = DatatypeClass.ENUM
    base: Datatype = field(default_factory=lambda: FixedPointType(1, 1))
    names: tuple[str, ...] = ()
    raw_values: tuple[bytes, ...] = ()
    """Each member's value as stored (``base.size`` bytes, in the base type's byte order)."""

    @classmethod
    def _decode_body(cls, r: Cursor, version: int, bits: int, size: int, depth: int) -> Datatype:
        count = bits & 0xFFFF
        base = _decode(r, depth + 1)
        if count > r.remaining:
            raise r.fail(f"enum claims {count} members, more than the message can hold")
        names = tuple(_decode_name(r, pad8=version < 3) for _ in range(count))
        raw = r.take(count * base.size)
        values = tuple(raw[i * base.size : (i + 1) * base.size] for i in range(count))
        return cls(version, size, base, names, values)

    def _encode_body(self) -> tuple[int, bytes]:
        parts = [encode_datatype(self.base)]
        parts += [_pad_name(n.encode("utf-8"), self.version < 3) for n in self.names]
        parts += list(self.raw_values)
        return len(self.names), b"".join(parts)

    @property
    def values(self) -> tuple[int, ...]:
        """Member values as Python ints (decoded with the base type's order and sign)."""
        base = self.base
        big = getattr(base, "byte_order", ByteOrder.LITTLE) == ByteOrder.BIG
        order: Literal["big", "little"] = "big" if big else "little"
        signed = bool(getattr(base, "signed", False))
        return tuple(int.from_bytes(v, order, signed=signed) for v in self.raw_values)


@_register
@dataclass(frozen=True)
class VlenType(Datatype):
    """Variable-length sequence or string (class 9)."""

    cls: ClassVar[DatatypeClass] = DatatypeClass.VARIABLE_LENGTH
    kind: VlenKind = VlenKind.SEQUENCE
    padding: StringPadding = StringPadding.NULLTERM
    cset: CharacterSet = CharacterSet.ASCII
    base: Datatype = field(default_factory=lambda: FixedPointType(1, 1))

    @classmethod
    def _decode_body(cls, r: Cursor, version: int, bits: int, size: int, depth: int) -> Datatype:
        kind = _enum(VlenKind, bits & 15, r)
        pad = _enum(StringPadding, (bits >> 4) & 15, r)
        cset = _enum(CharacterSet, (bits >> 8) & 15, r)
        return cls(version, size, kind, pad, cset, _decode(r, depth + 1))

    def _encode_body(self) -> tuple[int, bytes]:
        bits = int(self.kind) | int(self.padding) << 4 | int(self.cset) << 8
        return bits, encode_datatype(self.base)


@_register
@dataclass(frozen=True)
class ArrayType(Datatype):
    """Array (class 10); v2 messages also carry (unused) permutation indices."""

    cls: ClassVar[DatatypeClass] = DatatypeClass.ARRAY
    dims: tuple[int, ...] = ()
    base: Datatype = field(default_factory=lambda: FixedPointType(1, 1))
    permutation: tuple[int, ...] | None = None
    """v2 only: the stored permutation indices (None for v3+)."""

    @classmethod
    def _decode_body(cls, r: Cursor, version: int, bits: int, size: int, depth: int) -> Datatype:
        if version < 2:
            raise r.fail("array datatype in a version-1 message")
        rank = r.struct(_ARRAY_V2_HEAD if version == 2 else _ARRAY_V3_HEAD)["rank"]
        if rank > MAX_ARRAY_RANK:
            raise r.fail(f"array rank {rank} > {MAX_ARRAY_RANK}")
        dims = tuple(r.uint(4) for _ in range(rank))
        perm = tuple(r.uint(4) for _ in range(rank)) if version == 2 else None
        return cls(version, size, dims, _decode(r, depth + 1), perm)

    def _encode_body(self) -> tuple[int, bytes]:
        if self.version == 2:
            head = _ARRAY_V2_HEAD.encode({"rank": len(self.dims)})
            perm = (
                self.permutation if self.permutation is not None else tuple(range(len(self.dims)))
            )
            tail = b"".join(d.to_bytes(4, "little") for d in self.dims + perm)
        else:
            head = _ARRAY_V3_HEAD.encode({"rank": len(self.dims)})
            tail = b"".join(d.to_bytes(4, "little") for d in self.dims)
        return 0, head + tail + encode_datatype(self.base)


@_register
@dataclass(frozen=True)
class ComplexType(Datatype):
    """Complex (class 11, HDF5 2.0, version 5): homogeneous pair of a base float type."""

    cls: ClassVar[DatatypeClass] = DatatypeClass.COMPLEX
    homogeneous: bool = True
    form: int = 0
    """Bits 1-2: 0 = rectangular (real, imaginary)."""
    base: Datatype = field(default_factory=lambda: FloatType(1, 4))

    @classmethod
    def _decode_body(cls, r: Cursor, version: int, bits: int, size: int, depth: int) -> Datatype:
        return cls(version, size, bool(bits & 1), (bits >> 1) & 3, _decode(r, depth + 1))

    def _encode_body(self) -> tuple[int, bytes]:
        return int(self.homogeneous) | self.form << 1, encode_datatype(self.base)


# --------------------------------------------------------------------------- entry points


_E = TypeVar("_E", bound=IntEnum)


def _enum(kind: type[_E], value: int, r: Cursor) -> _E:
    try:
        return kind(value)
    except ValueError:
        raise r.fail(f"invalid {kind.__name__} value {value}") from None


def _decode_name(r: Cursor, pad8: bool) -> str:
    raw = r.cstring(pad8)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _decode(r: Cursor, depth: int) -> Datatype:
    if depth > MAX_NESTING:
        raise r.fail(f"datatype nested deeper than {MAX_NESTING} levels")
    start = r.pos
    head = r.struct(_HEAD)
    version = head["class_and_version"] >> 4
    class_no = head["class_and_version"] & 15
    if not 1 <= version <= 5:
        r.pos = start
        raise r.fail(f"bad datatype version {version}")
    klass = DATATYPE_CLASSES.get(class_no)
    if klass is None:
        r.pos = start
        raise r.fail(f"unknown datatype class {class_no}")
    bits = int.from_bytes(head["bits"], "little")
    dt = klass._decode_body(r, version, bits, head["size"], depth)
    _check_sizes(dt, r)
    return dt


def _check_sizes(dt: Datatype, r: Cursor) -> None:
    """Reject sizes no valid type has (hostile-input guard; libhdf5's H5O_dtype_decode
    checks the same invariants): every field must fit in the element, a compound member
    inside the compound, an array or enum the size its base implies."""
    if dt.size <= 0:
        raise r.fail(f"{type(dt).__name__} of size {dt.size}")
    nbits = 8 * dt.size
    if isinstance(dt, (FixedPointType, BitfieldType, FloatType)):
        if dt.precision == 0:
            raise r.fail(f"{type(dt).__name__} of precision 0")
        if dt.bit_offset + dt.precision > nbits:
            raise r.fail(
                f"{type(dt).__name__}: precision {dt.precision} at bit offset {dt.bit_offset} "
                f"exceeds the {dt.size}-byte element"
            )
    if isinstance(dt, FloatType) and (
        dt.exponent_location + dt.exponent_size > nbits
        or dt.mantissa_location + dt.mantissa_size > nbits
        or dt.sign_location >= nbits
    ):
        raise r.fail(f"floating-point fields lie outside the {dt.size}-byte element")
    if isinstance(dt, CompoundType):
        end = 0
        for m in sorted(dt.members, key=lambda m: m.offset):
            if m.offset + m.effective_type.size > dt.size:
                raise r.fail(
                    f"compound member {m.name!r} ({m.effective_type.size} bytes at offset "
                    f"{m.offset}) extends past the {dt.size}-byte compound"
                )
            if m.offset < end:
                raise r.fail(f"compound member {m.name!r} at offset {m.offset} overlaps another")
            end = m.offset + m.effective_type.size
    elif isinstance(dt, ArrayType):
        n = 1
        for d in dt.dims:
            n *= d
        if n == 0 or n * dt.base.size != dt.size:
            raise r.fail(
                f"array of dims {dt.dims} of {dt.base.size}-byte elements claims size {dt.size}"
            )
    elif isinstance(dt, EnumType) and dt.base.size != dt.size:
        raise r.fail(f"enum of size {dt.size} over a {dt.base.size}-byte base type")
    elif isinstance(dt, ComplexType) and dt.size != 2 * dt.base.size:
        raise r.fail(f"complex of size {dt.size} over a {dt.base.size}-byte base type")


def decode_datatype(buf: bytes | bytearray | memoryview, offset: int = 0) -> tuple[Datatype, int]:
    """Decode the datatype message at ``buf[offset:]``.

    Returns the record and the number of bytes consumed.  Raises :class:`FormatError`
    on truncated or invalid messages.
    """
    r = Cursor(buf, "datatype message", offset)
    dt = _decode(r, 0)
    return dt, r.pos - offset


def encode_datatype(dt: Datatype) -> bytes:
    """Encode ``dt`` as a datatype message body, byte-identical to what libhdf5 writes."""
    bits, props = dt._encode_body()
    head = _HEAD.encode(
        {
            "class_and_version": (dt.version << 4) | int(dt.cls),
            "bits": bits.to_bytes(3, "little"),
            "size": dt.size,
        }
    )
    return head + props


@register(MessageType.DATATYPE)
def decode_datatype_message(data: bytes, ctx: object = None, flags: int = 0) -> Datatype:
    """Message-registry decoder signature ``(data, ctx, flags) -> record``."""
    return decode_datatype(data)[0]
