"""mpiexec -n N python readback.py N PATH: every rank writes its rows of datasets of many
small chunks (gzip, and unfiltered), then reads everything it wrote back before any
commit (its chunks still in its scratch memory), and after the flush every rank reads
every rank's rows."""

import sys

import numpy as np
from mpi4py import MPI

import h5pure

n, path = int(sys.argv[1]), sys.argv[2]
comm = MPI.COMM_WORLD
r = comm.Get_rank()
assert comm.Get_size() == n, f"expected {n} ranks, got {comm.Get_size()} (wrong mpiexec?)"
ROWS = 400  # per rank: 100 chunks of 4 rows each
data = np.arange(n * ROWS * 16, dtype="f4").reshape(n * ROWS, 16)
mine = slice(r * ROWS, (r + 1) * ROWS)
with h5pure.File(path, "w", driver="mpio", comm=comm) as f:
    for name, kw in (("gz", {"compression": "gzip"}), ("plain", {})):
        d = f.create_dataset(name, (n * ROWS, 16), dtype="f4", chunks=(4, 16), **kw)
        d[mine] = data[mine]
        np.testing.assert_array_equal(d[mine], data[mine])  # from scratch memory
        rows = np.arange(r * ROWS + 3, (r + 1) * ROWS, 37)
        np.testing.assert_array_equal(d[rows], data[rows])
    f.flush()
    for name in ("gz", "plain"):
        np.testing.assert_array_equal(f[name][...], data)
print(f"rank {r}/{n}: ok", flush=True)
