"""Invariants the decoders now enforce (found by the corruption suite)."""

from __future__ import annotations

import pytest

from h5pure.errors import FormatError
from h5pure.format.context import FormatContext
from h5pure.format.messages.dataspace import Dataspace, decode_dataspace
from h5pure.format.messages.datatype import (
    ArrayType,
    CompoundMember,
    CompoundType,
    FixedPointType,
    decode_datatype,
    encode_datatype,
)

I4 = FixedPointType(1, 4, precision=32)


@pytest.mark.parametrize(
    "dt",
    [
        FixedPointType(1, 4, precision=0),
        FixedPointType(1, 4, bit_offset=8, precision=32),
        CompoundType(1, 6, (CompoundMember("a", 4, I4),)),
        CompoundType(3, 8, (CompoundMember("a", 0, I4), CompoundMember("b", 2, I4))),
        ArrayType(3, 12, (2,), I4),
    ],
)
def test_inconsistent_datatypes_are_format_errors(dt):
    with pytest.raises(FormatError):
        decode_datatype(encode_datatype(dt))


def test_consistent_datatypes_still_decode():
    dt = CompoundType(3, 8, (CompoundMember("a", 0, I4), CompoundMember("b", 4, I4)))
    assert decode_datatype(encode_datatype(dt))[0] == dt


def test_dataspace_beyond_int64_elements():
    ctx = FormatContext(8, 8, 0, None)
    data = Dataspace("simple", (1 << 40, 1 << 40), (1 << 40, 1 << 40)).encode(ctx)
    with pytest.raises(FormatError, match="2\\*\\*63"):
        decode_dataspace(data, ctx)
