"""``Group.copy`` copies chunked datasets as H5Ocopy does: the stored filter pipeline kept
(plugin filters too), each chunk's stored bytes and filter mask copied undecoded."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import h5pure
from h5pure.lowlevel import dataset as dataset_mod
from h5pure.lowlevel import datawriter as datawriter_mod

DATA = (np.arange(64 * 48) % 17).astype("f4").reshape(64, 48)


def _stored_chunks(h5py: Any, path: Path, name: str) -> dict[tuple[int, ...], tuple[int, bytes]]:
    with h5py.File(path, "r") as f:
        d = f[name]
        out = {}
        for i in range(d.id.get_num_chunks()):
            offset = d.id.get_chunk_info(i).chunk_offset
            out[offset] = d.id.read_direct_chunk(offset)
        return out


@pytest.mark.parametrize("to_other_file", [False, True])
def test_copy_keeps_chunk_bytes_and_masks(
    tmp_path: Path, h5py: Any, monkeypatch: Any, to_other_file: bool
) -> None:
    src = tmp_path / "src.h5"
    with h5py.File(src, "w") as f:
        f.create_dataset("gzip", data=DATA, chunks=(16, 16), compression="gzip", shuffle=True)
        f.create_dataset("lzf", data=DATA, chunks=(16, 48), compression="lzf", fletcher32=True)
        d = f.create_dataset(
            "sparse", shape=(40, 40), dtype="i8", chunks=(10, 10), fillvalue=5, maxshape=(None, 40)
        )
        d[12, 12] = 1
        f.create_dataset("plain", data=DATA, chunks=(10, 10))
        # a chunk stored unfiltered (mask bit set) stays so
        m = f.create_dataset("masked", shape=(8,), dtype="i4", chunks=(4,), compression="gzip")
        m.id.write_direct_chunk((0,), np.arange(4, dtype="i4").tobytes(), filter_mask=1)
        m[4:] = 7

    def no_codec(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a chunk was decoded or encoded during the copy")

    monkeypatch.setattr(dataset_mod, "decode_chunk", no_codec)
    monkeypatch.setattr(dataset_mod, "decode_chunks", no_codec)
    monkeypatch.setattr(datawriter_mod, "encode_chunk", no_codec)
    dst = tmp_path / "dst.h5" if to_other_file else src
    with h5pure.File(src, "r+" if not to_other_file else "r") as f:
        with h5pure.File(dst, "w") if to_other_file else f as g:
            for name in ("gzip", "lzf", "sparse", "plain", "masked"):
                f.copy(name, g, name + "_copy")
    monkeypatch.undo()
    with h5py.File(src, "r") as f, h5py.File(dst, "r") as g:
        for name in ("gzip", "lzf", "sparse", "plain", "masked"):
            a, b = f[name], g[name + "_copy"]
            assert b._filters == a._filters and b.chunks == a.chunks
            assert b.maxshape == a.maxshape and b.fillvalue == a.fillvalue
            np.testing.assert_array_equal(b[...], a[...])
            assert _stored_chunks(h5py, dst, name + "_copy") == _stored_chunks(h5py, src, name)


def test_copy_keeps_plugin_filters(tmp_path: Path, h5py: Any) -> None:
    hdf5plugin = pytest.importorskip("hdf5plugin")
    src, dst = tmp_path / "src.h5", tmp_path / "dst.h5"
    with h5py.File(src, "w") as f:
        f.create_dataset("z", data=DATA, chunks=(16, 48), **hdf5plugin.Zstd(clevel=5))
        f.create_dataset("b", data=DATA, chunks=(16, 48), **hdf5plugin.Blosc())
    with h5pure.File(src, "r") as f, h5pure.File(dst, "w") as g:
        f.copy("z", g)
        f.copy("b", g)
    with h5py.File(src, "r") as f, h5py.File(dst, "r") as g:
        for name in ("z", "b"):
            assert g[name]._filters == f[name]._filters
            np.testing.assert_array_equal(g[name][...], DATA)
            assert _stored_chunks(h5py, dst, name) == _stored_chunks(h5py, src, name)


@pytest.fixture()
def threads_2() -> Any:
    before = h5pure.get_threads()
    h5pure.set_threads(2)
    yield
    h5pure.set_threads(before)


def _many_chunks(h5py: Any, path: Path) -> None:
    """Chunks of very different stored sizes, some moved by a rewrite (not back to back
    with their neighbours), one much larger than a batch, some never written."""
    rng = np.random.default_rng(4)
    with h5py.File(path, "w") as f:
        noisy = rng.integers(0, 1 << 30, (256, 1024)).astype("i4")
        noisy[::3] = 0  # compressible rows among incompressible ones
        f.create_dataset("x", data=noisy, chunks=(8, 256), compression="gzip")
        big = f.create_dataset("big", data=rng.random((512, 512)), chunks=(512, 512))
        big.attrs["n"] = 1
        s = f.create_dataset("sparse", (64, 64), "f8", chunks=(4, 4), fillvalue=-2.0)
        s[::9, ::7] = 3.0
    with h5py.File(path, "r+") as f:
        f["x"][16:24] = rng.integers(0, 1 << 30, (8, 1024))  # grows: stored elsewhere
        f["x"][200:208] = 0  # shrinks


@pytest.mark.parametrize("batch", [1 << 20, 4096, 1])
@pytest.mark.usefixtures("threads_2")
def test_copy_in_batches_read_ahead(
    tmp_path: Path, h5py: Any, monkeypatch: Any, batch: int
) -> None:
    """Into another file the next batch of chunks is read on a reader thread while this
    one is written; every chunk lands with its own bytes, whatever the batching."""
    import threading

    from h5pure.hl import copying

    monkeypatch.setattr(copying, "_OVERLAP_BATCH", batch)
    src, dst = tmp_path / "src.h5", tmp_path / "dst.h5"
    _many_chunks(h5py, src)
    readers: set[str] = set()
    from h5pure.lowlevel.file import FileSource

    plain_readinto = FileSource.readinto

    def readinto(self: Any, address: int, buf: Any) -> None:
        readers.add(threading.current_thread().name)
        plain_readinto(self, address, buf)

    monkeypatch.setattr(FileSource, "readinto", readinto)
    with h5pure.File(src, "r") as f, h5pure.File(dst, "w") as g:
        for name in ("x", "big", "sparse"):
            f.copy(name, g)
    assert any(name.startswith("h5pure-read") for name in readers), readers
    with h5py.File(src, "r") as f, h5py.File(dst, "r") as g:
        for name in ("x", "big", "sparse"):
            np.testing.assert_array_equal(g[name][...], f[name][...])
            assert _stored_chunks(h5py, dst, name) == _stored_chunks(h5py, src, name)
        assert g["big"].attrs["n"] == 1


def test_copy_with_one_thread_reads_in_large_batches(tmp_path: Path, h5py: Any) -> None:
    src, dst = tmp_path / "src.h5", tmp_path / "dst.h5"
    _many_chunks(h5py, src)
    before = h5pure.get_threads()
    h5pure.set_threads(1)
    try:
        with h5pure.File(src, "r") as f, h5pure.File(dst, "w") as g:
            f.copy("x", g)
    finally:
        h5pure.set_threads(before)
    assert _stored_chunks(h5py, dst, "x") == _stored_chunks(h5py, src, "x")


@pytest.mark.usefixtures("threads_2")
def test_a_source_cut_short_during_the_copy_is_an_error(
    tmp_path: Path, h5py: Any, monkeypatch: Any
) -> None:
    """The read ahead fails (the source file ends early): the copy raises an OSError
    naming the address, after the reader stopped writing into the buffers."""
    from h5pure.hl import copying

    monkeypatch.setattr(copying, "_OVERLAP_BATCH", 4096)
    src, dst = tmp_path / "src.h5", tmp_path / "dst.h5"
    _many_chunks(h5py, src)
    with h5pure.File(src, "r") as f, h5pure.File(dst, "w") as g:
        d = f["x"]
        assert d.chunks == (8, 256)
        os.truncate(src, os.path.getsize(src) // 2)
        with pytest.raises(OSError, match="0x"):
            f.copy("x", g)
