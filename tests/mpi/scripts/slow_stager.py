"""mpiexec -n N python slow_stager.py N PATH: the last rank stages every commit a second
late, so rank 0 reaches the publishing writes first.  Staging reads the committed
structures a commit replaces (old symbol tables, chunk indexes); rank 0 must not write
over them in place before every rank has read them."""

import os
import sys
import time

from mpi4py import MPI

import h5pure
from h5pure.lowlevel.groupwriter import GroupStore

n, path = int(sys.argv[1]), sys.argv[2]
comm = MPI.COMM_WORLD
r = comm.Get_rank()
assert comm.Get_size() == n, f"expected {n} ranks, got {comm.Get_size()} (wrong mpiexec?)"
if r == 0 and os.path.exists(path):
    os.remove(path)
comm.Barrier()
with h5pure.File(path, "w", driver="mpio", comm=comm) as f:
    f.create_dataset("x", (n,), dtype="i4")[r] = r
    f.create_dataset("c", (4 * n, 3), dtype="i4", chunks=(1, 3), maxshape=(None, 3))

if r == n - 1:
    write_dirty = GroupStore.write_dirty

    def late(self):
        time.sleep(1.0)
        write_dirty(self)

    GroupStore.write_dirty = late

for k in range(3):
    with h5pure.File(path, "r+", driver="mpio", comm=comm) as f:
        f["x"][r] = 10 * k + r
        f.create_group(f"g{k}")
        f["g0"].attrs[f"a{k}"] = k
        f["c"][4 * r : 4 * r + 4] = k + r
        f["c"].resize((4 * n + k + 1, 3))
with h5pure.File(path, "r", driver="mpio", comm=comm) as f:
    assert list(f["x"][...]) == [20 + q for q in range(n)]
    assert sorted(f) == ["c", "g0", "g1", "g2", "x"], sorted(f)
    assert dict(f["g0"].attrs) == {"a0": 0, "a1": 1, "a2": 2}
    c = f["c"][...]
    assert c.shape == (4 * n + 3, 3)
    for q in range(n):
        assert (c[4 * q : 4 * q + 4] == 2 + q).all()
print(f"rank {r}/{n}: ok", flush=True)
