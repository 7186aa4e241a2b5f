"""A mutational fuzzer over h5pure's reader.

Seeds (``fuzz_corpus.py``) are mutated by a seeded random mutator -- bit flips, byte
sets, absurd values written over fields (structure heads and object header messages),
truncations, splices, deletions, each optionally followed by recomputing the checksums
of the blocks it touched so the mutation reaches the decoder behind them -- and each
mutant is opened read-only and walked completely by
:func:`h5pure.testing.corrupt.exercise` (every link, attribute, dataset property and
value, a few slices, dimension scales, references).

Each batch runs in its own worker subprocess (``python fuzzer.py worker ...``) with its
address space capped (``RLIMIT_AS``: its size after start-up plus ``--memory`` MiB) and a
time bound per case.  A case is a finding when:

- ``crash``: the worker died (a signal, ``os._exit``, a C-level fault);
- ``hang``: the case ran past ``--timeout`` seconds (the worker's own alarm, or the parent
  killing a worker that stopped answering);
- ``memory``: a ``MemoryError`` (an allocation the file cannot justify hit the cap);
- ``foreign``: an exception outside the allowed list, or an allowed bare builtin raised by
  accident rather than by a ``raise`` of h5pure (``corrupt.is_clean``). Allowed: the
  types h5py raises for bad files and arguments -- ``OSError`` (every format error; h5pure's
  ``FormatError`` is one), ``KeyError``, ``ValueError``, ``TypeError`` and
  ``RuntimeError`` (h5py maps libhdf5 errors without a more specific class to
  RuntimeError) -- except ``UnicodeError``, ``RecursionError`` and
  ``NotImplementedError``, which only ever signal a bug;
- ``modified``: the file's bytes changed although it was opened read-only.

Every case is deterministic: ``(--seed, case number)`` gives the same mutant, so a
finding is replayed with ``python fuzzer.py replay CORPUS SEED CASE``.  Findings are written
to ``OUT/findings/`` (the mutant and a ``.txt`` with what happened), deduplicated by kind,
exception type and the innermost h5pure frame; ``OUT/summary.json`` has the counts.

Long run (documented in tests/fuzz/README.md)::

    PYTHONPATH=src nice python tests/fuzz/fuzzer.py run --inputs 100000 --workers 2 \\
        --out /tmp/fuzz-out
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
SLICES = ((0,), (-1,), (slice(None, None, 2),), (slice(1, 3),))

# -- the mutator -------------------------------------------------------------------------


@dataclass
class Seed:
    """One seed file and what the mutator knows of its layout."""

    name: str
    path: Path
    data: bytes
    fields: list[tuple[int, int]]
    """``(offset, width)`` of fields worth writing absurd values to."""
    blocks: list[tuple[int, int]]
    """Checksummed blocks ``(start, end)`` (checksum at ``end``)."""
    cuts: list[int]
    """Truncation points near structure boundaries."""


def load_seed(name: str, path: Path) -> Seed:
    from h5pure.testing import corrupt

    data = path.read_bytes()
    fields = {(f.offset, f.width) for f in corrupt.structure_fields(data)}
    try:
        fields |= {(f.offset, f.width) for f in corrupt.message_fields(str(path))}
    except Exception:  # noqa: BLE001 - a seed h5pure cannot walk still has structures
        pass
    fields = {(o, w) for o, w in fields if 0 <= o and o + w <= len(data)}
    return Seed(
        name,
        path,
        data,
        sorted(fields),
        corrupt.checksummed_blocks(data),
        corrupt.boundary_offsets(data),
    )


_INTERESTING_BYTES = (0x00, 0x01, 0x02, 0x07, 0x08, 0x10, 0x3F, 0x40, 0x7F, 0x80, 0xFE, 0xFF)


def _flip(rng: random.Random, buf: bytearray, seed: Seed, seeds: list[Seed]) -> str:
    bits = [rng.randrange(len(buf) * 8) for _ in range(rng.choice((1, 1, 2, 3, 8)))]
    for b in bits:
        buf[b >> 3] ^= 1 << (b & 7)
    return f"flip bits {bits}"


def _byteset(rng: random.Random, buf: bytearray, seed: Seed, seeds: list[Seed]) -> str:
    at = [rng.randrange(len(buf)) for _ in range(rng.choice((1, 1, 2, 4)))]
    for a in at:
        buf[a] = rng.choice(_INTERESTING_BYTES) if rng.random() < 0.7 else rng.randrange(256)
    return f"set bytes {at}"


def _field(rng: random.Random, buf: bytearray, seed: Seed, seeds: list[Seed]) -> str:
    from h5pure.testing.corrupt import absurd_values

    if not seed.fields:
        return _byteset(rng, buf, seed, seeds)
    offset, width = rng.choice(seed.fields)
    if width == 1 and rng.random() < 0.5:  # widen a byte position to a 2/4/8-byte field
        width = rng.choice((2, 4, 8))
    width = min(width, len(buf) - offset)
    if width <= 0:
        return "field (none)"
    if rng.random() < 0.8:
        value = rng.choice(absurd_values(width))
    else:
        old = int.from_bytes(buf[offset : offset + width], "little")
        value = max(0, old + rng.choice((-1, 1, -8, 8, 1 << 8, 1 << 16)))
    value &= (1 << (8 * width)) - 1
    buf[offset : offset + width] = value.to_bytes(width, "little")
    return f"field 0x{offset:x}/{width} = {value:#x}"


def _truncate(rng: random.Random, buf: bytearray, seed: Seed, seeds: list[Seed]) -> str:
    cut = rng.choice(seed.cuts) if seed.cuts and rng.random() < 0.7 else rng.randrange(len(buf))
    cut = max(1, min(cut, len(buf) - 1))
    del buf[cut:]
    return f"truncate at {cut}"


def _splice(rng: random.Random, buf: bytearray, seed: Seed, seeds: list[Seed]) -> str:
    donor = rng.choice(seeds).data if rng.random() < 0.3 else bytes(buf)
    n = rng.choice((1, 2, 4, 8, 16, 32, 64, 256))
    src = rng.randrange(max(1, len(donor) - n))
    dst = rng.randrange(max(1, len(buf) - n))
    piece = donor[src : src + n]
    buf[dst : dst + len(piece)] = piece
    return f"splice {len(piece)} bytes from {src} to {dst}"


def _delete(rng: random.Random, buf: bytearray, seed: Seed, seeds: list[Seed]) -> str:
    n = rng.choice((1, 4, 8, 64))
    at = rng.randrange(max(1, len(buf) - n))
    del buf[at : at + n]
    return f"delete {n} bytes at {at}"


MUTATORS: tuple[tuple[Callable[..., str], int], ...] = (
    (_flip, 30),
    (_byteset, 15),
    (_field, 35),
    (_truncate, 6),
    (_splice, 10),
    (_delete, 4),
)


def mutate(rng: random.Random, seeds: list[Seed]) -> tuple[Seed, bytes, str]:
    """One mutant: a seed, its mutated bytes and a description of the mutations."""
    from h5pure.testing.corrupt import refresh_checksums

    seed = rng.choice(seeds)
    buf = bytearray(seed.data)
    steps = []
    for _ in range(rng.choice((1, 1, 1, 2, 3))):
        fns, weights = zip(*MUTATORS)
        fn = rng.choices(fns, weights)[0]
        before = bytes(buf)
        steps.append(fn(rng, buf, seed, seeds))
        if fn in (_flip, _byteset, _field, _splice) and rng.random() < 0.5:
            n = min(len(before), len(buf))
            diff = np.frombuffer(before, np.uint8, n) != np.frombuffer(bytes(buf), np.uint8, n)
            touched = [int(i) for i in np.flatnonzero(diff)[:8]]
            data = bytes(buf)
            for t in touched:
                data = refresh_checksums(data, seed.blocks, t)
            buf = bytearray(data)
            steps[-1] += " (checksums refreshed)"
    return seed, bytes(buf), "; ".join(steps)


def case_rng(master: int, case: int) -> random.Random:
    return random.Random(f"h5pure-fuzz:{master}:{case}")


# -- the worker ----------------------------------------------------------------------------


def _slices(path: str, report) -> None:  # type: ignore[no-untyped-def]
    """A few partial reads of every dataset (the chunk projection paths)."""
    from h5pure import Dataset, File
    from h5pure.testing.corrupt import Problem

    try:
        f = File(path, "r")
    except Exception:  # noqa: BLE001 - the open was already exercised
        return
    try:
        found: list = []
        try:
            f.visititems(lambda n, o: found.append(o) if isinstance(o, Dataset) else None)
        except Exception:  # noqa: BLE001
            pass
        for d in found[:64]:
            for key in SLICES:
                try:
                    if d.ndim and d.shape[0] > 0 and d.dtype.itemsize * d.size <= 1 << 24:
                        d[key]
                except Exception as e:  # noqa: BLE001 - classified below
                    report.problems.append(Problem(f"{d.name}: slice {key}", e))
    finally:
        try:
            f.close()
        except Exception:  # noqa: BLE001
            pass


def _innermost(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [fr for fr in frames if "h5pure" in fr.filename] or frames
    if not ours:
        return "?"
    fr = ours[-1]
    return f"{Path(fr.filename).name}:{fr.lineno}"


def run_one(data: bytes, path: Path, timeout: float) -> dict:
    """Exercise one mutant; the finding (or ``{"kind": "ok"}``)."""
    from h5pure.testing.corrupt import CaseTimeout, Report, exercise, time_limit

    path.write_bytes(data)
    report = Report()
    kind = "ok"
    try:
        with time_limit(timeout, hard_seconds=timeout * 3):
            report = exercise(str(path))
            _slices(str(path), report)
    except CaseTimeout:
        kind = "hang"
    except MemoryError as e:
        return {"kind": "memory", "type": "MemoryError", "where": _innermost(e), "text": str(e)}
    if path.read_bytes() != data:
        return {"kind": "modified", "type": "", "where": "", "text": ""}
    if kind == "hang":
        return {"kind": "hang", "type": "", "where": "", "text": ""}
    for p in report.problems:
        if isinstance(p.exception, MemoryError):
            e = p.exception
            return {
                "kind": "memory",
                "type": "MemoryError",
                "where": _innermost(e),
                "text": p.where,
            }
    for p in report.unclean:
        e = p.exception
        return {
            "kind": "foreign",
            "type": type(e).__name__,
            "where": _innermost(e),
            "text": f"{p.where}: {type(e).__name__}: {e}"[:500] + "\n" + p.tail,
        }
    return {"kind": "ok"}


def _cap_memory(mib: int) -> None:
    import resource

    from h5pure.testing.corrupt import _vm_size

    current = _vm_size()
    if current is None:
        return
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (current + (mib << 20), hard))


def worker(corpus: Path, master: int, start: int, count: int, timeout: float, mib: int) -> int:
    """Run cases ``start .. start+count-1``, printing ``S n`` before and a JSON result
    after each (the parent attributes a death to the last case started)."""
    os.environ.setdefault("HDF5_EXTFILE_PREFIX", "${ORIGIN}")
    import h5pure

    h5pure.set_threads(1)  # no pool threads: the address-space cap stays meaningful
    seeds = load_corpus(corpus)
    _cap_memory(mib)
    out = sys.stdout
    for case in range(start, start + count):
        rng = case_rng(master, case)
        seed, data, how = mutate(rng, seeds)
        out.write(f"S {case}\n")
        out.flush()
        path = seed.path.parent / f".mutant_{os.getpid()}.h5"
        try:
            result = run_one(data, path, timeout)
        finally:
            try:
                path.unlink()
            except OSError:
                pass
        result.update(case=case, seed=seed.name, how=how)
        out.write("R " + json.dumps(result) + "\n")
        out.flush()
    return 0


_SEED_CACHE: dict[str, list[Seed]] = {}


def load_corpus(corpus: Path) -> list[Seed]:
    """Every seed of a corpus directory built by ``fuzz_corpus.build_corpus`` (its
    ``corpus.json`` names them)."""
    key = str(corpus)
    if key not in _SEED_CACHE:
        names = json.loads((corpus / "corpus.json").read_text())
        _SEED_CACHE[key] = [load_seed(n, corpus / p) for n, p in sorted(names.items())]
    return _SEED_CACHE[key]


def build(corpus: Path) -> None:
    sys.path.insert(0, str(HERE))
    from fuzz_corpus import build_corpus

    made = build_corpus(corpus)
    (corpus / "corpus.json").write_text(
        json.dumps({n: str(p.relative_to(corpus)) for n, p in made.items()}, indent=1)
    )


# -- the parent ----------------------------------------------------------------------------


@dataclass
class Totals:
    inputs: int = 0
    ok: int = 0
    findings: dict[str, int] = field(default_factory=dict)
    unique: dict[str, dict] = field(default_factory=dict)
    seconds: float = 0.0

    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    """Batches report from several threads."""

    def add(self, r: dict) -> None:
        with self.lock:
            self.inputs += 1
            if r["kind"] == "ok":
                self.ok += 1
                return
            self.findings[r["kind"]] = self.findings.get(r["kind"], 0) + 1
            key = f"{r['kind']}|{r.get('type', '')}|{r.get('where', '')}"
            if key not in self.unique:
                self.unique[key] = r

    def as_json(self) -> dict:
        return {
            "inputs": self.inputs,
            "ok_or_clean": self.ok,
            "findings": self.findings,
            "unique": len(self.unique),
            "seconds": round(self.seconds, 1),
        }


def _spawn(corpus: Path, master: int, start: int, count: int, args) -> subprocess.Popen:
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "worker",
        str(corpus),
        str(master),
        str(start),
        str(count),
        "--timeout",
        str(args.timeout),
        "--memory",
        str(args.memory),
    ]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _run_batch(corpus: Path, master: int, start: int, count: int, args, totals: Totals, out):
    """One batch in a worker; a worker that dies or stops answering is restarted after
    the case it was on, which is recorded as a crash or hang."""
    import selectors

    end = start + count
    while start < end:
        proc = _spawn(corpus, master, start, end - start, args)
        assert proc.stdout is not None
        sel = selectors.DefaultSelector()
        sel.register(proc.stdout, selectors.EVENT_READ)
        current = None
        last = time.monotonic()
        killed = False
        while True:
            if not sel.select(timeout=1.0):
                if time.monotonic() - last > args.timeout * 3 + 30:
                    proc.kill()
                    killed = True
                    break
                continue
            line = proc.stdout.readline()
            if not line:
                break
            last = time.monotonic()
            if line.startswith("S "):
                current = int(line[2:])
            elif line.startswith("R "):
                r = json.loads(line[2:])
                totals.add(r)
                _record(out, corpus, master, r)
                current = None
                start = r["case"] + 1
        proc.wait()
        stderr = proc.stderr.read() if proc.stderr else ""
        if current is not None:
            kind = "hang" if killed or "Timeout" in stderr else "crash"
            r = {"kind": kind, "case": current, "type": "", "where": "", "text": stderr[-2000:]}
            rng = case_rng(master, current)
            seed, _, how = mutate(rng, load_corpus(corpus))
            r.update(seed=seed.name, how=how, where=f"{kind} in {seed.name}")
            totals.add(r)
            _record(out, corpus, master, r)
            start = current + 1
        elif proc.returncode != 0 and start < end:
            raise RuntimeError(f"worker failed outside a case:\n{stderr[-3000:]}")


_RECORD_LOCK = threading.Lock()


def _record(out: Path | None, corpus: Path, master: int, r: dict) -> None:
    if out is None or r["kind"] == "ok":
        return
    with _RECORD_LOCK:
        _write_finding(out, corpus, master, r)


def _write_finding(out: Path, corpus: Path, master: int, r: dict) -> None:
    with open(out / "findings.jsonl", "a") as fh:
        fh.write(json.dumps(r) + "\n")
    d = out / "findings"
    d.mkdir(exist_ok=True)
    stem = f"{r['kind']}-{master}-{r['case']}"
    if len(list(d.glob(f"{r['kind']}-*.h5"))) < 200:
        rng = case_rng(master, r["case"])
        seed, data, how = mutate(rng, load_corpus(corpus))
        (d / f"{stem}.h5").write_bytes(data)
        (d / f"{stem}.txt").write_text(
            f"seed {seed.name}\nmutations {how}\nreplay: fuzzer.py replay {corpus} {master} "
            f"{r['case']}\n\n{r.get('type', '')} at {r.get('where', '')}\n{r.get('text', '')}\n"
        )


def run(args) -> Totals:
    corpus = Path(args.corpus) if args.corpus else Path(args.out) / "corpus"
    if not (corpus / "corpus.json").exists():
        corpus.mkdir(parents=True, exist_ok=True)
        build(corpus)
    out = Path(args.out) if args.out else None
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
    totals = Totals()
    t0 = time.monotonic()
    end = args.first + args.inputs
    batches = [(s, min(args.batch, end - s)) for s in range(args.first, end, args.batch)]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(args.workers) as pool:
        futures = [
            pool.submit(_run_batch, corpus, args.seed, s, n, args, totals, out) for s, n in batches
        ]
        for i, fut in enumerate(futures):
            fut.result()
            totals.seconds = time.monotonic() - t0
            if out is not None:
                (out / "summary.json").write_text(json.dumps(totals.as_json(), indent=1))
            if args.progress and (i + 1) % args.progress == 0:
                print(json.dumps(totals.as_json()), flush=True)
    totals.seconds = time.monotonic() - t0
    if out is not None:
        (out / "summary.json").write_text(json.dumps(totals.as_json(), indent=1))
    return totals


def replay(corpus: Path, master: int, case: int, keep: str | None) -> int:
    """Run one case in this process and print what happened."""
    os.environ.setdefault("HDF5_EXTFILE_PREFIX", "${ORIGIN}")
    seed, data, how = mutate(case_rng(master, case), load_corpus(corpus))
    print(f"seed {seed.name}: {how}")
    if keep:
        Path(keep).write_bytes(data)
    path = seed.path.parent / f".replay_{os.getpid()}.h5"
    try:
        print(json.dumps(run_one(data, path, 10.0), indent=1))
    finally:
        path.unlink(missing_ok=True)
    return 0


def check(paths: list[str], timeout: float, mib: int) -> int:
    """Exercise each file as a fuzz case (same time and memory bounds, a copy beside the
    original so companions resolve) and print one JSON result per line; exit status 1
    when any is a finding.  The reproducers' regression test runs this."""
    os.environ.setdefault("HDF5_EXTFILE_PREFIX", "${ORIGIN}")
    import h5pure

    h5pure.set_threads(1)
    _cap_memory(mib)
    bad = 0
    for name in paths:
        src = Path(name)
        path = src.parent / f".check_{os.getpid()}_{src.name}"
        try:
            result = run_one(src.read_bytes(), path, timeout)
        finally:
            path.unlink(missing_ok=True)
        result["file"] = src.name
        bad += result["kind"] != "ok"
        print(json.dumps(result), flush=True)
    return 1 if bad else 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run", help="fuzz: mutate and exercise --inputs cases")
    r.add_argument("--inputs", type=int, default=1000)
    r.add_argument("--first", type=int, default=0, help="first case number")
    r.add_argument("--seed", type=int, default=0, help="master seed")
    r.add_argument("--workers", type=int, default=2)
    r.add_argument("--batch", type=int, default=500)
    r.add_argument("--timeout", type=float, default=10.0, help="seconds per case")
    r.add_argument("--memory", type=int, default=1024, help="MiB of address space per worker")
    r.add_argument("--corpus", help="corpus directory (built there if missing)")
    r.add_argument("--out", help="where findings and summary.json go")
    r.add_argument("--progress", type=int, default=10, help="print totals every N batches")
    w = sub.add_parser("worker")
    w.add_argument("corpus")
    w.add_argument("master", type=int)
    w.add_argument("start", type=int)
    w.add_argument("count", type=int)
    w.add_argument("--timeout", type=float, default=10.0)
    w.add_argument("--memory", type=int, default=1024)
    b = sub.add_parser("corpus", help="build a corpus directory")
    b.add_argument("corpus")
    p = sub.add_parser("replay", help="run one case here and print the outcome")
    p.add_argument("corpus")
    p.add_argument("master", type=int)
    p.add_argument("case", type=int)
    p.add_argument("--keep", help="write the mutant to this path")
    c = sub.add_parser("check", help="exercise given files as fuzz cases")
    c.add_argument("files", nargs="+")
    c.add_argument("--timeout", type=float, default=10.0)
    c.add_argument("--memory", type=int, default=1024)
    args = ap.parse_args(argv)
    if args.cmd == "check":
        return check(args.files, args.timeout, args.memory)
    if args.cmd == "worker":
        return worker(
            Path(args.corpus), args.master, args.start, args.count, args.timeout, args.memory
        )
    if args.cmd == "corpus":
        Path(args.corpus).mkdir(parents=True, exist_ok=True)
        build(Path(args.corpus))
        return 0
    if args.cmd == "replay":
        return replay(Path(args.corpus), args.master, args.case, args.keep)
    totals = run(args)
    print(json.dumps(totals.as_json(), indent=1))
    for r in totals.unique.values():
        print(
            f"--- {r['kind']} case {r['case']} ({r['seed']}: {r['how']})\n{r.get('text', '')[:1500]}"
        )
    return 0 if not totals.findings else 1


if __name__ == "__main__":
    raise SystemExit(main())
