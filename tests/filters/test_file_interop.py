"""End to end: ``h5pure.File(path)[name][...]`` equals h5py on datasets written with each filter."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import h5pure

SHAPE, CHUNKS = (50, 37), (16, 10)  # edge chunks on both axes


def _data(dtype: str) -> np.ndarray:
    rng = np.random.default_rng(7)
    if np.dtype(dtype).kind == "f":
        return np.round(rng.normal(0, 50, SHAPE), 2).astype(dtype)
    values = rng.integers(0, 500, SHAPE)
    values[:20] //= 50  # a compressible band
    return values.astype(dtype)


def _plugin(name: str, **kwargs: Any) -> Callable[[], dict[str, Any]]:
    def options() -> dict[str, Any]:
        hdf5plugin = pytest.importorskip("hdf5plugin")
        return dict(getattr(hdf5plugin, name)(**kwargs))

    return options


def _szip() -> dict[str, Any]:
    import h5py

    if not h5py.h5z.filter_avail(h5py.h5z.FILTER_SZIP):
        pytest.skip("this libhdf5 build has no szip encoder")
    return {"compression": "szip", "compression_opts": ("nn", 16)}


CASES: dict[str, tuple[str, Callable[[], dict[str, Any]]]] = {
    "gzip": ("<i4", lambda: {"compression": "gzip", "compression_opts": 6}),
    "lzf": (">f8", lambda: {"compression": "lzf"}),
    "szip": ("<i2", _szip),
    "scaleoffset-int": ("<u4", lambda: {"scaleoffset": 0}),
    "scaleoffset-float": ("<f8", lambda: {"scaleoffset": 2}),
    "fletcher32": ("<f4", lambda: {"fletcher32": True}),
    "shuffle": ("<i8", lambda: {"shuffle": True}),
    "blosc": ("<f4", _plugin("Blosc", cname="lz4", clevel=5, shuffle=1)),
    "blosc-zstd-bitshuffle": ("<i4", _plugin("Blosc", cname="zstd", clevel=3, shuffle=2)),
    "zstd": ("<i4", _plugin("Zstd", clevel=5)),
    "lz4": (">u2", _plugin("LZ4", nbytes=256)),
    "bitshuffle": ("<i2", _plugin("Bitshuffle", cname="none")),
    "bitshuffle-lz4": ("<f8", _plugin("Bitshuffle", cname="lz4")),
    "bitshuffle-zstd": ("<u1", _plugin("Bitshuffle", nelems=64, cname="zstd")),
}


@pytest.mark.parametrize("case", list(CASES))
def test_h5pure_reads_filtered_dataset(tmp_path: Any, case: str) -> None:
    h5py = pytest.importorskip("h5py")
    dtype, options = CASES[case]
    data = _data(dtype)
    path = tmp_path / "f.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset(case, data=data, chunks=CHUNKS, **options())
    with h5py.File(path, "r") as f:
        expected = f[case][...]
        expected_part = f[case][3:41:3, 7]
        masks = [
            f[case].id.get_chunk_info(i).filter_mask for i in range(f[case].id.get_num_chunks())
        ]
    assert 0 in masks  # some chunk really went through the filter (optional ones may skip)
    with h5pure.File(path, "r") as f:
        dset = f[case]
        got = dset[...]
        np.testing.assert_array_equal(got, expected)
        assert got.dtype == expected.dtype
        np.testing.assert_array_equal(dset[3:41:3, 7], expected_part)


def test_h5pure_reads_nbit_dataset(tmp_path: Any) -> None:
    """N-bit through the low-level API (h5py has no keyword for it): precision 20 at offset 4."""
    h5py = pytest.importorskip("h5py")
    data = np.random.default_rng(5).integers(-(1 << 19), 1 << 19, SHAPE).astype("<i4")
    path = tmp_path / "f.h5"
    with h5py.File(path, "w") as f:
        t = h5py.h5t.STD_I32LE.copy()
        t.set_precision(20)
        t.set_offset(4)
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        dcpl.set_chunk(CHUNKS)
        dcpl.set_filter(h5py.h5z.FILTER_NBIT)
        space = h5py.h5s.create_simple(SHAPE)
        h5py.Dataset(h5py.h5d.create(f.id, b"nbit", t, space, dcpl=dcpl))[...] = data
    with h5py.File(path, "r") as f:
        expected = f["nbit"][...]
    np.testing.assert_array_equal(expected, data)  # the oracle kept every value
    with h5pure.File(path, "r") as f:
        np.testing.assert_array_equal(f["nbit"][...], expected)
