"""Each filter against h5py/libhdf5 (see h5pure.testing.filters.FilterTests)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from h5pure.errors import ChecksumError, FilterError
from h5pure.filters import ChunkInfo, decode_chunk, encode_chunk, get_filter
from h5pure.filters.fletcher32 import fletcher32
from h5pure.filters.lzf import lzf_decompress
from h5pure.format.messages.filter_pipeline import FilterInfo, FilterPipeline
from h5pure.testing.filters import FilterTests, pipeline_from_dcpl


class TestDeflate(FilterTests):
    filter_id = 1
    h5py_variants = (
        {"compression": "gzip", "compression_opts": 1},
        {"compression": "gzip", "compression_opts": 9},
        {"compression": "gzip", "compression_opts": 4, "shuffle": True},
    )

    def client_data(self, dtype: np.dtype, chunk_shape: tuple[int, ...]) -> tuple[int, ...]:
        return (6,)


class TestShuffle(FilterTests):
    filter_id = 2
    h5py_variants = ({"shuffle": True},)

    def client_data(self, dtype: np.dtype, chunk_shape: tuple[int, ...]) -> tuple[int, ...]:
        return (dtype.itemsize,)


class TestFletcher32(FilterTests):
    filter_id = 3
    h5py_variants = (
        {"fletcher32": True},
        {"fletcher32": True, "compression": "gzip", "shuffle": True},
    )


class TestLzf(FilterTests):
    filter_id = 32000
    h5py_variants = ({"compression": "lzf"}, {"compression": "lzf", "shuffle": True})

    def flags(self) -> int:
        return 1


class TestSzip(FilterTests):
    filter_id = 4
    dtypes = ("<i4", "<f8", ">i2", ">f4")
    dataset_shape = (40, 21)
    dataset_chunks = (16, 10)

    chunk_shapes = ((64,), (16, 10))
    h5py_variants = (
        {"compression": "szip", "compression_opts": ("nn", 8)},
        {"compression": "szip", "compression_opts": ("ec", 16)},
    )

    def h5py_missing(self) -> str | None:
        import h5py

        if not h5py.h5z.filter_avail(h5py.h5z.FILTER_SZIP):
            return "this libhdf5 build has no szip encoder"
        return None

    def client_data(self, dtype: np.dtype, chunk_shape: tuple[int, ...]) -> tuple[int, ...]:
        order = 16 if dtype.byteorder == ">" else 4  # SZ_MSB / SZ_LSB option masks
        return (
            128 | 32 | order,
            8,
            dtype.itemsize * 8,
            chunk_shape[-1] if chunk_shape[-1] >= 8 else 8,
        )

    def make_data(self, dtype: np.dtype, shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
        return (np.arange(int(np.prod(shape))) % 50 + seed).reshape(shape).astype(dtype)


class TestScaleOffsetInt(FilterTests):
    filter_id = 6
    dtypes = ("<i4", "|u1", ">i2", "<u8")
    h5py_variants = ({"scaleoffset": 0}, {"scaleoffset": 0, "fillvalue": 7}, {"scaleoffset": 5})

    def make_data(self, dtype: np.dtype, shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
        rng = np.random.default_rng(seed)
        return rng.integers(0, 30, shape).astype(dtype)

    def client_data(self, dtype: np.dtype, chunk_shape: tuple[int, ...]) -> tuple[int, ...]:
        n = int(np.prod(chunk_shape))
        sign = 1 if dtype.kind == "i" else 0
        order = 1 if dtype.byteorder == ">" else 0
        return (2, 0, n, 0, dtype.itemsize, sign, order, 1, 7) + (0,) * 11


class TestScaleOffsetFloat(FilterTests):
    filter_id = 6
    dtypes = ("<f8", ">f4")
    lossless = False
    h5py_variants = ({"scaleoffset": 3}, {"scaleoffset": 2, "fillvalue": 0.5})

    def client_data(self, dtype: np.dtype, chunk_shape: tuple[int, ...]) -> tuple[int, ...]:
        n = int(np.prod(chunk_shape))
        order = 1 if dtype.byteorder == ">" else 0
        return (0, 3, n, 1, dtype.itemsize, 0, order, 0) + (0,) * 12

    def assert_decoded(self, got: np.ndarray, expected: np.ndarray) -> None:
        np.testing.assert_allclose(got, expected, atol=5.1e-3, rtol=0)  # D >= 2


class TestNbit(FilterTests):
    """N-bit on a 32-bit integer type with precision 20 at bit offset 4 (low-level API)."""

    filter_id = 5
    dtypes = ("<i4",)
    h5py_variants = ({},)
    precision, offset = 20, 4

    def make_data(self, dtype: np.dtype, shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
        rng = np.random.default_rng(seed)
        return rng.integers(0, 1 << (self.precision - 1), shape).astype(dtype)

    def client_data(self, dtype: np.dtype, chunk_shape: tuple[int, ...]) -> tuple[int, ...]:
        return (8, 0, int(np.prod(chunk_shape)), 1, 4, 0, self.precision, 0)

    def create_h5py_dataset(self, f: Any, dtype: np.dtype, variant: dict[str, Any]) -> Any:
        import h5py

        t = h5py.h5t.STD_I32LE.copy()
        t.set_precision(self.precision)
        t.set_offset(self.offset)
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        dcpl.set_chunk(self.dataset_chunks)
        dcpl.set_filter(h5py.h5z.FILTER_NBIT)
        space = h5py.h5s.create_simple(self.dataset_shape)
        return h5py.Dataset(h5py.h5d.create(f.id, b"x", t, space, dcpl=dcpl))

    def test_decode_h5py_chunks(
        self, tmp_path: Any, dtype: np.dtype, variant: dict[str, Any]
    ) -> None:
        # The stored type keeps bits 4..23; decoded raw elements hold value << 4.
        h5py = pytest.importorskip("h5py")
        data = self.make_data(dtype, self.dataset_shape, seed=1)
        with h5py.File(tmp_path / "f.h5", "w") as f:
            self.create_h5py_dataset(f, dtype, variant)[...] = data
        with h5py.File(tmp_path / "f.h5", "r") as f:
            dset = f["x"]
            pipeline = pipeline_from_dcpl(dset.id.get_create_plist())
            assert pipeline.filters[0].client_data[3:8] == (1, 4, 0, self.precision, self.offset)
            for i in range(dset.id.get_num_chunks()):
                info = dset.id.get_chunk_info(i)
                mask, stored = dset.id.read_direct_chunk(info.chunk_offset)
                raw = decode_chunk(
                    stored, pipeline, mask, ChunkInfo(4, dset.chunks, info.byte_offset)
                )
                block = np.frombuffer(raw, dtype="<u4").reshape(dset.chunks)
                sel = tuple(
                    slice(o, min(o + c, s))
                    for o, c, s in zip(info.chunk_offset, dset.chunks, dset.shape)
                )
                valid = tuple(slice(0, s.stop - s.start) for s in sel)
                expected = (dset[sel].astype(np.int64) & ((1 << self.precision) - 1)) << self.offset
                np.testing.assert_array_equal(block[valid], expected)

    def test_encode_read_by_h5py(
        self, tmp_path: Any, dtype: np.dtype, variant: dict[str, Any]
    ) -> None:
        h5py = pytest.importorskip("h5py")
        data = self.make_data(dtype, self.dataset_shape, seed=2)
        path = tmp_path / "f.h5"
        with h5py.File(path, "w") as f:
            dset = self.create_h5py_dataset(f, dtype, variant)
            pipeline = pipeline_from_dcpl(dset.id.get_create_plist())
            chunks = dset.chunks
            for origin in np.ndindex(*[-(-s // c) for s, c in zip(dset.shape, chunks)]):
                start = tuple(o * c for o, c in zip(origin, chunks))
                sel = tuple(slice(o, min(o + c, s)) for o, c, s in zip(start, chunks, dset.shape))
                block = np.zeros(chunks, dtype="<u4")
                block[tuple(slice(0, s.stop - s.start) for s in sel)] = (
                    data[sel].astype("<u4") << self.offset
                )
                stored, mask = encode_chunk(block.tobytes(), pipeline, ChunkInfo(4, chunks))
                dset.id.write_direct_chunk(start, stored, mask)
        with h5py.File(path, "r") as f:
            np.testing.assert_array_equal(f["x"][...], data)


def test_nbit_compound_param_tree_round_trip() -> None:
    # compound {a: u2 precision 9 at offset 0 (byte 0), b: i4[2] BE precision 12 offset 3, c: 3 no-op bytes}
    cd_tail = (3, 16, 3, 0, 1, 2, 0, 9, 0, 2, 2, 8, 1, 4, 1, 12, 3, 10, 4, 3)
    n = 11
    cd = (3 + len(cd_tail), 0, n) + cd_tail
    dt = np.dtype(
        {
            "names": ["a", "b", "c"],
            "formats": ["<u2", ("<u4", 2), ("u1", 3)],
            "offsets": [0, 2, 10],
            "itemsize": 16,
        }
    )
    rng = np.random.default_rng(3)
    arr = np.zeros(n, dtype=dt)
    arr["a"] = rng.integers(0, 1 << 9, n)
    arr["b"] = rng.integers(0, 1 << 12, (n, 2)) << 3
    arr["c"] = rng.integers(0, 256, (n, 3))
    raw = arr.tobytes()
    # field b is declared big-endian: build its stored bytes that way
    be = np.frombuffer(raw, dtype=np.uint8).reshape(n, 16).copy()
    be[:, 2:10] = arr["b"].astype(">u4").view(np.uint8).reshape(n, 8)
    pipeline = FilterPipeline(1, [FilterInfo(5, "nbit", 0, cd)])
    chunk = ChunkInfo(16, (n,))
    stored, mask = encode_chunk(be.tobytes(), pipeline, chunk)
    assert len(stored) == (n * (9 + 24 + 24)) // 8 + 1
    assert decode_chunk(stored, pipeline, mask, chunk) == be.tobytes()


def test_fletcher32_odd_lengths_match_h5py(tmp_path: Any) -> None:
    h5py = pytest.importorskip("h5py")
    with h5py.File(tmp_path / "f.h5", "w") as f:
        for n in (1, 2, 3, 5, 720, 721, 1001):
            d = f.create_dataset(
                f"d{n}", data=np.arange(n, dtype="u1") * 37 % 251, chunks=(n,), fletcher32=True
            )
            _, stored = d.id.read_direct_chunk((0,))
            assert int.from_bytes(stored[-4:], "little") == fletcher32(stored[:-4])


def test_fletcher32_mismatch_raises_checksum_error() -> None:
    pipeline = FilterPipeline(1, [FilterInfo(3, "fletcher32", 0, ())])
    chunk = ChunkInfo(4, (3,), 0x2A0)
    stored, mask = encode_chunk(b"\x01\x02\x03\x04" * 3, pipeline, chunk)
    bad = b"\x09" + stored[1:]
    with pytest.raises(ChecksumError, match="0x2a0"):
        decode_chunk(bad, pipeline, mask, chunk)


def test_fletcher32_accepts_legacy_swapped_value() -> None:
    body = bytes(range(1, 50))
    value = fletcher32(body)
    swapped = ((value & 0x00FF00FF) << 8) | ((value >> 8) & 0x00FF00FF)
    pipeline = FilterPipeline(1, [FilterInfo(3, None, 0, ())])
    assert (
        decode_chunk(body + swapped.to_bytes(4, "little"), pipeline, 0, ChunkInfo(1, (49,))) == body
    )


def test_mixed_order_pipeline_from_h5py(tmp_path: Any) -> None:
    """fletcher32 first, then shuffle, then deflate (as SWIFT writes): decodes correctly."""
    h5py = pytest.importorskip("h5py")
    data = np.arange(600, dtype="<f4").reshape(30, 20) / 7
    with h5py.File(tmp_path / "f.h5", "w") as f:
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        dcpl.set_chunk((10, 20))
        dcpl.set_fletcher32()
        dcpl.set_shuffle()
        dcpl.set_deflate(5)
        space = h5py.h5s.create_simple(data.shape)
        dset = h5py.Dataset(h5py.h5d.create(f.id, b"x", h5py.h5t.IEEE_F32LE, space, dcpl=dcpl))
        dset[...] = data
    with h5py.File(tmp_path / "f.h5", "r") as f:
        dset = f["x"]
        pipeline = pipeline_from_dcpl(dset.id.get_create_plist())
        assert [x.filter_id for x in pipeline.filters] == [3, 2, 1]
        for i in range(dset.id.get_num_chunks()):
            info = dset.id.get_chunk_info(i)
            mask, stored = dset.id.read_direct_chunk(info.chunk_offset)
            raw = decode_chunk(stored, pipeline, mask, ChunkInfo(4, (10, 20), info.byte_offset))
            r0 = info.chunk_offset[0]
            np.testing.assert_array_equal(
                np.frombuffer(raw, "<f4").reshape(10, 20), data[r0 : r0 + 10]
            )


def test_masked_filter_is_skipped() -> None:
    pipeline = FilterPipeline(1, [FilterInfo(2, None, 0, (4,)), FilterInfo(1, None, 0, (4,))])
    data = np.arange(50, dtype="<i4").tobytes()
    import zlib

    assert decode_chunk(zlib.compress(data), pipeline, 0b01, ChunkInfo(4, (50,))) == data


def test_optional_lzf_that_does_not_compress_is_masked() -> None:
    pipeline = FilterPipeline(1, [FilterInfo(32000, "lzf", 1, (4, 261, 16))])
    data = np.random.default_rng(0).bytes(16)
    stored, mask = encode_chunk(data, pipeline, ChunkInfo(1, (16,)))
    assert (stored, mask) == (data, 1)
    assert decode_chunk(stored, pipeline, mask, ChunkInfo(1, (16,))) == data


def test_lzf_pure_python_decoder_matches_codec() -> None:
    lzf = pytest.importorskip("lzf")
    data = (np.arange(5000, dtype="<i4") % 97).tobytes() + b"abcabcabcabcabc" * 40
    assert lzf_decompress(lzf.compress(data), len(data)) == data


def test_unknown_filter_id_raises() -> None:
    with pytest.raises(FilterError, match="12345"):
        get_filter(12345)
    pipeline = FilterPipeline(2, [FilterInfo(12345, "mystery", 0, ())])
    with pytest.raises(FilterError, match="12345"):
        decode_chunk(b"xx", pipeline, 0, ChunkInfo(1, (2,)))


def test_unavailable_filter_names_package(monkeypatch: pytest.MonkeyPatch) -> None:
    szip = get_filter(4)
    monkeypatch.setattr(type(szip), "available", lambda self: False)
    pipeline = FilterPipeline(1, [FilterInfo(4, "szip", 0, (141, 8, 32, 8))])
    with pytest.raises(
        FilterError, match=r"filter 'szip' \(id 4\) is not available: pip install imagecodecs"
    ):
        decode_chunk(b"\0" * 8, pipeline, 0, ChunkInfo(4, (8,)))


def test_corrupt_deflate_raises_filter_error() -> None:
    pipeline = FilterPipeline(1, [FilterInfo(1, None, 0, (4,))])
    with pytest.raises(FilterError, match="0x40"):
        decode_chunk(b"not zlib at all", pipeline, 0, ChunkInfo(4, (8,), 0x40))
