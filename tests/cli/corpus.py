"""Files the tool tests run on, written by h5py (libhdf5) at test time.

``make_pairs(dir)`` writes pairs of files for ``diff`` (equal and different in every way
h5diff reports: values of each type class, shapes, classes, kinds, links, attributes,
objects in one file only); ``make_rich(path)`` one file with every kind of object the
tools must keep (types, layouts, filters, links, dense groups and attributes, creation
order, committed types, references, dimension scales, a virtual dataset).
"""

from __future__ import annotations

import os

import numpy as np


def _basic(f, h5py, v: int) -> None:
    f["d1"] = np.arange(10.0) + (v * np.isin(np.arange(10), [3, 7]) * 5)
    i = np.arange(12).reshape(3, 4)
    if v:
        i[1, 2] = 100
    f["i"] = i
    f["g/x"] = np.arange(5)
    f["g"].attrs["at"] = 1.5 + v
    f["d1"].attrs["u"] = "s" if v else "m"
    f["s"] = b"hellp" if v else b"hello"
    f["only_b" if v else "only_a"] = 1
    f["soft"] = h5py.SoftLink("/d1")


def _types(f, h5py, v: int) -> None:
    ct = np.dtype([("a", "<i4"), ("b", "<f8")])
    f["shape"] = np.arange(10.0 + v)
    f["type"] = np.arange(10, dtype="f4" if v else "i4")
    f["nan"] = np.array([1.0, np.nan, 3.5, 4]) if v else np.array([1.0, np.nan, 3.0, np.nan])
    f["comp"] = np.array([(1, 2.5), (5, 4.0)] if v else [(1, 2.0), (3, 4.0)], dtype=ct)
    f["vs"] = np.array(["abd", "dex"] if v else ["abc", "de"], dtype=h5py.string_dtype())
    f["fs"] = np.array([b"abd", b"dex"] if v else [b"abc", b"de"])
    f["f4"] = np.arange(5, dtype="f4") + 0.5 * v
    f["u8"] = np.arange(5, dtype="u1")[::-1] if v else np.arange(5, dtype="u1")
    f["big"] = np.arange(100.0) * (1 + v)
    f["dvg"] = 1
    f.create_group("gvd")
    if v:
        f.create_group("dvg2")
        f["gvd2"] = 1
    f["t"] = np.dtype("i8" if v else "i4")
    f["e2"] = np.array([2, 2] if v else [1, 2], dtype=h5py.enum_dtype({"R": 1, "G": 2}, "i1"))
    f["ts"] = np.arange(6).reshape((3, 2) if v else (2, 3)).astype("i8")
    f["i8"] = np.array([1, 5, 3], dtype="i4") if v else np.array([1, 2, 3], dtype="i8")
    f["u4"] = np.array([0, 5, 3] if v else [1, 2, 3], dtype="u4")
    f["w"] = np.array([1 if v else -(2**31)], dtype="i4")
    f["z"] = np.array([1 if v else 2**63 + 5], dtype="u8")
    f["tiny"] = np.array([2e-17, 1, 5] if v else [1e-17, 0, 5])
    f["bool"] = np.array([True, False, bool(v)])
    f["cplx"] = np.array([1 + 2j, 3 + 4j * (1 + v)])
    f["op"] = np.frombuffer(b"abcd" + bytes([v] * 4), dtype="V4")
    vl = f.create_dataset("vlen", (2,), dtype=h5py.vlen_dtype("i4"))
    vl[0] = [1, 2, 3]
    vl[1] = [4, 5 + v]
    f.create_dataset("empty", (3,), dtype="f4")
    f["null"] = h5py.Empty("f4")
    d = f.create_dataset("attrs", data=np.arange(5.0))
    d.attrs["a1"] = 1 + v
    d.attrs["a2"] = np.array([0, 5, 2]) if v else np.arange(3)
    d.attrs["only2" if v else "only1"] = 5
    d.attrs["s"] = "hellO" if v else "hello"


def _links(f, h5py, v: int) -> None:
    f["data"] = np.arange(6.0).reshape(2, 3) + v
    f["g/x"] = np.arange(3)
    f["g/sub/y"] = np.arange(2) * (1 + v)
    f["soft"] = h5py.SoftLink("/g/x" if v else "/data")
    f["softsame"] = h5py.SoftLink("/data")
    f["dang"] = h5py.SoftLink("/nowhere")
    f["dang2"] = h5py.SoftLink("/data" if v else "/nowhere")
    f["ext"] = h5py.ExternalLink("other.h5", "/x" if v else "/y")
    f["t2"] = np.dtype([("a", "i4"), ("b", "f4" if v else "f8")])
    f["hard2"] = f["g/x"]
    f.attrs["title"] = "hellO" if v else "hello"
    f["g"].attrs["units"] = np.array([1, 2, 3]) * (1 + v)
    f["refs"] = np.array(
        [f["data"].ref, f["data"].ref if v else f["g/x"].ref], dtype=h5py.ref_dtype
    )
    f.create_dataset(
        "chunked",
        data=np.arange(400).reshape(20, 20) + np.eye(20, dtype=int) * v,
        chunks=(5, 7),
        compression="gzip",
    )


def make_pairs(directory: str, h5py) -> dict[str, tuple[str, str]]:
    """Pairs of files to compare, by name."""
    pairs = {}
    for name, fill in (("basic", _basic), ("types", _types), ("links", _links)):
        paths = []
        for v in (0, 1):
            path = os.path.join(directory, f"{name}{v}.h5")
            with h5py.File(path, "w") as f:
                fill(f, h5py, v)
            paths.append(path)
        pairs[name] = (paths[0], paths[1])
    same = []
    for v in (0, 1):  # two files with the same contents, written twice
        path = os.path.join(directory, f"same{v}.h5")
        with h5py.File(path, "w") as f:
            _types(f, h5py, 0)
        same.append(path)
    pairs["same"] = (same[0], same[1])
    return pairs


def make_rich(path: str, h5py) -> str:
    """One file holding every kind of object and storage the tools must keep."""
    rng = np.random.default_rng(1)
    with h5py.File(path, "w", track_order=True) as f:
        f.attrs["title"] = "rich"
        f.attrs["vector"] = np.arange(4.0)
        f["plain"] = np.arange(100, dtype="i4").reshape(10, 10)
        f.create_dataset(
            "gz",
            data=rng.random((64, 50)),
            chunks=(16, 25),
            compression="gzip",
            compression_opts=4,
            shuffle=True,
            fletcher32=True,
        )
        f.create_dataset("lzf", data=np.arange(3000, dtype="i2"), chunks=(500,), compression="lzf")
        f.create_dataset("so", data=np.arange(1000, dtype="i4"), chunks=(250,), scaleoffset=0)
        f.create_dataset("ext", data=np.arange(20.0), maxshape=(None,), chunks=(8,))
        f.create_dataset("partial", (100, 100), dtype="f4", chunks=(10, 10), fillvalue=-1)
        f["partial"][:10, :10] = 1
        f["strings"] = np.array([b"alpha", b"be"])
        f["vstrings"] = np.array(["x", "yyy", "zz"], dtype=h5py.string_dtype())
        f["enum"] = np.array([0, 1, 1], dtype=h5py.enum_dtype({"OFF": 0, "ON": 1}, "u1"))
        f["compound"] = np.array([(1, 2.0, b"ab")], dtype=[("i", "i4"), ("f", "f8"), ("s", "S3")])
        vl = f.create_dataset("vlen", (2,), dtype=h5py.vlen_dtype("f8"))
        vl[0] = [1.0]
        vl[1] = [2.0, 3.0]
        f["scalar"] = 3.25
        f["empty"] = h5py.Empty("i4")
        f["types/t"] = np.dtype([("x", "f4"), ("y", "f4")])
        f.create_dataset("types/uses", (3,), dtype=f["types/t"])
        g = f.create_group("order", track_order=True)
        for name in ("zeta", "alpha", "mid"):
            g[name] = np.arange(3)
        for k in range(12):  # dense attributes
            g.attrs[f"a{11 - k:02d}"] = k
        dense = f.create_group("dense")
        for k in range(20):  # dense group (link storage beyond 8 in new-style groups)
            dense[f"m{k}"] = k
        f["links/soft"] = h5py.SoftLink("/plain")
        f["links/dangling"] = h5py.SoftLink("/nowhere")
        f["links/external"] = h5py.ExternalLink("elsewhere.h5", "/x")
        f["links/hard"] = f["plain"]
        f["refs"] = np.array([f["plain"].ref, f["gz"].ref], dtype=h5py.ref_dtype)
        f["regref"] = np.array([f["plain"].regionref[1:3, 2:5]], dtype=h5py.regionref_dtype)
        f["plain"].attrs["self"] = f["gz"].ref
        x = f.create_dataset("scales/x", data=np.arange(10.0))
        y = f.create_dataset("scales/y", data=np.arange(10.0) * 2)
        x.make_scale("x")
        y.make_scale("y")
        f["plain"].dims[0].attach_scale(x)
        f["plain"].dims[1].attach_scale(y)
        layout = h5py.VirtualLayout(shape=(2, 10), dtype="i4")
        layout[0] = h5py.VirtualSource(".", "/plain", shape=(10, 10))[0]
        layout[1] = h5py.VirtualSource(".", "/plain", shape=(10, 10))[9]
        f.create_virtual_dataset("virtual", layout, fillvalue=-5)
    return path


def make_layouts(path: str, h5py) -> str:
    """Datasets for ``-l``: compact ones (made through a dcpl), one too large for the
    compact layout, one just small enough, an extendible one, a filtered one, a scalar;
    groups of 3, 6 and 12 links (old-style: ``-c``/``-d`` make them new-style)."""
    with h5py.File(path, "w") as f:
        for name, data in (("small", np.arange(10)), ("s2", np.arange(6.0).reshape(2, 3))):
            dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
            dcpl.set_layout(h5py.h5d.COMPACT)
            f.create_dataset(name, data=data, dcpl=dcpl)
        f["big"] = np.arange(20000.0)
        f["fits"] = np.zeros(65520, "u1")
        f.create_dataset("ext", data=np.arange(10), maxshape=(None,), chunks=(5,))
        f.create_dataset("gz", data=np.arange(100), compression="gzip")
        f["scalar"] = 1.5
        for group, n in (("g3", 3), ("g6", 6), ("g12", 12)):
            for k in range(n):
                f[f"{group}/m{k:02d}"] = k
    return path
