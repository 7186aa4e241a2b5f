"""Files written by h5py (earliest and latest formats), modified by h5pure in "r+" mode: h5py
must read back exactly what it reads when h5py itself makes the same change.  What h5pure
cannot change yet raises UnsupportedFeatureError (an OSError) before a byte changes."""

from __future__ import annotations

import hashlib
import shutil

import numpy as np
import pytest

import h5pure
from h5pure.errors import UnsupportedFeatureError

h5py = pytest.importorskip("h5py")


def build(path, libver, track_order):
    """v1 or v2 headers; symbol tables, compact and dense links; compact and dense
    attributes; contiguous data and every chunk index the format version allows."""
    with h5py.File(path, "w", libver=libver, track_order=track_order) as f:
        f.create_group("compact")
        dense = f.create_group("dense")
        for i in range(12):
            dense.create_group(f"m{i:02d}")
        f.create_dataset("contig", data=np.arange(10))
        f.create_dataset("fixed", data=np.arange(20.0).reshape(4, 5), chunks=(2, 2))
        f.create_dataset("ext", data=np.arange(10), chunks=(3,), maxshape=(None,))
        f.create_dataset(
            "bt2", data=np.arange(12).reshape(3, 4), chunks=(2, 2), maxshape=(None, None)
        )
        f.create_dataset("single", data=np.arange(6), chunks=(6,))
        f.create_dataset(
            "gz", data=np.arange(30), chunks=(7,), compression="gzip", maxshape=(None,)
        )
        f.create_dataset(
            "gzfixed", data=np.arange(30.0), chunks=(4,), compression="gzip", shuffle=True
        )
        f.create_dataset("vlen", data=["a", "bb", "ccc"], dtype=h5py.string_dtype())
        f["compact"].attrs["x"] = 1
        for i in range(12):
            dense.attrs[f"a{i:02d}"] = np.arange(i + 1)
            f["ext"].attrs[f"a{i:02d}"] = i


OPS = {
    "write_contiguous": lambda f: f["contig"].__setitem__(slice(2, 5), -1),
    "write_fixed_array": lambda f: f["fixed"].__setitem__((slice(1, 3), slice(0, 5)), -1),
    "write_extensible_array": lambda f: f["ext"].__setitem__(slice(0, 10, 3), -1),
    "write_btree_v2": lambda f: f["bt2"].__setitem__((1, 1), -1),
    "write_single_chunk": lambda f: f["single"].__setitem__(2, -1),
    "write_filtered": lambda f: f["gz"].__setitem__(slice(5, 20), -1),
    "write_filtered_fixed": lambda f: f["gzfixed"].__setitem__(slice(1, 29, 2), 0.5),
    "write_vlen": lambda f: f["vlen"].__setitem__(1, "zzzz"),
    "grow_extensible_array": lambda f: f["ext"].resize((25,)),
    "shrink_extensible_array": lambda f: f["ext"].resize((4,)),
    "grow_then_write": lambda f: (f["ext"].resize((40,)), f["ext"].__setitem__(slice(30, 40), 7)),
    "resize_btree_v2": lambda f: f["bt2"].resize((5, 7)),
    "resize_filtered": lambda f: f["gz"].resize((50,)),
    "group_in_root": lambda f: f.create_group("new"),
    "group_in_compact": lambda f: f.create_group("compact/new"),
    "group_in_dense": lambda f: f.create_group("dense/new"),
    "compact_to_dense": lambda f: [f.create_group(f"compact/n{i}") for i in range(10)],
    "delete_from_dense": lambda f: f.__delitem__("dense/m03"),
    "delete_dataset": lambda f: f.__delitem__("contig"),
    "delete_chunked": lambda f: f.__delitem__("gz"),
    "dense_to_compact": lambda f: [f["dense"].__delitem__(f"m{i:02d}") for i in range(10)],
    "attr_add": lambda f: f["compact"].attrs.__setitem__("y", "text"),
    "attr_delete": lambda f: f["compact"].attrs.__delitem__("x"),
    "attr_many": lambda f: [f["compact"].attrs.__setitem__(f"q{i}", i) for i in range(10)],
    "dense_attr_add": lambda f: f["dense"].attrs.__setitem__("new", 5),
    "dense_attr_overwrite": lambda f: f["dense"].attrs.__setitem__("a03", 5),
    "dense_attr_delete": lambda f: f["dense"].attrs.__delitem__("a03"),
    "dataset_dense_attr_add": lambda f: f["ext"].attrs.__setitem__("new", 5),
    "new_chunked_dataset": lambda f: f.create_dataset(
        "nd", data=np.arange(10), chunks=(4,), maxshape=(None,)
    ),
    "new_dataset": lambda f: f.create_dataset("compact/nd", data=np.arange(10)),
    "move": lambda f: f.move("compact", "dense/moved"),
    "hard_link": lambda f: f.__setitem__("dense/alias", f["fixed"]),
}
NOT_YET: frozenset[str] = frozenset()
"""Changes h5pure may still refuse (UnsupportedFeatureError, leaving the file untouched);
every other change must read back in h5py exactly as h5py's own."""

FORMATS = {
    "earliest": ("earliest", False),
    "earliest-tracked": ("earliest", True),
    "v110": ("v110", False),
    "latest": ("latest", False),
    "latest-tracked": ("latest", True),
}


def snapshot(path):
    """Everything h5py reports about the file: tree and link order, types, shapes, chunking,
    filters, data and attributes."""
    out = {}
    with h5py.File(path, "r") as f:

        def record(name, obj):
            rec = {"attrs": [(k, repr(obj.attrs[k])) for k in obj.attrs]}
            if isinstance(obj, h5py.Group):
                rec["links"] = list(obj)
            else:
                rec.update(
                    shape=obj.shape,
                    maxshape=obj.maxshape,
                    chunks=obj.chunks,
                    dtype=str(obj.dtype),
                    compression=obj.compression,
                    data=repr(obj[()].tolist()),
                )
            out[name] = rec

        record("/", f)
        f.visititems(record)
    return out


def _digest(path):
    with open(path, "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()


@pytest.fixture(scope="module")
def originals(tmp_path_factory):
    base = tmp_path_factory.mktemp("originals")
    paths = {}
    for name, (libver, track) in FORMATS.items():
        paths[name] = base / f"{name}.h5"
        build(paths[name], libver, track)
    return paths


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize("op", sorted(OPS))
def test_modify_h5py_file(tmp_path, originals, fmt, op):
    theirs, ours = tmp_path / "theirs.h5", tmp_path / "ours.h5"
    shutil.copy(originals[fmt], theirs)
    shutil.copy(originals[fmt], ours)
    with h5py.File(theirs, "r+") as f:
        OPS[op](f)
    before = _digest(ours)
    try:
        with h5pure.File(ours, "r+") as f:
            OPS[op](f)
    except UnsupportedFeatureError:
        assert op in NOT_YET, f"{op} on a {fmt} file is expected to work"
        assert _digest(ours) == before, "refused, but changed the file"
        assert snapshot(ours) == snapshot(originals[fmt])
        return
    assert snapshot(ours) == snapshot(theirs)


@pytest.mark.parametrize("fmt", ["latest", "v110"])
def test_dense_attribute_changes_in_one_session(tmp_path, originals, fmt):
    """Dense attributes change beside other edits of the same session; nothing is lost."""
    path = tmp_path / "f.h5"
    shutil.copy(originals[fmt], path)
    with h5pure.File(path, "r+") as f:
        f["fixed"][0] = 100.0
        f["dense"].attrs["new"] = 1
        del f["dense"].attrs["a00"]
        f["compact"].attrs["after"] = "yes"
    with h5py.File(path, "r") as f:
        np.testing.assert_array_equal(f["fixed"][0], [100.0] * 5)
        assert f["compact"].attrs["after"] == "yes"
        assert sorted(f["dense"].attrs) == [f"a{i:02d}" for i in range(1, 12)] + ["new"]
