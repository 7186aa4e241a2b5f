"""Debian's parallel h5py (/usr/bin/python3 under /usr/bin/mpiexec.openmpi) writes the
test file: mpiexec.openmpi -n N /usr/bin/python3 oracle_write.py N PATH"""

import os
import sys

import h5py
from mpi4py import MPI

sys.path.insert(0, os.path.dirname(__file__))
from common import write_all  # noqa: E402

n, path = int(sys.argv[1]), sys.argv[2]
comm = MPI.COMM_WORLD
assert comm.Get_size() == n, f"expected {n} ranks, got {comm.Get_size()} (wrong mpiexec?)"
assert h5py.get_config().mpi, "not Debian's parallel h5py"
# parallel libhdf5 1.10 writes filtered chunks collectively only, and no vlen data
write_all(h5py, path, comm, True, strings=False)
print(f"rank {comm.Get_rank()}/{n}: ok", flush=True)
