"""Datasets to create with h5py's filter keywords, shared by the ``test_keywords_*`` modules.

A case is a dtype (built from the h5py module, so h5py gets its own special dtypes), a chunk
shape, ``create_dataset`` keywords and a fill value.  The tables sweep what libhdf5's
``set_local`` callbacks depend on: the datatype (classes, sizes, byte orders, precisions),
the chunk shape (szip's scanline rules, LZF's chunk size, scale-offset's element count),
the fill value (scale-offset), and every option spelling h5py takes or refuses.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np


class Case(NamedTuple):
    dtype: str
    """A key of :data:`DTYPES`."""
    chunks: tuple[int, ...]
    kwargs: dict[str, Any]
    fill: Any = None

    @property
    def id(self) -> str:
        words = [self.dtype, "x".join(map(str, self.chunks))]
        words += [f"{k}={v!r}" for k, v in self.kwargs.items()]
        if self.fill is not None:
            words.append(f"fill={self.fill!r}")
        return "-".join(words)


DTYPES: dict[str, tuple[Callable[[Any], Any], int | None]] = {
    # name: (dtype from the h5py module, HDF5 datatype size when it differs from itemsize)
    "i1": (lambda h5py: np.dtype("i1"), None),
    "u1": (lambda h5py: np.dtype("u1"), None),
    "<i2": (lambda h5py: np.dtype("<i2"), None),
    ">i2": (lambda h5py: np.dtype(">i2"), None),
    "<u2": (lambda h5py: np.dtype("<u2"), None),
    ">u4": (lambda h5py: np.dtype(">u4"), None),
    "<i4": (lambda h5py: np.dtype("<i4"), None),
    ">i8": (lambda h5py: np.dtype(">i8"), None),
    "<u8": (lambda h5py: np.dtype("<u8"), None),
    "<f2": (lambda h5py: np.dtype("<f2"), None),
    ">f2": (lambda h5py: np.dtype(">f2"), None),
    "<f4": (lambda h5py: np.dtype("<f4"), None),
    ">f4": (lambda h5py: np.dtype(">f4"), None),
    "<f8": (lambda h5py: np.dtype("<f8"), None),
    ">f8": (lambda h5py: np.dtype(">f8"), None),
    "longdouble": (lambda h5py: np.dtype(np.longdouble), None),
    "bool": (lambda h5py: np.dtype("?"), None),
    "enum_u1": (lambda h5py: h5py.enum_dtype({"a": 1, "b": 2}, basetype="u1"), None),
    "enum_>i4": (lambda h5py: h5py.enum_dtype({"a": 1}, basetype=">i4"), None),
    "c8": (lambda h5py: np.dtype("c8"), None),
    "c16": (lambda h5py: np.dtype("c16"), None),
    "S1": (lambda h5py: np.dtype("S1"), None),
    "S3": (lambda h5py: np.dtype("S3"), None),
    "S5": (lambda h5py: np.dtype("S5"), None),
    "V4": (lambda h5py: np.dtype("V4"), None),
    "compound_i2i2": (lambda h5py: np.dtype([("a", "<i2"), ("b", "<i2")]), None),
    "compound_10": (lambda h5py: np.dtype([("a", ">i2"), ("b", "<f8")]), None),
    "array_<i4x3": (lambda h5py: np.dtype(("<i4", (3,))), None),
    "array_>i2x2": (lambda h5py: np.dtype((">i2", (2,))), None),
    "ref": (lambda h5py: h5py.ref_dtype, None),
    "regionref": (lambda h5py: h5py.regionref_dtype, 12),
    "vlen_str": (lambda h5py: h5py.string_dtype(), None),
    "vlen_i4": (lambda h5py: h5py.vlen_dtype("i4"), None),
    "compound_vlen": (lambda h5py: np.dtype([("a", "<i4"), ("s", h5py.string_dtype())]), 20),
}
NUMERIC = ["i1", "u1", "<i2", ">i2", "<u2", ">u4", "<i4", ">i8", "<u8", "<f4", ">f4", "<f8", ">f8"]

# -- every dtype with every filter ------------------------------------------------------------
FILTER_SETS = [
    {"shuffle": True},
    {"compression": "lzf"},
    {"compression": "szip"},
    {"compression": "gzip", "compression_opts": 7},
    {"fletcher32": True},
    {"scaleoffset": 0},
    {"scaleoffset": 3},
    {"shuffle": True, "compression": "szip", "fletcher32": True},
    {"scaleoffset": 2, "compression": "szip"},
    {"compression": 300, "compression_opts": (1, 2), "allow_unknown_filter": True},
]
DTYPE_CASES = [Case(d, (6, 7), kw) for d, kw in itertools.product(DTYPES, FILTER_SETS)]

# -- chunk shapes: szip's scanline rules, LZF's chunk size, scale-offset's element count --------
CHUNKS = [
    (1,),
    (7,),
    (8,),
    (9,),
    (31,),
    (3, 5),
    (2, 3),
    (5, 300),
    (100, 41),
    (1024,),
    (1025,),
    (2000,),
    (4096,),
    (4097,),
    (3, 5000),
    (2, 2, 129),
]
SZIP_OPTIONS = [("nn", 8), ("ec", 32), ("nn", 2), ("ec", 16)]
CHUNK_CASES = [
    Case(d, c, {"compression": "szip", "compression_opts": o})
    for d, c, o in itertools.product(["<i4", ">f8"], CHUNKS, SZIP_OPTIONS)
] + [
    Case("<u2", c, kw)
    for c, kw in itertools.product(CHUNKS, [{"compression": "lzf"}, {"scaleoffset": 0}])
]

# -- fill values: scale-offset stores them, in memory order -------------------------------------
FILL_CASES = [
    Case(d, (4, 5), {"scaleoffset": 2 if d[-2] == "f" else 0}, fill)
    for d, fill in itertools.product(NUMERIC, [None, 5, 100])
] + [
    Case(d, (4, 5), {"scaleoffset": 2 if d[-2] == "f" else 0}, -3) for d in NUMERIC if "u" not in d
]

# -- option spellings: those h5py takes, those it refuses ---------------------------------------
ACCEPTED_OPTIONS = [
    {"compression": "gzip"},
    {"compression": "gzip", "compression_opts": 0},
    {"compression": "gzip", "compression_opts": 9},
    {"compression": "gzip", "compression_opts": True},
    {"compression": "gzip", "compression_opts": np.int8(3)},
    {"compression": "gzip", "compression_opts": 4.0},
    {"compression": True},
    {"compression": True, "compression_opts": 2},
    {"compression": False},
    {"compression": 0},
    {"compression": 5},
    {"compression": np.int64(3)},
    {"compression": 4.0},
    {"compression": "szip", "compression_opts": ("nn", 8.0)},
    {"compression": "szip", "compression_opts": ["ec", 16]},
    {"compression": "szip", "compression_opts": ("nn", np.int64(4))},
    {"compression": "szip", "compression_opts": ("nn", 32)},
    {"compression": "shuffle", "shuffle": True},
    {"compression": "fletcher32", "fletcher32": True},
    {"compression": "fletcher32", "compression_opts": 3, "fletcher32": True},
    {"compression": "scaleoffset", "scaleoffset": 3},
    {"shuffle": 1},
    {"shuffle": "yes"},
    {"fletcher32": 0},
    {"scaleoffset": True},
    {"scaleoffset": False},
    {"scaleoffset": 2.5},
    {"scaleoffset": np.int64(2)},
    {"compression": 32000},
    {"compression": 32000, "compression_opts": (7,)},
    {"compression": 32000, "compression_opts": (0, 5)},
    {"compression": 32000, "compression_opts": (0, 0, 0, 9)},
    {"compression": 10, "allow_unknown_filter": True},
    {"compression": 255, "allow_unknown_filter": True},
    {"compression": 300, "allow_unknown_filter": True},
    {"compression": 300, "compression_opts": (), "allow_unknown_filter": True},
    {"compression": 300, "compression_opts": (1.5, 2), "allow_unknown_filter": True},
    {"compression": 300, "compression_opts": ("7",), "allow_unknown_filter": True},
    {"compression": 300, "compression_opts": (np.uint32(7),), "allow_unknown_filter": True},
    {"compression": 65535, "allow_unknown_filter": True},
]
REFUSED_OPTIONS = [
    {"compression": "gzip", "compression_opts": 10},
    {"compression": "gzip", "compression_opts": -1},
    {"compression": "gzip", "compression_opts": (4,)},
    {"compression": "gzip", "compression_opts": (4, 5)},
    {"compression": "gzip", "compression_opts": [4]},
    {"compression": "gzip", "compression_opts": "4"},
    {"compression": True, "compression_opts": 11},
    {"compression": 3, "compression_opts": 4},
    {"compression": False, "compression_opts": 2},
    {"compression": "lzf", "compression_opts": 0},
    {"compression": "lzf", "compression_opts": ()},
    {"compression": "szip", "compression_opts": ("nn", 8, 1)},
    {"compression": "szip", "compression_opts": ("ec",)},
    {"compression": "szip", "compression_opts": "nn"},
    {"compression": "szip", "compression_opts": 8},
    {"compression": "szip", "compression_opts": ("xx", 8)},
    {"compression": "szip", "compression_opts": ("nn", 7)},
    {"compression": "szip", "compression_opts": ("nn", 34)},
    {"compression": "szip", "compression_opts": ("nn", 0)},
    {"compression": "szip", "compression_opts": ("nn", "8")},
    {"compression": "GZIP"},
    {"compression": "bogus"},
    {"compression": "bogus", "scaleoffset": -1},
    {"compression": "shuffle"},
    {"compression": "fletcher32", "scaleoffset": 2},
    {"compression": "scaleoffset", "shuffle": True},
    {"compression_opts": 3},
    {"compression": None, "compression_opts": 3},
    {"scaleoffset": -1},
    {"scaleoffset": "3"},
    {"scaleoffset": 3, "fletcher32": True},
    {"compression": 10},
    {"compression": 300, "compression_opts": [1, 2], "allow_unknown_filter": True},
    {"compression": 300, "compression_opts": 3, "allow_unknown_filter": True},
    {"compression": 300, "compression_opts": (-1,), "allow_unknown_filter": True},
    {"compression": 300, "compression_opts": (2**32,), "allow_unknown_filter": True},
    {"compression": 300, "compression_opts": ("a",), "allow_unknown_filter": True},
    {"compression": 40000},
    {"compression": 70000, "allow_unknown_filter": True},
    {"compression": 70000, "compression_opts": 3, "allow_unknown_filter": True},
    {"compression": -3},
    {"compression": -3, "allow_unknown_filter": True},
    {"compression": 2**40},
    {"compression": -(2**40), "allow_unknown_filter": True},
    {"compression": np.int64(32001), "allow_unknown_filter": True},
]
OPTION_CASES = [Case("<i4", (6, 7), kw) for kw in ACCEPTED_OPTIONS + REFUSED_OPTIONS]

# libhdf5's refusals that depend on the dataset, and which reason h5py reports
DATASET_REFUSALS = [
    Case("longdouble", (6, 7), {"compression": "szip", "scaleoffset": 2}),
    Case("<f2", (6, 7), {"compression": "szip", "scaleoffset": 2}),
    Case("longdouble", (3,), {"compression": "szip"}),
    Case("S3", (3,), {"compression": "szip"}),
    Case("<u2", (1,), {"compression": "szip"}),
    Case("vlen_str", (6, 7), {"fletcher32": True, "compression": "szip"}),
    Case("enum_>i4", (6, 7), {"scaleoffset": 1, "compression": "szip"}),
    Case("c8", (6, 7), {"compression": "szip", "scaleoffset": 1}),
]

REFUSED_CASES = [Case("<i4", (6, 7), kw) for kw in REFUSED_OPTIONS] + DATASET_REFUSALS
ALL_CASES = DTYPE_CASES + CHUNK_CASES + FILL_CASES + OPTION_CASES + DATASET_REFUSALS


def dtype_of(case: Case, h5py: Any) -> np.dtype:
    return np.dtype(DTYPES[case.dtype][0](h5py))


def element_size(case: Case) -> int | None:
    return DTYPES[case.dtype][1]


def fill_bytes(case: Case, dtype: np.dtype) -> bytes | None:
    """The fill value as h5pure passes it: in the dataset's byte order."""
    return None if case.fill is None else np.array(case.fill, dtype=dtype).tobytes()


def outcome(fn: Callable[..., Any], *args: Any) -> tuple[Any, ...]:
    """``("ok", fn(*args))`` or ``("error", exception type, message)``."""
    try:
        return ("ok", fn(*args))
    except Exception as e:
        return ("error", type(e), str(e))
