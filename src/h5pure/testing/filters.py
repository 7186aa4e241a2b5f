"""``FilterTests``: the conformance suite every filter's tests subclass in a few lines.

A subclass names the filter id, the dtypes it applies to, the client data for a chunk, and
(optionally) how h5py creates a dataset with the filter.  The suite then checks

* round trips ``encode_chunk`` -> ``decode_chunk`` on several dtypes and chunk shapes,
  including odd byte counts;
* decoding of every raw chunk h5py wrote (``read_direct_chunk``) against ``dset[...]``;
* the reverse: chunks encoded here and stored with ``write_direct_chunk`` read back by h5py.

The tests are parametrized from the subclass's own ``dtypes``, ``chunk_shapes`` and
``h5py_variants`` (``FilterTests.pytest_generate_tests``), so nothing is skipped for
bookkeeping; a test skips only when the codec or h5py's filter is really missing here.
h5py is imported inside the tests only (it is the oracle, never a dependency).
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np
import pytest

from ..filters import ChunkInfo, decode_chunk, encode_chunk, get_filter
from ..format.messages.filter_pipeline import FilterInfo, FilterPipeline

DTYPES = ("<i4", "<f8", "|u1", ">i2", "<u8", ">f4")
CHUNK_SHAPES = ((7,), (5, 13), (1,), (3, 4, 5))


def pipeline_from_dcpl(dcpl: Any) -> FilterPipeline:
    """The FilterPipeline libhdf5 stores for a dataset, read through h5py's dcpl."""
    filters = []
    for i in range(dcpl.get_nfilters()):
        fid, flags, values, name = dcpl.get_filter(i)
        filters.append(
            FilterInfo(int(fid), name.decode() or None, int(flags), tuple(int(v) for v in values))
        )
    return FilterPipeline(1, filters)


def variant_id(variant: dict[str, Any]) -> str:
    """A readable test id for one ``h5py_variants`` entry."""
    return "-".join(f"{k}={v}" for k, v in variant.items()) or "default"


def chunk_slices(
    offset: tuple[int, ...], chunks: tuple[int, ...], shape: tuple[int, ...]
) -> tuple[slice, ...]:
    return tuple(slice(o, min(o + c, s)) for o, c, s in zip(offset, chunks, shape))


class FilterTests:
    filter_id: ClassVar[int]
    dtypes: ClassVar[tuple[str, ...]] = DTYPES
    """Dtypes the filter applies to; each test that takes ``dtype`` runs once per entry."""
    chunk_shapes: ClassVar[tuple[tuple[int, ...], ...]] = CHUNK_SHAPES
    """Chunk shapes for the round trip."""
    lossless: ClassVar[bool] = True
    h5py_variants: ClassVar[tuple[dict[str, Any], ...]] = ()
    """Settings h5py writes this filter with (``create_dataset`` keywords unless
    :meth:`h5py_options` translates them); each h5py test runs once per entry."""
    dataset_shape: ClassVar[tuple[int, ...]] = (23, 11)
    dataset_chunks: ClassVar[tuple[int, ...]] = (8, 5)

    # -- hooks -------------------------------------------------------------------------
    def client_data(self, dtype: np.dtype, chunk_shape: tuple[int, ...]) -> tuple[int, ...]:
        return ()

    def flags(self) -> int:
        return 0

    def make_data(self, dtype: np.dtype, shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
        rng = np.random.default_rng(seed)
        if dtype.kind == "f":
            return np.round(rng.normal(0, 100, shape), 3).astype(dtype)
        info = np.iinfo(dtype)
        lo, hi = max(info.min, -1000), min(info.max, 1000)
        return rng.integers(lo, hi, shape, endpoint=True).astype(dtype)

    def assert_decoded(self, got: np.ndarray, expected: np.ndarray) -> None:
        np.testing.assert_array_equal(got, expected)

    def h5py_options(self, variant: dict[str, Any]) -> dict[str, Any]:
        """``create_dataset`` keywords for one variant (plugin filters build them here)."""
        return variant

    def h5py_missing(self) -> str | None:
        """Why h5py cannot write this filter here (``None`` when it can)."""
        return None

    def create_h5py_dataset(self, f: Any, dtype: np.dtype, variant: dict[str, Any]) -> Any:
        return f.create_dataset(
            "x",
            shape=self.dataset_shape,
            chunks=self.dataset_chunks,
            dtype=dtype,
            **self.h5py_options(variant),
        )

    # -- parametrization ---------------------------------------------------------------
    def pytest_generate_tests(self, metafunc: Any) -> None:
        """pytest's per-class hook: parametrize from this subclass's attributes."""
        names = metafunc.fixturenames
        if "dtype" in names:
            metafunc.parametrize("dtype", [np.dtype(d) for d in self.dtypes], ids=list(self.dtypes))
        if "chunk_shape" in names:
            ids = ["x".join(map(str, s)) for s in self.chunk_shapes]
            metafunc.parametrize("chunk_shape", self.chunk_shapes, ids=ids)
        if "variant" in names:
            missing = self.h5py_missing()
            if missing is not None:
                params = [pytest.param({}, marks=pytest.mark.skip(reason=missing), id="no-oracle")]
            elif not self.h5py_variants:
                raise TypeError(
                    f"{type(self).__name__}: list h5py_variants, or say in h5py_missing() why "
                    "h5py cannot write this filter"
                )
            else:
                params = [pytest.param(v, id=variant_id(v)) for v in self.h5py_variants]
            metafunc.parametrize("variant", params)

    @pytest.fixture(autouse=True)
    def _codec_present(self) -> None:
        codec = get_filter(self.filter_id)
        if not codec.available():
            pytest.skip(f"{codec.name} codec not installed: pip install {codec.package}")

    def pipeline(self, dtype: np.dtype, chunk_shape: tuple[int, ...]) -> FilterPipeline:
        cd = self.client_data(dtype, chunk_shape)
        return FilterPipeline(1, [FilterInfo(self.filter_id, None, self.flags(), cd)])

    # -- the suite ---------------------------------------------------------------------
    def test_round_trip(self, dtype: np.dtype, chunk_shape: tuple[int, ...]) -> None:
        data = self.make_data(dtype, chunk_shape)
        chunk = ChunkInfo(dtype.itemsize, chunk_shape, 0x1000)
        pipeline = self.pipeline(dtype, chunk_shape)
        stored, mask = encode_chunk(data.tobytes(), pipeline, chunk)
        raw = decode_chunk(stored, pipeline, mask, chunk)
        assert len(raw) == data.nbytes
        self.assert_decoded(np.frombuffer(raw, dtype=dtype).reshape(chunk_shape), data)

    def test_decode_h5py_chunks(
        self, tmp_path: Any, dtype: np.dtype, variant: dict[str, Any]
    ) -> None:
        h5py = pytest.importorskip("h5py")
        data = self.make_data(dtype, self.dataset_shape, seed=1)
        with h5py.File(tmp_path / "f.h5", "w") as f:
            self.create_h5py_dataset(f, dtype, variant)[...] = data
        # Reopen: within one session h5py would serve the unfiltered chunks from its cache.
        with h5py.File(tmp_path / "f.h5", "r") as f:
            dset = f["x"]
            expected = dset[...]
            pipeline = pipeline_from_dcpl(dset.id.get_create_plist())
            assert [x.filter_id for x in pipeline.filters].count(self.filter_id) == 1
            chunks = dset.chunks
            nchunks = dset.id.get_num_chunks()
            assert nchunks == math.prod(-(-s // c) for s, c in zip(dset.shape, chunks))
            masks = []
            for i in range(nchunks):
                info = dset.id.get_chunk_info(i)
                mask, stored = dset.id.read_direct_chunk(info.chunk_offset)
                masks.append(mask)
                raw = decode_chunk(
                    stored, pipeline, mask, ChunkInfo(dtype.itemsize, chunks, info.byte_offset)
                )
                block = np.frombuffer(raw, dtype=dset.dtype).reshape(chunks)
                sel = chunk_slices(info.chunk_offset, chunks, dset.shape)
                valid = tuple(slice(0, s.stop - s.start) for s in sel)
                np.testing.assert_array_equal(block[valid], expected[sel])
            # An optional filter may skip chunks it cannot shrink; some must have used it.
            assert 0 in masks, "h5py stored every chunk unfiltered: make_data must compress"

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
            grid = [range(0, s, c) for s, c in zip(dset.shape, chunks)]
            masks = []
            for offset in np.ndindex(*[len(g) for g in grid]):
                origin = tuple(g[k] for g, k in zip(grid, offset))
                sel = chunk_slices(origin, chunks, dset.shape)
                block = np.zeros(chunks, dtype=dset.dtype)
                block[tuple(slice(0, s.stop - s.start) for s in sel)] = data[sel]
                chunk = ChunkInfo(dset.dtype.itemsize, chunks, None)
                stored, mask = encode_chunk(block.tobytes(), pipeline, chunk)
                dset.id.write_direct_chunk(origin, stored, mask)
                masks.append(mask)
        assert 0 in masks, "every chunk was stored unfiltered: make_data must compress"
        with h5py.File(path, "r") as f:
            self.assert_decoded(f["x"][...], data.astype(f["x"].dtype))
