"""``Filter.decode_many`` and ``pipeline.decode_chunks``: many chunks of one pipeline
decoded in one loop give what ``decode_chunk`` gives one by one, through each gzip
binding, and a bad chunk is named by its address."""

from __future__ import annotations

import zlib

import numpy as np
import pytest

from h5pure.errors import FilterError
from h5pure.filters import deflate as gz
from h5pure.filters.pipeline import decode_chunks
from h5pure.format.messages.filter_pipeline import FilterInfo, FilterPipeline

imagecodecs = pytest.importorskip("imagecodecs")


def _pipeline() -> FilterPipeline:
    return FilterPipeline(version=1, filters=[FilterInfo(filter_id=1, name=None, flags=0, client_data=(4,))])


@pytest.mark.parametrize("binding", ["deflate", "imagecodecs", "zlib"])
@pytest.mark.parametrize("n", [64, 4096])  # below and above the zlib crossover
def test_every_binding_decodes_the_same(monkeypatch, binding, n):
    if binding == "deflate":
        lib = pytest.importorskip("deflate")
    elif binding == "imagecodecs":
        lib = gz._ImagecodecsDeflate(imagecodecs)
    else:
        lib = None
    monkeypatch.setattr(gz, "_libdeflate", lib)
    chunks = [np.arange(n, dtype="<i4") * k for k in range(20)]
    raws = [zlib.compress(c.tobytes(), 4) for c in chunks]
    out = decode_chunks(raws, list(range(100, 120)), _pipeline(), 0, 4, (n,))
    assert [bytes(o) for o in out] == [c.tobytes() for c in chunks]


@pytest.mark.parametrize("binding", ["imagecodecs", "zlib"])
def test_a_bad_chunk_is_named(monkeypatch, binding):
    lib = gz._ImagecodecsDeflate(imagecodecs) if binding == "imagecodecs" else None
    monkeypatch.setattr(gz, "_libdeflate", lib)
    raws = [zlib.compress(np.arange(64, dtype="<i4").tobytes()) for _ in range(5)]
    raws[3] = raws[3][:10] + b"\xff" * 8 + raws[3][18:]
    with pytest.raises((FilterError, OSError), match="0x4d2"):
        decode_chunks(raws, [1, 2, 3, 0x4D2, 5], _pipeline(), 0, 4, (64,))


@pytest.mark.parametrize("size", [2, 4, 8, 3])
@pytest.mark.parametrize("lengths", ["same", "mixed", "trailing"])
def test_shuffle_many_equals_one_by_one(size, lengths):
    """Chunks of one length are unshuffled together; mixed lengths and bytes past the last
    whole element go chunk by chunk -- the bytes are the same either way."""
    from h5pure.filters import ChunkInfo, get_filter

    shuffle = get_filter(2)
    info = FilterInfo(filter_id=2, name=None, flags=0, client_data=(size,))
    rng = np.random.default_rng(size)
    n = 1000
    datas = [rng.integers(0, 256, n * size, dtype=np.uint8).tobytes() for _ in range(9)]
    if lengths == "mixed":
        datas[4] = datas[4][: (n // 2) * size]
    elif lengths == "trailing":
        datas = [d + b"\x07" for d in datas]
    chunk = ChunkInfo(size, (n,), None, None)
    many = shuffle.decode_many(datas, info, chunk)
    one = [shuffle.decode(d, info, chunk) for d in datas]
    assert [bytes(a) for a in many] == [bytes(b) for b in one]
    # and the shuffle undone is the data that was shuffled
    plain = [shuffle.encode(bytes(d), info, chunk) for d in one]
    assert plain == datas
