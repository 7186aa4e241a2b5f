"""mpiexec -n N python diverge.py N PATH SCENARIO: ranks make different collective calls;
every rank must raise (printing one line) within seconds, none hang."""

import os
import sys
import time

from mpi4py import MPI

import h5pure
from h5pure.drivers.mpio import CollectiveError

n, path, scenario = int(sys.argv[1]), sys.argv[2], sys.argv[3]
comm = MPI.COMM_WORLD
r = comm.Get_rank()
assert comm.Get_size() == n, f"expected {n} ranks, got {comm.Get_size()} (wrong mpiexec?)"
start = time.monotonic()


class Mine(Exception):
    pass


try:
    with h5pure.File(path, "w", driver="mpio", comm=comm) as f:
        if scenario == "names":  # the last rank names its group differently
            f.create_group("a" if r < n - 1 else "b")
        elif scenario == "missing":  # the last rank skips an attribute
            f.create_group("g")
            if r < n - 1:
                f["g"].attrs["x"] = 1
        elif scenario == "raised":  # the last rank fails in its own code
            if r == n - 1:
                raise Mine("user error")
            f.create_dataset("d", (4,), dtype="i4")
        elif scenario == "chunk":  # every rank writes its row of one shared chunk
            f.flush()  # a committed state: the empty file
            d = f.create_dataset("c", (n, 4), dtype="i4", chunks=(n, 4))
            d[r] = r + 1
        elif scenario == "columns":  # a placed chunk, then ranks write its columns
            d = f.create_dataset("c", (4, 2 * n), dtype="i4", chunks=(4, 2 * n))
            with d.collective:
                if r == 0:
                    d[...] = 1
                else:
                    d[0:0] = 1
            d[:, 2 * r : 2 * r + 2] = r + 10
        elif scenario == "timeout":  # the last rank is too slow to arrive
            if r == n - 1:
                time.sleep(6)
        f.flush()
    print(f"rank {r}: NO ERROR", flush=True)
except CollectiveError as e:
    first = str(e).splitlines()[0]
    print(f"rank {r}: CollectiveError after {time.monotonic() - start:.1f}s: {first}", flush=True)
    if scenario != "timeout":
        print(f"rank {r}: detail: {' | '.join(str(e).splitlines()[1:])}", flush=True)
except Mine as e:
    print(f"rank {r}: Mine {e} (context: {type(e.__context__).__name__})", flush=True)
if scenario == "timeout":
    os._exit(0)  # the slow rank's collectives are abandoned: no MPI_Finalize
