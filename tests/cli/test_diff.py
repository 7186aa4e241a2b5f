"""``h5pure diff`` against ``h5diff`` (Debian's hdf5-tools 1.10.8) on a corpus of file
pairs written by h5py.

Normalisations (everything else must be byte-identical, exit codes included):

1. Lines ``Only in FILE: ...`` are dropped from h5pure's report: h5pure names objects
   and attributes found in one file only, h5diff only sets its exit code.
2. Datasets filtered with LZF are excluded (``--exclude-path``) from the comparisons
   with h5diff: Debian's libhdf5 has no LZF filter and h5diff exits 2 on them, while
   h5pure reads them.
3. ``[start;stride;count;block]`` subsets are not compared with h5diff: 1.10.8 fails on
   them (exit 2); they are checked against numpy instead.
"""

import io

import numpy as np
import pytest
from conftest import run_h5pure, run_tool

from h5pure.cli.main import main
from h5pure.tools.diff import DiffOptions, diff_files

OPTIONS = [
    [],
    ["-r"],
    ["-v"],
    ["-v1"],
    ["-v2"],
    ["-c"],
    ["-q"],
    ["-r", "-d", "0.7"],
    ["-r", "-p", "0.3"],
    ["-r", "-n", "2"],
    ["-r", "--use-system-epsilon"],
    ["-r", "-N"],
    ["-r", "--follow-symlinks"],
    ["-v", "--follow-symlinks"],
    ["-r", "-l", "-x"],
    ["--exclude-path", "/g"],
    ["-r", "--exclude-attribute", "/g"],
]
OBJECTS = [
    ("basic", ["/d1"]),
    ("basic", ["/g"]),
    ("basic", ["/d1", "/i"]),
    ("basic", ["/only_a"]),
    ("links", ["/soft"]),
    ("links", ["/soft", "/softsame"]),
    ("links", ["/dang"]),
    ("links", ["/refs"]),
    ("links", ["/t2"]),
    ("links", ["/g/x", "/hard2"]),
    ("types", ["/comp"]),
    ("types", ["/vs"]),
]


def _ours(args, capsys):
    code = main(["diff", *args])
    out = capsys.readouterr().out
    kept = [ln for ln in out.splitlines(keepends=True) if not ln.startswith("Only in ")]
    return code, "".join(kept)


@pytest.mark.parametrize("pair", ["basic", "types", "links", "same"])
@pytest.mark.parametrize("opts", OPTIONS, ids=" ".join)
def test_report_and_exit_code_equal_h5diff(corpus, pair, opts, capsys):
    a, b = corpus["pairs"][pair]
    args = [*opts, a, b]
    ref = run_tool("h5diff", *args)
    code, out = _ours(args, capsys)
    assert (code, out) == (ref.returncode, ref.stdout)


@pytest.mark.parametrize(
    "pair,objects", OBJECTS, ids=lambda v: v if isinstance(v, str) else " ".join(v)
)
@pytest.mark.parametrize("opts", [[], ["-r"], ["-v"], ["-l"], ["-v", "-l"]], ids=" ".join)
def test_objects_equal_h5diff(corpus, pair, objects, opts, capsys):
    a, b = corpus["pairs"][pair]
    args = [*opts, a, b, *objects]
    ref = run_tool("h5diff", *args)
    code, out = _ours(args, capsys)
    assert (code, out) == (ref.returncode, ref.stdout)


def test_rich_file_against_a_copy(corpus, tmp_path, capsys):
    import shutil

    copy = tmp_path / "copy.h5"
    shutil.copy(corpus["rich"], copy)
    args = ["-v", "--exclude-path", "/lzf", corpus["rich"], str(copy)]
    ref = run_tool("h5diff", *args)
    assert (main(["diff", *args]), capsys.readouterr().out) == (ref.returncode, ref.stdout)
    assert ref.returncode == 0


def test_objects_in_one_file_are_named(corpus):
    a, b = corpus["pairs"]["basic"]
    out = io.StringIO()
    result = diff_files(a, b, opts=DiffOptions(), out=out)
    assert result.exit_code == 1
    lines = out.getvalue().splitlines()
    assert f"Only in {a}: /only_a" in lines
    assert f"Only in {b}: /only_b" in lines
    out = io.StringIO()
    diff_files(*corpus["pairs"]["types"], "/attrs", opts=DiffOptions(), out=out)
    assert any("attribute <only1 of </attrs>>" in ln for ln in out.getvalue().splitlines())


def test_isclose_tolerances(tmp_path, h5py):
    a, b = tmp_path / "a.h5", tmp_path / "b.h5"
    with h5py.File(a, "w") as f:
        f["x"] = np.array([1.0, 100.0, np.nan, 5.0])
    with h5py.File(b, "w") as f:
        f["x"] = np.array([1.05, 101.0, np.nan, 5.0])

    def count(**kw):
        return diff_files(str(a), str(b), opts=DiffOptions(**kw), out=io.StringIO()).nfound

    assert count() == 2  # h5diff's rule: exact, NaN == NaN
    assert count(atol=0.1) == 2  # 1.0 vs 101.0 and NaN (numpy: NaN != NaN)
    assert count(atol=0.1, equal_nan=True) == 1
    assert count(rtol=0.05, equal_nan=True) == 0
    assert count(atol=0.01, rtol=0.001, equal_nan=True) == 2


def test_only_differences(corpus):
    a, b = corpus["pairs"]["basic"]
    out = io.StringIO()
    diff_files(a, b, opts=DiffOptions(report=True, only_differences=True), out=out)
    text = out.getvalue()
    assert "0 differences found" not in text
    assert "dataset: </d1> and </d1>" in text and "dataset: </g/x>" not in text


def test_subsets_compare_the_selection(tmp_path, h5py):
    a, b = tmp_path / "a.h5", tmp_path / "b.h5"
    base = np.arange(100.0).reshape(10, 10)
    with h5py.File(a, "w") as f:
        f["x"] = base
    other = base.copy()
    other[0, 0] = -1  # outside the subset
    other[4, 6] = -1  # inside
    with h5py.File(b, "w") as f:
        f["x"] = other
    out = io.StringIO()
    r = diff_files(str(a), str(b), "/x[2,2;2,2;3,3]", opts=DiffOptions(report=True), out=out)
    assert r.nfound == 1 and r.exit_code == 1
    assert "[ 1 2 ]" in out.getvalue()  # (4, 6) is row 1, column 2 of the selection
    r = diff_files(str(a), str(b), "/x[5,5;;2,2]", opts=DiffOptions(), out=io.StringIO())
    assert r.exit_code == 0


def test_blocks_bound_memory_and_keep_the_order(tmp_path, h5py, capsys):
    a, b = tmp_path / "a.h5", tmp_path / "b.h5"
    data = np.arange(20000.0).reshape(200, 100)
    with h5py.File(a, "w") as f:
        f.create_dataset("x", data=data, chunks=(7, 30))
    changed = data.copy()
    changed[::13, ::17] += 0.5
    with h5py.File(b, "w") as f:
        f.create_dataset("x", data=changed, chunks=(7, 30))
    small = io.StringIO()
    r = diff_files(str(a), str(b), opts=DiffOptions(report=True, budget=4096), out=small)
    assert r.nfound == int((changed != data).sum())
    whole = io.StringIO()
    diff_files(str(a), str(b), opts=DiffOptions(report=True), out=whole)
    assert sorted(small.getvalue().splitlines()) == sorted(whole.getvalue().splitlines())
    ref = run_tool("h5diff", "-r", str(a), str(b))
    assert whole.getvalue() == ref.stdout


def test_command_line_exit_codes(corpus, tmp_path):
    a, b = corpus["pairs"]["basic"]
    assert run_h5pure("diff", "-q", a, a).returncode == 0
    assert run_h5pure("diff", "-q", a, b).returncode == 1
    bad = tmp_path / "bad.h5"
    bad.write_bytes(b"not an HDF5 file" * 64)
    for args in ([a, str(tmp_path / "missing.h5")], [str(bad), a], [a, b, "/nonesuch"]):
        r = run_h5pure("diff", *args)
        assert r.returncode == 2, args
    r = run_h5pure("diff", str(bad), a)
    assert r.stderr.count("\n") == 1 and "bad.h5" in r.stderr
    assert run_h5pure("diff", "-q", "-r", a, b).returncode == 2


def test_truncated_file_is_an_error(corpus, tmp_path):
    a, _ = corpus["pairs"]["types"]
    data = open(a, "rb").read()
    cut = tmp_path / "cut.h5"
    cut.write_bytes(data[: len(data) // 2])
    r = run_h5pure("diff", a, str(cut))
    assert r.returncode == 2
    assert "cut.h5" in r.stderr


def test_unknown_filter_is_an_error(tmp_path, h5py):
    path = tmp_path / "unknown.h5"
    with h5py.File(path, "w") as f:
        d = f.create_dataset(
            "x", (4,), dtype="i4", chunks=(4,), compression=32000, allow_unknown_filter=True
        )
        d.id.write_direct_chunk((0,), b"\0" * 16)
    r = run_h5pure("diff", str(path), str(path), "/x", "/x")
    assert r.returncode in (0, 2)  # the same object: h5diff does not read it
    other = tmp_path / "other.h5"
    import shutil

    shutil.copy(path, other)
    r = run_h5pure("diff", str(path), str(other))
    assert r.returncode == 2
    assert "/x" in r.stderr and "unknown.h5" in r.stderr
