"""Parallel writes: 4 ranks each write one slab of one file, contiguous and chunked-gzip,
through h5pure's mpio driver, raw mpi4py ``Write_at_all`` of the same bytes, and Debian's
parallel h5py (libhdf5 1.10.8 over Open MPI), in one run; ratios printed.

    python benchmarks/mpio.py                 # 256 MiB in total (a minute or two)
    python benchmarks/mpio.py --size 1GiB     # the issue's size
    python benchmarks/mpio.py --ranks 4 --repeat 3 --dir /tmp

Run without ``mpiexec``: it launches the workers itself -- this environment's ``mpiexec``
(pip's MPICH) for h5pure and raw MPI-IO, ``/usr/bin/mpiexec.openmpi`` with
``/usr/bin/python3`` for Debian's parallel h5py (skipped when not installed).  Each timing
runs from a barrier before the open to a barrier after the close (h5pure commits at close)
and is the median of ``--repeat`` runs.  Every written file is checked with serial h5py.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time

import numpy as np

COLS = 4096
"""float32 columns: 16 KiB rows."""
CHUNK_ROWS = 256
"""4 MiB chunks."""
HERE = os.path.abspath(__file__)
SRC = os.path.join(os.path.dirname(os.path.dirname(HERE)), "src")


def slab(rank: int, rows: int) -> np.ndarray:
    """Rank ``rank``'s rows: smooth float32 values (gzip + shuffle compresses them ~3x)."""
    start = rank * rows
    base = np.arange(start, start + rows, dtype=np.float32)[:, None]
    return (np.sin(base / 50) * 100).astype(np.float32) + np.arange(COLS, dtype=np.float32) / 8


def _time(comm, fn) -> float:
    comm.Barrier()
    t0 = time.perf_counter()
    fn()
    comm.Barrier()
    return comm.allreduce(time.perf_counter() - t0, op=__import__("mpi4py").MPI.MAX)


def worker(lib: str, path: str, rows: int, repeat: int) -> None:
    from mpi4py import MPI

    comm = MPI.COMM_WORLD
    r, n = comm.Get_rank(), comm.Get_size()
    data = slab(r, rows)
    sel = slice(r * rows, (r + 1) * rows)
    shape = (n * rows, COLS)
    results: dict[str, list[float]] = {}

    if lib == "h5py":
        import h5py as h5
    else:
        import h5pure as h5  # type: ignore[no-redef]

    def contiguous() -> None:
        with h5.File(path, "w", driver="mpio", comm=comm) as f:
            d = f.create_dataset("x", shape, dtype="f4")
            with d.collective:
                d[sel] = data

    def gzip() -> None:
        with h5.File(path, "w", driver="mpio", comm=comm) as f:
            d = f.create_dataset(
                "x",
                shape,
                dtype="f4",
                chunks=(CHUNK_ROWS, COLS),
                compression="gzip",
                compression_opts=4,
                shuffle=True,
            )
            with d.collective:  # parallel libhdf5 writes filtered data collectively only
                d[sel] = data

    def raw() -> None:
        fh = MPI.File.Open(comm, path, MPI.MODE_WRONLY | MPI.MODE_CREATE)
        fh.Set_size(0)
        buf = memoryview(data).cast("B")
        offset = 2048 + r * buf.nbytes
        step = 1 << 30
        for k in range(0, max(buf.nbytes, 1), step):
            fh.Write_at_all(offset + k, buf[k : k + step])
        fh.Close()

    cases = {"contiguous": contiguous, "gzip": gzip}
    if lib == "h5pure":
        cases["raw"] = raw
    for name, fn in cases.items():
        times = [_time(comm, fn) for _ in range(repeat)]
        results[name] = times
        if name != "raw" and r == 0:
            import h5py as serial  # the oracle (serial libhdf5 of the same Python)

            with serial.File(path, "r") as f:
                d = f["x"]
                for k in range(n):
                    block = d[k * rows : k * rows + min(rows, 64)]
                    assert np.array_equal(block, slab(k, rows)[:64]), (lib, name, k)
    if r == 0:
        print("RESULT " + json.dumps({"lib": lib, "ranks": n, "times": results}), flush=True)


def _launch(cmd: list[str], env: dict[str, str]) -> dict:
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return dict(json.loads(line[7:]))
    raise RuntimeError(f"{' '.join(cmd)} failed:\n{proc.stdout}\n{proc.stderr}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", default="256MiB", help="total bytes written (e.g. 256MiB, 1GiB)")
    ap.add_argument("--ranks", type=int, default=4)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--dir", default=None, help="where the files go (default: $TMPDIR)")
    ap.add_argument("--worker", choices=["h5pure", "h5py"], help=argparse.SUPPRESS)
    ap.add_argument("--path", help=argparse.SUPPRESS)
    ap.add_argument("--rows", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        worker(args.worker, args.path, args.rows, args.repeat)
        return 0
    units = {"KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30}
    size = args.size
    total = next((int(size[: -len(u)]) * m for u, m in units.items() if size.endswith(u)), None)
    if total is None:
        total = int(size)
    rows = max(1, total // (args.ranks * COLS * 4))
    nbytes = rows * args.ranks * COLS * 4
    tmp = tempfile.mkdtemp(dir=args.dir, prefix="h5pure-mpio-bench-")
    try:
        mpiexec = shutil.which("mpiexec", path=sysconfig.get_path("scripts"))
        if mpiexec is None:
            print("no mpiexec next to this Python: pip install mpi4py mpich")
            return 2
        env = dict(os.environ, PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""))
        common = ["--rows", str(rows), "--repeat", str(args.repeat)]
        ours = _launch(
            [
                mpiexec,
                "-n",
                str(args.ranks),
                sys.executable,
                HERE,
                "--worker",
                "h5pure",
                "--path",
                os.path.join(tmp, "h5pure.h5"),
                *common,
            ],
            env,
        )
        theirs = None
        if os.access("/usr/bin/mpiexec.openmpi", os.X_OK):
            oenv = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
            oenv.update(
                OMPI_ALLOW_RUN_AS_ROOT="1",
                OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
                OMPI_MCA_rmaps_base_oversubscribe="1",
            )
            theirs = _launch(
                [
                    "/usr/bin/mpiexec.openmpi",
                    "-n",
                    str(args.ranks),
                    "/usr/bin/python3",
                    HERE,
                    "--worker",
                    "h5py",
                    "--path",
                    os.path.join(tmp, "h5py.h5"),
                    *common,
                ],
                oenv,
            )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    med = {k: statistics.median(v) for k, v in ours["times"].items()}
    mib = nbytes / (1 << 20)
    print(
        f"{args.ranks} ranks write {mib:.0f} MiB in total ({mib / args.ranks:.0f} MiB each), "
        f"median of {args.repeat}"
    )
    print(f"{'case':<34}{'seconds':>9}{'MiB/s':>9}")
    rows_out = [
        ("raw MPI-IO Write_at_all", med["raw"]),
        ("h5pure contiguous (collective)", med["contiguous"]),
        ("h5pure gzip+shuffle (collective)", med["gzip"]),
    ]
    if theirs is not None:
        hm = {k: statistics.median(v) for k, v in theirs["times"].items()}
        rows_out += [
            ("parallel h5py contiguous", hm["contiguous"]),
            ("parallel h5py gzip+shuffle", hm["gzip"]),
        ]
    for name, t in rows_out:
        print(f"{name:<34}{t:>9.3f}{mib / t:>9.0f}")
    print(
        f"h5pure contiguous bandwidth / raw MPI-IO: {med['raw'] / med['contiguous']:.2f} "
        "(goal >= 0.80)"
    )
    if theirs is not None:
        print(
            f"h5pure contiguous time / parallel h5py:  {med['contiguous'] / hm['contiguous']:.2f}"
        )
        print(f"h5pure gzip time / parallel h5py:        {med['gzip'] / hm['gzip']:.2f} (goal < 1)")
    else:
        print("Debian's parallel h5py not installed: apt-get install python3-h5py-mpi openmpi-bin")
    return 0


if __name__ == "__main__":
    sys.exit(main())
