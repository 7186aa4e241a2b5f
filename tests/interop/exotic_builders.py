"""Files with the unusual structures libhdf5 can write, built by h5py at test time.

Each ``build_*`` takes a directory and the ``h5py`` module and returns the path of the
main file it wrote.  Property-list calls h5py does not wrap (shared message indexes,
B-tree K values) go through ctypes on h5py's bundled libhdf5.
"""

from __future__ import annotations

import ctypes
import glob
import os

import numpy as np

# H5O_SHMESG_*_FLAG: bit (message type id) of the messages an SOHM index shares
SHMESG_SDSPACE = 1 << 0x01
SHMESG_DTYPE = 1 << 0x03
SHMESG_FILL = 1 << 0x05
SHMESG_PLINE = 1 << 0x0B
SHMESG_ATTR = 1 << 0x0C
SHMESG_ALL = SHMESG_SDSPACE | SHMESG_DTYPE | SHMESG_FILL | SHMESG_PLINE | SHMESG_ATTR


def libhdf5():
    """h5py's bundled libhdf5 through ctypes, or None when it cannot be found."""
    import h5py

    libs = glob.glob(
        os.path.join(os.path.dirname(h5py.__file__), "..", "h5py.libs", "libhdf5-*.so*")
    )
    if not libs:
        return None
    lib = ctypes.CDLL(libs[0])
    lib.H5Pset_istore_k.argtypes = [ctypes.c_int64, ctypes.c_uint]
    lib.H5Pset_sym_k.argtypes = [ctypes.c_int64, ctypes.c_uint, ctypes.c_uint]
    lib.H5Pset_shared_mesg_nindexes.argtypes = [ctypes.c_int64, ctypes.c_uint]
    lib.H5Pset_shared_mesg_index.argtypes = [ctypes.c_int64, ctypes.c_uint] + [ctypes.c_uint] * 2
    lib.H5Pset_shared_mesg_phase_change.argtypes = [ctypes.c_int64, ctypes.c_uint, ctypes.c_uint]
    return lib


def _create(path, h5py, fcpl, low):
    fapl = h5py.h5p.create(h5py.h5p.FILE_ACCESS)
    fapl.set_libver_bounds(low, h5py.h5f.LIBVER_LATEST)
    fid = h5py.h5f.create(os.fsencode(str(path)), fcpl=fcpl, fapl=fapl)
    fid.close()


# ------------------------------------------------------------------------- virtual datasets


def build_vds(d, h5py):
    """A VDS over relative, absolute, missing and same-file sources, with strided and
    blocked selections on both sides."""
    srcdir = d / "sources"
    srcdir.mkdir()
    for i in range(3):
        with h5py.File(srcdir / f"src{i}.h5", "w") as s:
            s.create_dataset("data", data=np.arange(20, dtype="i4") + 100 * (i + 1))
            s.create_dataset("grid", data=np.arange(36, dtype="i4").reshape(6, 6) * (i + 1))
    path = d / "vds.h5"
    with h5py.File(path, "w", libver="latest") as f:
        f.create_dataset("local", data=np.arange(20, dtype="i4") * -1)
        layout = h5py.VirtualLayout(shape=(6, 20), dtype="i4")
        layout[0] = h5py.VirtualSource("sources/src0.h5", "data", shape=(20,))
        layout[1] = h5py.VirtualSource(str(srcdir / "src1.h5"), "/data", shape=(20,))
        layout[2] = h5py.VirtualSource("sources/missing.h5", "data", shape=(20,))
        layout[3, ::2] = h5py.VirtualSource(".", "local", shape=(20,))[1::2]
        layout[4, 5:15] = h5py.VirtualSource("sources/src2.h5", "data", shape=(20,))[10:]
        f.create_virtual_dataset("vds", layout, fillvalue=-7)

        # blocked hyperslabs on both sides, through the low-level property list
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        dcpl.set_fill_value(np.array(-1, dtype="i4"))
        vspace = h5py.h5s.create_simple((8, 8))
        sspace = h5py.h5s.create_simple((6, 6))
        vspace.select_hyperslab((0, 0), (2, 2), (4, 4), (2, 3))
        sspace.select_hyperslab((0, 0), (2, 2), (3, 3), (3, 2))
        dcpl.set_virtual(vspace, b"sources/src0.h5", b"grid", sspace)
        vspace2 = h5py.h5s.create_simple((8, 8))
        sspace2 = h5py.h5s.create_simple((6, 6))
        vspace2.select_hyperslab((6, 0), (1, 2), (1, 4), (2, 2))
        sspace2.select_hyperslab((0, 0), (2, 2), (3, 3), (1, 2))
        dcpl.set_virtual(vspace2, b"sources/src1.h5", b"grid", sspace2)
        vspace3 = h5py.h5s.create_simple((8, 8))
        # an irregular hyperslab (a union of blocks)
        vspace3.select_hyperslab((7, 0), (1, 1), None, (1, 3))
        vspace3.select_hyperslab((0, 6), (1, 1), None, (2, 1), op=h5py.h5s.SELECT_OR)
        sspace3 = h5py.h5s.create_simple((6, 6))
        sspace3.select_hyperslab((5, 0), (1, 1), None, (1, 5))
        dcpl.set_virtual(vspace3, b"sources/src2.h5", b"grid", sspace3)
        h5py.h5d.create(
            f.id, b"blocked", h5py.h5t.STD_I32LE, h5py.h5s.create_simple((8, 8)), dcpl=dcpl
        )
    return path


def build_vds_unlimited(d, h5py):
    """Unlimited mappings: one source growing along axis 0, and printf-style ``%b`` file
    names each contributing one block."""
    with h5py.File(d / "grow.h5", "w") as s:
        s.create_dataset("x", data=np.arange(12, dtype="f8"), maxshape=(None,), chunks=(4,))
    for i in range(3):
        with h5py.File(d / f"part-{i}.h5", "w") as s:
            s.create_dataset("p", data=np.full(5, i + 1, dtype="i2"))
    path = d / "unlimited.h5"
    with h5py.File(path, "w", libver="latest") as f:
        layout = h5py.VirtualLayout(shape=(2, 12), dtype="f8", maxshape=(2, None))
        src = h5py.VirtualSource("grow.h5", "x", shape=(12,), maxshape=(None,))
        layout[0, : h5py.h5s.UNLIMITED] = src[: h5py.h5s.UNLIMITED]
        f.create_virtual_dataset("grow", layout, fillvalue=np.nan)

        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        vspace = h5py.h5s.create_simple((0,), (h5py.h5s.UNLIMITED,))
        vspace.select_hyperslab((0,), (h5py.h5s.UNLIMITED,), (5,), (5,))
        sspace = h5py.h5s.create_simple((5,))
        dcpl.set_virtual(vspace, b"part-%b.h5", b"p", sspace)
        h5py.h5d.create(
            f.id,
            b"printf",
            h5py.h5t.STD_I16LE,
            h5py.h5s.create_simple((0,), (h5py.h5s.UNLIMITED,)),
            dcpl=dcpl,
        )
    # the source grows after the VDS was written: readers see the new extent
    with h5py.File(d / "grow.h5", "a") as s:
        s["x"].resize((17,))
        s["x"][12:] = np.arange(5) + 0.5
    return path


# ------------------------------------------------------------------- shared header messages


def build_sohm(d, h5py, list_max, btree_min, name="sohm.h5"):
    """Datasets and attributes sharing datatypes, dataspaces, fill values and pipelines
    through the SOHM heap.  ``list_max``/``btree_min`` choose the index form."""
    lib = libhdf5()
    fcpl = h5py.h5p.create(h5py.h5p.FILE_CREATE)
    ok = lib.H5Pset_shared_mesg_nindexes(fcpl.id, 2) >= 0
    ok &= lib.H5Pset_shared_mesg_index(fcpl.id, 0, SHMESG_DTYPE | SHMESG_SDSPACE, 1) >= 0
    ok &= lib.H5Pset_shared_mesg_index(fcpl.id, 1, SHMESG_FILL | SHMESG_PLINE | SHMESG_ATTR, 1) >= 0
    ok &= lib.H5Pset_shared_mesg_phase_change(fcpl.id, list_max, btree_min) >= 0
    if not ok:
        raise RuntimeError("H5Pset_shared_mesg_* failed")
    path = d / name
    _create(path, h5py, fcpl, h5py.h5f.LIBVER_EARLIEST)
    comp = np.dtype([("a", "<i4"), ("b", ">f8"), ("c", "S7")])
    with h5py.File(path, "a") as f:
        for i in range(12):
            ds = f.create_dataset(
                f"d{i:02d}",
                data=np.arange(24, dtype="f4").reshape(4, 6) + i,
                chunks=(2, 3),
                compression="gzip",
                shuffle=True,
                fillvalue=2.5,
            )
            ds.attrs["units"] = "metres"
            ds.attrs["scale"] = np.arange(3, dtype="i8")
            c = f.create_dataset(f"c{i:02d}", shape=(3,), dtype=comp, fillvalue=np.zeros((), comp))
            c[1] = (i, i / 2, b"x" * (i % 7))
            g = f.create_group(f"g{i:02d}")
            g.attrs["flag"] = np.int16(i)
            g.attrs["same"] = "shared attribute value"
        f["named"] = comp
        f.create_dataset("uses_named", shape=(2,), dtype=f["named"])
    return path


# --------------------------------------------------------------------- non-default sizes


def build_sized(d, h5py, sizes, istore_k, sym_k, low, name="sized.h5"):
    """Non-default offset/length sizes and B-tree K values (superblock v1 when the K
    values differ from the defaults and the low bound is earliest)."""
    lib = libhdf5()
    fcpl = h5py.h5p.create(h5py.h5p.FILE_CREATE)
    fcpl.set_sizes(sizes, sizes)
    if lib.H5Pset_istore_k(fcpl.id, istore_k) < 0 or lib.H5Pset_sym_k(fcpl.id, *sym_k) < 0:
        raise RuntimeError("H5Pset_istore_k/H5Pset_sym_k failed")
    path = d / name
    _create(path, h5py, fcpl, low)
    with h5py.File(path, "a") as f:
        f.attrs["title"] = "sized file"
        f.create_dataset("contiguous", data=np.arange(1000, dtype="<i4").reshape(40, 25))
        f.create_dataset(
            "chunked",
            data=np.arange(4000, dtype="<f8").reshape(80, 50),
            chunks=(3, 7),
            maxshape=(None, 50),
        )
        f.create_dataset(
            "gzip", data=np.arange(5000, dtype="<u2"), chunks=(64,), compression="gzip"
        )
        f.create_dataset("two_unlim", data=np.ones((9, 9)), chunks=(2, 2), maxshape=(None, None))
        f.create_dataset("strings", data=["a", "bb", "ccc"], dtype=h5py.string_dtype())
        refs = f.create_dataset("refs", shape=(2,), dtype=h5py.ref_dtype)
        refs[0] = f["chunked"].ref
        rr = f.create_dataset("rrefs", shape=(1,), dtype=h5py.regionref_dtype)
        rr[0] = f["contiguous"].regionref[2:4, ::5]
        g = f.create_group("many")
        for i in range(300):
            g.create_group(f"m{i:04d}")
        for i in range(30):
            g.attrs[f"a{i:02d}"] = np.arange(i + 1)
    return path


# ------------------------------------------------------------------------ everything else


def build_misc(d, h5py):
    """One file per structure would be slow; these all fit in a few."""
    path = d / "misc.h5"
    with h5py.File(path, "w", libver="latest", userblock_size=1024, track_order=True) as f:
        f.create_dataset("z_first", data=1)
        f.create_dataset("a_second", data=2)
        # compact layout
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        dcpl.set_layout(h5py.h5d.COMPACT)
        ds = h5py.h5d.create(
            f.id, b"compact", h5py.h5t.NATIVE_INT16, h5py.h5s.create_simple((3, 5)), dcpl=dcpl
        )
        ds.write(h5py.h5s.ALL, h5py.h5s.ALL, np.arange(15, dtype="i2").reshape(3, 5))
        # implicit chunk index: early allocation, no filters, fixed max shape
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        dcpl.set_chunk((4, 4))
        dcpl.set_alloc_time(h5py.h5d.ALLOC_TIME_EARLY)
        ds = h5py.h5d.create(
            f.id, b"implicit", h5py.h5t.NATIVE_FLOAT, h5py.h5s.create_simple((10, 9)), dcpl=dcpl
        )
        ds.write(h5py.h5s.ALL, h5py.h5s.ALL, np.arange(90, dtype="f4").reshape(10, 9))
        # nbit
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        dcpl.set_chunk((16,))
        if libhdf5().H5Pset_nbit(ctypes.c_int64(dcpl.id)) < 0:
            raise RuntimeError("H5Pset_nbit failed")
        tid = h5py.h5t.STD_U32LE.copy()
        tid.set_precision(12)
        tid.set_offset(2)
        ds = h5py.h5d.create(f.id, b"nbit", tid, h5py.h5s.create_simple((50,)), dcpl=dcpl)
        ds.write(h5py.h5s.ALL, h5py.h5s.ALL, ((np.arange(50, dtype="u4") * 70) % 4096) << 2)
        # fixed strings with space and NUL-termination padding
        for pad, tag in (
            (h5py.h5t.STR_SPACEPAD, b"spacepad"),
            (h5py.h5t.STR_NULLTERM, b"nullterm"),
        ):
            tid = h5py.h5t.C_S1.copy()
            tid.set_size(6)
            tid.set_strpad(pad)
            ds = h5py.h5d.create(f.id, tag, tid, h5py.h5s.create_simple((3,)))
            ds.write(h5py.h5s.ALL, h5py.h5s.ALL, np.array([b"ab", b"abcde", b""], dtype="S6"))
        # huge attribute (dense storage, a huge fractal heap object)
        f.create_group("huge").attrs["big"] = np.arange(20000, dtype="f8")
        ma = f.create_dataset("many_attrs", data=0)
        for i in range(1000):
            ma.attrs[f"attr{i:04d}"] = i
        f.create_dataset("timed", data=np.arange(3), track_times=True)
        f.create_group("timed_group", track_times=True)
        be = np.dtype([("a", ">i4"), ("b", ">f8"), ("c", ">u2", (2,))])
        f.create_dataset("be_compound", data=np.array([(1, 2.5, (3, 4)), (-5, 1e10, (0, 1))], be))
        f.create_dataset(
            "enum16",
            data=np.array([0, 300, 65535], dtype="u2"),
            dtype=h5py.enum_dtype({"LOW": 0, "MID": 300, "MAX": 65535}, basetype="u2"),
        )
        pair = np.dtype([("x", "i2"), ("y", "f4")])
        f.create_dataset("array_of_compound", data=np.zeros(2, dtype=(pair, (3,))))
        vl = f.create_dataset("vlen_compound", shape=(2,), dtype=h5py.vlen_dtype(pair))
        vl[0] = np.array([(1, 1.5), (2, 2.5)], dtype=pair)
        vl[1] = np.array([(3, 3.5)], dtype=pair)
        strcomp = np.dtype([("id", "i4"), ("name", h5py.string_dtype())])
        f.create_dataset("compound_vlen_str", data=np.array([(1, "one"), (2, "twø")], strcomp))
        refcomp = np.dtype([("obj", h5py.ref_dtype), ("n", "i4")])
        rc = f.create_dataset("compound_refs", shape=(2,), dtype=refcomp)
        rc[0] = (f["compact"].ref, 7)
        target = f.create_dataset("target", data=np.arange(100).reshape(10, 10))
        rr = f.create_dataset("point_regrefs", shape=(3,), dtype=h5py.regionref_dtype)
        rr[0] = target.regionref[[1, 3, 7], 2]
        rr[1] = target.regionref[2:8:3, 1:4]
        rr[2] = target.regionref[4, 5]
        f.attrs["empty_str"] = h5py.Empty(h5py.string_dtype())
        f.attrs["empty_bytes"] = h5py.Empty("S4")
        f.attrs["bool"] = np.bool_(True)
        f.attrs["bool_arr"] = np.array([True, False])
        f.create_dataset(
            "zero_chunked", shape=(0, 5), maxshape=(None, 5), chunks=(4, 5), dtype="f4"
        )
        f.create_dataset(
            "zero_chunked_gzip",
            shape=(0,),
            chunks=(8,),
            maxshape=(None,),
            dtype="i8",
            compression="gzip",
        )
        f.create_dataset("scalar_vlen_str", data="a scalar string", dtype=h5py.string_dtype())
        f.create_dataset(
            "compound_fill", shape=(4,), dtype=pair, fillvalue=np.array((-3, 9.5), pair)
        )
        f["named_type"] = np.dtype([("u", "u8"), ("v", "S3")])
        f.create_dataset(
            "external",
            shape=(3, 4),
            dtype="<i4",
            external=[("raw0.bin", 0, 16), (str(d / "abs.bin"), 8, 16), ("sub/raw2.bin", 4, 16)],
        )
    ext = np.arange(12, dtype="<i4")
    (d / "sub").mkdir(exist_ok=True)
    with open(d / "raw0.bin", "wb") as fh:
        fh.write(ext[:4].tobytes())
    with open(d / "abs.bin", "wb") as fh:
        fh.write(b"\xff" * 8 + ext[4:8].tobytes())
    with open(d / "sub" / "raw2.bin", "wb") as fh:
        fh.write(b"\xee" * 4 + ext[8:].tobytes())
    return path


def build_big_groups(d, h5py, libver):
    path = d / f"big_{libver}.h5"
    with h5py.File(path, "w", libver=libver) as f:
        g = f.create_group("big")
        for i in range(5000):
            g.create_group(f"n{i:05d}")
    return path


def build_dims(d, h5py):
    path = d / "dims.h5"
    with h5py.File(path, "w") as f:
        data = f.create_dataset("data", data=np.zeros((4, 3)))
        scales = []
        for name, n in (("x1", 4), ("x2", 4), ("x3", 4), ("y", 3)):
            s = f.create_dataset(name, data=np.arange(float(n)))
            s.make_scale(name.upper())
            scales.append(s)
        for s in scales[:3]:
            data.dims[0].attach_scale(s)
        data.dims[1].attach_scale(scales[3])
        data.dims[1].label = "col"
        tg = f.create_group("ordered", track_order=True)
        for name in ("z", "b", "y", "a"):
            tg.create_group(name).create_dataset("v", data=1)
        f["t"] = np.dtype("<f4")
        f.create_dataset("typed", data=np.ones(2, "<f4"), dtype=f["t"])
        f["soft"] = h5py.SoftLink("/data")
    return path
