"""The hdf5plugin filters (blosc, zstd, lz4, bitshuffle) against h5py + hdf5plugin."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import pytest

from h5pure.errors import FilterError
from h5pure.filters import ChunkInfo, bitshuffle, blockcodecs, decode_chunk, encode_chunk
from h5pure.filters.lz4 import HEADER as LZ4_HEADER
from h5pure.format.messages.filter_pipeline import FilterInfo, FilterPipeline
from h5pure.testing.filters import FilterTests


class PluginFilterTests(FilterTests):
    """A filter that h5py writes through one of hdf5plugin's filter classes."""

    plugin: ClassVar[str]
    """The hdf5plugin class whose ``(**variant)`` gives the ``create_dataset`` keywords."""

    def h5py_missing(self) -> str | None:
        try:
            import hdf5plugin  # noqa: F401
        except ImportError:
            return "hdf5plugin is not installed"
        return None

    def h5py_options(self, variant: dict[str, Any]) -> dict[str, Any]:
        import hdf5plugin

        return dict(getattr(hdf5plugin, self.plugin)(**variant))

    def flags(self) -> int:
        return 1  # hdf5plugin adds its filters as optional

    def make_data(self, dtype: np.dtype, shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
        # Runs of repeated values, then noise: some blocks compress and some do not.
        flat = super().make_data(dtype, (int(np.prod(shape)),), seed)
        half = len(flat) // 2
        flat[:half] = np.repeat(flat[: -(-half // 4)], 4)[:half]
        return flat.reshape(shape)


class TestBlosc(PluginFilterTests):
    filter_id = 32001
    plugin = "Blosc"
    # Blosc stores buffers under 128 bytes uncompressed: chunks must be bigger than that.
    dataset_shape, dataset_chunks = (40, 23), (16, 12)
    chunk_shapes = ((7,), (40, 13), (3, 4, 5), (1,))
    h5py_variants = (
        {"cname": "blosclz", "clevel": 5, "shuffle": 1},
        {"cname": "lz4", "clevel": 9, "shuffle": 2},
        {"cname": "lz4hc", "clevel": 3, "shuffle": 1},
        {"cname": "zlib", "clevel": 5, "shuffle": 0},
        {"cname": "zstd", "clevel": 1, "shuffle": 1},
    )

    def client_data(self, dtype: np.dtype, chunk_shape: tuple[int, ...]) -> tuple[int, ...]:
        return (2, 2, dtype.itemsize, dtype.itemsize * int(np.prod(chunk_shape)), 5, 1, 1)


class TestZstd(PluginFilterTests):
    filter_id = 32015
    plugin = "Zstd"
    h5py_variants = ({"clevel": 3}, {"clevel": 0}, {"clevel": 19})

    def client_data(self, dtype: np.dtype, chunk_shape: tuple[int, ...]) -> tuple[int, ...]:
        return ((1 << 32) - 5,)  # level -5, as a C int stored unsigned


class TestLz4(PluginFilterTests):
    filter_id = 32004
    plugin = "LZ4"
    h5py_variants = ({"nbytes": 0}, {"nbytes": 48})

    def client_data(self, dtype: np.dtype, chunk_shape: tuple[int, ...]) -> tuple[int, ...]:
        return (24,)  # several blocks per chunk, the last one short


class BitshuffleTests(PluginFilterTests):
    filter_id = 32008
    plugin = "Bitshuffle"
    compression: ClassVar[int]

    def client_data(self, dtype: np.dtype, chunk_shape: tuple[int, ...]) -> tuple[int, ...]:
        # 16-element blocks: (3, 4, 5) has 3 blocks, a partial block of 8 and a 4-element tail
        return (0, 4, dtype.itemsize, 16, self.compression, 3)


class TestBitshuffle(BitshuffleTests):
    compression = 0
    h5py_variants = ({"nelems": 0, "cname": "none"}, {"nelems": 16, "cname": "none"})


class TestBitshuffleLz4(BitshuffleTests):
    compression = 2
    h5py_variants = ({"nelems": 0, "cname": "lz4"}, {"nelems": 16, "cname": "lz4"})


class TestBitshuffleZstd(BitshuffleTests):
    compression = 3
    h5py_variants = ({"nelems": 0, "cname": "zstd", "clevel": 3}, {"nelems": 8, "cname": "zstd"})


# -- codec details ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("elem", "n", "block"),
    [(1, 1, 128), (4, 7, 16), (4, 8, 8), (2, 300, 64), (8, 1027, 128), (3, 77, 16), (4, 5000, 0)],
)
def test_numpy_bitshuffle_matches_imagecodecs(
    monkeypatch: pytest.MonkeyPatch, elem: int, n: int, block: int
) -> None:
    if bitshuffle._codecs is None:
        pytest.skip("imagecodecs is not installed: no compiled bitshuffle to compare with")
    block = block or bitshuffle.default_block_size(elem)
    data = np.random.default_rng(n).integers(0, 256, n * elem, dtype=np.uint8).tobytes()
    compiled = bitshuffle.bitshuffle(data, elem, block)
    assert bitshuffle.bitshuffle(compiled, elem, block, inverse=True) == data
    monkeypatch.setattr(bitshuffle, "_codecs", None)
    assert bitshuffle.bitshuffle(data, elem, block) == compiled
    assert bitshuffle.bitshuffle(compiled, elem, block, inverse=True) == data


def test_bitshuffle_default_block_size() -> None:
    assert [bitshuffle.default_block_size(e) for e in (1, 2, 4, 8, 16, 100)] == [
        8192,
        4096,
        2048,
        1024,
        512,
        128,
    ]


def test_lz4_encode_is_byte_identical_to_the_plugin(tmp_path: Any) -> None:
    h5py = pytest.importorskip("h5py")
    hdf5plugin = pytest.importorskip("hdf5plugin")
    data = np.arange(3000, dtype="<i4") % 37
    with h5py.File(tmp_path / "f.h5", "w") as f:
        f.create_dataset("x", data=data, chunks=(3000,), **hdf5plugin.LZ4(nbytes=1000))
    with h5py.File(tmp_path / "f.h5", "r") as f:
        _, stored = f["x"].id.read_direct_chunk((0,))
    pipeline = FilterPipeline(1, [FilterInfo(32004, "lz4", 1, (1000,))])
    assert encode_chunk(data.tobytes(), pipeline, ChunkInfo(4, (3000,))) == (stored, 0)


def test_lz4_incompressible_blocks_are_stored_raw() -> None:
    data = np.random.default_rng(0).bytes(100)
    pipeline = FilterPipeline(1, [FilterInfo(32004, "lz4", 1, (40,))])
    stored, mask = encode_chunk(data, pipeline, ChunkInfo(1, (100,)))
    assert mask == 0
    assert stored[:12] == LZ4_HEADER.pack(100, 40)
    assert stored[12:16] == (40).to_bytes(4, "big") and stored[16:56] == data[:40]
    assert len(stored) == 12 + 3 * 4 + 100
    assert decode_chunk(stored, pipeline, 0, ChunkInfo(1, (100,))) == data


def test_blosc_that_does_not_compress_is_masked() -> None:
    pipeline = FilterPipeline(1, [FilterInfo(32001, "blosc", 1, (2, 2, 4, 40, 5, 1, 1))])
    data = np.random.default_rng(1).bytes(40)
    assert encode_chunk(data, pipeline, ChunkInfo(4, (10,))) == (data, 1)


def test_zstd_negative_level_round_trip() -> None:
    data = (np.arange(4000, dtype="<u2") % 11).tobytes()
    pipeline = FilterPipeline(1, [FilterInfo(32015, "zstd", 1, ((1 << 32) - 7,))])
    stored, mask = encode_chunk(data, pipeline, ChunkInfo(2, (4000,)))
    assert mask == 0 and len(stored) < len(data)
    assert blockcodecs.zstd_content_size(stored, "test") == len(data)
    assert decode_chunk(stored, pipeline, 0, ChunkInfo(2, (4000,))) == data


# -- corrupt and unsupported input ----------------------------------------------------------

_LZ4 = FilterInfo(32004, "lz4", 1, ())
_ZSTD = FilterInfo(32015, "zstd", 1, ())
_BLOSC = FilterInfo(32001, "blosc", 1, (2, 2, 4, 32))
_BSLZ4 = FilterInfo(32008, "bitshuffle", 1, (0, 4, 4, 0, 2))
_GOOD = (np.arange(8, dtype="<i4") % 3).tobytes()


def _stored(info: FilterInfo) -> bytes:
    return encode_chunk(_GOOD, FilterPipeline(1, [info]), ChunkInfo(4, (8,)))[0]


@pytest.mark.parametrize(
    ("info", "mangle", "message"),
    [
        (_LZ4, lambda s: s[:10], "12-byte header"),
        (_LZ4, lambda s: s[:-1], "runs past the chunk end"),
        (_LZ4, lambda s: LZ4_HEADER.pack(32, 0) + s[12:], "block size 0"),
        (_LZ4, lambda s: LZ4_HEADER.pack(64, 32) + s[12:], "expected 32"),
        (_LZ4, lambda s: s[:12] + (5).to_bytes(4, "big") + b"\xff" * 5, "LZ4"),
        (_ZSTD, lambda s: b"\0\0\0\0" + s[4:], "not a Zstandard frame"),
        (_ZSTD, lambda s: s[:-3], "ZSTD_decompress"),
        (_BLOSC, lambda s: s[:15], "16-byte frame header"),
        (_BLOSC, lambda s: s[:-1], "the chunk has"),
        (_BSLZ4, lambda s: s[:8] + (12).to_bytes(4, "big") + s[12:], "bad block size"),
        (_BSLZ4, lambda s: s[:-2], "runs past the chunk end"),
        (_BSLZ4, lambda s: s[:14], "truncated"),
    ],
)
def test_corrupt_plugin_chunk_raises_filter_error(
    info: FilterInfo, mangle: Any, message: str
) -> None:
    if not blockcodecs.lz4_available():
        pytest.skip("imagecodecs is not installed")
    pipeline = FilterPipeline(1, [info])
    with pytest.raises(FilterError, match=message) as e:
        decode_chunk(mangle(_stored(info)), pipeline, 0, ChunkInfo(4, (8,), 0x5A0))
    assert "0x5a0" in str(e.value)


def test_bitshuffle_rejects_partial_elements() -> None:
    pipeline = FilterPipeline(1, [FilterInfo(32008, "bitshuffle", 1, (0, 4, 4))])
    with pytest.raises(FilterError, match="whole number of elements"):
        decode_chunk(b"\0" * 10, pipeline, 0, ChunkInfo(4, (3,)))


def test_missing_codec_names_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(blockcodecs, "_codecs", None)
    for info in (_ZSTD, _LZ4):
        with pytest.raises(FilterError, match="pip install imagecodecs"):
            decode_chunk(b"\0" * 20, FilterPipeline(1, [info]), 0, ChunkInfo(4, (8,)))
    # bitshuffle itself runs in numpy; only its LZ4 stage needs the codec
    with pytest.raises(FilterError, match="LZ4 codec is not available: pip install imagecodecs"):
        encode_chunk(
            _GOOD,
            FilterPipeline(1, [FilterInfo(32008, "bitshuffle", 0, (0, 4, 4, 0, 2))]),
            ChunkInfo(4, (8,)),
        )
