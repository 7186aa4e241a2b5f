"""The one-pass v1 encoding inside ``encode_header`` and ``encode_object_header_chunks``
gives the bytes (and the allocations) of the general encoder, forced with the private switch
``_ONE_PASS_V1``, and h5pure's reader reads them back."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from h5pure.format import object_header
from h5pure.format.context import FormatContext
from h5pure.format.object_header import (
    ChunkPlan,
    MessageSpec,
    encode_header,
    encode_object_header_chunks,
    layout_messages,
    read_object_header,
)
from h5pure.testing.sources import BytesSource

CTX = FormatContext(8, 8, 0)
bodies = st.lists(
    st.tuples(st.integers(2, 0x18), st.integers(0, 3), st.binary(max_size=90)), max_size=8
)


@contextmanager
def _general_encoder() -> Iterator[None]:
    object_header._ONE_PASS_V1 = False
    try:
        yield
    finally:
        object_header._ONE_PASS_V1 = True


def _encode(plans: list[ChunkPlan], addresses: list[int]) -> list[bytes]:
    return encode_object_header_chunks(CTX, 1, plans, addresses, refcount=2)


@settings(max_examples=200, deadline=None)
@given(messages=bodies, chunk0=st.sampled_from([24, 32, 56, 256]), slack=st.sampled_from([0, 40]))
def test_same_bytes_as_the_general_encoder(
    messages: list[tuple[int, int, bytes]], chunk0: int, slack: int
) -> None:
    specs = [MessageSpec(t, f, b) for t, f, b in messages if t != 0x10]
    plans = layout_messages(specs, chunk0, 1, CTX, slack=slack)
    addresses = [0, 4096][: len(plans)]
    fast = _encode(plans, addresses)
    with _general_encoder():
        assert fast == _encode(plans, addresses)
    image = bytearray(8192)
    for address, blob in zip(addresses, fast):
        image[address : address + len(blob)] = blob
    back = read_object_header(BytesSource(bytes(image)), CTX, 0)
    assert back.refcount == 2
    assert [(m.type, m.flags, m.data.rstrip(b"\0")) for m in back.messages] == [
        (m.type, m.flags, m.body.rstrip(b"\0")) for m in specs
    ]


@pytest.mark.parametrize("one_pass", [True, False])
def test_unusable_chunks_raise_the_general_errors(one_pass: bool) -> None:
    object_header._ONE_PASS_V1 = one_pass
    try:
        with pytest.raises(ValueError, match="not a multiple of 8"):
            _encode([ChunkPlan([MessageSpec(1, 0, bytes(8))], 20)], [0])
        with pytest.raises(ValueError, match="exceed"):
            _encode([ChunkPlan([MessageSpec(1, 0, bytes(40))], 16)], [0])
        with pytest.raises(ValueError, match="65535"):
            _encode([ChunkPlan([MessageSpec(1, 0, bytes(70000))], 1 << 17)], [0])
        with pytest.raises(ValueError):
            _encode([ChunkPlan([MessageSpec(1, 0x100, bytes(8))], 16)], [0])
        with pytest.raises(ValueError):
            encode_header(CTX, 1, [MessageSpec(1, 0x100, bytes(8))], 16, 0, id)
        with pytest.raises(ValueError, match="not a multiple of 8"):
            encode_header(CTX, 1, [MessageSpec(1, 0, bytes(8))], 20, 0, id)
    finally:
        object_header._ONE_PASS_V1 = True


def _placed(messages: list[MessageSpec], chunk0: int) -> tuple[list[tuple[int, bytes]], list[int]]:
    asked: list[int] = []

    def alloc(size: int) -> int:
        asked.append(size)
        return 4096 * len(asked)

    return encode_header(CTX, 1, messages, chunk0, 0, alloc, refcount=3), asked


@settings(max_examples=200, deadline=None)
@given(messages=bodies, chunk0=st.sampled_from([24, 32, 56, 256]))
def test_encode_header_same_chunks_and_allocations(
    messages: list[tuple[int, int, bytes]], chunk0: int
) -> None:
    specs = [MessageSpec(t, f, b) for t, f, b in messages if t != 0x10]
    fast = _placed(specs, chunk0)
    with _general_encoder():
        assert fast == _placed(specs, chunk0)
    chunks, asked = fast
    assert [len(blob) for _, blob in chunks[1:]] == asked
    image = bytearray(4096 * (len(asked) + 1))
    for address, blob in chunks:
        image[address : address + len(blob)] = blob
    back = read_object_header(BytesSource(bytes(image)), CTX, 0)
    assert len(back.messages) == len(specs) and back.refcount == 3
    for got, want in zip(back.messages, specs):  # v1 bodies come back padded to 8 bytes
        assert (got.type, got.flags, got.data[: len(want.body)]) == want[:3]
