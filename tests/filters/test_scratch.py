"""Inflate before unshuffle decodes into a buffer the thread reuses (``ChunkInfo.transient``):
chunks of one batch never share bytes, a later chunk never changes an earlier chunk's
result, and a stream of the wrong size is not padded from the buffer."""

from __future__ import annotations

import zlib

import numpy as np
import pytest

from h5pure.filters import deflate as gz
from h5pure.filters import scratch
from h5pure.filters.base import ChunkInfo
from h5pure.filters.pipeline import decode_chunk, decode_chunks
from h5pure.format.messages.filter_pipeline import FilterInfo, FilterPipeline

imagecodecs = pytest.importorskip("imagecodecs")


@pytest.fixture(autouse=True)
def imagecodecs_inflate(monkeypatch):
    monkeypatch.setattr(gz, "_libdeflate", gz._ImagecodecsDeflate(imagecodecs))


def _pipeline(shuffle: bool) -> FilterPipeline:
    filters = [FilterInfo(filter_id=1, name=None, flags=0, client_data=(4,))]
    if shuffle:  # write order: shuffle first, then deflate
        filters.insert(0, FilterInfo(filter_id=2, name=None, flags=0, client_data=(4,)))
    return FilterPipeline(version=1, filters=filters)


def _stored(arr: np.ndarray, shuffle: bool) -> bytes:
    raw = arr.view(np.uint8).reshape(-1, 4)
    raw = np.ascontiguousarray(raw.T) if shuffle else raw
    return zlib.compress(raw.tobytes(), 4)


@pytest.mark.parametrize("n", [4096, 300_000])
def test_batched_chunks_keep_their_own_bytes(monkeypatch, n):
    used: list[tuple[str, int]] = []
    plain = scratch.buffer

    def spy(key, nbytes):
        used.append((key, nbytes))
        return plain(key, nbytes)

    monkeypatch.setattr(scratch, "buffer", spy)
    chunks = [np.arange(n, dtype="<f4") * (k + 1) for k in range(5)]
    out = decode_chunks([_stored(c, True) for c in chunks], list(range(5)), _pipeline(True), 0, 4, (n,))
    assert [bytes(o) for o in out] == [c.tobytes() for c in chunks]
    assert ("inflate", 5 * n * 4) in used  # the inflate went through the kept buffer
    again = decode_chunks([_stored(-c, True) for c in chunks], list(range(5)), _pipeline(True), 0, 4, (n,))
    assert [bytes(o) for o in out] == [c.tobytes() for c in chunks]  # unchanged by the next batch
    assert [bytes(o) for o in again] == [(-c).tobytes() for c in chunks]


def test_one_chunk_at_a_time_and_without_shuffle():
    """decode_chunk uses the buffer too; deflate as the last step never does (its output
    is the chunk)."""
    first = decode_chunk(_stored(np.arange(5000, dtype="<f4"), True), _pipeline(True), 0, ChunkInfo(4, (5000,), 16))
    second = decode_chunk(_stored(-np.arange(5000, dtype="<f4"), True), _pipeline(True), 0, ChunkInfo(4, (5000,), 32))
    assert bytes(first) == np.arange(5000, dtype="<f4").tobytes()
    assert bytes(second) == (-np.arange(5000, dtype="<f4")).tobytes()
    a = decode_chunk(_stored(np.arange(5000, dtype="<f4"), False), _pipeline(False), 0, ChunkInfo(4, (5000,), 16))
    b = decode_chunk(_stored(np.ones(5000, dtype="<f4"), False), _pipeline(False), 0, ChunkInfo(4, (5000,), 32))
    assert bytes(a) == np.arange(5000, dtype="<f4").tobytes() and bytes(b) == np.ones(5000, "<f4").tobytes()


def test_a_short_stream_is_not_padded_from_the_buffer():
    """A stream that inflates to fewer bytes than the chunk comes back at its own length
    (the dataset layer then names the chunk as short), never filled up with what the
    kept buffer held before."""
    good = _stored(np.arange(5000, dtype="<f4"), True)
    short_raw = np.arange(4000, dtype="<f4")
    short = zlib.compress(np.ascontiguousarray(short_raw.view(np.uint8).reshape(-1, 4).T).tobytes())
    out = decode_chunks([good, short], [16, 0x4D2], _pipeline(True), 0, 4, (5000,))
    assert bytes(out[0]) == np.arange(5000, dtype="<f4").tobytes()
    assert len(out[1]) == 16000
    one = decode_chunk(short, _pipeline(True), 0, ChunkInfo(4, (5000,), 0x4D2))
    assert len(one) == 16000
