"""Datatype message decode/encode against the bytes libhdf5 writes (h5py as the oracle)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from h5pure.errors import FormatError
from h5pure.format.context import FormatContext
from h5pure.format.messages.datatype import (
    ArrayType,
    ByteOrder,
    CompoundType,
    DatatypeClass,
    EnumType,
    FloatType,
    OpaqueType,
    StringPadding,
    StringType,
    VlenType,
    decode_datatype,
    encode_datatype,
)
from h5pure.format.object_header import read_object_header
from h5pure.testing.sources import BytesSource

h5py = pytest.importorskip("h5py")
h5t = h5py.h5t


def _string(pad: int, cset: int = 0, size: int = 5) -> Any:
    t = h5t.C_S1.copy()
    t.set_size(size)
    t.set_strpad(pad)
    t.set_cset(cset)
    return t


def _float(size: int, spos: int, epos: int, esize: int, mpos: int, msize: int, bias: int) -> Any:
    t = (h5t.IEEE_F64LE if size > 4 else h5t.IEEE_F32LE).copy()
    t.set_fields(spos, epos, esize, mpos, msize)
    t.set_size(size)
    t.set_precision(8 * size)
    t.set_fields(spos, epos, esize, mpos, msize)
    t.set_ebias(bias)
    return t


def _opaque_tagged() -> Any:
    t = h5t.py_create(np.dtype("V5"))
    t.set_tag(b"eight ch")  # exactly 8 characters: no NUL in the padded tag
    return t


def _nested_compound() -> Any:
    return h5t.py_create(
        np.dtype([("a", "<i4"), ("b", [("x", ">f8"), ("y", "S3")]), ("c", "<f4", (2, 3))])
    )


def _big_compound() -> Any:
    # > 255 bytes: member offsets need 2 bytes in v3+ messages
    return h5t.py_create(np.dtype([("a", "<i4"), ("pad", "V300"), ("z", "<u2")]))


TYPES: dict[str, Callable[[], Any]] = {
    "i1": lambda: h5t.STD_I8LE,
    "u2be": lambda: h5t.STD_U16BE,
    "i8be": lambda: h5t.STD_I64BE,
    "f2": lambda: h5t.IEEE_F16LE,
    "f4be": lambda: h5t.IEEE_F32BE,
    "f8": lambda: h5t.IEEE_F64LE,
    "ldouble": lambda: h5t.NATIVE_LDOUBLE,
    "bfloat16": lambda: _float(2, 15, 7, 8, 0, 7, 127),
    "bitfield": lambda: h5t.STD_B16BE,
    "time": lambda: h5t.UNIX_D32LE,
    "s_nullterm": lambda: _string(h5t.STR_NULLTERM),
    "s_nullpad_utf8": lambda: _string(h5t.STR_NULLPAD, h5t.CSET_UTF8),
    "s_spacepad": lambda: _string(h5t.STR_SPACEPAD),
    "opaque": lambda: h5t.py_create(h5py.opaque_dtype(np.dtype("<M8[s]"))),
    "opaque_tag8": _opaque_tagged,
    "complex_compound": lambda: h5t.py_create(np.dtype("<c16")),
    "nested_compound": _nested_compound,
    "big_compound": _big_compound,
    "bool": lambda: h5t.py_create(np.dtype("?")),
    "enum": lambda: h5t.py_create(
        h5py.enum_dtype({"RED": 1, "A_LONG_NAME": -7}, "i2"), logical=True
    ),
    "vlen_str": lambda: h5t.py_create(h5py.string_dtype(), logical=True),
    "vlen_bytes": lambda: h5t.py_create(h5py.string_dtype("ascii"), logical=True),
    "vlen_seq": lambda: h5t.py_create(h5py.vlen_dtype(np.dtype(">i4")), logical=True),
    "array": lambda: h5t.py_create(np.dtype(("<i4", (3, 2)))),
    "ref_obj": lambda: h5t.STD_REF_OBJ,
    "ref_region": lambda: h5t.STD_REF_DSETREG,
    "complex_class11": lambda: h5t.COMPLEX_IEEE_F32BE,
}

LIBVERS: list[Any] = ["earliest", "v108", "v110", "latest"]


def _dtype_message(path: str, name: str) -> bytes:
    with h5py.File(path, "r") as f:
        address = h5py.h5o.get_info(f[name].id).addr
    src = BytesSource.from_path(path)
    oh = read_object_header(src, FormatContext(), address)
    (msg,) = [m for m in oh.messages if m.type == 3]
    return bytes(msg.data)


@pytest.mark.parametrize("libver", LIBVERS)
@pytest.mark.parametrize("kind", sorted(TYPES))
def test_roundtrip_real_message(tmp_path: Any, kind: str, libver: str) -> None:
    path = str(tmp_path / "t.h5")
    tid = TYPES[kind]()
    try:
        with h5py.File(path, "w", libver=libver) as f:
            h5py.h5d.create(f.id, b"d", tid, h5py.h5s.create_simple((2,)))
    except (ValueError, RuntimeError) as e:  # class 11 needs the v200 bound
        pytest.skip(f"libhdf5 refuses {kind} with libver={libver}: {e}")
    data = _dtype_message(path, "d")
    dt, used = decode_datatype(data)
    assert data[used:].strip(b"\0") == b""  # v1 object headers pad messages to 8 bytes
    assert encode_datatype(dt) == data[:used]
    if not kind.startswith("vlen"):  # in-memory vlen types have the size of a pointer pair
        assert dt.size == tid.get_size()
    if kind not in ("vlen_str", "vlen_bytes"):  # libhdf5 reports vlen strings as class 3
        assert int(dt.cls) == tid.get_class()
    # H5Tencode writes the same message body (2-byte header) when versions agree
    serialized = tid.encode()
    assert serialized[:2] == b"\x03\x00"
    if serialized[2] >> 4 == data[0] >> 4 and not kind.startswith("vlen"):
        assert serialized[2:] == data[:used]


def test_decoded_fields_of_known_types() -> None:
    dt, _ = decode_datatype(h5t.IEEE_F32BE.encode()[2:])
    assert isinstance(dt, FloatType)
    assert dt.byte_order == ByteOrder.BIG
    assert (dt.sign_location, dt.exponent_location, dt.exponent_size) == (31, 23, 8)
    assert (dt.mantissa_location, dt.mantissa_size, dt.exponent_bias) == (0, 23, 127)

    dt, _ = decode_datatype(_string(h5t.STR_SPACEPAD, h5t.CSET_UTF8, 9).encode()[2:])
    assert isinstance(dt, StringType)
    assert (dt.padding, dt.cset, dt.size) == (StringPadding.SPACEPAD, 1, 9)

    dt, _ = decode_datatype(_nested_compound().encode()[2:])
    assert isinstance(dt, CompoundType)
    assert [m.name for m in dt.members] == ["a", "b", "c"]
    assert [m.offset for m in dt.members] == [0, 4, 15]
    assert isinstance(dt.members[2].datatype, ArrayType)
    assert dt.members[2].datatype.dims == (2, 3)

    enum_t = h5t.py_create(h5py.enum_dtype({"RED": 1, "BLUE": -7}, "i2"), logical=True)
    dt, _ = decode_datatype(enum_t.encode()[2:])
    assert isinstance(dt, EnumType)
    assert dict(zip(dt.names, dt.values)) == {"RED": 1, "BLUE": -7}

    dt, _ = decode_datatype(h5t.py_create(h5py.vlen_dtype("<i4"), logical=True).encode()[2:])
    assert isinstance(dt, VlenType) and dt.size == 16

    dt, _ = decode_datatype(_opaque_tagged().encode()[2:])
    assert isinstance(dt, OpaqueType) and dt.tag == b"eight ch"


def test_vax_order_detected() -> None:
    t = h5t.IEEE_F32LE.copy()
    t.set_order(h5t.ORDER_VAX)
    dt, _ = decode_datatype(t.encode()[2:])
    assert isinstance(dt, FloatType) and dt.byte_order == ByteOrder.VAX
    assert encode_datatype(dt) == t.encode()[2:]


def test_v1_legacy_array_member_is_honoured() -> None:
    # A version-1 compound whose member carries legacy dims (2, 3): hand-built because
    # current libhdf5 writes array members as class 10 with version 2.
    member = h5t.STD_I16LE.encode()[2:]
    legacy = (
        (5).to_bytes(4, "little")  # offset
        + bytes([2, 0, 0, 0])  # rank + reserved
        + (0).to_bytes(4, "little")
        + bytes(4)
        + b"".join(d.to_bytes(4, "little") for d in (2, 3, 0, 0))
    )
    body = b"abc\0\0\0\0\0" + legacy + member
    head = bytes([0x16, 1, 0, 0]) + (17).to_bytes(4, "little")
    dt, used = decode_datatype(head + body)
    assert used == len(head + body)
    assert isinstance(dt, CompoundType)
    (m,) = dt.members
    assert m.legacy_dims == (2, 3)
    eff = m.effective_type
    assert isinstance(eff, ArrayType) and eff.dims == (2, 3) and eff.size == 12
    assert encode_datatype(dt) == head + body


@pytest.mark.parametrize("cut", [1, 5, 8, 11, 19])
def test_truncated_messages_raise(cut: int) -> None:
    data = h5t.IEEE_F32LE.encode()[2:]
    with pytest.raises(FormatError):
        decode_datatype(data[:cut])


def test_hostile_inputs_raise() -> None:
    with pytest.raises(FormatError, match="version"):
        decode_datatype(bytes([0x00, 0, 0, 0, 4, 0, 0, 0, 0, 0, 32, 0]))
    with pytest.raises(FormatError, match="class"):
        decode_datatype(bytes([0x1C, 0, 0, 0, 4, 0, 0, 0]))
    with pytest.raises(FormatError, match="members"):
        decode_datatype(bytes([0x36, 0xFF, 0xFF, 0, 4, 0, 0, 0]) + b"a\0" + bytes(20))
    # an array nested in itself far too deeply
    deep = b"".join(
        bytes([0x3A, 0, 0, 0, 4, 0, 0, 0, 1]) + (1).to_bytes(4, "little") for _ in range(40)
    )
    with pytest.raises(FormatError, match="nested"):
        decode_datatype(deep + h5t.STD_I32LE.encode()[2:])
    with pytest.raises(FormatError, match="unterminated"):
        decode_datatype(bytes([0x36, 1, 0, 0, 4, 0, 0, 0]) + b"abcdefghijk")


def test_registered_as_message_decoder() -> None:
    from h5pure.format.messages import MessageType, decoder_for

    decoder = decoder_for(MessageType.DATATYPE)
    assert decoder is not None
    dt = decoder(h5t.STD_I32LE.encode()[2:], FormatContext(), 0)
    assert dt.cls == DatatypeClass.FIXED_POINT
