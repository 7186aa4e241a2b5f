"""``h5pure repack``: the output is read by h5py and ``h5dump``, ``h5diff`` (Debian's
hdf5-tools 1.10.8) finds it equal to its input, filters and layouts are applied as asked
or the command says which were not, unchanged chunks are copied as stored.

Normalisation: ``h5diff`` is run with ``--exclude-path /lzf`` (Debian's libhdf5 has no
LZF filter; h5pure reads and writes it).
"""

import io
import os
import shutil
import tracemalloc

import numpy as np
import pytest
from conftest import run_h5pure, run_tool

from h5pure.cli.main import main
from h5pure.tools.progress import Progress
from h5pure.tools.repack import RepackOptions, repack
from h5pure.tools.repackspec import SpecError, filter_keywords, parse_filter, parse_layout


def _equal(a, b):
    r = run_tool("h5diff", "--exclude-path", "/lzf", str(a), str(b))
    assert r.returncode == 0, r.stdout + r.stderr


def test_repack_keeps_every_object(corpus, tmp_path, h5py):
    out = tmp_path / "out.h5"
    result = repack(corpus["rich"], str(out), RepackOptions(verify=True))
    assert result.verified and not result.not_applied
    assert result.raw_chunks > 0
    _equal(corpus["rich"], out)
    assert run_tool("h5dump", "-H", str(out)).returncode == 0
    with h5py.File(corpus["rich"]) as s, h5py.File(out) as d:
        assert list(d["order"]) == list(s["order"]) == ["zeta", "alpha", "mid"]
        assert list(d["order"].attrs) == list(s["order"].attrs)
        assert list(d) == list(s)  # the root tracks creation order too
        for name in ("soft", "dangling", "external"):
            assert type(d.get(f"links/{name}", getlink=True)) is type(
                s.get(f"links/{name}", getlink=True)
            )
        assert d.get("links/soft", getlink=True).path == "/plain"
        assert d["links/hard"] == d["plain"]  # still one object, linked twice
        assert d["types/uses"].id.get_type().committed()
        assert d[d["refs"][1]].name == "/gz"
        assert d[d["plain"].attrs["self"]].name == "/gz"
        ref = d["regref"][0]
        np.testing.assert_array_equal(d[ref][ref], s["plain"][1:3, 2:5])
        assert d["scales/x"].is_scale and d["plain"].dims[0][0].name == "/scales/x"
        assert d["plain"].dims[1][0].name == "/scales/y"
        assert d["gz"].compression == "gzip" and d["gz"].shuffle and d["gz"].fletcher32
        assert d["gz"].chunks == s["gz"].chunks
        assert d["ext"].maxshape == (None,)
        assert d["partial"].fillvalue == -1
        assert d["partial"].id.get_num_chunks() == s["partial"].id.get_num_chunks() == 1


def test_unchanged_chunks_are_copied_as_stored(corpus, tmp_path, h5py):
    out = tmp_path / "out.h5"
    repack(corpus["rich"], str(out))
    with h5py.File(corpus["rich"]) as s, h5py.File(out) as d:
        for name in ("gz", "lzf", "so"):
            n = s[name].id.get_num_chunks()
            assert d[name].id.get_num_chunks() == n
            for i in range(n):
                info = s[name].id.get_chunk_info(i)
                assert d[name].id.read_direct_chunk(info.chunk_offset) == s[
                    name
                ].id.read_direct_chunk(info.chunk_offset)


@pytest.mark.parametrize(
    "args,check",
    [
        (["-f", "GZIP=1"], lambda d: d["plain"].compression == "gzip"),
        (
            ["-f", "SHUF", "-f", "GZIP=5"],
            lambda d: d["gz"].shuffle and d["gz"].compression_opts == 5,
        ),
        (["-f", "FLET"], lambda d: d["gz"].fletcher32 and d["gz"].compression is None),
        (["-f", "NONE"], lambda d: d["gz"].compression is None and not d["gz"].shuffle),
        (["-f", "SZIP=8,NN"], lambda d: d["gz"].compression == "szip"),
        (["-f", "NBIT"], lambda d: "5" in d["plain"]._filters or 5 in d["plain"]._filters),
        (["-f", "/plain:SOFF=0,IN"], lambda d: d["plain"].scaleoffset == 0),
        (
            ["-f", "/plain,/gz:GZIP=9", "-l", "/plain:CHUNK=5x5"],
            lambda d: d["plain"].chunks == (5, 5) and d["gz"].compression_opts == 9,
        ),
        (["-l", "CHUNK=4x4"], lambda d: d["gz"].chunks == (4, 4)),
        (["-l", "/gz:CONTI"], lambda d: d["gz"].chunks is None),
        (["-m", "100000", "-f", "GZIP=9"], lambda d: d["gz"].compression_opts == 4),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else "",
)
def test_filters_and_layouts_applied(corpus, tmp_path, h5py, args, check, capsys):
    out = tmp_path / "out.h5"
    assert main(["repack", *args, "--verify", corpus["rich"], str(out)]) == 0
    assert "not applied" not in capsys.readouterr().err
    _equal(corpus["rich"], out)
    with h5py.File(out) as d:
        assert check(d)


@pytest.mark.parametrize(
    "args,message",
    [
        (["-f", "GZIP=1", "-f", "SHUF"], "GZIP=1"),
        (["-l", "/gz:COMPA"], "COMPA not applied"),
        (["-f", "/nope:GZIP=1"], "/nope: GZIP=1 not applied: no such object"),
        (["-l", "/plain:CHUNK=20x20"], "CHUNK=20x20 not applied"),
        (["-f", "/strings:SZIP=8,NN"], "/strings: SZIP=8,NN not applied"),
    ],
)
def test_requests_not_applied_are_reported(corpus, tmp_path, args, message, capsys):
    out = tmp_path / "out.h5"
    assert main(["repack", *args, corpus["rich"], str(out)]) == 1
    assert message in capsys.readouterr().err
    _equal(corpus["rich"], out)  # everything is still there, with its values


def test_spec_parsing():
    assert parse_filter("a,b:GZIP=3").objects == ("/a", "/b")
    assert parse_filter("UD=32015,0,1,3").params == (32015, 3)
    assert parse_layout("CHUNK=10x20").chunks == (10, 20)
    for bad in ("GZIP=0", "SZIP=7,NN", "SOFF=1", "FOO", "UD=1,0,2,3"):
        with pytest.raises(SpecError):
            parse_filter(bad)
    with pytest.raises(SpecError):
        filter_keywords([parse_filter("GZIP=1"), parse_filter("LZF")], np.dtype("f8"))


def test_deleting_half_then_repack_matches_a_fresh_write(tmp_path, h5py):
    full, fresh, out = tmp_path / "full.h5", tmp_path / "fresh.h5", tmp_path / "out.h5"
    rng = np.random.default_rng(0)
    data = {f"g{i % 7}/d{i:03d}": rng.random((40, 25)) for i in range(120)}

    def write(f, key, value, i):
        d = f.create_dataset(
            key,
            data=value,
            chunks=(8, 25) if i % 2 else None,
            compression="gzip" if i % 3 == 0 else None,
        )
        d.attrs["i"] = i

    with h5py.File(full, "w") as f:
        for i, (k, v) in enumerate(data.items()):
            write(f, k, v, i)
    with h5py.File(full, "a") as f:
        for i, k in enumerate(data):
            if i % 2 == 0:
                del f[k]
    with h5py.File(fresh, "w") as f:
        for i, (k, v) in enumerate(data.items()):
            if i % 2:
                write(f, k, v, i)
    repack(str(full), str(out), RepackOptions(verify=True))
    size, target = os.path.getsize(out), os.path.getsize(fresh)
    assert abs(size - target) <= 0.01 * target, (size, target)
    assert os.path.getsize(full) > 1.5 * target


def test_memory_stays_within_the_budget(tmp_path, h5py):
    src, out = tmp_path / "big.h5", tmp_path / "out.h5"
    with h5py.File(src, "w") as f:  # 32 MiB, contiguous: rechunked and compressed
        f.create_dataset("x", data=np.arange(4 * 1024 * 1024, dtype="f8").reshape(2048, 2048))
    budget = 4 * 1024 * 1024
    tracemalloc.start()
    try:
        repack(str(src), str(out), RepackOptions(filters=[parse_filter("GZIP=1")], budget=budget))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 3 * budget, peak
    _equal(src, out)


def test_sparse_datasets_stay_sparse(tmp_path, h5py):
    src, out = tmp_path / "sparse.h5", tmp_path / "out.h5"
    with h5py.File(src, "w") as f:
        d = f.create_dataset("x", (1000, 1000), dtype="f4", chunks=(100, 100), fillvalue=7)
        d[0:100, 0:100] = 1
        d[900:, 900:] = 2
    repack(str(src), str(out), RepackOptions(filters=[parse_filter("GZIP=4")]))
    with h5py.File(out) as f:
        assert f["x"].id.get_num_chunks() == 2 and f["x"].fillvalue == 7
    _equal(src, out)


def test_userblock_and_libver(tmp_path, h5py, corpus):
    ub = tmp_path / "ub.bin"
    ub.write_bytes(b"my user block\n")
    out = tmp_path / "out.h5"
    a, _ = corpus["pairs"]["basic"]
    assert main(["repack", "-u", str(ub), "-b", "1024", "--low=2", "--high=2", a, str(out)]) == 0
    assert out.read_bytes()[:14] == b"my user block\n"
    with h5py.File(out) as f:
        assert f.userblock_size == 1024
    _equal(a, out)
    dump = run_tool("h5dump", "-B", "-H", str(out)).stdout
    assert "SUPERBLOCK_VERSION 3" in dump and "USERBLOCK_SIZE 1024" in dump


def test_worker_processes_give_the_same_file(tmp_path, h5py):
    src = tmp_path / "src.h5"
    with h5py.File(src, "w") as f:
        f.create_dataset(
            "x", data=np.arange(200000, dtype="i4").reshape(400, 500), chunks=(50, 500)
        )
    one, two = tmp_path / "one.h5", tmp_path / "two.h5"
    opts = dict(filters=[parse_filter("SHUF"), parse_filter("GZIP=3")])
    repack(str(src), str(one), RepackOptions(**opts))
    repack(str(src), str(two), RepackOptions(jobs=2, **opts))
    with h5py.File(one) as a, h5py.File(two) as b:
        for i in range(a["x"].id.get_num_chunks()):
            off = a["x"].id.get_chunk_info(i).chunk_offset
            assert a["x"].id.read_direct_chunk(off) == b["x"].id.read_direct_chunk(off)
    _equal(src, two)


def test_progress_bar_draws_only_when_asked():
    stream = io.StringIO()
    p = Progress(100, enabled=True, stream=stream, delay=0, interval=0)
    p.advance(50)
    p.close()
    text = stream.getvalue()
    assert "50.0%" in text and "left" in text and text.endswith("\n")
    quiet = io.StringIO()
    q = Progress(100, enabled=None, stream=quiet, delay=0, interval=0)
    q.advance(100)
    q.close()
    assert quiet.getvalue() == ""


def test_bad_input_exits_2_with_one_line(tmp_path, corpus, h5py):
    out = tmp_path / "out.h5"
    bad = tmp_path / "bad.h5"
    bad.write_bytes(b"not HDF5" * 100)
    cut = tmp_path / "cut.h5"
    data = open(corpus["rich"], "rb").read()
    cut.write_bytes(data[: len(data) // 3])
    unknown = tmp_path / "unknown.h5"
    with h5py.File(unknown, "w") as f:
        d = f.create_dataset(
            "x", (4,), dtype="i4", chunks=(4,), compression=32000 + 999, allow_unknown_filter=True
        )
        d.id.write_direct_chunk((0,), b"\0" * 16)
    for src, what in (
        (tmp_path / "missing.h5", "missing.h5"),
        (bad, "bad.h5"),
        (cut, "cut.h5"),
        (unknown, "/x"),
    ):
        r = run_h5pure("repack", str(src), str(out))
        assert r.returncode == 2, (src, r.stderr)
        assert r.stderr.count("\n") == 1 and what in r.stderr, r.stderr


def test_command_line_and_output_readers(tmp_path, corpus, h5py):
    out = tmp_path / "out.h5"
    r = run_h5pure("repack", "-v", "-f", "GZIP=1", "--verify", corpus["rich"], str(out))
    assert r.returncode == 0, r.stderr
    assert "chunks copied as stored" in r.stdout
    _equal(corpus["rich"], out)
    shutil.copy(out, tmp_path / "again.h5")
    with h5py.File(tmp_path / "again.h5") as f:
        f.visititems(
            lambda name, obj: (
                obj[()] if isinstance(obj, h5py.Dataset) and obj.compression != "lzf" else None
            )
        )
