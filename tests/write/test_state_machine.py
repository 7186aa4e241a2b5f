"""A hypothesis state machine drives the writer: random sequences of create, write,
resize, delete, move, attribute and flush/reopen operations, checked against a Python model
of the file by h5pure and, after each reopen, by h5py (libhdf5) reading the closed file."""

from __future__ import annotations

import posixpath

import numpy as np
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

import h5pure

h5py = pytest.importorskip("h5py")

NAMES = ["a", "b", "c", "d"]
STR = h5pure.string_dtype()
DTYPES = [
    np.dtype("i1"),
    np.dtype("<i4"),
    np.dtype(">u2"),
    np.dtype("<i8"),
    np.dtype("<f4"),
    np.dtype("<f8"),
    np.dtype("bool"),
    np.dtype("S6"),
    STR,
    np.dtype([("x", "<i4"), ("y", "<f8")]),
]
WORDS = np.array(["", "ab", "héllo", "x" * 20, "zz"], dtype=object)
SETTINGS = settings(
    max_examples=30,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


# -- values -----------------------------------------------------------------------------
def random_array(rng: np.random.Generator, dtype: np.dtype, shape: tuple[int, ...]) -> np.ndarray:
    """Values of ``dtype`` (memory form: vlen strings as an object array of str)."""
    n = int(np.prod(shape, dtype=np.int64))
    if dtype.kind == "O":
        return WORDS[rng.integers(0, len(WORDS), n)].reshape(shape)
    if dtype.names:
        out = np.empty(shape, dtype=dtype)
        out["x"] = rng.integers(-1000, 1000, shape)
        out["y"] = rng.normal(size=shape)
        return out
    if dtype.kind == "b":
        return rng.integers(0, 2, shape).astype(bool)
    if dtype.kind == "S":
        return np.array([b"", b"q", b"abcdef", b"xyz"], dtype=dtype)[rng.integers(0, 4, n)].reshape(
            shape
        )
    if dtype.kind == "f":
        return rng.normal(scale=100, size=shape).astype(dtype)
    info = np.iinfo(dtype)
    values = rng.integers(info.min, info.max, shape, endpoint=True, dtype=dtype.newbyteorder("="))
    return values.astype(dtype)


def default_fill(dtype: np.dtype) -> object:
    if dtype.kind == "O":
        return ""
    return np.zeros((), dtype=dtype)[()]


def normalize(value: object, expected: np.ndarray) -> np.ndarray:
    """h5py returns vlen strings as bytes; the model keeps str."""
    if expected.dtype.kind != "O":
        return np.asarray(value)
    if isinstance(value, np.ndarray):
        arr = value
    else:
        arr = np.empty((), dtype=object)
        arr[()] = value
    out = np.empty(arr.shape, dtype=object)
    for i, v in np.ndenumerate(arr):
        out[i] = v.decode("utf-8") if isinstance(v, bytes) else v
    return out


def assert_same(actual: object, expected: np.ndarray, where: str) -> None:
    e = np.asarray(expected)
    a = normalize(actual, e)
    assert a.shape == e.shape, f"{where}: shape {a.shape} != {e.shape}"
    if e.dtype.names:
        assert a.dtype.names == e.dtype.names, where
        for name in e.dtype.names:
            np.testing.assert_array_equal(a[name], e[name], err_msg=where)
    else:
        np.testing.assert_array_equal(a, e, err_msg=where)


# -- the model -------------------------------------------------------------------------
class Node:
    def __init__(self, kind: str, **kw: object) -> None:
        self.kind = kind
        self.attrs: dict[str, np.ndarray] = {}
        self.__dict__.update(kw)


def check_against(f: object, nodes: dict[str, Node], who: str) -> None:
    """Every object of ``f`` (h5pure or h5py) matches the model, and nothing else exists."""
    seen = {"/"}
    f.visit(lambda name: seen.add("/" + name))  # type: ignore[attr-defined]
    assert seen == set(nodes), f"{who}: objects {sorted(seen)} != model {sorted(nodes)}"
    for path, node in nodes.items():
        obj = f[path]  # type: ignore[index]
        where = f"{who} {path}"
        assert sorted(obj.attrs) == sorted(node.attrs), where
        for name, value in node.attrs.items():
            assert_same(obj.attrs[name], value, f"{where} attr {name}")
        if node.kind == "group":
            assert not hasattr(obj, "shape"), where
            continue
        assert obj.dtype == node.data.dtype or (  # type: ignore[attr-defined]
            node.data.dtype.kind == "O" and obj.dtype.kind == "O"
        ), where
        assert obj.shape == node.data.shape, where  # type: ignore[attr-defined]
        assert obj.maxshape == node.maxshape, where  # type: ignore[attr-defined]
        assert obj.chunks == node.chunks, where
        assert_same(obj[()], node.data, where)


class WriterMachine(RuleBasedStateMachine):
    """The file under test and the model of what it must contain."""

    libver: str | None = None
    """The format h5pure writes new objects in (File's ``libver``)."""

    def __init__(self) -> None:
        super().__init__()
        import tempfile

        self.tmp = tempfile.TemporaryDirectory()
        self.path = posixpath.join(self.tmp.name, "sm.h5")
        self.nodes: dict[str, Node] = {"/": Node("group")}
        self.f: h5pure.File | None = None

    @initialize()
    def open_file(self) -> None:
        self.make_initial_file()
        self.f = h5pure.File(self.path, "a", libver=self.libver)

    def make_initial_file(self) -> None:
        pass  # "a" creates the file

    def teardown(self) -> None:
        if self.f is not None:
            self.f.close()
        self.tmp.cleanup()

    # -- helpers ---------------------------------------------------------------------
    def paths(self, kind: str | None = None) -> list[str]:
        return sorted(p for p, n in self.nodes.items() if kind is None or n.kind == kind)

    def draw_new_path(self, data: st.DataObject) -> str:
        parent = data.draw(st.sampled_from(self.paths("group")), label="parent")
        parts = data.draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=2), label="name")
        return posixpath.join(parent, *parts)

    def conflicts(self, path: str) -> bool:
        """Creating ``path`` fails: it exists, or a prefix of it is a dataset."""
        if path in self.nodes:
            return True
        parts = path.strip("/").split("/")
        for i in range(1, len(parts)):
            node = self.nodes.get("/" + "/".join(parts[:i]))
            if node is not None and node.kind != "group":
                return True
        return False

    def add_parents(self, path: str) -> None:
        parts = path.strip("/").split("/")
        for i in range(1, len(parts)):
            self.nodes.setdefault("/" + "/".join(parts[:i]), Node("group"))

    # -- rules -----------------------------------------------------------------------
    @rule(data=st.data())
    def create_group(self, data: st.DataObject) -> None:
        path = self.draw_new_path(data)
        if self.conflicts(path):
            with pytest.raises(ValueError):
                self.f.create_group(path)
            return
        g = self.f.create_group(path)
        assert g.name == path
        self.add_parents(path)
        self.nodes[path] = Node("group")

    @rule(data=st.data())
    def create_dataset(self, data: st.DataObject) -> None:
        path = self.draw_new_path(data)
        if self.conflicts(path):
            with pytest.raises(ValueError):
                self.f.create_dataset(path, (2,), "i4")
            return
        dtype = data.draw(st.sampled_from(DTYPES), label="dtype")
        rank = data.draw(st.integers(0, 3), label="rank")
        shape = tuple(data.draw(st.lists(st.integers(0, 6), min_size=rank, max_size=rank)))
        kw: dict[str, object] = {}
        chunks = None
        maxshape = shape
        if rank and data.draw(st.booleans(), label="chunked"):
            maxshape = tuple(
                data.draw(st.sampled_from([n, n + 3, None] if n else [3, None])) for n in shape
            )
            chunks = tuple(
                data.draw(st.integers(1, max(1, m if m is not None else 4))) for m in maxshape
            )
            kw.update(chunks=chunks, maxshape=maxshape)
            comp = data.draw(st.sampled_from([None, "gzip", "lzf"]), label="compression")
            if comp:
                kw["compression"] = comp
            if dtype.kind != "O" and data.draw(st.booleans(), label="shuffle"):
                kw["shuffle"] = True
            # libhdf5 refuses a mandatory filter (fletcher32) on variable-length data
            if dtype.kind != "O" and data.draw(st.booleans(), label="fletcher32"):
                kw["fletcher32"] = True
        fill = default_fill(dtype)
        if dtype.kind in "iufbS" and data.draw(st.booleans(), label="has fill"):
            seed = data.draw(st.integers(0, 2**32 - 1))
            fill = random_array(np.random.default_rng(seed), dtype, ())[()]
            kw["fillvalue"] = fill
        init = None
        if data.draw(st.booleans(), label="with data") and all(shape):
            seed = data.draw(st.integers(0, 2**32 - 1))
            init = random_array(np.random.default_rng(seed), dtype, shape)
            kw["data"] = init
        dset = self.f.create_dataset(path, shape, dtype=dtype, **kw)
        assert dset.shape == shape and dset.chunks == chunks
        model = np.empty(shape, dtype=dtype) if init is None else init.copy()
        if init is None:
            model[...] = fill
        self.add_parents(path)
        self.nodes[path] = Node("dataset", data=model, maxshape=maxshape, chunks=chunks, fill=fill)

    @rule(data=st.data())
    def write(self, data: st.DataObject) -> None:
        paths = self.paths("dataset")
        if not paths:
            return
        path = data.draw(st.sampled_from(paths), label="dataset")
        node = self.nodes[path]
        shape = node.data.shape
        key: list[object] = []
        fancy = False
        for n in shape:
            kinds = ["slice", "int"] if n else ["slice"]
            if n and not fancy:
                kinds += ["list", "mask"]
            kind = data.draw(st.sampled_from(kinds), label="index kind")
            if kind == "slice":
                start = data.draw(st.integers(0, n))
                stop = data.draw(st.integers(start, n))
                key.append(slice(start, stop, data.draw(st.integers(1, 3))))
            elif kind == "int":
                key.append(data.draw(st.integers(-n, n - 1)))
            elif kind == "list":
                fancy = True
                key.append(sorted(data.draw(st.sets(st.integers(0, n - 1), min_size=1))))
            else:
                fancy = True
                key.append(np.array(data.draw(st.lists(st.booleans(), min_size=n, max_size=n))))
        key_t = tuple(key)
        # h5py's selections are orthogonal and drop integer axes (numpy would move an
        # advanced axis to the front when an integer and a list are not adjacent)
        ortho = tuple(
            slice(k % n, k % n + 1) if isinstance(k, int) else k for k, n in zip(key, shape)
        )
        mshape = np.zeros(shape, dtype="u1")[ortho].shape
        out_shape = tuple(m for m, k in zip(mshape, key) if not isinstance(k, int))
        how = data.draw(st.sampled_from(["full", "scalar", "ones", "suffix"]), label="broadcast")
        if how == "scalar":
            vshape: tuple[int, ...] = ()
        elif how == "ones":
            vshape = tuple(1 if data.draw(st.booleans()) else n for n in out_shape)
        elif how == "suffix":
            vshape = out_shape[data.draw(st.integers(0, len(out_shape))) :]
        else:
            vshape = out_shape
        seed = data.draw(st.integers(0, 2**32 - 1))
        value = random_array(np.random.default_rng(seed), node.data.dtype, vshape)
        if vshape == () and node.data.dtype.kind == "O":
            value = value[()]  # a plain str
        self.f[path][key_t] = value
        node.data[ortho] = np.broadcast_to(value, out_shape).reshape(mshape)

    @rule(data=st.data())
    def resize(self, data: st.DataObject) -> None:
        paths = [p for p in self.paths("dataset") if self.nodes[p].chunks is not None]
        if not paths:
            return
        path = data.draw(st.sampled_from(paths), label="dataset")
        node = self.nodes[path]
        new = tuple(
            data.draw(st.integers(0, m if m is not None else n + 5))
            for n, m in zip(node.data.shape, node.maxshape)
        )
        self.f[path].resize(new)
        grown = np.empty(new, dtype=node.data.dtype)
        grown[...] = node.fill
        common = tuple(slice(0, min(a, b)) for a, b in zip(new, node.data.shape))
        grown[common] = node.data[common]
        node.data = grown

    @rule(data=st.data())
    def delete(self, data: st.DataObject) -> None:
        paths = self.paths()[1:]
        if not paths:
            return
        path = data.draw(st.sampled_from(paths), label="path")
        del self.f[path]
        for p in self.paths():
            if p == path or p.startswith(path + "/"):
                del self.nodes[p]

    @rule(data=st.data())
    def move(self, data: st.DataObject) -> None:
        paths = self.paths()[1:]
        if not paths:
            return
        src = data.draw(st.sampled_from(paths), label="source")
        dest = self.draw_new_path(data)
        if dest == src or dest.startswith(src + "/") or self.conflicts(dest):
            return
        self.f.move(src, dest)
        self.add_parents(dest)
        for p in self.paths():
            if p == src or p.startswith(src + "/"):
                self.nodes[dest + p[len(src) :]] = self.nodes.pop(p)

    @rule(data=st.data())
    def set_attribute(self, data: st.DataObject) -> None:
        path = data.draw(st.sampled_from(self.paths()), label="object")
        name = data.draw(st.sampled_from(["u", "v", "wide", "é"]), label="attribute")
        dtype = data.draw(st.sampled_from(DTYPES), label="attribute dtype")
        shape = tuple(data.draw(st.lists(st.integers(1, 4), max_size=2)))
        if name == "wide":
            shape = (50,)  # large attributes push the header into continuation chunks
        seed = data.draw(st.integers(0, 2**32 - 1))
        value = random_array(np.random.default_rng(seed), dtype, shape)
        self.f[path].attrs[name] = value
        self.nodes[path].attrs[name] = value

    @rule(data=st.data())
    def delete_attribute(self, data: st.DataObject) -> None:
        candidates = [(p, a) for p in self.paths() for a in self.nodes[p].attrs]
        if not candidates:
            return
        path, name = data.draw(st.sampled_from(candidates), label="attribute")
        del self.f[path].attrs[name]
        del self.nodes[path].attrs[name]

    # datasets are where most of the writer is: make creating and writing them likelier
    @rule(data=st.data())
    def create_another_dataset(self, data: st.DataObject) -> None:
        self.create_dataset(data)

    @rule(data=st.data())
    def write_again(self, data: st.DataObject) -> None:
        self.write(data)

    @rule(data=st.data())
    def resize_again(self, data: st.DataObject) -> None:
        self.resize(data)

    @rule()
    def flush(self) -> None:
        self.f.flush()

    @rule(mode=st.sampled_from(["a", "r+"]))
    def reopen(self, mode: str) -> None:
        self.f.close()
        self.f = None
        with h5py.File(self.path, "r") as theirs:
            check_against(theirs, self.nodes, "h5py")
        self.f = h5pure.File(self.path, mode, libver=self.libver)
        check_against(self.f, self.nodes, "h5pure after reopen")

    @invariant()
    def h5pure_view(self) -> None:
        if self.f is not None:
            check_against(self.f, self.nodes, "h5pure")


class H5pyStartsMachine(WriterMachine):
    """The same operations on a file h5py created (and filled) first."""

    h5py_libver = "earliest"

    def make_initial_file(self) -> None:
        with h5py.File(self.path, "w", libver=self.h5py_libver) as f:
            f.create_group("a/b")
            d = f.create_dataset(
                "a/d", data=np.arange(12.0).reshape(3, 4), chunks=(2, 2), maxshape=(None, 6)
            )
            d.attrs["u"] = np.arange(3)
            f.create_dataset("c", data=np.arange(5, dtype="i2"))
            f.create_dataset("b", data=np.array(["x", "yy"], dtype=object), dtype=STR)
            f.attrs["v"] = 2.5
        self.nodes["/a"] = Node("group")
        self.nodes["/a/b"] = Node("group")
        self.nodes["/a/d"] = Node(
            "dataset",
            data=np.arange(12.0).reshape(3, 4),
            maxshape=(None, 6),
            chunks=(2, 2),
            fill=0.0,
        )
        self.nodes["/a/d"].attrs["u"] = np.arange(3)
        self.nodes["/c"] = Node(
            "dataset", data=np.arange(5, dtype="i2"), maxshape=(5,), chunks=None, fill=0
        )
        self.nodes["/b"] = Node(
            "dataset",
            data=np.array(["x", "yy"], dtype=object),
            maxshape=(2,),
            chunks=None,
            fill="",
        )
        self.nodes["/"].attrs["v"] = np.float64(2.5)


class LatestMachine(WriterMachine):
    """h5pure writing the newest format (v2 headers, link messages, new chunk indexes)."""

    libver = "latest"


class H5pyLatestMachine(H5pyStartsMachine):
    """h5py's newest format modified by h5pure."""

    h5py_libver = "latest"
    libver = "latest"


TestWriterMachine = WriterMachine.TestCase
TestWriterMachine.settings = SETTINGS
TestH5pyStartsMachine = H5pyStartsMachine.TestCase
TestH5pyStartsMachine.settings = settings(SETTINGS, max_examples=15)
TestLatestMachine = LatestMachine.TestCase
TestLatestMachine.settings = settings(SETTINGS, max_examples=15)
TestH5pyLatestMachine = H5pyLatestMachine.TestCase
TestH5pyLatestMachine.settings = settings(SETTINGS, max_examples=10)
