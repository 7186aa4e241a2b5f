"""``h5pure stat`` against ``h5stat`` (Debian's hdf5-tools 1.10.8) on files written by
h5py, and ``--explain``.

Normalisations: none for files whose chunked datasets use v1 B-trees, fixed arrays or
v2 B-trees: the reports are byte-identical.  Files with extensible-array chunk indexes
(unlimited datasets written with libver >= v110) are not compared: h5stat 1.10.8 counts
their index block shorter than the bytes it takes on disk, which h5pure reports.
"""

import os

import numpy as np
import pytest
from conftest import run_h5pure, run_tool

from h5pure.cli.main import main
from h5pure.tools.stat import explain, file_statistics


@pytest.fixture(scope="module")
def v110_file(tmp_path_factory):
    h5py = pytest.importorskip("h5py")
    path = tmp_path_factory.mktemp("stat") / "v110.h5"
    with h5py.File(path, "w", libver=("v110", "v110")) as f:
        f["a"] = np.arange(100.0)
        f.create_dataset(
            "fa", data=np.arange(1000.0).reshape(10, 100), chunks=(2, 10), compression="gzip"
        )
        f.create_dataset(
            "bt2", data=np.arange(1000.0).reshape(10, 100), chunks=(2, 10), maxshape=(None, None)
        )
        f.create_dataset("single", data=np.arange(10.0), chunks=(10,))
        g = f.create_group("dense")
        for i in range(30):
            g[f"x{i}"] = i
        for i in range(20):
            g.attrs[f"a{i}"] = i
        f["t"] = np.dtype("f4")
        d = f.create_dataset("vl", (3,), dtype=h5py.string_dtype())
        d[:] = ["a", "bb", "c"]
        f.create_dataset("efl", (10,), dtype="i4", external=[("ext.bin", 0, 40)])
        f.create_dataset("compact_like", data=np.arange(3, dtype="i2"))
    return str(path)


def _files(corpus, v110_file):
    return [corpus["rich"], v110_file, *corpus["pairs"]["types"], *corpus["pairs"]["links"]]


@pytest.mark.parametrize("index", range(6))
def test_full_report_equals_h5stat(corpus, v110_file, index, capsys):
    path = _files(corpus, v110_file)[index]
    ref = run_tool("h5stat", path)
    assert main(["stat", path]) == ref.returncode == 0
    assert capsys.readouterr().out == ref.stdout


@pytest.mark.parametrize(
    "opts",
    [
        ["-f"],
        ["-F"],
        ["-g"],
        ["-G"],
        ["-d"],
        ["-D"],
        ["-T"],
        ["-A"],
        ["-s"],
        ["-S"],
        ["-l", "3", "-g"],
        ["-m", "5", "-d"],
        ["-a", "1", "-A"],
        ["-G", "-D", "-f"],
        ["--links=2", "-d"],
    ],
    ids=" ".join,
)
def test_sections_equal_h5stat(corpus, opts, capsys):
    ref = run_tool("h5stat", *opts, corpus["rich"])
    assert main(["stat", *opts, corpus["rich"]]) == 0
    assert capsys.readouterr().out == ref.stdout


def test_numbers(corpus):
    s = file_statistics(corpus["rich"])
    assert s.metadata + s.raw_data + s.unaccounted == os.path.getsize(corpus["rich"])
    assert s.layouts["chunked"] == 5 and s.datatypes == 1


def test_explain(corpus, tmp_path, h5py):
    path = tmp_path / "sparse.h5"
    with h5py.File(path, "w") as f:
        d = f.create_dataset("x", (95, 95), dtype="f8", chunks=(10, 10))
        d[:10, :10] = 1
        d[90:, 90:] = 2  # an edge chunk: 5 x 5 of its 10 x 10 hold elements
        f["y"] = np.arange(10)
        del f["y"]
    ex = explain(str(path))
    by_path = {u.path: u for u in ex.objects}
    x = by_path["/x"]
    assert x.chunks == 2 and x.chunks_possible == 100
    assert x.utilisation == pytest.approx((100 + 25) / 200)
    from h5pure.tools.repack import repack

    out = tmp_path / "out.h5"
    repack(str(path), str(out))
    assert ex.repacked_size == os.path.getsize(out)
    assert ex.repack_saves == os.path.getsize(path) - os.path.getsize(out)
    r = run_h5pure("stat", "--explain", "-S", str(path))
    assert r.returncode == 0 and "repack would save" in r.stdout and "/x" in r.stdout


def test_bad_input(tmp_path):
    bad = tmp_path / "bad.h5"
    bad.write_bytes(b"nope" * 300)
    for p in (bad, tmp_path / "missing.h5"):
        r = run_h5pure("stat", str(p))
        assert r.returncode == 2
        assert r.stderr.count("\n") == 1 and p.name in r.stderr
