"""Virtual datasets: the same layouts through h5py and h5pure give the same datasets."""

import numpy as np
import pytest

from ._plain import plain


def _sources(lib, path, n=3, missing=()):
    names = []
    for i in range(n):
        p = path.parent / f"src{i}.h5"
        if i in missing:
            names.append(str(p))
            continue
        with lib.File(p, "w") as f:
            f.create_dataset("data", data=np.arange(6, dtype="i4") + 10 * i)
        names.append(str(p))
    return names


def _describe(d, extents=True):
    """``extents``: include the source extents (h5py reports the declared ones on the
    dataset it has just created, and what the file holds after reopening)."""
    srcs = d.virtual_sources() if d.is_virtual else []
    return (
        d.is_virtual,
        d.shape,
        d.dtype.str,
        d.maxshape,
        d.chunks,
        plain(d.fillvalue),
        [
            (
                s.vspace.shape if hasattr(s.vspace, "shape") else None,
                s.file_name.rsplit("/", 1)[-1],
                s.dset_name,
                s.src_space.shape if extents else None,
                s.src_space.get_select_type(),
                s.vspace.get_select_type(),
            )
            for s in srcs
        ],
        plain(d[()]),
    )


LAYOUTS = {
    "stack": lambda lib, names: [((i,), lib.VirtualSource(n, "data", shape=(6,))) for i, n in enumerate(names)],
    "halves": lambda lib, names: [
        ((i, slice(0, 3)), lib.VirtualSource(n, "data", shape=(6,))[:3]) for i, n in enumerate(names)
    ],
    "strided": lambda lib, names: [
        ((i, slice(0, 6, 2)), lib.VirtualSource(n, "data", shape=(6,))[1::2]) for i, n in enumerate(names)
    ],
    "partial": lambda lib, names: [((1,), lib.VirtualSource(names[0], "data", shape=(6,)))],
    "mismatch": lambda lib, names: [((0, slice(0, 2)), lib.VirtualSource(names[0], "data", shape=(6,)))],
}


@pytest.mark.parametrize("fill", [None, -1])
@pytest.mark.parametrize("case", LAYOUTS)
def test_create_virtual_dataset(compare, case, fill):
    def body(lib, path):
        names = _sources(lib, path)
        layout = lib.VirtualLayout(shape=(3, 6), dtype="i4")
        for key, src in LAYOUTS[case](lib, names):
            layout[key] = src
        with lib.File(path, "w") as f:
            d = f.create_virtual_dataset("v", layout, fillvalue=fill)
            first = _describe(d, extents=False)
        with lib.File(path, "r") as f:
            return first, _describe(f["v"])

    compare(body)


def test_missing_sources_read_as_fill(compare):
    def body(lib, path):
        names = _sources(lib, path, missing=(1,))
        layout = lib.VirtualLayout(shape=(3, 6), dtype="f8")
        for i, n in enumerate(names):
            layout[i] = lib.VirtualSource(n, "data", shape=(6,))
        with lib.File(path, "w") as f:
            f.create_virtual_dataset("v", layout, fillvalue=-1.5)
        with lib.File(path, "r") as f:
            return _describe(f["v"])

    compare(body)


def test_source_from_dataset_and_same_file(compare):
    def body(lib, path):
        with lib.File(path, "w") as f:
            a = f.create_dataset("a", data=np.arange(4.0))
            b = f.create_dataset("b", data=np.arange(4.0) * 2)
            layout = lib.VirtualLayout((2, 4), "f8")
            layout[0] = lib.VirtualSource(a)
            layout[1] = lib.VirtualSource(b)
            v = f.create_virtual_dataset("v", layout)
            names = sorted(s.file_name for s in v.virtual_sources())
            fresh = _describe(v, extents=False), f["a"].is_virtual
        with lib.File(path, "r") as f:
            return names, fresh, _describe(f["v"])

    compare(body)


VS_CALLS = {
    "dataset plus args": lambda lib, d: lib.VirtualSource(d, name="x"),
    "path no name": lambda lib, d: lib.VirtualSource("f.h5", shape=(3,)),
    "path no shape": lambda lib, d: lib.VirtualSource("f.h5", "x"),
    "attrs": lambda lib, d: (lambda s: (s.path, s.name, s.shape, s.maxshape))(
        lib.VirtualSource("f.h5", "x", shape=(3, 4))
    ),
    "shape int": lambda lib, d: lib.VirtualSource("f.h5", "x", shape=3).shape,
    "index": lambda lib, d: lib.VirtualSource("f.h5", "x", shape=(10,))[2:5].shape,
    "index 2d": lambda lib, d: lib.VirtualSource("f.h5", "x", shape=(10, 4))[3, ::2].shape,
    "index ellipsis": lambda lib, d: lib.VirtualSource("f.h5", "x", shape=(10, 4))[...].shape,
    "index twice": lambda lib, d: lib.VirtualSource("f.h5", "x", shape=(10,))[2:5][0:1],
    "from dataset": lambda lib, d: (lambda s: (s.name, s.shape, s.dtype.str, s.maxshape))(
        lib.VirtualSource(d)
    ),
    "layout attrs": lambda lib, d: (lambda lay: (lay.shape, lay.dtype, lay.maxshape))(
        lib.VirtualLayout((4, 5), "i2")
    ),
    "layout bad count": lambda lib, d: lib.VirtualLayout((4,), "i2").__setitem__(
        slice(0, 2), lib.VirtualSource("f.h5", "x", shape=(3,))
    ),
}


@pytest.mark.parametrize("case", VS_CALLS)
def test_virtual_source_and_layout(compare, case):
    def body(lib, path):
        with lib.File(path, "w") as f:
            d = f.create_dataset("d", data=np.arange(5.0))
            return VS_CALLS[case](lib, d)

    compare(body)


def test_h5py_reads_h5pure_vds(h5py, tmp_path):
    import h5pure

    names = _sources(h5pure, tmp_path / "x.h5", missing=(2,))
    layout = h5pure.VirtualLayout(shape=(3, 6), dtype="i4")
    for i, n in enumerate(names):
        layout[i, ::2] = h5pure.VirtualSource(n, "data", shape=(6,))[:3]
    with h5pure.File(tmp_path / "v.h5", "w") as f:
        f.create_virtual_dataset("v", layout, fillvalue=7)
    with h5py.File(tmp_path / "v.h5", "r") as f, h5pure.File(tmp_path / "v.h5", "r") as g:
        assert _describe(f["v"]) == _describe(g["v"])
