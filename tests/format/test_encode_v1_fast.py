"""The one-pass v1 header encoders give the bytes of the general layout and encoder
(``layout_messages`` + ``encode_object_header_chunks``), and h5pure's reader reads them."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from h5pure.format.context import FormatContext
from h5pure.format.object_header import (
    MessageSpec,
    encode_object_header_chunks,
    encode_v1_header,
    encode_v1_split,
    layout_messages,
    v1_split,
)

CTX = FormatContext(8, 8, 0)
bodies = st.lists(
    st.tuples(st.integers(1, 0x18), st.integers(0, 3), st.binary(max_size=90)), max_size=8
)


def _general(messages: list[tuple[int, int, bytes]], chunk0: int, cont: int) -> list[bytes]:
    specs = [MessageSpec(t, f, b) for t, f, b in messages]
    plans = layout_messages(specs, chunk0, 1, CTX)
    addresses = [1000, cont][: len(plans)]
    return encode_object_header_chunks(CTX, 1, plans, addresses, refcount=2)


@settings(max_examples=200, deadline=None)
@given(messages=bodies, chunk0=st.sampled_from([24, 32, 56, 256]))
def test_same_bytes_as_the_general_encoder(
    messages: list[tuple[int, int, bytes]], chunk0: int
) -> None:
    want = _general(messages, chunk0, 4096)
    blob = encode_v1_header(messages, chunk0, 2)
    if blob is not None:
        assert [blob] == want
        return
    split = v1_split(messages, chunk0, CTX)
    assert split is not None
    assert split[1] == layout_messages(
        [MessageSpec(t, f, b) for t, f, b in messages], chunk0, 1, CTX
    )[1].size
    assert list(encode_v1_split(messages, split, chunk0, 4096, CTX, 2)) == want


def test_left_to_the_general_layout() -> None:
    assert v1_split([(1, 0, bytes(40))], 16, CTX) is None  # no room for a continuation
    assert encode_v1_header([(1, 0, bytes(8))], 20, 1) is None  # rest not 8-byte units
    with pytest.raises(ValueError):
        encode_v1_header([(1, 0, bytes(70000))], 1 << 17, 1)
