"""The files ``h5pure ls`` and ``h5pure dump`` are compared with ``h5ls``/``h5dump`` on.

Made at test time by h5py (``build_corpus(directory, h5py)``), one file per theme, each
small: every datatype class (both byte orders, every string pad and character set, enums,
compounds, arrays, vlen, opaque, bitfield, references), every layout and chunk index, the
filters libhdf5 1.10 ships (and LZF, which it cannot decode), every link kind, dense
groups and attributes, creation order, a virtual dataset, empty/scalar/null datasets.
"""

from __future__ import annotations

import os

import numpy as np

CORPUS = ("types", "layouts", "links", "attrs", "vds", "refs", "misc", "wrap", "codecs", "names",
          "mixed", "large")
"""The theme names; ``build_corpus`` writes ``<name>.h5`` for each."""


def _fixed_string(h5py, size, pad, cset):
    tid = h5py.h5t.C_S1.copy()
    tid.set_size(size)
    tid.set_strpad(pad)
    tid.set_cset(cset)
    return tid


def build_types(path, h5py):
    h5t = h5py.h5t
    with h5py.File(path, "w") as f:
        ints = np.arange(-3, 3)
        for order, tag in (("<", "le"), (">", "be")):
            for kind in ("i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8", "f2", "f4", "f8"):
                data = ints if kind[0] != "u" else np.arange(6)
                if kind[0] == "f":
                    data = np.linspace(-1.5, 2.25, 6)
                f.create_dataset(f"num/{kind}{tag}", data=np.asarray(data, dtype=order + kind))
        f["num/bool"] = np.array([True, False, True])
        f["num/scalar"] = np.float64(3.25)
        f["num/zero"] = np.zeros((0, 3), dtype="i4")
        f.create_dataset("num/null", data=h5py.Empty("f4"))
        f["num/floats2d"] = np.array([[0.1, 1e-7, 1e20], [-2.5, np.inf, np.nan]])
        f["num/ints3d"] = np.arange(24, dtype="i2").reshape(2, 3, 4)
        f["num/c16"] = np.array([1 + 2j, -3.5 - 4j])
        colour = h5py.enum_dtype({"RED": 0, "GREEN": 1, "BLUE": 42}, basetype="i1")
        f.create_dataset("enum/colour", data=np.array([0, 1, 42, 1], dtype="i1"), dtype=colour)
        bigenum = h5py.enum_dtype({"A": -1, "B": 1000}, basetype=">i4")
        f.create_dataset("enum/big", data=np.array([-1, 1000], dtype=">i4"), dtype=bigenum)
        f.create_dataset("str/vlen_ascii", data=[b"alpha", b"be\"ta", b""],
                         dtype=h5py.string_dtype("ascii"))
        f.create_dataset("str/vlen_utf8", data=["gr\u00fc\u00df", "x\\y", "tab\there"],
                         dtype=h5py.string_dtype("utf-8"))
        f["str/vlen_scalar"] = "just one"
        pads = {"nullterm": h5t.STR_NULLTERM, "nullpad": h5t.STR_NULLPAD,
                "spacepad": h5t.STR_SPACEPAD}
        csets = {"ascii": h5t.CSET_ASCII, "utf8": h5t.CSET_UTF8}
        words = np.array([b"ab", b"abcdef", b"a\nb"], dtype="S6")
        for pname, pad in pads.items():
            for cname, cset in csets.items():
                tid = _fixed_string(h5py, 6, pad, cset)
                space = h5py.h5s.create_simple((3,))
                did = h5py.h5d.create(f.id, f"str/fixed_{pname}_{cname}".encode(), tid, space)
                did.write(h5py.h5s.ALL, h5py.h5s.ALL, words, mtype=tid)
        cmp = np.dtype([("id", "<i4"), ("pos", ">f8", (3,)), ("name", "S5"),
                        ("inner", [("a", "u1"), ("b", "<f4")])])
        rows = np.zeros(3, dtype=cmp)
        rows["id"] = [1, 2, 3]
        rows["pos"] = np.arange(9).reshape(3, 3) / 4
        rows["name"] = [b"one", b"two", b"three"]
        rows["inner"]["a"] = [7, 8, 9]
        rows["inner"]["b"] = [0.5, 1.5, 2.5]
        f["compound/table"] = rows
        vcmp = np.dtype([("n", "i4"), ("s", h5py.string_dtype())])
        f.create_dataset("compound/with_vlen", data=np.array([(1, "a"), (2, "bc")], dtype=vcmp))
        f["array/arr"] = np.arange(12, dtype="i4").reshape(2, 2, 3)
        arrays = f.create_dataset("array/of_arrays", shape=(2,), dtype=np.dtype(("f4", (2, 2))))
        arrays[...] = np.arange(8, dtype="f4").reshape(2, 2, 2)
        vl = h5py.vlen_dtype(np.dtype("i2"))
        seqs = np.empty(3, dtype=object)
        seqs[:] = [np.array([1, 2, 3], "i2"), np.array([], "i2"), np.array([-4], "i2")]
        f.create_dataset("vlen/ints", data=seqs, dtype=vl)
        f.create_dataset("opaque/bytes", data=np.array([b"\x01\x02\x03", b"\xff\x00\x10"],
                                                       dtype="V3"))
        otid = h5t.create(h5t.OPAQUE, 4)
        otid.set_tag(b"my tag")
        odid = h5py.h5d.create(f.id, b"opaque/tagged", otid, h5py.h5s.create_simple((2,)))
        odid.write(h5py.h5s.ALL, h5py.h5s.ALL, np.array([1, 2], "u4"), mtype=otid)
        f.create_group("bitfield")
        for name, base in (("b8", h5t.STD_B8LE), ("b16be", h5t.STD_B16BE),
                           ("b32", h5t.STD_B32LE), ("b64be", h5t.STD_B64BE)):
            size = base.get_size()
            bdid = h5py.h5d.create(f.id, f"bitfield/{name}".encode(), base,
                                   h5py.h5s.create_simple((3,)))
            bdid.write(h5py.h5s.ALL, h5py.h5s.ALL,
                       np.array([1, 2, 255], (">" if "be" in name else "<") + f"u{size}"),
                       mtype=base)
        f["types/committed_cmp"] = np.dtype([("x", "i4"), ("y", "f4")])
        f["types/committed_enum"] = colour
        f.create_dataset("types/uses_committed", data=np.array([(1, 2.0)], dtype=[("x", "i4"),
                                                                                  ("y", "f4")]),
                         dtype=f["types/committed_cmp"])


def build_layouts(path, h5py):
    with h5py.File(path, "w", libver="v110") as f:
        data = np.arange(200, dtype="i4").reshape(20, 10)
        f.create_dataset("contiguous", data=data)
        f.create_dataset("compact", data=np.arange(6, dtype="i2"),
                         **_compact(h5py))
        f.create_dataset("chunk_single", data=data, chunks=(20, 10))
        f.create_dataset("chunk_fixed", data=data, chunks=(5, 4))
        f.create_dataset("chunk_earray", data=data, chunks=(5, 4), maxshape=(None, 10))
        f.create_dataset("chunk_btree2", data=data, chunks=(5, 4), maxshape=(None, None))
        f.create_dataset("chunk_partial", shape=(20, 10), dtype="f4", chunks=(5, 5),
                         fillvalue=-1.0)
        f["chunk_partial"][0:5, 0:5] = 2.0
        f.create_dataset("unallocated", shape=(4, 4), dtype="f8", fillvalue=7.5)
        f.create_dataset("gzip", data=data, chunks=(5, 5), compression="gzip",
                         compression_opts=6)
        f.create_dataset("shuffle_gzip_fletcher", data=data, chunks=(5, 5), shuffle=True,
                         compression="gzip", fletcher32=True)
        f.create_dataset("scaleoffset_int", data=data, chunks=(5, 5), scaleoffset=0)
        f.create_dataset("scaleoffset_float", data=data / 7.0, chunks=(5, 5), scaleoffset=2)
        _nbit(f, h5py, "nbit", data)
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        dcpl.set_chunk((5, 10))
        dcpl.set_alloc_time(h5py.h5d.ALLOC_TIME_EARLY)
        implicit = h5py.h5d.create(f.id, b"chunk_implicit", h5py.h5t.STD_I16BE,
                                   h5py.h5s.create_simple((20, 10)), dcpl=dcpl)
        implicit.write(h5py.h5s.ALL, h5py.h5s.ALL, data.astype("i2"))
        # the raw data file is named relative to the working directory, as the tools
        # resolve it: write it next to the file
        cwd = os.getcwd()
        os.chdir(os.path.dirname(os.path.abspath(path)))
        try:
            f.create_dataset("external", data=np.arange(10, dtype="f4"),
                             external=[("layouts_ext.bin", 0, 40)])
        finally:
            os.chdir(cwd)
        f.create_dataset("empty_chunked", shape=(0,), dtype="i8", chunks=(4,),
                         maxshape=(None,))


def build_codecs(path, h5py):
    """Filters Debian's libhdf5 decodes only with plugins (LZF) or szip (libaec)."""
    data = np.arange(200, dtype="i4").reshape(20, 10)
    with h5py.File(path, "w") as f:
        f.create_dataset("lzf", data=data, chunks=(5, 5), compression="lzf")
        if h5py.h5z.filter_avail(h5py.h5z.FILTER_SZIP):
            f.create_dataset("szip", data=data, chunks=(5, 5), compression="szip",
                             compression_opts=("nn", 8))


def build_plugins(path, h5py):
    """Plugin filters (hdf5plugin's Blosc and Zstd) next to scale-offset, shuffle and
    deflate in one pipeline: the order and the stored names are what is listed."""
    import hdf5plugin

    with h5py.File(path, "w") as f:
        f.create_dataset("blosc", data=np.arange(100), chunks=(10,), **hdf5plugin.Blosc())
        f.create_dataset("zstd", data=np.arange(100), chunks=(10,), **hdf5plugin.Zstd())
        f.create_dataset("pipeline", data=np.arange(100.0), chunks=(10,), scaleoffset=3,
                         shuffle=True, compression="gzip")


def build_unknown_filter(path, h5py):
    """A dataset written with a filter h5pure has no codec for (bzip2, id 307)."""
    import hdf5plugin

    with h5py.File(path, "w") as f:
        f.create_dataset("bz", data=np.arange(100), chunks=(10,), **hdf5plugin.BZip2())
        f["ok"] = np.arange(3)


def _compact(h5py):
    # h5py has no keyword for the compact layout: a dcpl does it
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    dcpl.set_layout(h5py.h5d.COMPACT)
    return {"dcpl": dcpl}


def _nbit(f, h5py, name, data):
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    dcpl.set_chunk((5, 5))
    dcpl.set_filter(h5py.h5z.FILTER_NBIT, h5py.h5z.FLAG_OPTIONAL)
    tid = h5py.h5t.STD_I32LE.copy()
    tid.set_precision(12)
    did = h5py.h5d.create(f.id, name.encode(), tid, h5py.h5s.create_simple(data.shape), dcpl=dcpl)
    did.write(h5py.h5s.ALL, h5py.h5s.ALL, data)


def build_links(path, h5py):
    with h5py.File(path, "w") as f:
        f["data"] = np.arange(5)
        f["group/inner"] = np.arange(3.0)
        f["soft"] = h5py.SoftLink("/data")
        f["dangling"] = h5py.SoftLink("/nowhere")
        f["external"] = h5py.ExternalLink("links_target.h5", "/target")
        f["external_dangling"] = h5py.ExternalLink("no_such_file.h5", "/x")
        f["hard_again"] = f["data"]
        f["group/loop"] = f["group"]
    with h5py.File(os.path.join(os.path.dirname(path), "links_target.h5"), "w") as g:
        g["target"] = np.arange(4, dtype="u2")


def build_attrs(path, h5py):
    with h5py.File(path, "w", libver="v110", track_order=True) as f:
        for i in range(20):
            f.create_group(f"g{i:02d}")
        dense = f["g00"]
        for i in range(12):
            dense.attrs[f"a{11 - i:02d}"] = np.arange(i + 1)
        d = f.create_dataset("d", data=np.arange(4.0))
        d.attrs["int"] = 5
        d.attrs["float"] = 2.5
        d.attrs["vlen_str"] = "hello"
        d.attrs["fixed_str"] = np.bytes_("fixed")
        d.attrs["str_array"] = np.array([b"ab", b"cd"], dtype="S2")
        d.attrs["ints"] = np.arange(4, dtype=">u2")
        d.attrs["matrix"] = np.arange(6.0).reshape(2, 3)
        d.attrs["empty"] = h5py.Empty("i4")
        d.attrs["ref"] = f["g01"].ref
        d.attrs["cmp"] = np.array((1, 2.0), dtype=[("a", "i4"), ("b", "f8")])
        d.attrs.create("enum", 1, dtype=h5py.enum_dtype({"OFF": 0, "ON": 1}, basetype="u1"))
        d.attrs["vlen_list"] = np.array(["x", "yy"], dtype=h5py.string_dtype())
        f.attrs["root_attr"] = "root"


def build_vds(path, h5py):
    base = os.path.dirname(path)
    for i in range(3):
        with h5py.File(os.path.join(base, f"vds_src{i}.h5"), "w") as s:
            s["data"] = np.full((6,), i, dtype="i4")
    layout = h5py.VirtualLayout(shape=(3, 6), dtype="i4")
    for i in range(3):
        layout[i] = h5py.VirtualSource(f"vds_src{i}.h5", "data", shape=(6,))
    with h5py.File(path, "w", libver="v110") as f:
        f.create_virtual_dataset("vds", layout, fillvalue=-1)


def build_refs(path, h5py):
    with h5py.File(path, "w") as f:
        d = f.create_dataset("grid", data=np.arange(100, dtype="i4").reshape(10, 10))
        g = f.create_group("grp")
        refs = np.array([d.ref, g.ref, h5py.Reference()], dtype=h5py.ref_dtype)
        f.create_dataset("objrefs", data=refs)
        regs = np.array([d.regionref[1:3, 2:5], d.regionref[[0, 4, 9], :],
                         d.regionref[...]], dtype=h5py.regionref_dtype)
        f.create_dataset("regrefs", data=regs)
        sp = d.id.get_space()
        sp.select_elements(np.array([[0, 0], [5, 5], [9, 1]]))
        pts = h5py.h5r.create(f.id, b"grid", h5py.h5r.DATASET_REGION, sp)
        f.create_dataset("pointref", data=np.array([pts], dtype=h5py.regionref_dtype))


def build_misc(path, h5py):
    """Earliest format (v1 B-tree chunk index), creation order tracked at the root."""
    with h5py.File(path, "w", track_order=True) as f:
        f.create_group("zeta")
        f.create_group("alpha")
        f["alpha/x"] = np.arange(30, dtype="f8").reshape(3, 10)
        f["alpha/long"] = np.arange(100, dtype="i8")
        f["alpha/text"] = np.array([b"line one", b"two"], dtype="S8")
        f["mid"] = np.int32(7)
        f.create_dataset("btree_v1", data=np.arange(64, dtype="u2").reshape(8, 8),
                         chunks=(3, 3), compression="gzip", shuffle=True, fletcher32=True)
        f.attrs["title"] = "misc"


def build_wrap(path, h5py):
    """Values whose output wraps: long rows, compounds, repeated characters, floats."""
    with h5py.File(path, "w") as f:
        d = f.create_dataset("d", data=np.arange(3))
        d.attrs["long"] = np.arange(40)
        d.attrs["mat"] = np.arange(30).reshape(3, 10) * 1.5
        d.attrs["cmp"] = np.array([(i, i * 2.5, b"abc") for i in range(6)],
                                  dtype=[("a", "i4"), ("b", "f8"), ("c", "S3")])
        d.attrs["strs"] = np.array([b"x" * 30] * 5)
        f["cmp"] = np.array([(i, i * 2.5, b"abcdefghijkl", (i, i)) for i in range(8)],
                            dtype=[("alpha", "i4"), ("beta", "f8"), ("gamma", "S12"),
                                   ("delta", [("x", "i2"), ("y", "i2")])])
        f["rep"] = np.array([b"aaaaaaaaaaaaaaaaaaaab", b"xyz"])
        f["f4"] = np.array([0.1, 1 / 3, 2e-8, 123456789.0, -0.0], dtype="f4")
        f["f8"] = np.array([0.1, 1 / 3, 2e-8, 123456789.0, 1e300])
        f["wide"] = np.arange(2000, dtype="i4").reshape(4, 500)
        f["cube"] = np.arange(120, dtype="f4").reshape(2, 3, 20)


def build_names(path, h5py):
    """Names with spaces, quotes, tabs and non-ASCII characters; a long name."""
    with h5py.File(path, "w") as f:
        g = f.create_group("grüße und spaß")
        g['a "quoted" name'] = np.arange(3)
        g.attrs["attr with space"] = 1
        g.attrs["tab\there"] = 2.5
        f["long_name_" + "x" * 40] = np.arange(2)
        kinds = h5py.enum_dtype({"A B": 1, 'C"D': 2}, basetype="u1")
        f.create_dataset("en", data=np.array([1, 2, 3], "u1"), dtype=kinds)


def build_mixed(path, h5py):
    """Types inside types: compounds of vlen strings, string arrays and sequences, arrays of
    compounds, scalar compounds and strings, enum values no member names, an empty vlen
    string attribute, a committed type with an attribute, long strings that wrap."""
    with h5py.File(path, "w") as f:
        ct = np.dtype([("s", h5py.string_dtype()), ("arr", "S3", (2,)),
                       ("v", h5py.vlen_dtype("i4")), ("be", ">f4")])
        d = np.empty(2, dtype=ct)
        d[0] = ("hello", [b"ab", b"cd"], np.array([1, 2], "i4"), 1.5)
        d[1] = ("", [b"", b"xyz"], np.array([], "i4"), -2.25)
        f["cmpx"] = d
        f["nested"] = np.zeros(3, dtype=np.dtype([("p", [("x", "i2"), ("y", "i2")], (2,))]))
        f["scalar_cmp"] = np.array((1, 2.5), dtype=[("a", "i4"), ("b", "f8")])
        f["scalar_str"] = np.bytes_("fixed!")
        odd = h5py.enum_dtype({"ONE": 1, "TWO": 2}, basetype="i2")
        f.create_dataset("enum_odd", data=np.array([1, 7, 2], "i2"), dtype=odd)
        f.attrs.create("empty_vlen", h5py.Empty(h5py.string_dtype()))
        f["longstr"] = np.array([b"x" * 150, b"short"], dtype="S150")
        f["vlenstrs"] = np.array(["a" * 100, "b"], dtype=h5py.string_dtype())
        f["t/ctype"] = np.dtype("<i8")
        f["t/ctype"].attrs["note"] = "on a type"
        f["arr_of_cmp"] = np.zeros(2, dtype=np.dtype(([("a", "u1"), ("b", "u1")], (3,))))
        f["bool2d"] = np.eye(3, dtype=bool)
        f["i1data"] = np.array([72, 105, 33, 0, 10], dtype="i1")


def build_large(path, h5py):
    """Datasets larger than the tools' 1 MiB read buffer: read and printed in passes."""
    with h5py.File(path, "w") as f:
        f["rows"] = np.arange(200 * 700, dtype="f8").reshape(200, 700) / 7
        f["flat"] = np.arange(140_000, dtype="i8")


BUILDERS = {
    "types": build_types,
    "layouts": build_layouts,
    "links": build_links,
    "attrs": build_attrs,
    "vds": build_vds,
    "refs": build_refs,
    "misc": build_misc,
    "wrap": build_wrap,
    "codecs": build_codecs,
    "names": build_names,
    "mixed": build_mixed,
    "large": build_large,
}


def build_corpus(directory, h5py):
    """Write every corpus file into ``directory``; returns {theme: path}."""
    out = {}
    for name in CORPUS:
        path = os.path.join(str(directory), f"{name}.h5")
        BUILDERS[name](path, h5py)
        out[name] = path
    return out
