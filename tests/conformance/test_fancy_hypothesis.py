"""Fancy indexing against numpy, read and write, with hypothesis.

Random datasets (1-3 dimensions, sizes 0-7, contiguous / chunked with random chunk shapes /
gzip-compressed) and random keys: per axis an integer (negative too), a slice with bounds
and a step, an integer list in any order with duplicates and negative positions, or a 1-D
boolean mask, possibly with an Ellipsis; or one full-shape boolean mask.  The oracle is
numpy with h5pure's orthogonal semantics (each list selects along its own axis, as
``a[np.ix_(...)]``); integer axes are dropped.  Reads go through files libhdf5 wrote (h5py);
writes go through h5pure and are checked in memory and by h5py after the file is closed.
"""

import os
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import h5pure

h5py = pytest.importorskip("h5py")

EXAMPLES = int(os.environ.get("H5PURE_FANCY_EXAMPLES", "200"))
"""Examples per test (about 15 s for both); raise it to hunt for bugs."""

SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@st.composite
def datasets(draw):
    """(shape, create_dataset keywords)."""
    rank = draw(st.integers(1, 3))
    shape = tuple(draw(st.lists(st.integers(0, 7), min_size=rank, max_size=rank)))
    layout = draw(st.sampled_from(["contiguous", "chunked", "gzip"]))
    kw: dict = {}
    if layout != "contiguous":
        kw["chunks"] = tuple(draw(st.integers(1, max(n, 1))) for n in shape)
        kw["maxshape"] = (None,) * rank  # allows chunks on zero-length axes
        if layout == "gzip":
            kw["compression"] = "gzip"
    return shape, kw


def axis_keys(dim):
    """One axis of a key for an axis of length ``dim``."""
    positions = st.integers(-dim, dim - 1) if dim else st.nothing()
    bound = st.none() | st.integers(-dim - 2, dim + 2)
    options = [
        st.builds(slice, bound, bound, st.none() | st.integers(1, 4)),
        st.lists(positions, max_size=8 if dim else 0),
        st.lists(st.booleans(), min_size=dim, max_size=dim).map(lambda m: np.array(m, bool)),
    ]
    if dim:
        options.append(positions)
        options.append(st.lists(positions, min_size=1, max_size=8).map(np.array))
    return st.one_of(options)


@st.composite
def keys(draw, shape):
    """A key for ``shape``: a tuple of per-axis keys (maybe with Ellipsis), or a mask."""
    if draw(st.integers(0, 9)) == 0:
        mask = draw(
            st.lists(st.booleans(), min_size=int(np.prod(shape)), max_size=int(np.prod(shape)))
        )
        return np.array(mask, bool).reshape(shape)
    parts = [draw(axis_keys(n)) for n in shape]
    # fewer parts than axes (trailing axes whole), or an Ellipsis standing for some axes
    cut = draw(st.integers(0, len(parts)))
    if draw(st.booleans()):
        at = draw(st.integers(0, cut))
        return (
            tuple(parts[:at])
            + (Ellipsis,)
            + tuple(parts[len(parts) - (cut - at) :] if cut > at else ())
        )
    return tuple(parts[:cut]) if cut else tuple(parts)


def expand(key, shape):
    """Per-axis keys for every axis (Ellipsis and missing trailing axes as full slices)."""
    if isinstance(key, np.ndarray):
        return None
    if Ellipsis in [k if k is Ellipsis else None for k in key]:
        at = next(i for i, k in enumerate(key) if k is Ellipsis)
        rest = key[at + 1 :]
        key = key[:at] + (slice(None),) * (len(shape) - len(key) + 1) + rest
    return tuple(key) + (slice(None),) * (len(shape) - len(key))


def oracle_index(key, shape):
    """numpy index (np.ix_ of positions) and the axes that integers drop."""
    full = expand(key, shape)
    if full is None:
        return key, None
    pos, dropped = [], []
    for axis, (k, n) in enumerate(zip(full, shape)):
        if isinstance(k, (int, np.integer)):
            pos.append(np.array([k % n]))
            dropped.append(axis)
        elif isinstance(k, slice):
            pos.append(np.arange(n)[k])
        else:
            k = np.asarray(k)
            pos.append(
                np.flatnonzero(k) if k.dtype == bool else np.asarray(k, dtype=np.int64) % max(n, 1)
            )
    return np.ix_(*pos), tuple(dropped)


def numpy_read(a, key):
    index, dropped = oracle_index(key, a.shape)
    if dropped is None:
        return a[index]
    return a[index].squeeze(axis=dropped) if dropped else a[index]


def numpy_write(a, key, value):
    index, dropped = oracle_index(key, a.shape)
    if dropped is None:
        a[index] = value
        return
    target = a[index].shape
    a[index] = np.broadcast_to(np.asarray(value), numpy_read(a, key).shape).reshape(target)


@pytest.fixture(scope="module")
def workdir():
    with tempfile.TemporaryDirectory() as d:
        yield Path(d)


@SETTINGS
@given(data=st.data())
def test_fancy_read_matches_numpy(workdir, data):
    shape, kw = data.draw(datasets())
    key = data.draw(keys(shape))
    a = np.arange(int(np.prod(shape)), dtype="i4").reshape(shape)
    path = workdir / "read.h5"
    with h5py.File(path, "w") as f:  # libhdf5 writes, h5pure reads
        f.create_dataset("d", data=a, **kw)
    want = numpy_read(a, key)
    with h5pure.File(path, "r") as f:
        got = f["d"][key]
    assert np.asarray(got).shape == want.shape
    np.testing.assert_array_equal(got, want)


@SETTINGS
@given(data=st.data())
def test_fancy_write_matches_numpy(workdir, data):
    shape, kw = data.draw(datasets())
    key = data.draw(keys(shape))
    a = np.arange(int(np.prod(shape)), dtype="i4").reshape(shape)
    sel_shape = numpy_read(a, key).shape
    # a value of the selection's shape, a scalar, or a row broadcast along the leading axes
    value_shape = data.draw(st.sampled_from([sel_shape, (), sel_shape[-1:]]))
    value = -2 - np.arange(int(np.prod(value_shape)), dtype="i4").reshape(value_shape)
    want = a.copy()
    numpy_write(want, key, value)
    path = workdir / "write.h5"
    with h5pure.File(path, "w") as f:
        d = f.create_dataset("d", data=a, **kw)
        d[key] = value
        np.testing.assert_array_equal(d[...], want)
    with h5py.File(path, "r") as f:  # libhdf5 reads what h5pure wrote
        np.testing.assert_array_equal(f["d"][...], want)
