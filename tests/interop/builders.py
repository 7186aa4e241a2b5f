"""Files full of HDF5 structures, written by h5py (libhdf5) at test time."""

from __future__ import annotations

import numpy as np

LIBVERS = {
    "earliest": "earliest",
    "v108": ("v108", "latest"),
    "v110": ("v110", "latest"),
    "latest": "latest",
}

NUMERIC = [
    "i1",
    "u1",
    "<i2",
    ">i2",
    "<u2",
    ">u2",
    "<i4",
    ">i4",
    "<u4",
    "<i8",
    ">i8",
    "<u8",
    ">u8",
    "<f2",
    ">f2",
    "<f4",
    ">f4",
    "<f8",
    ">f8",
    "<c8",
    ">c16",
]


def szip_available(lib):
    """Whether ``lib`` (h5py or h5pure) can write szip-compressed data."""
    if hasattr(lib, "h5z"):
        return lib.h5z.filter_avail(lib.h5z.FILTER_SZIP)
    from h5pure.filters import get_filter

    return get_filter(4).available()


def build_groups(f, h5py, ordered=True):
    g = f.create_group("groups")
    many = g.create_group("many")
    for i in range(40):
        many.create_group(f"member_{i:03d}")
    g.create_group("empty")
    if ordered:
        tracked = g.create_group("ordered", track_order=True)
        for name in ["zeta", "alpha", "mid", "beta"]:
            tracked.create_group(name)
        big_ordered = g.create_group("big_ordered", track_order=True)
        for i in range(30):
            big_ordered.create_dataset(f"d{29 - i}", data=i)
    g.create_group("a/b/c/d")
    g["hard_alias"] = g["a/b"]
    g["soft"] = h5py.SoftLink("/groups/a/b/c")
    g["soft_rel"] = h5py.SoftLink("a/b")
    g["dangling"] = h5py.SoftLink("/does/not/exist")
    g["ünïcode"] = np.arange(3)


def build_numeric(f, h5py):
    g = f.create_group("numeric")
    rng = np.random.default_rng(0)
    for code in NUMERIC:
        dt = np.dtype(code)
        data = (rng.random((7, 5)) * 100).astype(dt)
        g.create_dataset(f"c_{code.replace('<', 'le').replace('>', 'be')}", data=data)
    g.create_dataset("scalar", data=np.float64(3.25))
    g.create_dataset("scalar_int", data=7)
    g.create_dataset("empty", data=h5py.Empty("f4"))
    g.create_dataset("zero_len", shape=(0, 4), dtype="i4")
    g.create_dataset("bool", data=np.array([True, False, True]))
    g.create_dataset("unwritten", shape=(4, 4), dtype="f4", fillvalue=-1.5)
    g.create_dataset("big1d", data=np.arange(100_000, dtype="i8"))


def build_chunked(f, h5py):
    g = f.create_group("chunked")
    data = np.arange(60 * 70, dtype="f4").reshape(60, 70)
    g.create_dataset("plain", data=data, chunks=(16, 16))
    g.create_dataset("gzip", data=data, chunks=(16, 16), compression="gzip", compression_opts=6)
    g.create_dataset(
        "gzip_shuffle_f32",
        data=data,
        chunks=(7, 9),
        compression="gzip",
        shuffle=True,
        fletcher32=True,
    )
    g.create_dataset("lzf", data=data, chunks=(16, 16), compression="lzf")
    g.create_dataset(
        "scaleoffset_int",
        data=np.arange(1000, dtype="i4").reshape(10, 100),
        chunks=(5, 50),
        scaleoffset=0,
    )
    g.create_dataset(
        "scaleoffset_float",
        data=np.linspace(0, 1, 400).reshape(20, 20),
        chunks=(10, 10),
        scaleoffset=3,
    )
    g.create_dataset("single_chunk", data=data, chunks=data.shape, compression="gzip")
    r = g.create_dataset(
        "resizable", shape=(10, 8), maxshape=(None, 8), chunks=(4, 8), dtype="i2", fillvalue=9
    )
    r[2:5] = np.arange(24, dtype="i2").reshape(3, 8)
    two = g.create_dataset(
        "two_unlimited",
        shape=(20, 30),
        maxshape=(None, None),
        chunks=(6, 7),
        dtype="u2",
        compression="gzip",
    )
    two[...] = np.arange(600, dtype="u2").reshape(20, 30)
    sparse = g.create_dataset(
        "sparse", shape=(100, 100), chunks=(10, 10), dtype="f8", fillvalue=np.nan
    )
    sparse[15:25, 40:42] = 1.0
    many = g.create_dataset("many_chunks", shape=(3000,), chunks=(2,), dtype="i1")
    many[...] = (np.arange(3000) % 100).astype("i1")
    ext = g.create_dataset(
        "ext_unlim_dim1", shape=(5, 50), maxshape=(5, None), chunks=(5, 3), dtype="i4"
    )
    ext[...] = np.arange(250, dtype="i4").reshape(5, 50)
    if szip_available(h5py):
        g.create_dataset(
            "szip", data=np.arange(4096, dtype="i4"), chunks=(1024,), compression="szip"
        )


def build_types(f, h5py):
    g = f.create_group("types")
    g.create_dataset("fixed_str", data=np.array([b"abc", b"de", b""], dtype="S5"))
    g.create_dataset("vlen_utf8", data=["α", "beta", ""], dtype=h5py.string_dtype())
    g.create_dataset("vlen_ascii", data=[b"x", b"yz"], dtype=h5py.string_dtype("ascii"))
    fu = g.create_dataset("fixed_utf8", shape=(2,), dtype=h5py.string_dtype("utf-8", 4))
    fu[0] = b"ab"
    fu[1] = "é".encode()
    comp = np.dtype(
        [
            ("a", "i4"),
            ("b", "f8"),
            ("c", "S3"),
            ("d", "<f4", (2, 2)),
            ("e", [("x", "u1"), ("y", ">i2")]),
        ]
    )
    arr = np.zeros(4, dtype=comp)
    arr["a"] = [1, 2, 3, 4]
    arr["b"] = [0.5, 1.5, 2.5, 3.5]
    arr["c"] = [b"x", b"yy", b"zzz", b""]
    arr["d"] = np.arange(16).reshape(4, 2, 2)
    arr["e"]["x"] = [9, 8, 7, 6]
    arr["e"]["y"] = [-1, -2, -3, -4]
    g.create_dataset("compound", data=arr)
    g.create_dataset(
        "enum",
        data=np.array([0, 1, 2, 1], dtype="i1"),
        dtype=h5py.enum_dtype({"RED": 0, "GREEN": 1, "BLUE": 2}, basetype="i1"),
    )
    arr_ds = g.create_dataset("array", shape=(4,), dtype=np.dtype(("i4", (3,))))
    arr_ds[...] = np.arange(12, dtype="i4").reshape(4, 3)
    vl = g.create_dataset("vlen_seq", shape=(3,), dtype=h5py.vlen_dtype("i2"))
    vl[0] = np.array([1, 2, 3], "i2")
    vl[1] = np.array([], "i2")
    vl[2] = np.arange(50, dtype="i2")
    g.create_dataset("opaque", data=np.frombuffer(b"0123456789AB", dtype="V4"))
    g["committed"] = np.dtype([("p", "f4"), ("q", "i8")])
    g.create_dataset("uses_committed", shape=(2,), dtype=g["committed"])
    target = g["compound"]
    refs = g.create_dataset("refs", shape=(3,), dtype=h5py.ref_dtype)
    refs[0] = target.ref
    refs[1] = f["types"].ref
    rrefs = g.create_dataset("regionrefs", shape=(2,), dtype=h5py.regionref_dtype)
    data2d = g.create_dataset("data2d", data=np.arange(100).reshape(10, 10))
    rrefs[0] = data2d.regionref[2:5, 3:7]
    rrefs[1] = data2d.regionref[1, :]
    g.create_dataset("complex_scalar", data=np.complex128(1 + 2j))


def build_attrs(f, h5py, ordered=True):
    g = f.create_group("attrs")
    g.attrs["int"] = 5
    g.attrs["float"] = 2.5
    g.attrs["str"] = "hello"
    g.attrs["str_list"] = ["a", "bc"]
    g.attrs["bytes"] = np.bytes_(b"raw")
    g.attrs["array"] = np.arange(6).reshape(2, 3)
    g.attrs["bool"] = True
    g.attrs["empty"] = h5py.Empty("i4")
    g.attrs["compound"] = np.array((1, 2.0), dtype=[("a", "i4"), ("b", "f8")])
    g.attrs["ref"] = f["groups"].ref
    g.attrs.create(
        "vlen",
        data=np.array([np.array([1, 2]), np.array([3])], dtype=object),
        dtype=h5py.vlen_dtype("i4"),
    )
    many = g.create_group("many")
    for i in range(20):
        many.attrs[f"attr{i:02d}"] = i
    if ordered:
        tracked = g.create_group("ordered", track_order=True)
        for name in ["zz", "aa", "mm"]:
            tracked.attrs[name] = name


def build_dims(f, h5py):
    g = f.create_group("dims")
    data = g.create_dataset("data", data=np.zeros((4, 3)))
    x = g.create_dataset("x", data=np.arange(4.0))
    y = g.create_dataset("y", data=np.arange(3.0))
    x.make_scale("x axis")
    y.make_scale()
    data.dims[0].attach_scale(x)
    data.dims[1].attach_scale(y)
    data.dims[0].label = "time"


def build_everything(path, h5py, libver, ext_path=None):
    with h5py.File(path, "w", libver=libver) as f:
        f.attrs["root_attr"] = "root"
        build_groups(f, h5py)
        build_numeric(f, h5py)
        build_chunked(f, h5py)
        build_types(f, h5py)
        build_attrs(f, h5py)
        build_dims(f, h5py)
        if ext_path is not None:
            with h5py.File(ext_path, "w") as e:
                e.create_dataset("target", data=np.arange(5))
            f["external"] = h5py.ExternalLink(str(ext_path), "/target")
            f["external_missing"] = h5py.ExternalLink("nope.h5", "/x")
