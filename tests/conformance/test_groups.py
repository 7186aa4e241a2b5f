"""Groups: the same calls through h5py and h5pure give the same results and errors."""

import numpy as np
import pytest

from ._plain import dump, plain


def _tree(lib, path, track_order=None, **kw):
    """A small tree with every kind of link, attributes, a shared object and a named type."""
    f = lib.File(path, "w", track_order=track_order, **kw)
    g = f.create_group("g")
    g.attrs["ga"] = np.arange(3)
    sub = g.create_group("sub")
    sub.attrs["s"] = "text"
    d = g.create_dataset("d", data=np.arange(12, dtype="i2").reshape(3, 4), chunks=(2, 2))
    d.attrs["units"] = "m"
    sub["d_again"] = d  # a second hard link to d
    g["soft"] = lib.SoftLink("/g/sub")
    g["dangling"] = lib.SoftLink("/nowhere")
    g["ext"] = lib.ExternalLink("other.h5", "/x")
    f["t"] = np.dtype("<f4")
    g.create_dataset("typed", data=np.ones(2, "f4"), dtype=f["t"])
    f.create_dataset("top", data=[1, 2, 3])
    g.create_dataset("empty", data=lib.Empty("f8"))
    return f


def _other(lib, path):
    with lib.File(path.parent / "other.h5", "w") as o:
        o.create_dataset("x", data=np.arange(5.0))
        o["x"].attrs["in"] = "other"


COPIES = {
    "dataset": lambda f: f.copy("g/d", "dcopy"),
    "dataset obj": lambda f: f.copy(f["g/d"], f, name="named"),
    "dataset into group": lambda f: f.copy("top", f["g/sub"]),
    "group deep": lambda f: f.copy("g", "g2"),
    "group into group": lambda f: f.copy(f["g"], f.create_group("h")),
    "group name": lambda f: f.copy("g", f, name="n/e/w"),
    "shallow": lambda f: f.copy("g", "g2", shallow=True),
    "expand soft": lambda f: f.copy("g", "g2", expand_soft=True),
    "without attrs": lambda f: f.copy("g", "g2", without_attrs=True),
    "named type": lambda f: f.copy("t", "t2"),
    "root": lambda f: f.copy("/", "rootcopy"),
    "existing": lambda f: f.copy("g/d", "top"),
    "missing source": lambda f: f.copy("nothing", "x"),
    "dest dataset": lambda f: f.copy("g", f["top"]),
    "expand external": lambda f: f.copy("g", "g2", expand_external=True),
}


@pytest.mark.parametrize("case", COPIES)
def test_copy_within_file(compare, case):
    def body(lib, path):
        _other(lib, path)
        with _tree(lib, path) as f:
            COPIES[case](f)
            return dump(f)

    compare(body)


@pytest.mark.parametrize("case", ["plain", "shallow", "expand_soft", "without_attrs"])
def test_copy_across_files(compare, case):
    def body(lib, path):
        kw = {} if case == "plain" else {case: True}
        with _tree(lib, path) as f, lib.File(path.with_suffix(".dst.h5"), "w") as dst:
            f.copy("g", dst, **kw)
            f.copy(f["top"], dst["g"], name="top_here", **kw)
            dst.copy(f["g/sub"], "sub_copy", **kw)
            return dump(dst)

    compare(body)


def test_copy_result_reads_in_h5py(h5py, tmp_path):
    """What h5pure copies, h5py reads as it reads its own copy."""
    import h5pure

    out = {}
    for lib in (h5py, h5pure):
        p = tmp_path / lib.__name__ / "f.h5"
        p.parent.mkdir()
        _other(lib, p)
        with _tree(lib, p) as f:
            f.copy("g", "g2")
            f.copy("g", "g3", shallow=True, without_attrs=True)
        with h5py.File(p, "r") as f:
            out[lib.__name__] = dump(f)
    assert out["h5pure"] == out["h5py"]


def test_copy_shares_objects_reached_twice(compare):
    def body(lib, path):
        with _tree(lib, path) as f:
            f.copy("g", "g2")
            return (f["g2/d"] == f["g2/sub/d_again"], f["g2/d"] == f["g/d"])

    compare(body)


MOVES = {
    "rename": lambda f: f.move("g/d", "g/e"),
    "to other group": lambda f: f.move("top", "g/sub/top"),
    "group": lambda f: f.move("g", "h"),
    "soft link": lambda f: f.move("g/soft", "soft2"),
    "into new groups": lambda f: f.move("top", "a/b/top"),
    "same": lambda f: f.move("top", "top"),
    "missing": lambda f: f.move("nothing", "x"),
    "onto existing": lambda f: f.move("top", "g"),
    "relative in group": lambda f: f["g"].move("d", "sub/moved"),
}


@pytest.mark.parametrize("case", MOVES)
def test_move(compare, case):
    def body(lib, path):
        with _tree(lib, path) as f:
            MOVES[case](f)
            return dump(f)

    compare(body)


def test_move_read_only(compare):
    def body(lib, path):
        _tree(lib, path).close()
        with lib.File(path, "r") as f:
            f.move("top", "x")

    compare(body)


@pytest.mark.parametrize("track_order", [None, True])
def test_visit_functions(compare, track_order):
    def body(lib, path):
        with _tree(lib, path, track_order=track_order) as f:
            f.create_group("b_late")
            f.create_group("a_late")
            out = []
            f.visit(out.append)
            f.visititems(lambda n, o: out.append((n, type(o).__name__)))
            f.visit_links(out.append)
            f.visititems_links(lambda n, link: out.append((n, type(link).__name__)))
            f["g"].visit_links(out.append)
            out.append(f.visit(lambda n: n if n.endswith("sub") else None))
            out.append(f.visit_links(lambda n: n if "soft" in n else None))
            out.append(f["g"].visititems_links(lambda n, link: plain(link.__class__)))
            return out

    compare(body)


GETS = [
    ("g", {}),
    ("g/d", {"getclass": True}),
    ("t", {"getclass": True}),
    ("g", {"getclass": True}),
    ("g/soft", {"getlink": True}),
    ("g/soft", {"getlink": True, "getclass": True}),
    ("g/ext", {"getlink": True}),
    ("g/ext", {"getlink": True, "getclass": True}),
    ("g/d", {"getlink": True}),
    ("g/d", {"getlink": True, "getclass": True}),
    ("g/dangling", {}),
    ("g/dangling", {"getlink": True}),
    ("g/dangling", {"getclass": True}),
    ("g/ext", {}),
    ("missing", {}),
    ("missing", {"getclass": True}),
    ("missing", {"getlink": True}),
    ("missing/deeper", {"getlink": True}),
    ("/", {"getlink": True}),
    ("/", {"getclass": True}),
    ("g/soft/d_again", {"getclass": True}),
]


@pytest.mark.parametrize("name,kw", GETS, ids=[f"{n}-{sorted(k)}" for n, k in GETS])
def test_get(compare, name, kw):
    def body(lib, path):
        with _tree(lib, path) as f:
            v = f.get(name, "DEFAULT", **kw)
            if isinstance(v, type):
                return ("class", v.__name__)
            if type(v).__name__ in ("SoftLink", "ExternalLink", "HardLink"):
                return (type(v).__name__, getattr(v, "path", None), getattr(v, "filename", None))
            return v

    compare(body)


MEMBERSHIP = [
    "g", "/g", "g/", "g/d", "/g/sub/d_again", "g/soft", "g/soft/d_again", "g/dangling",
    "g/dangling/x", "g/ext", "missing", "missing/x", "", "/", ".", "g/.", "./g", b"g", "top/x",
    "g//d", 3,
]  # fmt: skip


@pytest.mark.parametrize("name", MEMBERSHIP, ids=repr)
def test_contains(compare, name):
    def body(lib, path):
        with _tree(lib, path) as f:
            return (name in f, name in f["g"])

    compare(body)


@pytest.mark.parametrize("track_order", [None, False, True])
def test_iteration_order(compare, track_order):
    def body(lib, path):
        with lib.File(path, "w", track_order=track_order) as f:
            names = ["zeta", "alpha", "Mid", "b2", "b10", "_x", "é"]
            for n in names:
                f.create_group(n)
            g = f.create_group("inner", track_order=not track_order)
            for n in names:
                g[n] = 1
            del f["b2"]
            f.create_group("b2")
            return (list(f), list(f.keys()), list(g), [k for k, _ in g.items()], len(f))

    compare(body)


def test_iteration_order_after_reopen(compare):
    def body(lib, path):
        with lib.File(path, "w", track_order=True) as f:
            for n in ["c", "a", "b"]:
                f.create_group(n).attrs[n] = 1
        with lib.File(path, "r") as f:
            return list(f), list(f["a"].attrs)

    compare(body)


REQUIRES = {
    "new": lambda f: f.require_group("new").name,
    "nested": lambda f: f.require_group("x/y/z").name,
    "existing": lambda f: f.require_group("g") == f["g"],
    "dataset there": lambda f: f.require_group("top"),
    "soft to group": lambda f: f.require_group("g/soft").name,
    "dangling": lambda f: f.require_group("g/dangling"),
    "create existing": lambda f: f.create_group("g"),
    "create under dataset": lambda f: f.create_group("top/x"),
    "create empty": lambda f: f.create_group(""),
    "create bad type": lambda f: f.create_group(3),
}


@pytest.mark.parametrize("case", REQUIRES)
def test_require_and_create_group(compare, case):
    def body(lib, path):
        with _tree(lib, path) as f:
            return REQUIRES[case](f)

    compare(body)


DELETES = {
    "dataset": lambda f: f.__delitem__("top"),
    "group": lambda f: f.__delitem__("g"),
    "nested": lambda f: f.__delitem__("g/sub/d_again"),
    "soft": lambda f: f.__delitem__("g/soft"),
    "dangling": lambda f: f.__delitem__("g/dangling"),
    "external": lambda f: f.__delitem__("g/ext"),
    "missing": lambda f: f.__delitem__("missing"),
    "missing parent": lambda f: f.__delitem__("missing/x"),
    "through soft": lambda f: f.__delitem__("g/soft/d_again"),
}


@pytest.mark.parametrize("case", DELETES)
def test_delete(compare, case):
    def body(lib, path):
        with _tree(lib, path) as f:
            DELETES[case](f)
            return dump(f)

    compare(body)


def test_delete_read_only_and_reopen(compare):
    def body(lib, path):
        _tree(lib, path).close()
        with lib.File(path, "r") as f:
            try:
                del f["top"]
            except Exception as e:  # noqa: BLE001
                err = type(e).__mro__
        with lib.File(path, "a") as f:
            del f["g/d"]
            del f["g/sub/d_again"]
        with lib.File(path, "r") as f:
            return [c.__name__ for c in err if c.__module__ == "builtins"], dump(f)

    compare(body)


NAMES = {
    "name": lambda f: [f[p].name for p in ("g", "g/sub", "/g/sub/d_again", "g/soft", "t")],
    "parent": lambda f: [f[p].parent.name for p in ("g", "g/sub", "g/d", "g/soft/d_again")],
    "root parent": lambda f: (f.parent.name, f["/"].parent.name),
    "file": lambda f: [f[p].file == f for p in ("g", "g/d", "t")],
    "file class": lambda f: type(f["g/d"].file).__name__,
    "relative": lambda f: f["g"]["sub"].name,
    "dot": lambda f: (f["g"]["."].name, f["g/."].name),
    "getitem missing": lambda f: f["nothing"],
    "getitem through dataset": lambda f: f["top/x"],
    "getitem bad type": lambda f: f[3],
    "getitem dangling": lambda f: f["g/dangling"],
    "getitem external": lambda f: f["g/ext"].name,
    "getitem external missing": lambda f: f["g"].__delitem__("ext") or f["g/ext"],
    "getitem bytes": lambda f: f[b"g"].name,
    "ext name": lambda f: (f["g/ext"].name, f["g/ext"].file.filename.endswith("other.h5")),
    "repr": lambda f: (repr(f["g"]), repr(f["g/d"])[:22], repr(f["t"])),
    "len": lambda f: (len(f), len(f["g"])),
    "keys str": lambda f: [
        str(v).replace(f.filename.rsplit("/", 1)[-1], "F") for v in (f.keys(), f.values(), f.items())
    ],
    "views": lambda f: (
        "top" in f.keys(), f["top"] in f.values(), ("top", f["top"]) in f.items(), None in f["g"].values()
    ),
    "eq": lambda f: (f["g"] == f["/g"], f["g"] != f["top"], f["g/sub/d_again"] == f["g/d"]),
    "hash": lambda f: hash(f["g"]) == hash(f["/g"]),
    "bool": lambda f: (bool(f), bool(f["g"])),
    "values": lambda f: list(f.values()),
    "items": lambda f: [(k, type(v).__name__) for k, v in f["g"].items() if k != "ext"],
}


@pytest.mark.parametrize("case", NAMES)
def test_names_parents_files(compare, case):
    def body(lib, path):
        _other(lib, path)
        with _tree(lib, path) as f:
            return NAMES[case](f)

    compare(body)


SETITEMS = {
    "hard link": lambda f: f.__setitem__("h", f["g/d"]),
    "soft": lambda f: f.__setitem__("s", lib_soft(f)),
    "array": lambda f: f.__setitem__("arr", np.arange(3)),
    "scalar": lambda f: f.__setitem__("sc", 1.5),
    "list": lambda f: f.__setitem__("lst", [1, 2]),
    "dtype": lambda f: f.__setitem__("dt", np.dtype("i8")),
    "existing": lambda f: f.__setitem__("top", 1),
    "nested": lambda f: f.__setitem__("a/b/c", 1),
    "named type link": lambda f: f.__setitem__("t_again", f["t"]),
    "group link": lambda f: f.__setitem__("g_again", f["g"]),
}


def lib_soft(f):
    return type(f.get("g/soft", getlink=True))("/top")


@pytest.mark.parametrize("case", SETITEMS)
def test_setitem(compare, case):
    def body(lib, path):
        with _tree(lib, path) as f:
            SETITEMS[case](f)
            return dump(f)

    compare(body)


def test_track_order_groups(compare):
    def body(lib, path):
        with lib.File(path, "w") as f:
            a = f.create_group("a", track_order=True)
            b = f.create_group("b", track_order=False)
            for g in (a, b):
                for n in "qwerty":
                    g.create_group(n)
                    g.attrs[n] = 0
        with lib.File(path, "r") as f:
            return [(list(f[n]), list(f[n].attrs)) for n in "ab"]

    compare(body)
