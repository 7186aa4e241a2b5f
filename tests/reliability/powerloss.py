"""The power-loss harness (SQLite's crash tests, for HDF5 files).

A workload runs against a file while every ``write``, ``truncate`` and ``fsync`` of the
sec2 driver is recorded.  A *cut* replays a prefix of that log onto an empty file the way
a crash could leave it:

- ``kill``: every operation before the cut reached the file (a killed process loses
  nothing it wrote: the operating system has it);
- ``power``: operations covered by a later ``fsync`` reached the disk; each write issued
  since the last ``fsync`` is kept, dropped or torn -- any subset of its 512-byte sectors
  -- and each truncate kept or dropped.

The cut file must then open, in h5pure and in h5py, with exactly the state of a completed
commit: the last one made durable before the cut (``fsync``) or one after it that
completed (``kill``: the last completed one, or the one the cut interrupted).  A file a
writer died in the middle of committing is read by h5pure through its journal; h5py reads
it once h5pure has opened it for writing (which replays the journal).
"""

from __future__ import annotations

import hashlib
import os
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

SECTOR = 512


@dataclass
class Log:
    ops: list[tuple[Any, ...]] = field(default_factory=list)
    """("w", offset, bytes) | ("t", size) | ("s",)"""
    commits: list[tuple[int, str]] = field(default_factory=list)
    """(log length when the commit returned, digest of the state it committed)."""


class Recorder:
    """Records every write, truncate and fsync of the sec2 driver for ``path``."""

    def __init__(self, monkeypatch: Any, path: str) -> None:
        from h5pure.drivers.sec2 import Sec2Driver

        self.log = Log()
        log = self.log
        real_write, real_truncate, real_sync = (
            Sec2Driver._write,
            Sec2Driver.truncate,
            Sec2Driver.sync,
        )
        target = os.path.abspath(path)

        def mine(driver: Any) -> bool:
            return os.path.abspath(getattr(driver, "path", "")) == target

        def write(driver: Any, offset: int, data: Any) -> None:
            if mine(driver):
                log.ops.append(("w", offset, bytes(memoryview(data).cast("B"))))
            real_write(driver, offset, data)

        def truncate(driver: Any, size: int) -> None:
            if mine(driver):
                log.ops.append(("t", size))
            real_truncate(driver, size)

        def sync(driver: Any) -> None:
            if mine(driver):
                log.ops.append(("s",))
            real_sync(driver)

        monkeypatch.setattr(Sec2Driver, "_write", write)
        monkeypatch.setattr(Sec2Driver, "truncate", truncate)
        monkeypatch.setattr(Sec2Driver, "sync", sync)

    def committed(self, f: Any) -> None:
        """Call right after ``f.flush()``: the state the commit made durable."""
        self.log.commits.append((len(self.log.ops), digest(f)))


# -- what a file holds ---------------------------------------------------------------------


def _value_bytes(value: Any) -> bytes:
    arr = np.asarray(value)
    if arr.dtype.kind == "O":
        return repr([v.decode() if isinstance(v, bytes) else v for v in arr.reshape(-1).tolist()]).encode()
    return str(arr.dtype.str).encode() + str(arr.shape).encode() + arr.tobytes()


def digest(f: Any) -> str:
    """A hash of everything the file holds as the h5py API shows it (works on h5py and
    h5pure objects alike): every path, kind, attribute, shape, dtype and value."""
    h = hashlib.sha256()
    items: list[tuple[str, Any]] = []
    f.visititems(lambda name, obj: items.append((name, obj)))
    for name, obj in [("/", f), *sorted(items, key=lambda p: p[0])]:
        kind = type(obj).__name__
        h.update(f"{name}|{kind}|".encode())
        for key in sorted(obj.attrs):
            h.update(key.encode() + b"=" + _value_bytes(obj.attrs[key]))
        if kind == "Dataset":
            h.update(f"{obj.shape}|{obj.dtype}|".encode())
            h.update(_value_bytes(obj[()]))
    return h.hexdigest()


# -- cutting the log -----------------------------------------------------------------------


def replay(ops: list[tuple[Any, ...]], cut: int, mode: str, rng: random.Random) -> bytearray:
    """The file a crash at ``cut`` (ops[:cut] issued) leaves, under ``mode``."""
    durable_end = 0
    if mode == "power":
        for i in range(cut):
            if ops[i][0] == "s":
                durable_end = i + 1
    else:
        durable_end = cut
    image = bytearray()

    def apply(op: tuple[Any, ...], sectors: set[int] | None = None) -> None:
        if op[0] == "w":
            _, offset, data = op
            end = offset + len(data)
            if len(image) < end:
                image.extend(bytes(end - len(image)))
            if sectors is None:
                image[offset:end] = data
            else:
                for s in sectors:
                    lo = max(offset, s * SECTOR)
                    hi = min(end, (s + 1) * SECTOR)
                    image[lo:hi] = data[lo - offset : hi - offset]
        elif op[0] == "t":
            size = op[1]
            if size < len(image):
                del image[size:]
            else:
                image.extend(bytes(size - len(image)))

    for op in ops[:durable_end]:
        apply(op)
    for op in ops[durable_end:cut]:  # not yet durable: kept, dropped or torn
        choice = rng.random()
        if op[0] == "s" or choice < 0.3:
            continue
        if op[0] == "w" and choice < 0.6:
            _, offset, data = op
            first, last = offset // SECTOR, (offset + len(data) - 1) // SECTOR
            sectors = {s for s in range(first, last + 1) if rng.random() < 0.5}
            apply(op, sectors)
        else:
            apply(op)
    return image


def allowed_states(log: Log, cut: int, mode: str) -> list[str]:
    """The digests a crash at ``cut`` may show: from the last commit durable before the
    cut (``power``: its final fsync is before the cut; ``kill``: it returned before the
    cut) to the first commit that returned after it."""
    if mode == "power":
        last_sync = max((i + 1 for i in range(cut) if log.ops[i][0] == "s"), default=0)
        durable = [k for k, (end, _) in enumerate(log.commits) if end <= last_sync]
    else:
        durable = [k for k, (end, _) in enumerate(log.commits) if end <= cut]
    first = durable[-1] if durable else None
    later = [k for k, (end, _) in enumerate(log.commits) if end > cut]
    upto = later[0] if later else len(log.commits) - 1
    lo = 0 if first is None else first
    return [log.commits[k][1] for k in range(lo, upto + 1)]


def cut_points(log: Log, count: int, rng: random.Random) -> Iterator[int]:
    """``count`` cut positions spread over the log, every commit's window included."""
    n = len(log.ops)
    if count >= n:
        yield from range(1, n + 1)
        return
    # every position inside the last commits' publishing sequences, then random ones
    chosen: set[int] = set()
    for end, _ in log.commits:
        for back in range(0, 12):
            if 0 < end - back <= n:
                chosen.add(end - back)
    while len(chosen) < count:
        chosen.add(rng.randint(1, n))
    if len(chosen) > count:
        chosen = set(rng.sample(sorted(chosen), count))
    yield from sorted(chosen)


@dataclass
class Outcome:
    cut: int
    ok: bool
    why: str = ""


def check_cut(
    image: bytes,
    allowed: list[str],
    directory: str,
    cut: int,
    h5pure: Any,
    h5py: Any,
) -> Outcome:
    """Open the cut file read-only with h5pure (nothing may change), then for writing
    (the journal is replayed), then with h5py: each must show one allowed state, the
    same one."""
    path = os.path.join(directory, f"cut{cut}.h5")
    with open(path, "wb") as fh:
        fh.write(image)
    try:
        with h5pure.File(path, "r") as f:
            seen = digest(f)
        if open(path, "rb").read() != bytes(image):
            return Outcome(cut, False, "a read-only open changed the file")
        if seen not in allowed:
            return Outcome(cut, False, "h5pure (read-only) sees a state no commit made")
        with h5pure.File(path, "r+") as f:
            if digest(f) != seen:
                return Outcome(cut, False, "h5pure (r+) sees another state than read-only")
        with h5py.File(path, "r") as f:
            if digest(f) != seen:
                return Outcome(cut, False, "h5py sees another state than h5pure")
    except Exception as e:  # noqa: BLE001 - the outcome names it
        return Outcome(cut, False, f"{type(e).__name__}: {e}")
    finally:
        if os.path.exists(path):
            os.unlink(path)
    return Outcome(cut, True)


def check_job(args: tuple[bytes, list[str], str, int]) -> Outcome:
    """:func:`check_cut` for one job tuple, with both libraries (a process-pool entry)."""
    import h5py

    import h5pure

    image, allowed, directory, cut = args
    return check_cut(image, allowed, directory, cut, h5pure, h5py)


# -- the workload --------------------------------------------------------------------------


def workload(lib: Any, path: str, seed: int, steps: int, fsync: bool,
             on_commit: Callable[[Any], None]) -> None:
    """Creates, deletes, appends, attribute edits, chunk rewrites and resizes, with a
    commit every few operations (``on_commit`` right after each)."""
    rng = np.random.default_rng(seed)
    kwargs = {"fsync": fsync} if fsync else {}
    with lib.File(path, "w", libver=("earliest", "latest") if seed % 2 else None, **kwargs) as f:
        f.flush()
        on_commit(f)
        names: list[str] = []
        for step in range(steps):
            op = int(rng.integers(0, 9))
            if op == 0 or not names:  # a new dataset (chunked, maybe compressed)
                name = f"g{int(rng.integers(0, 3))}/d{step}"
                data = rng.integers(0, 1000, size=(int(rng.integers(1, 40)), 8)).astype("i4")
                f.create_dataset(
                    name, data=data, maxshape=(None, 8), chunks=(8, 8),
                    compression="gzip" if rng.random() < 0.5 else None,
                )
                names.append(name)
            elif op == 1:  # append rows
                d = f[names[int(rng.integers(0, len(names)))]]
                n = d.shape[0]
                extra = int(rng.integers(1, 20))
                d.resize((n + extra, 8))
                d[n:] = rng.integers(0, 1000, size=(extra, 8))
            elif op == 2:  # rewrite part of a chunk
                d = f[names[int(rng.integers(0, len(names)))]]
                if d.shape[0]:
                    i = int(rng.integers(0, d.shape[0]))
                    d[i, : int(rng.integers(1, 9))] = -step
            elif op == 3:  # attribute edit
                obj = f[names[int(rng.integers(0, len(names)))]]
                obj.attrs[f"a{int(rng.integers(0, 4))}"] = rng.random(int(rng.integers(1, 50)))
            elif op == 4:  # attribute delete
                obj = f[names[int(rng.integers(0, len(names)))]]
                keys = list(obj.attrs)
                if keys:
                    del obj.attrs[keys[0]]
            elif op == 5:  # delete a dataset
                name = names.pop(int(rng.integers(0, len(names))))
                del f[name]
            elif op == 6:  # shrink
                d = f[names[int(rng.integers(0, len(names)))]]
                d.resize((max(0, d.shape[0] - int(rng.integers(1, 10))), 8))
            elif op == 7:  # a vlen string attribute on a group
                f.require_group("g0").attrs["s"] = [f"step {step}", "x" * int(rng.integers(0, 30))]
            if rng.random() < 0.35:
                f.flush()
                on_commit(f)
