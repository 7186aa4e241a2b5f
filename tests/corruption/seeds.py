"""Small seed files written by h5py (libhdf5) that, between them, hold every structure the
reader decodes.  Each stays in the tens of KB so thousands of mutations run in seconds."""

from __future__ import annotations

import os

import numpy as np

EXTERNAL_TARGET = "corrupt_target.h5"
EXTERNAL_RAW = "corrupt_raw.bin"


def _common(f, h5py):
    """Types, references, links, fill values and dimension scales (every libver)."""
    f.attrs["title"] = "seed"
    f.attrs["vlen_str"] = ["a", "bc"]
    f.attrs["array"] = np.arange(6, dtype="i2").reshape(2, 3)
    types = f.create_group("types")
    types.create_dataset("vlen_str", data=["alpha", "", "gamma" * 3], dtype=h5py.string_dtype())
    comp = np.dtype([("a", "<i4"), ("b", ">f8"), ("c", "S3"), ("d", "<u2", (2,))])
    types.create_dataset("compound", data=np.zeros(3, dtype=comp))
    types.create_dataset(
        "enum", data=np.array([0, 1, 1], "u1"), dtype=h5py.enum_dtype({"A": 0, "B": 1}, "u1")
    )
    vl = types.create_dataset("vlen_seq", shape=(2,), dtype=h5py.vlen_dtype("i2"))
    vl[0] = np.arange(3, dtype="i2")
    vl[1] = np.arange(5, dtype="i2")
    types["committed"] = np.dtype([("p", "<f4"), ("q", "<i8")])
    types.create_dataset("uses_committed", shape=(2,), dtype=types["committed"])
    types.create_dataset("scalar", data=np.float64(2.5))
    types.create_dataset("empty", data=h5py.Empty("f4"))
    types.create_dataset("fill", shape=(3, 3), dtype="i4", fillvalue=-7)
    types.create_dataset("compact", data=np.arange(8, dtype="i4"))
    refs = types.create_dataset("refs", shape=(2,), dtype=h5py.ref_dtype)
    refs[0] = types["compound"].ref
    refs[1] = f.ref
    grid = types.create_dataset("grid", data=np.arange(30, dtype="u1").reshape(5, 6))
    rrefs = types.create_dataset("regionrefs", shape=(2,), dtype=h5py.regionref_dtype)
    rrefs[0] = grid.regionref[1:3, 2:5]
    rrefs[1] = grid.regionref[4, :]
    grid.attrs["ref"] = types["compound"].ref
    x = types.create_dataset("x", data=np.arange(5.0))
    x.make_scale("x axis")
    grid.dims[0].attach_scale(x)
    grid.dims[1].label = "cols"
    f["soft"] = h5py.SoftLink("/types/grid")
    f["dangling"] = h5py.SoftLink("/nowhere")
    f["external"] = h5py.ExternalLink(EXTERNAL_TARGET, "/target")


def build_earliest(path, h5py):
    """libver earliest: superblock v0, v1 object headers, symbol-table groups (several
    SNODs under a v1 B-tree), local heaps, v1 B-tree chunk index, filters, EFL storage."""
    with h5py.File(path, "w", libver="earliest") as f:
        _common(f, h5py)
        g = f.create_group("many")
        for i in range(20):
            g.create_group(f"m{i:02d}")
        data = np.arange(24 * 20, dtype="<f4").reshape(24, 20)
        c = f.create_group("chunked")
        c.create_dataset("plain", data=data, chunks=(8, 8))
        c.create_dataset(
            "filtered",
            data=data,
            chunks=(8, 10),
            compression="gzip",
            shuffle=True,
            fletcher32=True,
        )
        c.create_dataset("contiguous", data=np.arange(50, dtype=">i8"))
        c.create_dataset("external_raw", shape=(4,), dtype="<i4", external=[(EXTERNAL_RAW, 0, 16)])


def build_latest(path, h5py):
    """libver latest: superblock v3, v2 object headers, dense groups and attributes
    (fractal heap + v2 B-trees, creation order), each newer chunk index."""
    with h5py.File(path, "w", libver="latest") as f:
        _common(f, h5py)
        g = f.create_group("dense", track_order=True)
        for i in range(12):
            g.create_group(f"m{i:02d}")
        for i in range(10):
            g.attrs[f"attr{i:02d}"] = np.arange(i + 1)
        a = f.create_group("dense_attrs")
        for i in range(12):
            a.attrs[f"a{i:02d}"] = f"value {i}"
        data = np.arange(24 * 20, dtype="<i4").reshape(24, 20)
        c = f.create_group("chunked")
        c.create_dataset("single", data=data, chunks=data.shape)
        c.create_dataset("single_filtered", data=data, chunks=data.shape, compression="gzip")
        c.create_dataset("fixed", data=data, chunks=(8, 8), compression="gzip", shuffle=True)
        e = c.create_dataset(
            "extensible",
            shape=(0, 4),
            maxshape=(None, 4),
            chunks=(2, 4),
            dtype="<i2",
            fletcher32=True,
        )
        e.resize((90, 4))
        e[...] = np.arange(360, dtype="<i2").reshape(90, 4)
        b = c.create_dataset(
            "btree2",
            shape=(10, 12),
            maxshape=(None, None),
            chunks=(3, 5),
            dtype="<f8",
            compression="gzip",
        )
        b[...] = np.arange(120.0).reshape(10, 12)


def build_bulky(path, h5py):
    """libver latest structures that only appear past a size: a fractal heap with an
    indirect block and a v2 B-tree with internal nodes (a dense group of many links), a
    paged fixed array and an extensible array with super blocks."""
    with h5py.File(path, "w", libver="latest") as f:
        g = f.create_group("links")
        target = f.create_group("target")
        for i in range(90):
            g[f"link_{i:03d}_{'x' * (i % 7)}"] = target
        f.create_dataset("fixed_paged", data=np.arange(1030, dtype="u1"), chunks=(1,))
        e = f.create_dataset("extensible", shape=(300,), maxshape=(None,), chunks=(1,), dtype="u1")
        e[...] = np.arange(300) % 251


SEEDS = {"earliest": build_earliest, "latest": build_latest, "bulky": build_bulky}


def write_companions(directory, h5py):
    """The external link target and the external raw data file the seeds point at."""
    with h5py.File(os.path.join(directory, EXTERNAL_TARGET), "w") as f:
        f.create_dataset("target", data=np.arange(3))
    with open(os.path.join(directory, EXTERNAL_RAW), "wb") as fh:
        fh.write(np.arange(4, dtype="<i4").tobytes())
