"""mpiexec -n N python read_h5pure.py N PATH: h5pure reads, under mpio, a file another
writer made (each rank its slab, then all)."""

import os
import sys

from mpi4py import MPI

sys.path.insert(0, os.path.dirname(__file__))
from common import ROWS, check_all  # noqa: E402

import h5pure  # noqa: E402

n, path = int(sys.argv[1]), sys.argv[2]
comm = MPI.COMM_WORLD
assert comm.Get_size() == n, f"expected {n} ranks, got {comm.Get_size()} (wrong mpiexec?)"
with h5pure.File(path, "r", driver="mpio", comm=comm) as f:
    w = int(f.attrs["ranks"])
    r = comm.Get_rank()
    if r < w:
        check_all(f, w, slice(r * ROWS, (r + 1) * ROWS))
    check_all(f, w)
print(f"rank {comm.Get_rank()}/{n}: ok", flush=True)
