"""The workloads: identical h5py-API code, run once with ``h5py`` and once with ``h5pure``.

Each workload has a timed ``run(h5, path, ctx)`` that receives the library as a module, and an
untimed ``check`` that proves the result correct: a read's result is compared with the data
that was written; a written file is opened with h5py (the oracle) and compared with what the
code meant to write.  Read workloads read one file written by h5py, the same for both
libraries; write workloads write a fresh file per repeat.
"""

from __future__ import annotations

import enum
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from .sizes import MiB, Sizes


class CheckError(Exception):
    """A library returned or wrote the wrong data."""


def expect_equal(got: Any, want: Any, what: str) -> None:
    got_a, want_a = np.asarray(got), np.asarray(want)
    if got_a.shape != want_a.shape:
        raise CheckError(f"{what}: shape {got_a.shape}, expected {want_a.shape}")
    if not np.array_equal(got_a, want_a):
        bad = int(np.count_nonzero(got_a != want_a))
        raise CheckError(f"{what}: {bad} of {want_a.size} elements differ")


@dataclass
class Context:
    """Shared state of one benchmark run: sizes, the temp dir, the data and the source files."""

    sizes: Sizes
    tmpdir: Path
    _cache: dict[str, Any] = field(default_factory=dict)

    def memo(self, key: str, make: Callable[[], Any]) -> Any:
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]

    # -- data, generated once per run (not timed) --

    def contig_data(self) -> np.ndarray:
        return self.memo("contig", lambda: np.random.default_rng(1).random(self.sizes.contig_shape))

    def chunked_data(self) -> np.ndarray:
        def make() -> np.ndarray:
            rows, width = self.sizes.gzip_shape
            rng = np.random.default_rng(2)
            # Small integers plus noise quantized to 1/16: gzip+shuffle compresses it about
            # 3x, lzf about 1.8x (lzf must shrink a chunk, or h5py stores it unfiltered).
            base = (np.arange(width) % 64).astype(np.float32)
            noise = rng.standard_normal((rows, width), dtype=np.float32)
            return base[None, :] + np.round(noise * 16.0) / np.float32(16.0)

        return self.memo("chunked", make)

    def table_data(self) -> np.ndarray:
        return self.memo(
            "table", lambda: np.random.default_rng(3).random((self.sizes.table_rows, 64))
        )

    def row_indices(self) -> np.ndarray:
        rng = np.random.default_rng(4)
        return self.memo("rows", lambda: rng.integers(0, self.sizes.table_rows, self.sizes.row_ops))

    def strings(self) -> list[str]:
        return self.memo(
            "strings",
            lambda: [f"item {i}: " + "x" * (i % 23) for i in range(self.sizes.vlen_count)],
        )

    def source(self, key: str, build: Callable[[ModuleType, Path, Context], None]) -> Path:
        """A file written once by h5py and read by both libraries."""

        def make() -> Path:
            import h5py

            path = self.tmpdir / f"source-{key}.h5"
            build(h5py, path, self)
            return path

        return self.memo("source-" + key, make)


class Kind(enum.Enum):
    READ = "read"
    """Reads the shared source file, written by h5py."""
    WRITE = "write"
    """Writes a fresh file."""
    MODIFY = "modify"
    """Opens a fresh copy of the shared source file in ``r+``."""


@dataclass(frozen=True)
class Workload:
    name: str
    target: float
    """The target for h5pure time / h5py time (issue 17's where it set one, else issue
    5's)."""
    kind: Kind
    summary: Callable[[Sizes], str]
    run: Callable[[ModuleType, Path, Context], Any]
    """Timed; receives the library module and the file to read or write."""
    check: Callable[[Any, Path, Context], None]
    """Untimed; raises ``CheckError`` when the result or the written file is wrong."""
    source: Callable[[ModuleType, Path, Context], None] | None = None
    """Builds the source file (with h5py) for READ and MODIFY workloads."""
    floor: Callable[[Sizes, dict[str, float]], float | None] = lambda s, lim: None
    """Lower bound on the time from the machine limits (seconds), where one is meaningful."""

    def prepare(self, ctx: Context, lib_name: str) -> Path:
        """Untimed, before every repeat: the path that ``run`` gets."""
        if self.kind is Kind.READ:
            assert self.source is not None
            return ctx.source(self.name_of_source, self.source)
        path = ctx.tmpdir / f"{self.name}-{lib_name}.h5"
        if path.exists():
            path.unlink()
        if self.kind is Kind.MODIFY:
            assert self.source is not None
            shutil.copyfile(ctx.source(self.name_of_source, self.source), path)
        return path

    @property
    def name_of_source(self) -> str:
        assert self.source is not None
        return self.source.__name__


def _mib(nbytes: float) -> str:
    return f"{nbytes / MiB:g} MiB"


# ---------------------------------------------------------------- contiguous


def build_contig(h5: ModuleType, path: Path, ctx: Context) -> None:
    with h5.File(path, "w") as f:
        f.create_dataset("x", data=ctx.contig_data())


def check_contig_file(result: Any, path: Path, ctx: Context) -> None:
    import h5py

    with h5py.File(path, "r") as f:
        if f["x"].chunks is not None:
            raise CheckError("dataset is chunked, expected contiguous")
        expect_equal(f["x"][...], ctx.contig_data(), "contiguous file")


def contig_read(h5: ModuleType, path: Path, ctx: Context) -> Any:
    with h5.File(path, "r") as f:
        return f["x"][...]


# ---------------------------------------------------------------- gzip / lzf


def build_gzip(h5: ModuleType, path: Path, ctx: Context) -> None:
    with h5.File(path, "w") as f:
        f.create_dataset(
            "x",
            data=ctx.chunked_data(),
            chunks=ctx.sizes.gzip_chunks,
            compression="gzip",
            shuffle=True,
        )


def build_lzf(h5: ModuleType, path: Path, ctx: Context) -> None:
    with h5.File(path, "w") as f:
        f.create_dataset(
            "x", data=ctx.chunked_data(), chunks=ctx.sizes.gzip_chunks, compression="lzf"
        )


def _check_chunked_file(path: Path, ctx: Context, compression: str) -> None:
    import h5py

    with h5py.File(path, "r") as f:
        d = f["x"]
        if d.compression != compression or d.chunks != ctx.sizes.gzip_chunks:
            raise CheckError(f"dataset has {d.compression} {d.chunks}")
        expect_equal(d[...], ctx.chunked_data(), f"{compression} file")


def read_whole(h5: ModuleType, path: Path, ctx: Context) -> Any:
    with h5.File(path, "r") as f:
        return f["x"][...]


def read_two_threads(h5: ModuleType, path: Path, ctx: Context) -> Any:
    """Two threads read the two halves (by rows) of one dataset of one open file."""
    with h5.File(path, "r") as f:
        d = f["x"]
        half = d.shape[0] // 2
        with ThreadPoolExecutor(2) as pool:
            parts = list(pool.map(lambda s: d[s], [slice(0, half), slice(half, None)]))
        return np.concatenate(parts)


SLAB = (slice(8, -8, 3), slice(100, -100, 5))


def read_slab(h5: ModuleType, path: Path, ctx: Context) -> Any:
    with h5.File(path, "r") as f:
        return f["x"][SLAB]


def check_whole(result: Any, path: Path, ctx: Context) -> None:
    expect_equal(result, ctx.chunked_data(), "data read")


def check_slab(result: Any, path: Path, ctx: Context) -> None:
    expect_equal(result, ctx.chunked_data()[SLAB], "slab read")


def _codec_floor(key: str, threads: int = 1) -> Callable[[Sizes, dict[str, float]], float | None]:
    def floor(s: Sizes, lim: dict[str, float]) -> float | None:
        rate = lim.get(key)
        return s.gzip_mib * MiB / (rate * threads) if rate else None

    return floor


# ---------------------------------------------------------------- single rows, fancy


def build_table(h5: ModuleType, path: Path, ctx: Context) -> None:
    with h5.File(path, "w") as f:
        f.create_dataset("t", data=ctx.table_data(), chunks=(1024, 64))


def row_reads(h5: ModuleType, path: Path, ctx: Context) -> Any:
    idx = ctx.row_indices()
    out = np.empty((len(idx), 64))
    with h5.File(path, "r") as f:
        d = f["t"]
        for k, i in enumerate(idx.tolist()):
            out[k] = d[i, :]
    return out


def check_row_reads(result: Any, path: Path, ctx: Context) -> None:
    expect_equal(result, ctx.table_data()[ctx.row_indices()], "rows read")


def _row_values(ctx: Context) -> np.ndarray:
    return ctx.memo("row-values", lambda: -np.random.default_rng(5).random((ctx.sizes.row_ops, 64)))


def row_writes(h5: ModuleType, path: Path, ctx: Context) -> Any:
    values = _row_values(ctx)
    with h5.File(path, "r+") as f:
        d = f["t"]
        for k, i in enumerate(ctx.row_indices().tolist()):
            d[i, :] = values[k]


def check_row_writes(result: Any, path: Path, ctx: Context) -> None:
    import h5py

    want = ctx.table_data().copy()
    for k, i in enumerate(ctx.row_indices().tolist()):
        want[i] = _row_values(ctx)[k]
    with h5py.File(path, "r") as f:
        expect_equal(f["t"][...], want, "table after row writes")


def _fancy_index(ctx: Context) -> np.ndarray:
    rng = np.random.default_rng(6)
    n, rows = ctx.sizes.fancy_rows, ctx.sizes.table_rows
    return ctx.memo("fancy", lambda: np.sort(rng.choice(rows, n, replace=False)))


def fancy_read(h5: ModuleType, path: Path, ctx: Context) -> Any:
    with h5.File(path, "r") as f:
        return f["t"][_fancy_index(ctx), :]


def check_fancy(result: Any, path: Path, ctx: Context) -> None:
    expect_equal(result, ctx.table_data()[_fancy_index(ctx)], "fancy read")


def _unsorted_selection(ctx: Context) -> tuple[np.ndarray, np.ndarray]:
    """Distinct rows in random order, and a boolean mask of about as many rows."""

    def make() -> tuple[np.ndarray, np.ndarray]:
        rng = np.random.default_rng(7)
        n, rows = ctx.sizes.unsorted_rows, ctx.sizes.table_rows
        return rng.choice(rows, n, replace=False), rng.random(rows) < n / rows

    return ctx.memo("unsorted", make)  # type: ignore[no-any-return]


def fancy_unsorted(h5: ModuleType, path: Path, ctx: Context) -> Any:
    """``d[idx, :]`` with unsorted rows and ``d[mask, :]``.  h5py accepts only increasing
    indices, so its user sorts them, reads, and puts the rows back in the asked order."""
    idx, mask = _unsorted_selection(ctx)
    with h5.File(path, "r") as f:
        d = f["t"]
        if h5.__name__ == "h5py":
            order = np.argsort(idx)
            rows = np.empty((len(idx), d.shape[1]), dtype=d.dtype)
            rows[order] = d[idx[order], :]
        else:
            rows = d[idx, :]
        return rows, d[mask, :]


def check_fancy_unsorted(result: Any, path: Path, ctx: Context) -> None:
    idx, mask = _unsorted_selection(ctx)
    expect_equal(result[0], ctx.table_data()[idx], "unsorted fancy read")
    expect_equal(result[1], ctx.table_data()[mask], "mask read")


# ---------------------------------------------------------------- metadata


def many_objects(h5: ModuleType, path: Path, ctx: Context) -> Any:
    """Create groups with 2 small datasets and 3 attributes each; reopen and walk them all."""
    with h5.File(path, "w") as f:
        for i in range(ctx.sizes.groups):
            g = f.create_group(f"g{i:05d}")
            g.create_dataset("ints", data=np.arange(4, dtype="i4") + i)
            g.create_dataset("value", data=float(i))
            g.attrs["index"] = i
            g.attrs["label"] = f"group {i}"
            g.attrs["vector"] = np.arange(3.0) * i
    seen = {"groups": 0, "datasets": 0, "index": 0, "ints": 0}

    def visit(name: str, obj: Any) -> None:
        if isinstance(obj, h5.Group):
            seen["groups"] += 1
            seen["index"] += int(obj.attrs["index"])
        else:
            seen["datasets"] += 1
            if name.endswith("ints"):
                seen["ints"] += int(obj[...].sum())

    with h5.File(path, "r") as f:
        f.visititems(visit)
    return seen


def check_many_objects(result: Any, path: Path, ctx: Context) -> None:
    import h5py

    n = ctx.sizes.groups
    want = {
        "groups": n,
        "datasets": 2 * n,
        "index": n * (n - 1) // 2,
        "ints": 4 * n * (n - 1) // 2 + 6 * n,
    }
    if result != want:
        raise CheckError(f"walk saw {result}, expected {want}")
    with h5py.File(path, "r") as f:
        last = f[f"g{n - 1:05d}"]
        expect_equal(last["ints"][...], np.arange(4) + n - 1, "last group's ints")
        expect_equal(last.attrs["vector"], np.arange(3.0) * (n - 1), "last group's vector")
        if last.attrs["label"] != f"group {n - 1}":
            raise CheckError(f"label {last.attrs['label']!r}")


def attr_pairs(h5: ModuleType, path: Path, ctx: Context) -> Any:
    names = [f"attr{k:03d}" for k in range(ctx.sizes.attr_names)]
    total = 0
    with h5.File(path, "w") as f:
        g = f.create_group("g")
        for k in range(ctx.sizes.attr_pairs):
            name = names[k % len(names)]
            g.attrs[name] = k
            total += int(g.attrs[name])
    return total


def check_attr_pairs(result: Any, path: Path, ctx: Context) -> None:
    import h5py

    n, m = ctx.sizes.attr_pairs, ctx.sizes.attr_names
    if result != n * (n - 1) // 2:
        raise CheckError(f"sum of values read back {result}")
    with h5py.File(path, "r") as f:
        got = {k: int(v) for k, v in f["g"].attrs.items()}
    want = {f"attr{j % m:03d}": j for j in range(n - m, n)}
    if got != want:
        raise CheckError("attributes in the file differ from the last values set")


def vlen_strings(h5: ModuleType, path: Path, ctx: Context) -> Any:
    with h5.File(path, "w") as f:
        f.create_dataset("s", data=np.array(ctx.strings(), dtype=object), dtype=h5.string_dtype())
    with h5.File(path, "r") as f:
        return f["s"].asstr()[...]


def check_vlen(result: Any, path: Path, ctx: Context) -> None:
    import h5py

    want = np.array(ctx.strings(), dtype=object)
    expect_equal(result, want, "strings read")
    with h5py.File(path, "r") as f:
        expect_equal(f["s"].asstr()[...], want, "strings in the file")


def appends(h5: ModuleType, path: Path, ctx: Context) -> Any:
    with h5.File(path, "w") as f:
        d = f.create_dataset("log", shape=(0, 8), maxshape=(None, 8), dtype="f8", chunks=(1024, 8))
        row = np.arange(8.0)
        for i in range(ctx.sizes.appends):
            d.resize(i + 1, axis=0)
            d[i] = row + i


def check_appends(result: Any, path: Path, ctx: Context) -> None:
    import h5py

    n = ctx.sizes.appends
    with h5py.File(path, "r") as f:
        expect_equal(f["log"][...], np.arange(8.0)[None, :] + np.arange(n)[:, None], "log")


def build_vds(h5: ModuleType, path: Path, ctx: Context) -> None:
    n, m = ctx.sizes.vds_elements, ctx.sizes.vds_mappings
    per = n // m
    layout = h5.VirtualLayout(shape=(per * m,), dtype="f8")
    with h5.File(path, "w", libver="latest") as f:
        for i in range(m):
            d = f.create_dataset(f"s{i:05d}", data=np.arange(i * per, (i + 1) * per, dtype="f8"))
            layout[i * per : (i + 1) * per] = h5.VirtualSource(d)
        f.create_virtual_dataset("v", layout, fillvalue=-1)


def vds_read(h5: ModuleType, path: Path, ctx: Context) -> Any:
    with h5.File(path, "r") as f:
        v = f["v"]
        return v[...], v[::3], v[5 : len(v) // 2]


def check_vds(result: Any, path: Path, ctx: Context) -> None:
    per = ctx.sizes.vds_elements // ctx.sizes.vds_mappings
    want = np.arange(per * ctx.sizes.vds_mappings, dtype="f8")
    expect_equal(result[0], want, "whole virtual dataset")
    expect_equal(result[1], want[::3], "strided virtual read")
    expect_equal(result[2], want[5 : len(want) // 2], "virtual slice")


def build_small_chunks(h5: ModuleType, path: Path, ctx: Context) -> None:
    n = ctx.sizes.small_chunks
    data = np.arange(n * 64, dtype="f4").reshape(n * 4, 16) % 1000
    with h5.File(path, "w") as f:
        f.create_dataset("s", data=data, chunks=(4, 16), compression="gzip")


def small_chunks_read(h5: ModuleType, path: Path, ctx: Context) -> Any:
    with h5.File(path, "r") as f:
        return f["s"][...]


def check_small_chunks(result: Any, path: Path, ctx: Context) -> None:
    n = ctx.sizes.small_chunks
    expect_equal(result, np.arange(n * 64, dtype="f4").reshape(n * 4, 16) % 1000, "small chunks")


# ---------------------------------------------------------------- the list


# ---------------------------------------------------------------- issue 17


def _buffer(ctx: Context, key: str, shape: tuple[int, ...], dtype: str) -> np.ndarray:
    """A caller's array, allocated and touched once per run (not timed), reused."""
    return ctx.memo("buffer-" + key, lambda: np.ones(shape, dtype=dtype))


def read_direct_contig(h5: ModuleType, path: Path, ctx: Context) -> Any:
    out = _buffer(ctx, "contig", ctx.sizes.contig_shape, "f8")
    out[:1] = -1  # a stale value the read must overwrite
    with h5.File(path, "r") as f:
        f["x"].read_direct(out)
    return out


def read_direct_gzip(h5: ModuleType, path: Path, ctx: Context) -> Any:
    out = _buffer(ctx, "gzip", ctx.sizes.gzip_shape, "f4")
    out[:1] = -1
    with h5.File(path, "r") as f:
        f["x"].read_direct(out)
    return out


def build_many_objects(h5: ModuleType, path: Path, ctx: Context) -> None:
    """The file of ``many_objects``: groups with 2 small datasets and 3 attributes each."""
    with h5.File(path, "w") as f:
        for i in range(ctx.sizes.groups):
            g = f.create_group(f"g{i:05d}")
            g.create_dataset("ints", data=np.arange(4, dtype="i4") + i)
            g.create_dataset("value", data=float(i))
            g.attrs["index"] = i
            g.attrs["label"] = f"group {i}"
            g.attrs["vector"] = np.arange(3.0) * i


def metadata_walk(h5: ModuleType, path: Path, ctx: Context) -> Any:
    """``visititems`` over every object, reading every attribute of each (no data)."""
    seen = {"objects": 0, "attrs": 0, "index": 0}

    def visit(name: str, obj: Any) -> None:
        seen["objects"] += 1
        for key, value in obj.attrs.items():
            seen["attrs"] += 1
            if key == "index":
                seen["index"] += int(value)

    with h5.File(path, "r") as f:
        f.visititems(visit)
    return seen


def check_metadata_walk(result: Any, path: Path, ctx: Context) -> None:
    n = ctx.sizes.groups
    want = {"objects": 3 * n, "attrs": 3 * n, "index": n * (n - 1) // 2}
    if result != want:
        raise CheckError(f"walk saw {result}, expected {want}")


def copy_gzip(h5: ModuleType, path: Path, ctx: Context) -> Any:
    """``Group.copy`` of the gzip+shuffle dataset into a new file."""
    source = ctx.source("build_gzip", build_gzip)
    with h5.File(source, "r") as f, h5.File(path, "w") as g:
        f.copy("x", g)


@dataclass(frozen=True)
class Measured:
    """What a workload returns when it times itself: ``run.py`` records ``seconds``
    instead of the wall time of the call, and checks ``value``."""

    seconds: float
    value: Any = None


_TIMED = "import time; t = time.perf_counter(); {0}; print(time.perf_counter() - t)"
_OPEN = "import {0}; f = {0}.File({1!r}, 'r'); names = list(f); shape = f['x'].shape; f.close()"


def _in_fresh_interpreter(h5: ModuleType, ctx: Context, statement: str) -> Measured:
    """Time ``statement`` in a fresh interpreter, bytecode cached as an installed package
    has it (an untimed first run writes the cache); the child times the statement alone,
    not the interpreter's start."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.setdefault("PYTHONPYCACHEPREFIX", str(ctx.tmpdir / "pycache"))
    code = _TIMED.format(statement)
    hide = os.environ.get("H5PURE_BENCH_HIDE")
    if hide:  # the plain install: the same packages hidden in the child
        code = f"import benchmarks.installs as i; i.hide({hide.split(',')!r}); " + code
        env["PYTHONPATH"] = os.pathsep.join(
            [str(Path(__file__).resolve().parent.parent), env.get("PYTHONPATH", "")]
        )
    cmd = [sys.executable, "-c", code]
    key = "warm-" + code
    if key not in ctx._cache:
        subprocess.run(cmd, env=env, check=True, capture_output=True)
        ctx._cache[key] = True
    out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True).stdout
    return Measured(float(out.split()[-1]))


def import_time(h5: ModuleType, path: Path, ctx: Context) -> Any:
    """``import <library>`` in a fresh interpreter."""
    return _in_fresh_interpreter(h5, ctx, f"import {h5.__name__}")


def import_open(h5: ModuleType, path: Path, ctx: Context) -> Any:
    """``import <library>``, then open a file, list its root group, read a dataset's shape
    and close it: what a short script or a command pays before its work."""
    return _in_fresh_interpreter(h5, ctx, _OPEN.format(h5.__name__, str(path)))


def _check_nothing(result: Any, path: Path, ctx: Context) -> None:
    """Nothing to verify (the timed run raised if the import failed)."""


def _bytes_floor(size_mib: Callable[[Sizes], float], key: str):
    def floor(s: Sizes, lim: dict[str, float]) -> float | None:
        rate = lim.get(key)
        return size_mib(s) * MiB / rate if rate else None

    return floor


WORKLOADS: list[Workload] = [
    Workload(
        "contig_write",
        1.0,
        Kind.WRITE,
        lambda s: f"{_mib(s.contig_mib * MiB)} f8",
        build_contig,
        check_contig_file,
        floor=_bytes_floor(lambda s: s.contig_mib, "memcpy"),
    ),
    Workload(
        "contig_read",
        1.0,
        Kind.READ,
        lambda s: f"{_mib(s.contig_mib * MiB)} f8",
        contig_read,
        lambda r, p, c: expect_equal(r, c.contig_data(), "data read"),
        source=build_contig,
        floor=_bytes_floor(lambda s: s.contig_mib, "page_cache_read"),
    ),
    Workload(
        "gzip_write",
        0.4,
        Kind.WRITE,
        lambda s: f"{s.gzip_mib} MiB f4, {s.chunk_kib} KiB chunks, gzip+shuffle",
        build_gzip,
        lambda r, p, c: _check_chunked_file(p, c, "gzip"),
    ),
    Workload(
        "gzip_read",
        0.5,
        Kind.READ,
        lambda s: f"{s.gzip_mib} MiB, gzip+shuffle",
        read_whole,
        check_whole,
        source=build_gzip,
        floor=_codec_floor("inflate_best"),
    ),
    Workload(
        "gzip_read_2threads",
        0.35,
        Kind.READ,
        lambda s: "the same, 2 threads",
        read_two_threads,
        check_whole,
        source=build_gzip,
        floor=_codec_floor("inflate_best", threads=2),
    ),
    Workload(
        "gzip_slab",
        0.7,
        Kind.READ,
        lambda s: "[8:-8:3, 100:-100:5]",
        read_slab,
        check_slab,
        source=build_gzip,
    ),
    Workload(
        "lzf_write",
        0.8,
        Kind.WRITE,
        lambda s: f"{s.gzip_mib} MiB f4, lzf",
        build_lzf,
        lambda r, p, c: _check_chunked_file(p, c, "lzf"),
    ),
    Workload(
        "lzf_read",
        0.6,
        Kind.READ,
        lambda s: f"{s.gzip_mib} MiB, lzf",
        read_whole,
        check_whole,
        source=build_lzf,
        floor=_codec_floor("lzf_best"),
    ),
    Workload(
        "row_reads",
        0.3,
        Kind.READ,
        lambda s: f"{s.row_ops} x d[i, :] of ({s.table_rows}, 64)",
        row_reads,
        check_row_reads,
        source=build_table,
    ),
    Workload(
        "row_writes",
        0.3,
        Kind.MODIFY,
        lambda s: f"{s.row_ops} x d[i, :] = row",
        row_writes,
        check_row_writes,
        source=build_table,
    ),
    Workload(
        "fancy_read",
        0.5,
        Kind.READ,
        lambda s: f"d[{s.fancy_rows} sorted rows, :]",
        fancy_read,
        check_fancy,
        source=build_table,
    ),
    Workload(
        "fancy_unsorted",
        1.0,
        Kind.READ,
        lambda s: f"d[{s.unsorted_rows} unsorted rows, :] + d[mask, :]",
        fancy_unsorted,
        check_fancy_unsorted,
        source=build_table,
    ),
    Workload(
        "many_objects",
        0.8,
        Kind.WRITE,
        lambda s: f"{s.groups} groups x (2 dsets, 3 attrs) + walk",
        many_objects,
        check_many_objects,
    ),
    Workload(
        "attrs",
        0.2,
        Kind.WRITE,
        lambda s: f"{s.attr_pairs} set+get over {s.attr_names} names",
        attr_pairs,
        check_attr_pairs,
    ),
    Workload(
        "vlen_strings",
        1.5,
        Kind.WRITE,
        lambda s: f"{s.vlen_count} strings write+read",
        vlen_strings,
        check_vlen,
    ),
    Workload(
        "read_direct",
        0.8,
        Kind.READ,
        lambda s: f"{_mib(s.contig_mib * MiB)} f8 into the caller's array",
        read_direct_contig,
        lambda r, p, c: expect_equal(r, c.contig_data(), "read_direct"),
        source=build_contig,
        floor=_bytes_floor(lambda s: s.contig_mib, "page_cache_read"),
    ),
    Workload(
        "read_direct_gzip",
        0.5,
        Kind.READ,
        lambda s: f"{s.gzip_mib} MiB gzip+shuffle into the caller's array",
        read_direct_gzip,
        check_whole,
        source=build_gzip,
        floor=_codec_floor("inflate_best"),
    ),
    Workload(
        "metadata_walk",
        0.7,
        Kind.READ,
        lambda s: f"visititems over {3 * s.groups} objects + every attr",
        metadata_walk,
        check_metadata_walk,
        source=build_many_objects,
    ),
    Workload(
        "copy_gzip",
        1.0,
        Kind.WRITE,
        lambda s: f"Group.copy of {s.gzip_mib} MiB gzip+shuffle",
        copy_gzip,
        lambda r, p, c: _check_chunked_file(p, c, "gzip"),
    ),
    Workload(
        "import",
        1.0,
        Kind.WRITE,
        lambda s: "python -c 'import <library>'",
        import_time,
        _check_nothing,
    ),
    Workload(
        "import_open",
        1.0,
        Kind.READ,
        lambda s: "the same + File(path), list it, close",
        import_open,
        _check_nothing,
        source=build_gzip,
    ),
    Workload(
        "appends",
        0.8,
        Kind.WRITE,
        lambda s: f"{s.appends} x resize + d[i] = row",
        appends,
        check_appends,
    ),
    Workload(
        "vds_read",
        1.0,
        Kind.READ,
        lambda s: f"virtual 1-D f8: {s.vds_elements} elements in {s.vds_mappings} mappings",
        vds_read,
        check_vds,
        source=build_vds,
    ),
    Workload(
        "small_chunks",
        1.0,
        Kind.READ,
        lambda s: f"{s.small_chunks} gzip chunks of 256 bytes, read whole",
        small_chunks_read,
        check_small_chunks,
        source=build_small_chunks,
    ),
]
BY_NAME = {w.name: w for w in WORKLOADS}
