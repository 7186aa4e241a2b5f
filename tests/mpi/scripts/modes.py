"""mpiexec -n N python modes.py N PATH: every File mode under mpio, f.atomic."""

import os
import sys

import numpy as np
from mpi4py import MPI

import h5pure

n, path = int(sys.argv[1]), sys.argv[2]
comm = MPI.COMM_WORLD
r = comm.Get_rank()
assert comm.Get_size() == n, f"expected {n} ranks, got {comm.Get_size()} (wrong mpiexec?)"
assert h5pure.get_config().mpi
if r == 0 and os.path.exists(path):
    os.remove(path)
comm.Barrier()
with h5pure.File(path, "a", driver="mpio", comm=comm) as f:  # "a" creates
    f.create_dataset("x", (n,), dtype="i4")[r] = r
for mode in ("w-", "x"):
    try:
        h5pure.File(path, mode, driver="mpio", comm=comm)
    except FileExistsError:
        pass
    else:
        raise AssertionError(f"mode {mode} opened an existing file")
with h5pure.File(path, "r+", driver="mpio", comm=comm) as f:
    f.atomic = True
    assert f.atomic
    f.atomic = False
    assert not f.atomic
    f["x"][r] = 10 + r
    f.create_group("more")
with h5pure.File(path, "a", driver="mpio", comm=comm) as f:  # "a" opens
    assert "more" in f
    f.attrs["n"] = n
with h5pure.File(path, "r", driver="mpio", comm=comm) as f:
    assert list(f["x"][...]) == [10 + k for k in range(n)]
    assert f.attrs["n"] == n
    try:
        f.create_group("no")
    except (OSError, ValueError):
        pass
    else:
        raise AssertionError("read-only file took a group")
try:
    h5pure.File(path + ".missing", "r", driver="mpio", comm=comm)
except FileNotFoundError:
    pass
else:
    raise AssertionError("opened a missing file")
other = path + ".new"
if r == 0 and os.path.exists(other):
    os.remove(other)
comm.Barrier()
with h5pure.File(other, "w-", driver="mpio", comm=comm) as f:
    f["y"] = np.arange(3)
with h5pure.File(other, "w", driver="mpio", comm=comm) as f:  # truncates
    assert len(f) == 0
print(f"rank {r}/{n}: ok", flush=True)
