"""The shuffle filter's unshuffle through c-blosc (imagecodecs): frames of uncompressed
Blosc blocks give exactly the bytes numpy's strided copies give, for every element size,
length and block cut; a decoder that does not is detected and numpy used instead."""

from __future__ import annotations

import numpy as np
import pytest

from h5pure.filters import ChunkInfo, get_filter
from h5pure.filters import shuffle as sh
from h5pure.filters.optional import NOT_LOADED
from h5pure.format.messages.filter_pipeline import FilterInfo

imagecodecs = pytest.importorskip("imagecodecs")
if not hasattr(imagecodecs, "blosc_decode"):
    pytest.skip("this imagecodecs has no c-blosc", allow_module_level=True)


@pytest.fixture
def blosc(monkeypatch):
    monkeypatch.setattr(sh, "_blosc", NOT_LOADED)
    assert sh._blosc_decoder() is imagecodecs, "the check refused this imagecodecs"
    return sh


def _shuffled(elements: np.ndarray) -> bytes:
    size = elements.dtype.itemsize
    return np.ascontiguousarray(elements.view(np.uint8).reshape(-1, size).T).tobytes()


@pytest.mark.parametrize("size", [2, 3, 4, 5, 8, 12, 16, 17, 64])
@pytest.mark.parametrize(
    "n",
    # one block, exactly whole blocks, whole blocks and a short last one, a large chunk
    [2, 7, 1000, 32768, 32769, 65536 + 5, 1_000_003],
)
def test_blosc_unshuffle_equals_numpy(blosc, size, n):
    rng = np.random.default_rng(size * 7 + n)
    planes = rng.integers(0, 256, (size, n), dtype=np.uint8)
    got = blosc._unshuffle_blosc(planes, imagecodecs)
    assert got is not None
    assert np.array_equal(got, blosc._interleave(planes, n, size).reshape(-1))


@pytest.mark.parametrize("size", [2, 4, 8, 6])
@pytest.mark.parametrize("count", [2, 3, 50])
def test_blosc_many_equals_numpy(blosc, size, count):
    rng = np.random.default_rng(count)
    n = 999
    datas = [rng.integers(0, 256, n * size, dtype=np.uint8).tobytes() for _ in range(count)]
    rows = blosc._unshuffle_blosc_many(datas, size, imagecodecs)
    for data, row in zip(datas, rows):
        planes = np.frombuffer(data, np.uint8).reshape(size, n)
        assert np.array_equal(row, blosc._interleave(planes, n, size).reshape(-1))


@pytest.mark.parametrize("dtype", ["<f4", ">f8", "<i2", "<c16", "S3"])
@pytest.mark.parametrize("shape", [(5,), (40_000,), (300_001,)])
def test_filter_decode_round_trips(blosc, dtype, shape):
    """Through the filter's own decode and decode_many, as a read uses them."""
    rng = np.random.default_rng(len(shape) + shape[0])
    arr = rng.integers(0, 256, shape[0] * np.dtype(dtype).itemsize, dtype=np.uint8).view(dtype)
    size = arr.dtype.itemsize
    f = get_filter(2)
    info = FilterInfo(filter_id=2, name=None, flags=0, client_data=(size,))
    chunk = ChunkInfo(size, shape, 0x800)
    stored = _shuffled(arr)
    assert bytes(f.decode(stored, info, chunk)) == arr.tobytes()
    assert [bytes(b) for b in f.decode_many([stored] * 3, info, chunk)] == [arr.tobytes()] * 3


def test_scratch_is_not_shared_between_results(blosc):
    """The frame buffer a thread reuses never backs a result: two decodes stay apart."""
    a = np.arange(50_000, dtype="<f4")
    b = -np.arange(50_000, dtype="<f4")
    f = get_filter(2)
    info = FilterInfo(filter_id=2, name=None, flags=0, client_data=(4,))
    chunk = ChunkInfo(4, a.shape, 0)
    first = f.decode(_shuffled(a), info, chunk)
    second = f.decode(_shuffled(b), info, chunk)
    assert np.array_equal(np.frombuffer(first, "<f4"), a)
    assert np.array_equal(np.frombuffer(second, "<f4"), b)


def test_a_decoder_that_differs_is_not_used(monkeypatch):
    """A c-blosc that decodes our frames to other bytes (an old one splitting blocks by
    its own rule) fails the first-use check: numpy unshuffles, and the bytes are right."""

    class Wrong:
        @staticmethod
        def blosc_decode(data, numthreads=1, out=None):
            out[...] = 0
            return out

    monkeypatch.setattr(sh.optional, "load", lambda name, needs=None: Wrong)
    monkeypatch.setattr(sh, "_blosc", NOT_LOADED)
    assert sh._blosc_decoder() is None
    arr = np.arange(100_000, dtype="<i4")
    f = get_filter(2)
    info = FilterInfo(filter_id=2, name=None, flags=0, client_data=(4,))
    out = f.decode(_shuffled(arr), info, ChunkInfo(4, arr.shape, 0))
    assert bytes(out) == arr.tobytes()


def test_a_decoder_that_raises_is_not_used(monkeypatch):
    class Broken:
        @staticmethod
        def blosc_decode(data, numthreads=1, out=None):
            raise RuntimeError("no")

    monkeypatch.setattr(sh.optional, "load", lambda name, needs=None: Broken)
    monkeypatch.setattr(sh, "_blosc", NOT_LOADED)
    assert sh._blosc_decoder() is None


def test_h5py_reads_and_we_read_shuffled_files(blosc, tmp_path):
    """A gzip+shuffle file written by h5py, read whole and in parts, chunks of every
    size class (joined small ones, one block, cut into blocks)."""
    h5py = pytest.importorskip("h5py")
    import h5pure

    rng = np.random.default_rng(5)
    path = tmp_path / "s.h5"
    data = {
        "small": (rng.standard_normal((200, 300)).astype("<f4"), (10, 30)),
        "block": (rng.integers(-(2**40), 2**40, (300, 400)).astype(">i8"), (100, 300)),
        "cut": (rng.standard_normal((600, 700)).astype("<f8"), (300, 700)),
        "odd": (rng.integers(0, 2**15, (1001, 33)).astype("<u2"), (1001, 33)),
    }
    with h5py.File(path, "w") as f:
        for name, (arr, chunks) in data.items():
            f.create_dataset(name, data=arr, chunks=chunks, compression="gzip", shuffle=True)
    with h5pure.File(path, "r") as f:
        for name, (arr, _) in data.items():
            assert np.array_equal(f[name][...], arr), name
            assert np.array_equal(f[name][5:-3:2, 1:], arr[5:-3:2, 1:]), name


@pytest.mark.parametrize("use_blosc", [True, False])
@pytest.mark.parametrize("n", [3, 5000, 300_001])
def test_decode_into_writes_the_callers_memory(monkeypatch, use_blosc, n):
    """``decode_into`` unshuffles straight into the given view (c-blosc or numpy), and
    declines, untouched, what it cannot (trailing bytes, a wrong size, 1-byte elements)."""
    monkeypatch.setattr(sh, "_blosc", NOT_LOADED if use_blosc else None)
    arr = np.random.default_rng(n).normal(size=n).astype("<f8")
    f = get_filter(2)
    info = FilterInfo(filter_id=2, name=None, flags=0, client_data=(8,))
    chunk = ChunkInfo(8, (n,), 0)
    dest = bytearray(arr.nbytes)
    assert f.decode_into(_shuffled(arr), info, chunk, memoryview(dest))
    assert bytes(dest) == arr.tobytes()
    small = bytearray(arr.nbytes - 8)
    assert not f.decode_into(_shuffled(arr), info, chunk, memoryview(small))
    assert small == bytearray(len(small))
    assert not f.decode_into(_shuffled(arr) + b"xy", info, chunk, memoryview(bytearray(arr.nbytes + 2)))
    one = FilterInfo(filter_id=2, name=None, flags=0, client_data=(1,))
    assert not f.decode_into(b"abcd", one, ChunkInfo(1, (4,), 0), memoryview(bytearray(4)))
