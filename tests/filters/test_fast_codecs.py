"""The fast codec paths (libdeflate, ISA-L, imagecodecs' LZF) and their fallbacks (zlib,
python-lzf, pure Python) write what libhdf5 reads and decode to the same data.

Each backend is chosen by monkeypatching the module attribute the filter consults, so
both the fast path and every fallback run here whatever is installed; h5py (libhdf5) is
the oracle for every file written.
"""

from __future__ import annotations

import zlib
from typing import Any

import numpy as np
import pytest

import h5pure
from h5pure.filters import ChunkInfo, decode_chunk, encode_chunk
from h5pure.filters import deflate as deflate_mod
from h5pure.filters import lzf as lzf_mod
from h5pure.filters.fletcher32 import fletcher32
from h5pure.format.messages.filter_pipeline import FilterInfo, FilterPipeline

SHAPE, CHUNKS = (60, 45), (16, 20)  # edge chunks on both axes


def _data(dtype: str = "<f4") -> np.ndarray:
    rng = np.random.default_rng(11)
    base = (np.arange(SHAPE[1]) % 7).astype(dtype)
    noise = np.round(rng.normal(0, 4, SHAPE)).astype(dtype)
    return base[None, :] + noise  # compressible, not trivially


def _deflate_backend(monkeypatch: Any, backend: str) -> None:
    if backend == "libdeflate":
        pytest.importorskip("deflate")
        monkeypatch.setattr(deflate_mod, "_isal_zlib", None)
    elif backend == "imagecodecs":  # libdeflate through imagecodecs (the dependency)
        codecs = pytest.importorskip("imagecodecs")
        monkeypatch.setattr(deflate_mod, "_libdeflate", deflate_mod._ImagecodecsDeflate(codecs))
        monkeypatch.setattr(deflate_mod, "_isal_zlib", None)
    elif backend == "isal":
        pytest.importorskip("isal")
        monkeypatch.setattr(deflate_mod, "_libdeflate", None)
    else:
        monkeypatch.setattr(deflate_mod, "_libdeflate", None)
        monkeypatch.setattr(deflate_mod, "_isal_zlib", None)


DEFLATE_BACKENDS = ["libdeflate", "imagecodecs", "isal", "zlib"]


@pytest.mark.parametrize("backend", DEFLATE_BACKENDS)
@pytest.mark.parametrize("level", range(10))
def test_h5py_reads_gzip_written_by_each_backend(
    tmp_path: Any, h5py: Any, monkeypatch: Any, backend: str, level: int
) -> None:
    _deflate_backend(monkeypatch, backend)
    data = _data()
    path = tmp_path / "gzip.h5"
    with h5pure.File(path, "w") as f:
        f.create_dataset(
            "x", data=data, chunks=CHUNKS, compression="gzip", compression_opts=level, shuffle=True
        )
    with h5py.File(path, "r") as f:
        d = f["x"]
        assert d.compression == "gzip" and d.compression_opts == level
        np.testing.assert_array_equal(d[...], data)
        # every chunk really went through deflate (nothing stored raw behind a mask bit)
        for i in range(d.id.get_num_chunks()):
            assert d.id.get_chunk_info(i).filter_mask == 0
    monkeypatch.undo()  # read back with the default (fastest) decoder too
    with h5pure.File(path, "r") as f:
        np.testing.assert_array_equal(f["x"][...], data)


@pytest.mark.parametrize("level", [1, 4, 9])
def test_deflate_backends_decode_alike(monkeypatch: Any, level: int) -> None:
    raw = _data("<i4").tobytes()
    streams = {}
    for backend in DEFLATE_BACKENDS:
        _deflate_backend(monkeypatch, backend)
        streams[backend] = deflate_mod.compressor(level)(memoryview(raw))
        monkeypatch.undo()
    for backend, stream in streams.items():
        assert zlib.decompress(stream) == raw, backend  # a plain zlib stream
        for decoder in DEFLATE_BACKENDS:
            _deflate_backend(monkeypatch, decoder)
            info = ChunkInfo(4, (len(raw) // 4,))
            pipeline = FilterPipeline(1, [FilterInfo(1, "deflate", 0, (level,))])
            assert decode_chunk(stream, pipeline, 0, info) == raw, (backend, decoder)
            monkeypatch.undo()


def test_level_mapping_keeps_level_meaning(monkeypatch: Any) -> None:
    """Level 0 stores, level 9 compresses about as well as zlib's 9 (libdeflate), and
    ISA-L only takes level 1 when libdeflate is missing."""
    raw = _data("<i4").tobytes() * 8
    assert len(deflate_mod.compressor(0)(raw)) > len(raw)  # stored blocks, as zlib's 0
    if deflate_mod._codecs()[0] is not None:
        assert len(deflate_mod.compressor(9)(raw)) <= 1.05 * len(zlib.compress(raw, 9))
    monkeypatch.setattr(deflate_mod, "_libdeflate", None)
    calls: list[int] = []

    class FakeIsal:
        @staticmethod
        def compress(data: Any, level: int) -> bytes:
            calls.append(level)
            return zlib.compress(data, level)

    monkeypatch.setattr(deflate_mod, "_isal_zlib", FakeIsal)
    for level in range(10):
        deflate_mod.compressor(level)(raw)
    assert calls == [1]


def _lzf_backend(monkeypatch: Any, backend: str) -> None:
    if backend == "imagecodecs":
        pytest.importorskip("imagecodecs")
        monkeypatch.setattr(lzf_mod, "_lzf", None)
    elif backend == "python-lzf":
        pytest.importorskip("lzf")
        monkeypatch.setattr(lzf_mod, "_codecs", None)
    else:  # pure Python: decode only
        monkeypatch.setattr(lzf_mod, "_lzf", None)
        monkeypatch.setattr(lzf_mod, "_codecs", None)


@pytest.mark.parametrize("backend", ["imagecodecs", "python-lzf"])
def test_h5py_reads_lzf_written_by_each_backend(
    tmp_path: Any, h5py: Any, monkeypatch: Any, backend: str
) -> None:
    _lzf_backend(monkeypatch, backend)
    data = _data(">f8")
    data[:16, :20] = np.random.default_rng(3).random((16, 20))  # a chunk lzf cannot shrink
    path = tmp_path / "lzf.h5"
    with h5pure.File(path, "w") as f:
        f.create_dataset("x", data=data, chunks=CHUNKS, compression="lzf")
    with h5py.File(path, "r") as f:
        d = f["x"]
        np.testing.assert_array_equal(d[...], data)
        masks = [d.id.get_chunk_info(i).filter_mask for i in range(d.id.get_num_chunks())]
    assert masks[0] == 1 and set(masks[1:]) == {0}  # raw only where lzf does not compress


def test_lzf_encoders_agree(monkeypatch: Any) -> None:
    pytest.importorskip("imagecodecs")
    pytest.importorskip("lzf")
    raw = _data("<f8").tobytes()
    info, chunk = FilterInfo(32000, "lzf", 1, ()), ChunkInfo(8, (len(raw) // 8,))
    out = {}
    for backend in ["imagecodecs", "python-lzf"]:
        _lzf_backend(monkeypatch, backend)
        out[backend] = encode_chunk(memoryview(raw), FilterPipeline(1, [info]), chunk)
        monkeypatch.undo()
    assert out["imagecodecs"] == out["python-lzf"]
    assert out["imagecodecs"][1] == 0


@pytest.mark.parametrize("backend", ["imagecodecs", "python-lzf", "pure"])
def test_each_lzf_decoder_reads_h5py_file(
    tmp_path: Any, h5py: Any, monkeypatch: Any, backend: str
) -> None:
    data = _data("<i2")
    path = tmp_path / "lzf.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("x", data=data, chunks=CHUNKS, compression="lzf", shuffle=True)
    _lzf_backend(monkeypatch, backend)
    with h5pure.File(path, "r") as f:
        np.testing.assert_array_equal(f["x"][...], data)


@pytest.mark.parametrize("dtype", ["u1", "<i2", ">f8"])
@pytest.mark.parametrize("chunks", [(7, 3), (16, 20)])  # odd and even chunk byte counts
def test_h5py_verifies_our_fletcher32(tmp_path: Any, h5py: Any, dtype: str, chunks: Any) -> None:
    data = _data(dtype)
    path = tmp_path / "f32.h5"
    with h5pure.File(path, "w") as f:
        f.create_dataset("x", data=data, chunks=chunks, fletcher32=True, shuffle=True)
        f.create_dataset("z", data=np.zeros_like(data), chunks=chunks, fletcher32=True)
    with h5py.File(path, "r") as f:  # libhdf5 checks every checksum as it reads
        np.testing.assert_array_equal(f["x"][...], data)
        np.testing.assert_array_equal(f["z"][...], 0)


def test_fletcher32_reference_values() -> None:
    """Against the definition (end-around carry sums over big-endian 16-bit words)."""

    def reference(data: bytes) -> int:
        if len(data) % 2:
            data += b"\0"
        s1 = s2 = 0
        for i in range(0, len(data), 2):
            s1 = (s1 + (data[i] << 8 | data[i + 1])) % 65535
            s2 = (s2 + s1) % 65535
        total = sum(data)
        if total == 0:
            return 0
        # libhdf5's sums stay in 1..65535 once non-zero (65535 instead of 0)
        s1 = s1 or 65535
        s2 = s2 or 65535
        return s2 << 16 | s1

    rng = np.random.default_rng(5)
    for n in [1, 2, 3, 4095, 4096, 8191, 8192, 8193, 20001]:
        data = rng.integers(0, 256, n, dtype=np.uint8).tobytes()
        assert fletcher32(data) == reference(data), n
        assert fletcher32(memoryview(data)) == reference(data), n
    for n in [1, 2, 8192, 8193]:
        ones = b"\xff" * n
        assert fletcher32(ones) == reference(ones), n


def test_encode_from_view_equals_encode_from_bytes() -> None:
    data = _data("<f4")
    pipeline = FilterPipeline(
        1,
        [
            FilterInfo(2, "shuffle", 0, (4,)),
            FilterInfo(1, "deflate", 0, (4,)),
            FilterInfo(3, "fletcher32", 0, ()),
        ],
    )
    chunk = ChunkInfo(4, data.shape)
    view = data.reshape(-1).view(np.uint8).data
    assert encode_chunk(view, pipeline, chunk) == encode_chunk(data.tobytes(), pipeline, chunk)
    stored, mask = encode_chunk(view, pipeline, chunk)
    assert decode_chunk(bytearray(stored), pipeline, mask, chunk) == data.tobytes()


@pytest.mark.parametrize("compression", [None, "gzip", "lzf"])
def test_write_from_caller_memory_is_not_kept(tmp_path: Any, h5py: Any, compression: Any) -> None:
    """Whole chunks are encoded straight from the caller's array: changing the array after
    the write changes neither the file nor what the open dataset reads back."""
    data = _data("<f4")
    path = tmp_path / "borrow.h5"
    with h5pure.File(path, "w") as f:
        # chunks of whole rows: each is a contiguous block of the array
        d = f.create_dataset(
            "x", shape=SHAPE, dtype="<f4", chunks=(15, SHAPE[1]), compression=compression
        )
        d[...] = 1.0
        assert d[0, 0] == 1.0  # the chunk cache may now hold chunk (0, 0)
        src = data.copy()
        d[...] = src
        src[...] = -5.0
        np.testing.assert_array_equal(d[...], data)
    with h5py.File(path, "r") as f:
        np.testing.assert_array_equal(f["x"][...], data)


def test_libdeflate_comes_from_imagecodecs_without_the_deflate_package(monkeypatch: Any) -> None:
    """The dependency's binding is used when the ``deflate`` package is missing, and it
    writes the same stream as that package at the same level."""
    pytest.importorskip("imagecodecs")
    real_load = deflate_mod.optional.load

    def load(name: str, needs: str | None = None) -> Any:
        return None if name == "deflate" else real_load(name, needs)

    monkeypatch.setattr(deflate_mod.optional, "load", load)
    monkeypatch.setattr(deflate_mod, "_libdeflate", deflate_mod.optional.NOT_LOADED)
    monkeypatch.setattr(deflate_mod, "_isal_zlib", deflate_mod.optional.NOT_LOADED)
    lib, _ = deflate_mod._codecs()
    assert isinstance(lib, deflate_mod._ImagecodecsDeflate)
    raw = _data("<i4").tobytes() * 4
    stream = deflate_mod.compressor(4)(raw)
    assert zlib.decompress(stream) == raw
    deflate = pytest.importorskip("deflate")
    assert stream == bytes(deflate.zlib_compress(raw, 4))
