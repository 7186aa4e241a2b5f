"""Group behaviour: paths, membership, get(), links, visiting; h5py is the oracle."""

import numpy as np
import pytest

import h5pure


@pytest.fixture
def linked(tmp_path, h5py):
    path = tmp_path / "links.h5"
    ext = tmp_path / "other.h5"
    with h5py.File(ext, "w") as e:
        e["inside/data"] = np.arange(3)
    with h5py.File(path, "w") as f:
        f.create_group("a/b/c")
        f["a/b/d"] = np.arange(5)
        f["soft"] = h5py.SoftLink("/a/b")
        f["rel"] = h5py.SoftLink("b/d")
        f["a/rel"] = h5py.SoftLink("b/d")
        f["dangling"] = h5py.SoftLink("/nowhere")
        f["ext"] = h5py.ExternalLink(str(ext), "/inside")
        f["hard"] = f["a/b/d"]
    return path


def _same(a, b):
    assert type(a).__name__ == type(b).__name__
    if hasattr(b, "path"):
        assert a.path == b.path


NAMES = [
    "a",
    "a/b",
    "/a/b/c",
    "a/b/d",
    "soft",
    "soft/d",
    "a/rel",
    "dangling",
    "ext",
    "ext/data",
    "hard",
    "nope",
    "a/nope",
    "a/b/d/x",
    "/",
    ".",
]


@pytest.mark.parametrize("name", NAMES)
def test_getitem_contains_get(linked, name):
    import h5py

    with h5py.File(linked, "r") as theirs, h5pure.File(linked, "r") as ours:
        assert (name in ours) == (name in theirs)
        try:
            t = theirs[name]
        except KeyError:
            with pytest.raises(KeyError):
                ours[name]
        else:
            o = ours[name]
            assert type(o).__name__ == type(t).__name__
            assert o.name == t.name
        if name not in ("/", "."):
            for kw in (
                {},
                {"getclass": True},
                {"getlink": True},
                {"getclass": True, "getlink": True},
            ):
                try:
                    t = theirs.get(name, "default", **kw)
                except Exception as e:  # noqa: BLE001
                    with pytest.raises(type(e)):
                        ours.get(name, "default", **kw)
                    continue
                o = ours.get(name, "default", **kw)
                if isinstance(t, type):
                    assert o.__name__ == t.__name__
                elif isinstance(t, str):
                    assert o == t
                else:
                    _same(o, t)


def test_iteration_and_views(linked):
    import h5py

    with h5py.File(linked, "r") as theirs, h5pure.File(linked, "r") as ours:
        assert list(ours) == list(theirs)
        assert list(ours.keys()) == list(theirs.keys())
        assert len(ours) == len(theirs)
        assert [k for k, _ in ours["a"].items()] == [k for k, _ in theirs["a"].items()]
        assert repr(ours["a"]) == repr(theirs["a"])


def test_visit_matches_h5py(linked):
    import h5py

    with h5py.File(linked, "r") as theirs, h5pure.File(linked, "r") as ours:
        seen_t, seen_o = [], []
        theirs.visit(seen_t.append)
        ours.visit(seen_o.append)
        assert seen_o == seen_t
        links_t, links_o = [], []
        theirs.visit_links(links_t.append)
        ours.visit_links(links_o.append)
        assert links_o == links_t
        kinds_t, kinds_o = [], []
        theirs.visititems_links(lambda n, link: kinds_t.append((n, type(link).__name__)))
        ours.visititems_links(lambda n, link: kinds_o.append((n, type(link).__name__)))
        assert kinds_o == kinds_t
        # a callback's non-None return value stops the walk and is returned
        assert ours.visit(lambda n: n if n.endswith("c") else None) == theirs.visit(
            lambda n: n if n.endswith("c") else None
        )


def test_parent_file_identity(linked):
    with h5pure.File(linked, "r") as f:
        d = f["a/b/d"]
        assert d.parent.name == "/a/b"
        assert d.file == f
        assert f["hard"] == d
        assert hash(f["hard"]) == hash(d)
        assert f["a"] != d
        assert f["ext/data"].file != f
        np.testing.assert_array_equal(f["ext/data"][...], np.arange(3))


def test_track_order(tmp_path, h5py):
    path = tmp_path / "order.h5"
    names = ["zz", "b", "a", "yy", "c"] + [f"n{i}" for i in range(20, 0, -1)]
    with h5py.File(path, "w", track_order=True) as f:
        for n in names:
            f.create_group(n)
            f.attrs[n] = 1
    with h5py.File(path, "r") as theirs, h5pure.File(path, "r") as ours:
        assert list(ours) == list(theirs)
        assert list(ours.attrs) == list(theirs.attrs)


def test_dereference(tmp_path, h5py):
    path = tmp_path / "refs.h5"
    with h5py.File(path, "w") as f:
        f["g/data"] = np.arange(3)
        f.attrs["r"] = f["g/data"].ref
    with h5pure.File(path, "r") as f:
        obj = f[f.attrs["r"]]
        assert obj.name == "/g/data"
        np.testing.assert_array_equal(obj[...], np.arange(3))
        assert obj == f["g/data"]
        assert f["g"].ref.address == f["g"].id.address
