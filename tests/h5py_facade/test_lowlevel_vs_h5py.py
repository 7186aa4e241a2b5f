"""The facade's low-level calls on files against h5py's: the same calls on a file of each
(h5py's through the real h5py, h5pure's through ``h5pure.h5py_facade`` without
installing), the same results and the same exception classes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import h5pure.h5py_facade as facade
from h5pure.h5py_facade._wrap import object_id

h5py = pytest.importorskip("h5py")


def ident(obj: Any) -> Any:
    """The low-level identifier of an object of either library (``obj.id`` of h5pure's
    objects is h5pure's own until the facade is installed)."""
    return obj.id if isinstance(obj, h5py.HLObject) else object_id(obj)


def error(exc: BaseException) -> type:
    """The builtin exception class ``exc`` is (h5pure's errors subclass them)."""
    return next(c for c in type(exc).__mro__ if c.__module__ == "builtins")


def outcome(fn: Callable[..., Any], *args: Any, **kwds: Any) -> Any:
    """What a call gives: its value, or the builtin class of what it raised."""
    try:
        return fn(*args, **kwds)
    except Exception as e:
        return error(e)


def both(tmp_path: Any, scenario: Callable[[Any, Any], Any], **file_kwds: Any) -> None:
    """Run ``scenario(mod, f)`` on a new file ``x.h5`` of h5py (``mod`` is h5py) and of
    h5pure (``mod`` is the facade), each in a directory of its own, and check they give
    the same."""
    results = []
    for mod, tag in ((h5py, "h5py"), (facade, "h5pure")):
        (tmp_path / tag).mkdir()
        with mod.File(tmp_path / tag / "x.h5", "w", **file_kwds) as f:
            results.append(scenario(mod, f))
    assert results[1] == results[0]


# -- h5a ----------------------------------------------------------------------------------
def _attributes(f: Any) -> tuple[Any, Any]:
    """A group tracking attribute creation order and one that does not, each with the
    attributes c, a, b, d (x made and deleted before d)."""
    tracked = f.create_group("t", track_order=True)
    plain = f.create_group("u")
    for obj in (tracked, plain):
        for name in ("c", "a", "b", "x"):
            obj.attrs[name] = np.int32(len(name))
        del obj.attrs["x"]
        obj.attrs["d"] = np.int64(2)
    return tracked, plain


def test_h5a_delete_needs_a_name_or_an_index(tmp_path):
    def scenario(mod, f):
        f.attrs["a"] = 1
        f.attrs["b"] = 2
        fid = ident(f)
        out = [
            outcome(mod.h5a.delete, fid),
            outcome(mod.h5a.delete, fid, b"a", 1),
            outcome(mod.h5a.delete, fid, index=5),
            outcome(mod.h5a.delete, fid, b"zz"),
            sorted(f.attrs),
        ]
        mod.h5a.delete(fid, index=0, order=1)  # the last by name
        out.append(sorted(f.attrs))
        mod.h5a.delete(fid, index=0)
        return [*out, sorted(f.attrs)]

    both(tmp_path, scenario)


@pytest.mark.parametrize("index_type", [0, 1])
@pytest.mark.parametrize("order", [0, 1, 2])
def test_h5a_index_orders(tmp_path, index_type, order):
    def scenario(mod, f):
        out = []
        for obj in _attributes(f):
            oid = ident(obj)
            names: list[bytes] = []
            mod.h5a.iterate(oid, names.append, index_type=index_type, order=order)
            out.append(names)
            out.append(
                [
                    mod.h5a.open(oid, index=i, index_type=index_type, order=order).name
                    for i in range(4)
                ]
            )
            found: list[bytes] = []
            mod.h5a.iterate(oid, found.append, 2, index_type=index_type, order=order)
            out.append(found)
        return out

    both(tmp_path, scenario)


def test_h5a_get_info_gives_the_creation_index(tmp_path):
    def scenario(mod, f):
        out = []
        for obj in _attributes(f):
            oid = ident(obj)
            for name in sorted(obj.attrs):
                info = mod.h5a.get_info(oid, name.encode())
                out.append((name, info.corder_valid, info.corder, info.cset, info.data_size))
            info = mod.h5a.get_info(mod.h5a.open(oid, b"d"))
            out.append((info.corder_valid, info.corder))
            info = mod.h5a.get_info(oid, index=0, index_type=1, order=1)
            out.append((info.corder_valid, info.corder))
            seen: list[Any] = []
            mod.h5a.iterate(oid, lambda n, i, seen=seen: seen.append((n, i.corder)), info=True)
            out.append(seen)
        return out

    both(tmp_path, scenario)


def test_h5a_argument_errors(tmp_path):
    def scenario(mod, f):
        f.attrs["a"] = 1
        f.attrs["b"] = 2
        empty = ident(f.create_group("g"))
        fid = ident(f)
        return [
            outcome(mod.h5a.open, fid),
            outcome(mod.h5a.open, fid, b"a", 1),
            outcome(mod.h5a.open, fid, index=5),
            outcome(mod.h5a.open, fid, index=0, index_type=5),
            outcome(mod.h5a.open, fid, b"zz"),
            outcome(mod.h5a.get_info, fid),
            outcome(mod.h5a.get_info, fid, b"a", 1),
            outcome(mod.h5a.get_info, fid, index=5),
            outcome(mod.h5a.get_info, fid, b"zz"),
            outcome(mod.h5a.iterate, fid, lambda n: None, 2),
            outcome(mod.h5a.iterate, fid, lambda n: None, -1),
            outcome(mod.h5a.iterate, fid, lambda n: None, index_type=5),
            outcome(mod.h5a.iterate, empty, lambda n: None, 0),
            outcome(mod.h5a.iterate, empty, lambda n: None, 1),
            outcome(mod.h5a.iterate, fid, lambda n: 0),
        ]

    both(tmp_path, scenario)


def test_h5a_get_type_reports_a_committed_type(tmp_path):
    def scenario(mod, f):
        f["t"] = np.dtype("<u8")
        f.attrs.create("named", 42, dtype=f["t"])
        f.attrs.create("own", 42, dtype="<u8")
        grp = f.create_group("g")
        grp.attrs.create("named", 7, dtype=f["t"])
        out = []
        for loc in (ident(f), ident(grp)):
            for name in (b"named", b"own"):
                if not mod.h5a.exists(loc, name):
                    continue
                tid = mod.h5a.open(loc, name).get_type()
                out.append((name, tid.committed(), tid == ident(f["t"]), tid.dtype))
        return out

    both(tmp_path, scenario)


# -- h5g / h5f ----------------------------------------------------------------------------
def _links(mod: Any, f: Any) -> None:
    """Groups c, a (with a/z, a/y), b, a dataset, soft links (one dangling), external
    links (one to this file, one to a missing file)."""
    for name in ("c", "a", "b"):
        f.create_group(name)
    f["a"].create_group("z")
    f["a"].create_group("y")
    f["ds"] = np.arange(3)
    f["s"] = mod.SoftLink("/a")
    f["dangling"] = mod.SoftLink("/nowhere")
    f["ext"] = mod.ExternalLink("missing.h5", "/path/x")
    f["self"] = mod.ExternalLink("x.h5", "/a")  # this file, beside it


@pytest.mark.parametrize("track_order", [False, True])
def test_file_id_is_a_group_id(tmp_path, track_order):
    def scenario(mod, f):
        _links(mod, f)
        fid = ident(f)
        out = [
            isinstance(fid, mod.h5g.GroupID),
            len(fid),
            list(fid),
            fid.get_num_objs(),
            [fid.get_objname_by_idx(i) for i in range(len(fid))],
            [outcome(fid.get_objtype_by_idx, i) for i in range(len(fid))],
            outcome(fid.get_objname_by_idx, 99),
            fid.get_linkval(b"s"),
            outcome(fid.get_linkval, b"ext"),
            outcome(fid.get_linkval, b"a"),
            outcome(fid.get_linkval, b"nope"),
            outcome(fid.get_linkval, b"nope/x"),
            [n in fid for n in (b"a", b"a/z", b"nope", b"s", b"dangling", b"ext")],
            fid.links.exists(b"a/z"),
        ]
        fid.link(b"a", b"hard")
        fid.link(b"/b", b"soft", mod.h5g.LINK_SOFT)
        fid.move(b"c", b"c2")
        fid.unlink(b"b")
        return [*out, sorted(f), f["hard"] == f["a"], f["soft"] == f["b"] if "b" in f else None]

    both(tmp_path, scenario, track_order=track_order)


# -- h5l / h5o ----------------------------------------------------------------------------
PATHS = [
    b"a",
    b"a/z",
    b"a/x",
    b"nope",
    b"nope/x",
    b"ds/x",
    b"dangling",
    b"dangling/x",
    b"ext",
    b"ext/x",
    b"self",
    b"self/z",
    b"s/z",
    b"s/x",
    b"/",
    b".",
    b"",
    b"a//z",
    b"./a",
    b"a/.",
    b"a/",
    b"/a/z",
    b"a/z/..",
]


def test_link_and_object_existence(tmp_path):
    def scenario(mod, f):
        _links(mod, f)
        fid = ident(f)
        return [
            (p, outcome(fid.links.exists, p), outcome(mod.h5o.exists_by_name, fid, p))
            for p in PATHS
        ]

    both(tmp_path, scenario)


@pytest.mark.parametrize("track_order", [False, True])
def test_link_info_and_values(tmp_path, track_order):
    def scenario(mod, f):
        _links(mod, f)
        f["ü"] = mod.ExternalLink("ü.h5", "/é")
        f["sé"] = mod.SoftLink("/é/x")
        fid = ident(f)
        out = []
        for name in sorted(f, key=lambda n: n.encode()):
            key = name.encode()
            info = fid.links.get_info(key)
            u = None if info.type == mod.h5l.TYPE_HARD else info.u
            out.append((name, info.type, info.corder_valid, info.corder, info.cset, u))
            out.append(outcome(fid.links.get_val, key))
        out.append(outcome(fid.links.get_info, b"nope"))
        out.append(outcome(fid.links.get_info, b"nope/x"))
        for path in (b"nope", b"/", b".", b"", b"a/.", b"a/"):
            out.append(outcome(lambda p: fid.links.get_info(p).type, path))
            out.append(outcome(fid.links.get_val, path))
        return out

    both(tmp_path, scenario, track_order=track_order)


@pytest.mark.parametrize("idx_type", [0, 1])
@pytest.mark.parametrize("order", [0, 1, 2])
def test_link_iteration_orders(tmp_path, idx_type, order):
    def scenario(mod, f):
        tracked = f.create_group("o", track_order=True)
        plain = f.create_group("p")
        for grp in (tracked, plain):
            for name in ("c", "a", "b"):
                grp.create_group(name)
            grp["c"].create_group("z")
            grp["c"].create_group("y")
            grp["b2"] = mod.SoftLink("/o")
        out = []
        for grp in (tracked, plain):
            links = ident(grp).links
            names: list[bytes] = []
            out.append(outcome(links.iterate, names.append, idx_type=idx_type, order=order))
            out.append(names)
            visited: list[bytes] = []
            out.append(links.visit(visited.append, idx_type=idx_type, order=order))
            out.append(visited)
        return out

    both(tmp_path, scenario)


def test_link_iteration_stops_and_resumes(tmp_path):
    def scenario(mod, f):
        _links(mod, f)
        links = ident(f).links
        infos: list[Any] = []
        return [
            links.iterate(lambda n: None, idx_type=0, order=0),
            links.iterate(lambda n: 0, idx_type=0, order=0),
            links.iterate(lambda n: n if n == b"b" else None, idx_type=0, order=0),
            links.iterate(lambda n: n if n == b"b" else None, idx_type=0, order=0, idx=3),
            outcome(links.iterate, lambda n: None, idx=9),
            outcome(links.iterate, lambda n: None, obj_name=b"nope"),
            links.iterate(lambda n: None, obj_name=b"a", idx_type=0, order=0),
            links.visit(lambda n: n if n == b"a/z" else None, idx_type=0, order=0),
            links.visit(lambda n: 0, idx_type=0, order=0),
            links.iterate(
                lambda n, i: infos.append((n, i.type, i.corder_valid)), info=True, order=0
            ),
            infos,
            links.visit(lambda n, i: n if i.type == mod.h5l.TYPE_SOFT else None, info=True),
        ]

    both(tmp_path, scenario)
