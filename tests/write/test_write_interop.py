"""h5pure writes files that libhdf5 reads exactly as it reads h5py's own.

The oracle: the same builder code runs through h5py and through h5pure (the API is the
same); h5py then reads both files and must see identical objects, attributes and values;
Debian's h5dump (libhdf5 1.10) must read ours without error.
"""

import os
import shutil
import subprocess
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "interop"))

import numpy as np  # noqa: E402
from builders import (  # noqa: E402
    build_attrs,
    build_chunked,
    build_groups,
    build_numeric,
    build_types,
)
from compare import compare_files  # noqa: E402

import h5pure  # noqa: E402

SECTIONS = {
    "groups": build_groups,
    "numeric": build_numeric,
    "chunked": build_chunked,
    "types": build_types,
    "attrs": lambda f, lib: (
        build_groups(f, lib, ordered=False),
        build_attrs(f, lib, ordered=False),
    ),
}


def _build(lib, path, section):
    with lib.File(path, "w") as f:
        f.attrs["root_attr"] = "root"
        SECTIONS[section](f, lib)


@pytest.fixture(scope="module", params=sorted(SECTIONS))
def written(request, tmp_path_factory):
    h5py = pytest.importorskip("h5py")
    d = tmp_path_factory.mktemp(f"w_{request.param}")
    ours, theirs = d / "ours.h5", d / "theirs.h5"
    _build(h5pure, ours, request.param)
    _build(h5py, theirs, request.param)
    return request.param, ours, theirs


def test_h5py_reads_ours_as_its_own(written):
    import h5py

    _, ours, theirs = written
    with h5py.File(ours, "r") as o, h5py.File(theirs, "r") as t:
        compare_files(o, t)


def test_h5pure_reads_ours_as_h5py_does(written):
    import h5py

    _, ours, _ = written
    with h5pure.File(ours, "r") as o, h5py.File(ours, "r") as t:
        compare_files(o, t)


@pytest.mark.skipif(shutil.which("h5dump") is None, reason="Debian's hdf5-tools not installed")
def test_h5dump_reads_ours(written):
    section, ours, _ = written
    # h5dump (libhdf5 1.10) has no LZF decoder: dump headers only where LZF data lives
    args = ["h5dump", "-H", str(ours)] if section == "chunked" else ["h5dump", str(ours)]
    proc = subprocess.run(args, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "error" not in proc.stdout.lower()


def test_detach_scale_and_labels(tmp_path):
    import h5py

    path = tmp_path / "d.h5"
    with h5pure.File(path, "w") as f:
        data = f.create_dataset("data", shape=(3, 4))
        x = f.create_dataset("x", data=np.arange(3.0))
        y = f.create_dataset("y", data=np.arange(4.0))
        x.make_scale("x")
        data.dims[0].attach_scale(x)
        data.dims[1].attach_scale(y)
        data.dims[1].detach_scale(y)
        data.dims[1].label = "columns"
    with h5py.File(path, "r") as f:
        dims = f["data"].dims
        assert [len(d) for d in dims] == [1, 0]
        assert dims[0][0].name == "/x" and dims[1].label == "columns"
        assert h5py.h5ds.is_scale(f["x"].id) and h5py.h5ds.is_scale(f["y"].id)
