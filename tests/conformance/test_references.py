"""Object and region references, and ``Group.copy(expand_refs=...)``, through h5py and
h5pure alike."""

import re

import numpy as np
import pytest

from ._plain import dump, plain


def _file(lib, path):
    f = lib.File(path, "w")
    g = f.create_group("g")
    f.create_dataset("top", data=np.arange(20).reshape(4, 5))
    g.create_dataset("d", data=[5, 6, 7])
    f["t"] = np.dtype("i2")
    return f


REGIONS = [
    (slice(None),),
    (slice(1, 3), slice(0, 5, 2)),
    (2,),
    (1, 4),
    (slice(0, 4, 3), slice(1, 2)),
    (Ellipsis,),
    (np.array([[True, False, True, False, False]] * 4),),
    ([0, 2], slice(1, 3)),
    (slice(0, 0),),
    (slice(3, 1),),
]


@pytest.mark.parametrize("sel", REGIONS, ids=[repr(s)[:40] for s in REGIONS])
def test_region_references(compare, sel):
    def body(lib, path):
        with _file(lib, path) as f:
            d = f["top"]
            ref = d.regionref[sel]
            out = [
                type(ref).__name__, bool(ref), plain(d[ref]), f[ref].name, d.regionref.shape(ref),
                d.regionref.selection(ref), f["g"].regionref.selection(ref),
            ]  # fmt: skip
            d.attrs["r"] = ref
            f.create_dataset("refs", data=[ref, ref], dtype=lib.regionref_dtype)
        with lib.File(path, "r") as f:
            stored = f["refs"][0]
            out += [plain(f["top"][stored]), plain(f["top"][f["top"].attrs["r"]])]
            out.append(f["top"].regionref.selection(stored))
        return out

    compare(body)


REF_CALLS = {
    "object ref": lambda lib, f: (type(f["g"].ref).__name__, bool(f["g"].ref), f[f["g"].ref].name),
    "null ref": lambda lib, f: (bool(lib.Reference()), repr(lib.Reference())),
    "null regionref": lambda lib, f: (bool(lib.RegionReference()), repr(lib.RegionReference())),
    "deref null": lambda lib, f: f[lib.Reference()],
    "deref null region": lambda lib, f: f[lib.RegionReference()],
    "ref of type": lambda lib, f: f[f["t"].ref].name,
    "ref of root": lambda lib, f: f[f.ref].name,
    "group deref via group": lambda lib, f: f["g"][f["top"].ref].name,
    # (h5py compares references by identity; h5pure by target, so equality is not compared)
    "ref inequality": lambda lib, f: f["g"].ref == f["top"].ref,
    "ref hash": lambda lib, f: hash(f["g"].ref) == hash(f["g"].ref),
    "group regionref": lambda lib, f: f["g"].regionref[0],
    "file regionref": lambda lib, f: f.regionref[0],
    "region on other dataset": lambda lib, f: f["g/d"][f["top"].regionref[0]],
    "region out of range": lambda lib, f: f["top"].regionref[9],
    "region of scalar": lambda lib, f: (
        lambda d: (plain(d[d.regionref[()]]), d.regionref.selection(d.regionref[()]))
    )(f.create_dataset("s", data=3.5)),
    "deref after unlink": lambda lib, f: (
        lambda r: (f.__delitem__("g"), f[r].name)[1]
    )(f["g/d"].ref),
    "deref after move": lambda lib, f: (lambda r: (f.move("g", "h"), f[r].name)[1])(f["g/d"].ref),
    "deref anonymous": lambda lib, f: (lambda d: f[d.ref].name)(f.create_dataset(None, data=[1])),
    "ref dataset": lambda lib, f: plain(
        f.create_dataset("refs", data=[f["g"].ref, lib.Reference(), f["top"].ref],
                         dtype=lib.ref_dtype)[()], f),
    "ref attr": lambda lib, f: (f.attrs.__setitem__("r", f["g"].ref), f[f.attrs["r"]].name)[1],
    "ref attr array": lambda lib, f: (
        f.attrs.create("r", [f["g"].ref, f["top"].ref], dtype=lib.ref_dtype),
        plain(f.attrs["r"], f),
    )[1],
    "ref dtype read": lambda lib, f: (
        lambda d: (d.dtype, lib.check_ref_dtype(d.dtype) is lib.Reference)
    )(f.create_dataset("refs2", shape=(2,), dtype=lib.ref_dtype)),
    "unwritten refs": lambda lib, f: plain(
        f.create_dataset("refs3", shape=(2,), dtype=lib.ref_dtype)[()]
    ),
}


@pytest.mark.parametrize("case", REF_CALLS)
def test_object_references(compare, case):
    def body(lib, path):
        with _file(lib, path) as f:
            return REF_CALLS[case](lib, f)

    compare(body)


def _ref_tree(lib, path, chunked=True):
    f = _file(lib, path)
    g, t, d = f["g"], f["top"], f["g/d"]
    g.create_dataset("refs", data=[t.ref, d.ref, g.ref, lib.Reference()], dtype=lib.ref_dtype)
    if chunked:  # (libhdf5 2.0 fails to copy chunked references within one file)
        g.create_dataset(
            "crefs", data=[t.ref, d.ref], dtype=lib.ref_dtype, chunks=(1,), maxshape=(None,)
        )
    g.create_dataset("sref", data=f["t"].ref, dtype=lib.ref_dtype)
    g.attrs["aref"] = t.ref
    g.attrs.create("arefs", [d.ref, t.ref, lib.Reference()], dtype=lib.ref_dtype)
    d.attrs["self"] = d.ref
    g.create_dataset("rr", data=[t.regionref[1:3, ::2], d.regionref[1]], dtype=lib.regionref_dtype)
    return f


def _resolved(f, root):
    """Where each reference below ``root`` leads: (link, [target name or None]); copies
    named ``~obj_pointed_by_<address>`` are compared without their address."""

    def name(obj_ref):
        if not obj_ref:
            return None
        n = f[obj_ref].name
        return "~obj_pointed_by_#" if n and n.startswith("/~obj_pointed_by_") else n

    out = []
    for path in ("refs", "crefs", "sref", "rr"):
        if path in f[root]:
            vals = np.asarray(f[root][path][()], dtype=object).reshape(-1)
            out.append((path, [name(r) for r in vals]))
            if path == "rr":
                out.append([plain(f[r][r]) if r else None for r in vals])
    for obj, attr in ((root, "aref"), (root, "arefs"), (f"{root}/d", "self")):
        if obj in f and attr in f[obj].attrs:
            vals = np.asarray(f[obj].attrs[attr], dtype=object).reshape(-1)
            out.append((attr, [name(r) for r in vals]))
    out.append(sorted(n if not n.startswith("~obj") else "~obj" for n in f))
    return out


@pytest.mark.parametrize("expand", [False, True])
@pytest.mark.parametrize("where", ["same file", "other file"])
def test_copy_expand_refs(compare, expand, where):
    def body(lib, path):
        with _ref_tree(lib, path, chunked=where != "same file") as f:
            if where == "same file":
                f.copy("g", "g2", expand_refs=expand)
                return _resolved(f, "g2"), _resolved(f, "g")
            with lib.File(path.with_suffix(".dst.h5"), "w") as dst:
                f.copy("g", dst, expand_refs=expand)
                f.copy("top", dst, name="top_copy", expand_refs=expand)
                return _resolved(dst, "g"), len(dst), sorted(dst)[-1][:4]

    compare(body)


def test_copy_expand_refs_result_reads_in_h5py(h5py, tmp_path):
    """h5py reads h5pure's expanded copy as it reads its own."""
    import h5pure

    seen = {}
    for lib in (h5py, h5pure):
        p = tmp_path / lib.__name__ / "src.h5"
        p.parent.mkdir()
        _ref_tree(lib, p).close()
        with lib.File(p, "r") as f, lib.File(p.with_name("dst.h5"), "w") as dst:
            f.copy("g", dst, expand_refs=True)
            f.copy(f["g/d"], dst, name="d_again", expand_refs=True)
        with h5py.File(p.with_name("dst.h5"), "r") as dst:
            items = [_resolved(dst, "g"), *dump(dst)]
            seen[lib.__name__] = sorted(re.sub(r"_by_\d+", "_by_#", repr(i)) for i in items)
    assert seen["h5pure"] == seen["h5py"]


def test_region_reference_into_object_references_refused(compare):
    """libhdf5 cannot convert a region reference to an object reference: h5py's
    TypeError, and nothing written."""

    def body(lib, path):
        with lib.File(path, "w") as f:
            d = f.create_dataset("a", data=np.arange(5))
            r = f.create_dataset("r", (1,), dtype=lib.ref_dtype)
            r[0] = d.regionref[:2]

    outcome = compare(body)
    assert outcome[0] == "raises" and isinstance(outcome[1], TypeError)
