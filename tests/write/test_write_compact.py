"""Compact datasets (the data inside the layout message) written as libhdf5 writes them.

The oracle: the same low-level calls (``h5d.create`` with a dataset creation property
list whose layout is ``COMPACT``, then writes through the high-level API) run through h5py
(libhdf5 2.0) and through h5pure's h5py facade with the same ``libver``.  The dataset's
object header must be byte-identical (prefix, every message, NIL padding, checksum); for
variable-length types, whose elements point into the global heap, the heap addresses and
object indices are masked and the values compared instead.  h5py reads our files as its
own, h5dump (libhdf5 1.10) dumps them as it dumps h5py's.
"""

from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pytest

import h5pure
import h5pure.inspect
from h5pure import h5py_facade
from h5pure.format.messages import MessageType, decode_message
from h5pure.format.object_header import read_object_header

h5py = pytest.importorskip("h5py")

LIBVERS = ("earliest", "v108", "v110", "v112", "v114", "v200", "latest")
STR = h5py.string_dtype()
RECORD = np.dtype([("a", "<i2"), ("b", "<f8"), ("s", "S3")])


def _libver(name: str) -> object:
    return name if name in ("earliest", "latest") else (name, "latest")


CASES = {
    "int": dict(dtype="<i4", shape=(4, 5), data=np.arange(20).reshape(4, 5)),
    "int-fill": dict(dtype="<i4", shape=(4, 5), fill=7),
    "int-fill-never": dict(dtype="<i4", shape=(4, 5), fill=7, fill_time=1),
    "int-fill-alloc": dict(dtype="<i4", shape=(4, 5), fill=7, fill_time=0),
    "odd-size": dict(dtype="u1", shape=(3,), data=np.array([1, 2, 3], "u1")),
    "scalar": dict(dtype="<f8", shape=(), fill=1.5, data=np.float64(2.25)),
    "big-endian": dict(dtype=">f4", shape=(6,), data=np.linspace(0, 1, 6)),
    "bool": dict(dtype="?", shape=(5,), data=np.array([1, 0, 1, 0, 1], bool)),
    "array": dict(dtype=np.dtype(("<i4", (2,))), shape=(3,), data=np.arange(6).reshape(3, 2)),
    "compound": dict(
        dtype=RECORD,
        shape=(2,),
        fill=np.array((9, 1.0, b"q"), RECORD),
        data=np.array([(1, 2.5, b"x"), (3, 4.5, b"yz")], RECORD),
    ),
    "fixed-string": dict(dtype="S4", shape=(3,), data=np.array([b"a", b"bcd", b"ef"])),
    "vlen-string": dict(
        dtype=STR, shape=(3,), data=np.array(["a", "bb", "ccc"], dtype=object), vlen=True
    ),
    "vlen-unwritten": dict(dtype=STR, shape=(2,), vlen=True),
    "zero-size": dict(dtype="<i4", shape=(0, 4)),
    "null": dict(dtype="<i4", shape=None),
    "attr-order": dict(dtype="<i8", shape=(3,), order=True, fill=-1, data=np.arange(3)),
}


def _modules(lib):
    return lib if lib is h5py else h5py_facade


def build(lib, path, libver, case):
    """The compact dataset ``/c`` of ``case`` made with libhdf5's low-level calls."""
    m = _modules(lib)
    with lib.File(path, "w", libver=_libver(libver)) as f:
        dcpl = m.h5p.create(m.h5p.DATASET_CREATE)
        dcpl.set_layout(m.h5d.COMPACT)
        dcpl.set_obj_track_times(False)
        if case.get("order"):
            dcpl.set_attr_creation_order(m.h5p.CRT_ORDER_TRACKED | m.h5p.CRT_ORDER_INDEXED)
        dtype = np.dtype(case["dtype"])
        if case.get("fill") is not None:
            dcpl.set_fill_value(np.array(case["fill"], dtype=dtype))
        if case.get("fill_time") is not None:
            dcpl.set_fill_time(case["fill_time"])
        shape = case["shape"]
        if shape is None:
            space = m.h5s.create(m.h5s.NULL)
        elif shape == ():
            space = m.h5s.create(m.h5s.SCALAR)
        else:
            space = m.h5s.create_simple(shape)
        tid = m.h5t.py_create(dtype, logical=True)
        m.h5d.create(f.id, b"c", tid, space, dcpl=dcpl)
        if case.get("data") is not None:
            f["c"][...] = case["data"]


def header_chunks(path, name="c"):
    """The raw bytes of every chunk of ``name``'s object header, and its messages."""
    with h5pure.File(path, "r") as f:
        fs = f._state
        header = read_object_header(fs.source, fs.ctx, f[name]._info.address)
        raw = [fs.source.read(c.address, c.size) for c in header.chunks]
        layout = decode_message(header.first(MessageType.LAYOUT), fs.ctx)
        return raw, header, layout


def _masked_messages(header):
    """(type, flags, body) of every message, the global heap IDs in a vlen compact
    dataset's data zeroed (16-byte elements: length, collection address, index)."""
    out = []
    for m in header.messages:
        body = bytearray(m.data)
        if m.type == MessageType.LAYOUT:
            for start in range(4 + 4, len(body) - 4, 16):
                body[start : start + 12] = bytes(12)
        out.append((m.type, m.flags, bytes(body)))
    return out


@pytest.fixture(scope="module", params=sorted(CASES))
def case(request):
    return request.param, CASES[request.param]


@pytest.mark.parametrize("libver", LIBVERS)
def test_header_is_libhdf5s(tmp_path, case, libver):
    name, spec = case
    ours, theirs = tmp_path / "ours.h5", tmp_path / "theirs.h5"
    build(h5py, theirs, libver, spec)
    build(h5pure, ours, libver, spec)
    raw_ours, header_ours, layout = header_chunks(ours)
    raw_theirs, header_theirs, _ = header_chunks(theirs)
    assert layout.layout_class == "compact" and layout.version == 3
    if spec.get("vlen"):
        assert [len(r) for r in raw_ours] == [len(r) for r in raw_theirs]
        assert _masked_messages(header_ours) == _masked_messages(header_theirs)
    else:
        assert raw_ours == raw_theirs
    with h5py.File(ours, "r") as o, h5py.File(theirs, "r") as t:
        assert o["c"].id.get_create_plist().get_layout() == h5py.h5d.COMPACT
        assert o["c"].shape == t["c"].shape and o["c"].dtype == t["c"].dtype
        if spec["shape"] is not None:
            np.testing.assert_array_equal(o["c"][()], t["c"][()])
    with h5pure.File(theirs, "r") as t, h5pure.File(ours, "r") as o:
        if spec["shape"] is not None:
            np.testing.assert_array_equal(o["c"][()], t["c"][()])


def _overwrite(lib, path):
    with lib.File(path, "r+") as f:
        f["c"][1, 2:4] = [-1, -2]
        f["c"][3] = 99


@pytest.mark.parametrize("libver", ["earliest", "latest"])
def test_overwrites_rewrite_the_layout_message(tmp_path, libver):
    """Writes after the file was closed and reopened change the data in the header."""
    spec = CASES["int-fill"]
    ours, theirs = tmp_path / "ours.h5", tmp_path / "theirs.h5"
    for lib, path in ((h5py, theirs), (h5pure, ours)):
        build(lib, path, libver, spec)
        _overwrite(lib, path)
    assert header_chunks(ours)[0] == header_chunks(theirs)[0]
    with h5py.File(ours, "r") as f:
        expect = np.full((4, 5), 7)
        expect[1, 2:4] = [-1, -2]
        expect[3] = 99
        np.testing.assert_array_equal(f["c"][...], expect)


@pytest.mark.skipif(shutil.which("h5dump") is None, reason="Debian's hdf5-tools not installed")
@pytest.mark.parametrize("libver", ["earliest", "v108", "v110"])
def test_h5dump_dumps_ours_as_libhdf5s(tmp_path, case, libver):
    """h5dump -p (layout, fill value, allocation time and the data) gives the same text
    for our file as for libhdf5's."""
    name, spec = case
    ours, theirs = tmp_path / "ours.h5", tmp_path / "theirs.h5"
    build(h5py, theirs, libver, spec)
    build(h5pure, ours, libver, spec)
    outs = []
    for path in (ours, theirs):
        proc = subprocess.run(
            ["h5dump", "-p", "-d", "/c", path.name], capture_output=True, text=True, cwd=tmp_path
        )
        assert proc.returncode == 0, proc.stderr
        outs.append(proc.stdout.replace(path.name, "FILE"))
    assert "COMPACT" in outs[0]
    assert outs[0] == outs[1]


# -- limits and refusals -----------------------------------------------------------------


def _create_u1(lib, path, libver, n, **space):
    m = _modules(lib)
    with lib.File(path, "w", libver=libver) as f:
        dcpl = m.h5p.create(m.h5p.DATASET_CREATE)
        dcpl.set_layout(m.h5d.COMPACT)
        m.h5d.create(
            f.id, b"c", m.h5t.py_create(np.dtype("u1")), m.h5s.create_simple((n,), **space), dcpl
        )


def _outcome(lib, path, libver, n):
    try:
        _create_u1(lib, path, libver, n)
    except ValueError as e:
        return str(e)
    with h5py.File(path, "r") as f:
        return f["c"].id.get_create_plist().get_layout()


@pytest.mark.parametrize(
    "libver,n",
    [("latest", 65531), ("latest", 65532), ("latest", 65533), ("earliest", 65524)]
    + [("earliest", n) for n in (65532, 65533, 70000)],
)
def test_size_limit_as_libhdf5(tmp_path, libver, n):
    """The data and the 4 bytes before it must fit a message (65535 bytes), libhdf5's
    two refusals with their texts."""
    ours = _outcome(h5pure, tmp_path / "ours.h5", libver, n)
    theirs = _outcome(h5py, tmp_path / "theirs.h5", libver, n)
    assert ours == theirs


@pytest.mark.parametrize("n", [65525, 65528, 65531])
def test_v1_header_refuses_what_libhdf5_cannot_read_back(tmp_path, n):
    """In a version 1 header message sizes are padded to 8 bytes: libhdf5 writes 65525 to
    65531 bytes of compact data into a header it then cannot open; h5pure refuses them as
    libhdf5 refuses 65532."""
    with pytest.raises(ValueError, match=r"\(object header message is too large\)"):
        _create_u1(h5pure, tmp_path / "ours.h5", "earliest", n)
    _create_u1(h5py, tmp_path / "theirs.h5", "earliest", n)
    with h5py.File(tmp_path / "theirs.h5", "r") as f, pytest.raises(KeyError):
        f["c"]


def _refusal(lib, path, setup):
    m = _modules(lib)
    with lib.File(path, "w") as f:
        dcpl = m.h5p.create(m.h5p.DATASET_CREATE)
        dcpl.set_layout(m.h5d.COMPACT)
        space = setup(m, dcpl)
        with pytest.raises(ValueError) as info:
            m.h5d.create(f.id, b"c", m.h5t.py_create(np.dtype("<i4")), space, dcpl)
        assert "c" not in f
        return str(info.value)


REFUSALS = {
    "extendible": lambda m, dcpl: m.h5s.create_simple((4,), (8,)),
    "unlimited": lambda m, dcpl: m.h5s.create_simple((4,), (m.h5s.UNLIMITED,)),
    "filter": lambda m, dcpl: (dcpl.set_deflate(4), m.h5s.create_simple((4,)))[1],
    "late-allocation": lambda m, dcpl: (
        dcpl.set_alloc_time(m.h5d.ALLOC_TIME_LATE),
        m.h5s.create_simple((4,)),
    )[1],
}


@pytest.mark.parametrize("what", sorted(REFUSALS))
def test_refusals_are_libhdf5s(tmp_path, what):
    setup = REFUSALS[what]
    assert _refusal(h5pure, tmp_path / "ours.h5", setup) == _refusal(
        h5py, tmp_path / "theirs.h5", setup
    )


def test_layout_and_allocation_time_of_the_property_list():
    for m in (h5py, h5py_facade):
        dcpl = m.h5p.create(m.h5p.DATASET_CREATE)
        dcpl.set_layout(m.h5d.COMPACT)
        assert (dcpl.get_layout(), dcpl.get_alloc_time()) == (0, m.h5d.ALLOC_TIME_EARLY)
        dcpl.set_layout(m.h5d.CONTIGUOUS)  # the layout's own time until one is set
        assert dcpl.get_alloc_time() == m.h5d.ALLOC_TIME_LATE
        dcpl.set_alloc_time(m.h5d.ALLOC_TIME_EARLY)
        dcpl.set_layout(m.h5d.CHUNKED)
        assert dcpl.get_alloc_time() == m.h5d.ALLOC_TIME_EARLY
        dcpl.set_alloc_time(m.h5d.ALLOC_TIME_DEFAULT)
        assert dcpl.get_alloc_time() == m.h5d.ALLOC_TIME_INCR


def test_group_copy_keeps_compact_datasets(tmp_path):
    """``Group.copy`` (``H5Ocopy``) keeps the layout: a compact dataset stays compact."""
    path = tmp_path / "x.h5"
    build(h5pure, path, "earliest", CASES["compound"])
    with h5pure.File(path, "r+") as f:
        f.copy("c", "copy")
        other = h5pure.File(tmp_path / "y.h5", "w")
        with other:
            f.copy("c", other, "c")
    for p in (path, tmp_path / "y.h5"):
        with h5py.File(p, "r") as f:
            name = "copy" if p == path else "c"
            assert f[name].id.get_create_plist().get_layout() == h5py.h5d.COMPACT
            np.testing.assert_array_equal(f[name][...], CASES["compound"]["data"])


# -- Group.create_dataset(..., dcpl=) ----------------------------------------------------


def _layout_name(lib, dset):
    if lib is h5py:
        code = dset.id.get_create_plist().get_layout()
        return {0: "compact", 1: "contiguous", 2: "chunked"}[code]
    return h5pure.inspect.storage(dset).layout


def _compact_dcpl(m, fill=None, deflate=False):
    dcpl = m.h5p.create(m.h5p.DATASET_CREATE)
    dcpl.set_layout(m.h5d.COMPACT)
    if fill is not None:
        dcpl.set_fill_value(np.array(fill))
    if deflate:
        dcpl.set_deflate(4)
    return dcpl


CREATE_DATASET = {
    "data": (dict(data=np.arange(10)), {}),
    "scalar-gets-a-new-list": (dict(data=1.5), {}),
    "empty-gets-a-new-list": (dict(shape=None, dtype="<i4"), {}),
    "compression-makes-chunks": (dict(data=np.arange(10), compression="gzip"), {}),
    "maxshape-makes-chunks": (dict(data=np.arange(10), maxshape=(None,)), {}),
    "chunks": (dict(data=np.arange(10), chunks=(5,)), {}),
    "track-order": (dict(shape=(4,), dtype="<i4", track_order=True), {}),
    "fillvalue-keyword": (dict(shape=(4,), dtype="<i4", fillvalue=3), {}),
    "fill-value-of-the-list": (dict(shape=(3,), dtype="<i4"), dict(fill=5)),
    "too-large": (dict(data=np.zeros(70000, "u1")), {}),
    "filter-in-the-list": (dict(shape=(4,), dtype="<i4"), dict(deflate=True)),
}


def _create_with_dcpl(lib, path, kwds, listed):
    m = _modules(lib)
    with lib.File(path, "w") as f:
        try:
            dset = f.create_dataset("c", dcpl=_compact_dcpl(m, **listed), track_times=False, **kwds)
        except ValueError as e:
            assert "c" not in f
            return "ValueError", str(e)
        values = dset[()].tolist() if dset.shape is not None else None
        return _layout_name(lib, dset), values


@pytest.mark.parametrize("what", sorted(CREATE_DATASET))
def test_create_dataset_with_a_compact_dcpl_as_h5py(tmp_path, what):
    """h5py's ``create_dataset`` completes the list it is given: a compact layout stays
    unless a chunk shape is given or guessed; scalar and empty datasets get a new list."""
    kwds, listed = CREATE_DATASET[what]
    theirs = _create_with_dcpl(h5py, tmp_path / "theirs.h5", kwds, listed)
    ours = _create_with_dcpl(h5pure, tmp_path / "ours.h5", kwds, listed)
    assert ours == theirs
    if ours[0] == "compact":
        assert header_chunks(tmp_path / "ours.h5")[0] == header_chunks(tmp_path / "theirs.h5")[0]


# -- attributes after, and h5dump of the whole file --------------------------------------


@pytest.mark.parametrize("libver", ["earliest", "latest"])
@pytest.mark.parametrize("name", ["int", "scalar", "attr-order"])
def test_attributes_after_a_compact_dataset(tmp_path, libver, name):
    """Attributes added to a compact dataset (past the phase change to dense storage and
    back) leave its data alone; h5py reads both as it reads libhdf5's file.  (Where
    libhdf5 places attribute messages in the header is not matched byte for byte.)"""
    ours, theirs = tmp_path / "ours.h5", tmp_path / "theirs.h5"
    for lib, path in ((h5py, theirs), (h5pure, ours)):
        build(lib, path, libver, CASES[name])
        with lib.File(path, "r+") as f:
            for i in range(12):
                f["c"].attrs[f"a{i}"] = np.arange(i + 1)
            for i in range(1, 9):
                del f["c"].attrs[f"a{i}"]
            f["c"][...] = np.asarray(f["c"][...]) + 1
    with h5py.File(ours, "r") as o, h5py.File(theirs, "r") as t:
        assert o["c"].id.get_create_plist().get_layout() == h5py.h5d.COMPACT
        assert list(o["c"].attrs) == list(t["c"].attrs)
        for key in t["c"].attrs:
            np.testing.assert_array_equal(o["c"].attrs[key], t["c"].attrs[key])
        np.testing.assert_array_equal(o["c"][()], t["c"][()])
    if shutil.which("h5dump"):
        outs = [
            subprocess.run(
                ["h5dump", "-p", p.name], capture_output=True, text=True, cwd=tmp_path
            ).stdout.replace(p.name, "FILE")
            for p in (ours, theirs)
        ]
        assert "COMPACT" in outs[0] and outs[0] == outs[1]
