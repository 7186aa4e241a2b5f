"""mpiexec -n N python fill.py N PATH: contiguous datasets are allocated when created; rank 0
writes a non-zero fill value, or zeros into reused space, before any rank writes."""

import sys

from mpi4py import MPI

import h5pure

n, path = int(sys.argv[1]), sys.argv[2]
comm = MPI.COMM_WORLD
r = comm.Get_rank()
assert comm.Get_size() == n, f"expected {n} ranks, got {comm.Get_size()} (wrong mpiexec?)"
with h5pure.File(path, "w", driver="mpio", comm=comm) as f:
    d = f.create_dataset("f", (n * 4, 3), dtype="i4", fillvalue=-5)
    d[r * 4 : r * 4 + 2] = r
    g = f.create_dataset("gone", (1000,), dtype="f8")
    g[r] = 3.0  # bytes the next dataset may get
    f.flush()
    del f["gone"]
    f.flush()
    e = f.create_dataset("reuse", (n, 100), dtype="f8")
    e[r, :50] = 1.0
print(f"rank {r}/{n}: ok", flush=True)
