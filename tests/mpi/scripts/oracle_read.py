"""Debian's parallel h5py reads a file h5pure wrote in parallel, each rank its slab:
mpiexec.openmpi -n N /usr/bin/python3 oracle_read.py N PATH"""

import os
import sys

import h5py
from mpi4py import MPI

sys.path.insert(0, os.path.dirname(__file__))
from common import ROWS, check_all  # noqa: E402

n, path = int(sys.argv[1]), sys.argv[2]
comm = MPI.COMM_WORLD
assert comm.Get_size() == n, f"expected {n} ranks, got {comm.Get_size()} (wrong mpiexec?)"
assert h5py.get_config().mpi, "not Debian's parallel h5py"
with h5py.File(path, "r", driver="mpio", comm=comm) as f:
    w = int(f.attrs["ranks"])
    r = comm.Get_rank()
    if r < w:
        check_all(f, w, slice(r * ROWS, (r + 1) * ROWS))
    check_all(f, w)
print(f"rank {comm.Get_rank()}/{n}: ok", flush=True)
