"""The field-table mechanism: Struct, FlagStruct and the one Cursor."""

from __future__ import annotations

import pytest

from h5pure.errors import FormatError
from h5pure.format.context import FormatContext
from h5pure.format.messages.attribute import AttributeInfo
from h5pure.format.messages.link import GroupInfo, LinkInfo, decode_group_info
from h5pure.format.structs import (
    OFFSET,
    U8,
    U16,
    U32,
    Cursor,
    FlagStruct,
    Reserved,
    Struct,
    When,
)

CTX4 = FormatContext(4, 4)
CTX8 = FormatContext(8, 8)


def test_cursor_reads_and_bounds():
    cur = Cursor(b"\x01\x02\x00abc\0\x07\0\0\0", "test blob")
    assert cur.u8() == 1 and cur.u16() == 2
    assert cur.cstring() == b"abc"
    assert cur.struct(Struct("tail", [("x", U32)])) == {"x": 7}
    assert cur.remaining == 0
    with pytest.raises(FormatError, match="truncated test blob: need 1 bytes at byte 11"):
        cur.u8()


def test_cursor_cstring_pad8_and_memoryview():
    data = memoryview(b"name\0\0\0\0" + b"x\0")
    cur = Cursor(data, "names")
    assert cur.cstring(pad8=True) == b"name" and cur.pos == 8
    assert cur.cstring() == b"x"
    with pytest.raises(FormatError, match="names at byte 0: unterminated"):
        Cursor(b"abc", "names").cstring()
    with pytest.raises(FormatError, match="truncated"):
        Cursor(b"abc\0", "names").cstring(pad8=True)  # the padding is missing


def test_cursor_uints_and_offsets():
    cur = Cursor(bytes(range(12)), "ints")
    assert cur.uints(2, 2) == [0x0100, 0x0302]
    assert cur.offset(CTX4) == 0x07060504
    with pytest.raises(FormatError):
        cur.uints(3, 2)
    assert cur.pos == 8  # a failed read moves nothing


_TABLE = FlagStruct(
    "flagged thing",
    [
        ("flags", U8),
        ("a", U16, When("flags", 1)),
        ("pad", Reserved(1)),
        ("b", OFFSET, When("flags", 2)),
    ],
)


@pytest.mark.parametrize("flags", [0, 1, 2, 3])
@pytest.mark.parametrize("ctx", [CTX4, CTX8])
def test_flag_struct_roundtrip(flags, ctx):
    values = {"flags": flags, "a": 0x1234 if flags & 1 else None, "b": 0x55 if flags & 2 else None}
    blob = _TABLE.encode(values, ctx)
    assert len(blob) == 2 + (2 if flags & 1 else 0) + (ctx.size_of_offsets if flags & 2 else 0)
    assert _TABLE.decode(blob, 0, ctx) == values
    with pytest.raises(FormatError, match="truncated flagged thing"):
        _TABLE.decode(blob[:-1], 0, ctx)


def test_flag_struct_stop_and_resume():
    blob = _TABLE.encode({"flags": 3, "a": 9, "b": 10}, CTX4)
    cur = Cursor(blob, "x")
    head = _TABLE.read(cur, CTX4, stop="a")
    assert head == {"flags": 3} and cur.pos == 1
    assert _TABLE.read(cur, CTX4, start="a", values=head) == {"flags": 3, "a": 9, "b": 10}
    with pytest.raises(ValueError, match=r"present fields \['a'\] have no value"):
        _TABLE.encode({"flags": 1}, CTX4)
    with pytest.raises(ValueError, match="no segment starts at field 'flags2'"):
        _TABLE.read(cur, CTX4, stop="flags2")


@pytest.mark.parametrize("cls", [LinkInfo, AttributeInfo])
@pytest.mark.parametrize("flags", [0, 1, 3])
@pytest.mark.parametrize("ctx", [CTX4, CTX8])
def test_storage_info_roundtrip(cls, flags, ctx):
    info = cls(
        flags,
        7 if flags & 1 else None,
        0x100,
        0x200,
        0x300 if flags & 2 else None,
    )
    blob = info.encode(ctx)
    corder = (8 if cls is LinkInfo else 2) if flags & 1 else 0
    assert len(blob) == 2 + corder + ctx.size_of_offsets * (3 if flags & 2 else 2)
    assert cls.decode(blob, ctx) == info
    with pytest.raises(FormatError, match="unknown version"):
        cls.decode(b"\x01" + blob[1:], ctx)
    with pytest.raises(FormatError, match="unknown flags"):
        cls.decode(b"\x00\x04" + blob[2:], ctx)


@pytest.mark.parametrize(
    "info",
    [
        GroupInfo(0, None, None, None, None),
        GroupInfo(3, 8, 6, 4, 8),
        GroupInfo(2, None, None, 5, 9),
    ],
)
def test_group_info_roundtrip(info):
    assert decode_group_info(info.encode(), CTX8) == info
