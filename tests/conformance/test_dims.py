"""Dimension scales: the same calls through h5py and h5pure give the same results."""

import numpy as np
import pytest

from ._plain import plain


def _setup(lib, path):
    f = lib.File(path, "w")
    d = f.create_dataset("data", data=np.zeros((3, 4)))
    x = f.create_dataset("x", data=np.arange(3.0))
    y = f.create_dataset("y", data=np.arange(4.0))
    y2 = f.create_dataset("y2", data=np.arange(4.0) * 2)
    return f, d, x, y, y2


def _dims_state(f, d):
    out = []
    for i, dim in enumerate(d.dims):
        out.append(
            (
                i,
                dim.label,
                len(dim),
                list(dim.keys()),
                [s.name for s in dim.values()],
                [(k, s.name) for k, s in dim.items()],
                list(dim),
            )
        )
    out.append(sorted(d.attrs))
    for n in ("x", "y", "y2"):
        out.append((n, f[n].is_scale, sorted(f[n].attrs)))
    return out


CASES = {
    "nothing": lambda f, d, x, y, y2: None,
    "make and attach": lambda f, d, x, y, y2: (
        x.make_scale("X"), y.make_scale("Y"), d.dims[0].attach_scale(x), d.dims[1].attach_scale(y)
    ),
    "attach unnamed scale": lambda f, d, x, y, y2: d.dims[0].attach_scale(x),
    "make scale no name": lambda f, d, x, y, y2: (x.make_scale(), d.dims[0].attach_scale(x)),
    "two scales": lambda f, d, x, y, y2: (
        y.make_scale("Y"), y2.make_scale("Y2"), d.dims[1].attach_scale(y), d.dims[1].attach_scale(y2)
    ),
    "attach twice": lambda f, d, x, y, y2: (d.dims[0].attach_scale(x), d.dims[0].attach_scale(x)),
    "detach": lambda f, d, x, y, y2: (
        y.make_scale("Y"), y2.make_scale("Y2"), d.dims[1].attach_scale(y),
        d.dims[1].attach_scale(y2), d.dims[1].detach_scale(y),
    ),
    "detach all": lambda f, d, x, y, y2: (d.dims[0].attach_scale(x), d.dims[0].detach_scale(x)),
    "detach not attached": lambda f, d, x, y, y2: d.dims[0].detach_scale(x),
    "detach other": lambda f, d, x, y, y2: (d.dims[0].attach_scale(x), d.dims[1].detach_scale(x)),
    "labels": lambda f, d, x, y, y2: (
        setattr(d.dims[0], "label", "rows"), setattr(d.dims[1], "label", "cols")
    ),
    "one label": lambda f, d, x, y, y2: setattr(d.dims[1], "label", "cols"),
    "relabel": lambda f, d, x, y, y2: (
        setattr(d.dims[0], "label", "a"), setattr(d.dims[0], "label", "bb")
    ),
    "create_scale": lambda f, d, x, y, y2: d.dims.create_scale(x, "made"),
    "create_scale no name": lambda f, d, x, y, y2: d.dims.create_scale(x),
    "self scale": lambda f, d, x, y, y2: d.dims[0].attach_scale(d),
    "scale of scale": lambda f, d, x, y, y2: (
        d.dims[0].attach_scale(x), x.dims[0].attach_scale(y)
    ),
    "make scale of dataset with scales": lambda f, d, x, y, y2: (
        d.dims[0].attach_scale(x), d.make_scale("D")
    ),
    "index by name": lambda f, d, x, y, y2: (
        x.make_scale("X"), d.dims[0].attach_scale(x), d.dims[0]["X"].name
    ),
    "index missing name": lambda f, d, x, y, y2: (d.dims[0].attach_scale(x), d.dims[0]["nope"]),
    "index int": lambda f, d, x, y, y2: (d.dims[0].attach_scale(x), d.dims[0][0].name),
    "index out": lambda f, d, x, y, y2: d.dims[0][0],
    "dims out of range": lambda f, d, x, y, y2: d.dims[2],
    "dims negative": lambda f, d, x, y, y2: d.dims[-1].label,
    "len dims": lambda f, d, x, y, y2: len(d.dims),
    "is_scale": lambda f, d, x, y, y2: (x.make_scale("X"), x.is_scale, d.is_scale),
    "rename scale": lambda f, d, x, y, y2: (x.make_scale("A"), x.make_scale("B")),
    "scalar dims": lambda f, d, x, y, y2: len(f.create_dataset("s", data=1).dims),
}


@pytest.mark.filterwarnings("ignore:other_ds.dims.create_scale")
@pytest.mark.parametrize("case", CASES)
def test_dimension_scales(compare, case):
    def body(lib, path):
        f, d, x, y, y2 = _setup(lib, path)
        try:
            res = plain(CASES[case](f, d, x, y, y2))
            state = _dims_state(f, d)
        finally:
            f.close()
        with lib.File(path, "r") as f:
            return res, state, _dims_state(f, f["data"])

    compare(body)


def test_create_scale_warns(lib, tmp_path):
    with lib.File(tmp_path / "w.h5", "w") as f:
        d = f.create_dataset("d", data=[1, 2])
        x = f.create_dataset("x", data=[1, 2])
        with pytest.warns(UserWarning, match="deprecated"):
            d.dims.create_scale(x, "X")
        assert x.is_scale


@pytest.mark.parametrize("case", ["make and attach", "two scales", "detach", "labels"])
def test_dimension_scales_cross_read(h5py, tmp_path, case):
    """What h5pure writes, h5py reads as it reads its own, and the other way round."""
    import h5pure

    states = {}
    for lib in (h5py, h5pure):
        p = tmp_path / f"{lib.__name__}.h5"
        f, d, x, y, y2 = _setup(lib, p)
        CASES[case](f, d, x, y, y2)
        f.close()
        for reader in (h5py, h5pure):
            with reader.File(p, "r") as f:
                states[(lib.__name__, reader.__name__)] = _dims_state(f, f["data"])
    assert len({repr(v) for v in states.values()}) == 1, states
