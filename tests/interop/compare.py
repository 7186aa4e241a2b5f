"""Compare what h5py (libhdf5) and h5pure see in one file, object by object.

Used by the interop tests: every link kind, key order, attribute order and value, dataset
property and dataset value must be identical.
"""

from __future__ import annotations

import numpy as np


def _same_value(a, b, where):
    if type(a).__name__ == "Empty" or type(b).__name__ == "Empty":
        assert type(a).__name__ == type(b).__name__ == "Empty", where
        assert a.dtype == b.dtype, where
        return
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a_arr, b_arr = np.asarray(a), np.asarray(b)
        assert a_arr.shape == b_arr.shape, f"{where}: shape {a_arr.shape} != {b_arr.shape}"
        assert a_arr.dtype == b_arr.dtype, f"{where}: dtype {a_arr.dtype} != {b_arr.dtype}"
        if a_arr.dtype.names is not None:
            for field in a_arr.dtype.names:
                _same_value(a_arr[field], b_arr[field], f"{where}.{field}")
        elif a_arr.dtype == object:
            for x, y in zip(a_arr.reshape(-1), b_arr.reshape(-1)):
                _same_value(x, y, where)
        elif a_arr.dtype.kind in "fc":
            np.testing.assert_array_equal(a_arr, b_arr, err_msg=where)
        else:
            assert a_arr.tobytes() == b_arr.tobytes(), where
        return
    if type(a).__name__ in ("Reference", "RegionReference"):
        assert bool(a) == bool(b), where
        return
    assert type(a) is type(b), f"{where}: {type(a)} != {type(b)}"
    if isinstance(a, float) and np.isnan(a):
        assert np.isnan(b), where
    elif isinstance(a, np.generic) and a.dtype.kind in "fc":
        np.testing.assert_array_equal(a, b, err_msg=where)
    elif isinstance(a, np.void) and a.dtype.names is not None:
        assert a.dtype == b.dtype, where
        for field in a.dtype.names:
            _same_value(a[field], b[field], f"{where}.{field}")
    elif isinstance(a, np.void):
        assert a.tobytes() == b.tobytes(), where
    else:
        assert a == b, f"{where}: {a!r} != {b!r}"


def compare_attrs(ours, theirs, where):
    assert list(ours.attrs) == list(theirs.attrs), f"{where}: attribute order"
    for name in theirs.attrs:
        _same_value(ours.attrs[name], theirs.attrs[name], f"{where} attr {name!r}")


def compare_dataset(ours, theirs, where):
    assert ours.shape == theirs.shape, where
    assert ours.dtype == theirs.dtype, f"{where}: {ours.dtype} != {theirs.dtype}"
    assert ours.maxshape == theirs.maxshape, where
    assert ours.chunks == theirs.chunks, where
    assert ours.compression == theirs.compression, where
    assert ours.compression_opts == theirs.compression_opts, where
    assert ours.shuffle == theirs.shuffle, where
    assert ours.fletcher32 == theirs.fletcher32, where
    assert ours.scaleoffset == theirs.scaleoffset, where
    if theirs.shape is not None:
        _same_value(ours[()], theirs[()], f"{where} data")
        if theirs.dtype.kind not in "OV" and theirs.dtype.names is None:
            _same_value(ours.fillvalue, theirs.fillvalue, f"{where} fillvalue")
    else:
        _same_value(ours[()], theirs[()], f"{where} data")


def compare_files(our_file, their_file):
    """Walk both files and compare every link, object, attribute and dataset."""
    import h5py

    compare_attrs(our_file, their_file, "/")
    checked = set()

    def visit(group_ours, group_theirs, path):
        assert list(group_ours) == list(group_theirs), f"{path}: member order"
        for name in group_theirs:
            full = f"{path.rstrip('/')}/{name}"
            link_t = group_theirs.get(name, getlink=True)
            link_o = group_ours.get(name, getlink=True)
            assert type(link_o).__name__ == type(link_t).__name__, f"{full}: link kind"
            if isinstance(link_t, h5py.SoftLink):
                assert link_o.path == link_t.path, full
            elif isinstance(link_t, h5py.ExternalLink):
                assert (link_o.filename, link_o.path) == (link_t.filename, link_t.path), full
            try:
                obj_t = group_theirs[name]
            except KeyError:
                try:
                    group_ours[name]
                except KeyError:
                    continue
                raise AssertionError(f"{full}: h5pure resolves a link that h5py cannot") from None
            obj_o = group_ours[name]
            kind_t = type(obj_t).__name__
            assert type(obj_o).__name__ == kind_t, f"{full}: {type(obj_o).__name__} != {kind_t}"
            key = (obj_t.file.filename, h5py.h5o.get_info(obj_t.id).addr)
            if key in checked:
                continue
            checked.add(key)
            compare_attrs(obj_o, obj_t, full)
            if kind_t == "Dataset":
                compare_dataset(obj_o, obj_t, full)
            elif kind_t == "Group":
                visit(obj_o, obj_t, full)
            elif kind_t == "Datatype":
                assert obj_o.dtype == obj_t.dtype, full

    visit(our_file, their_file, "/")
