"""mpiexec -n N python write_h5pure.py N PATH independent|collective"""

import os
import sys

from mpi4py import MPI

sys.path.insert(0, os.path.dirname(__file__))
from common import check_all, write_all  # noqa: E402

import h5pure  # noqa: E402

n, path, mode = int(sys.argv[1]), sys.argv[2], sys.argv[3]
comm = MPI.COMM_WORLD
assert comm.Get_size() == n, f"expected {n} ranks, got {comm.Get_size()} (wrong mpiexec?)"
write_all(h5pure, path, comm, mode == "collective")
# read back under mpio, each rank its own slab, then everything
with h5pure.File(path, "r", driver="mpio", comm=comm) as f:
    r = comm.Get_rank()
    check_all(f, n, slice(r * 6, (r + 1) * 6))
    check_all(f, n)
print(f"rank {comm.Get_rank()}/{n}: ok", flush=True)
