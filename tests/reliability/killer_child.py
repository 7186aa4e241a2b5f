"""The writer the ``kill -9`` stress test kills (run as a script: PATH SEED FSYNC).

It runs the power-loss workload and reports on stdout, before each commit, ``pending
<digest>`` (the state that commit publishes) and, after it, ``done``: the parent sends
SIGKILL at a random moment, often right after a ``pending`` line (inside ``flush`` or
``close``), and then knows which states the file may hold.
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import powerloss  # noqa: E402

import h5pure  # noqa: E402


def main() -> None:
    path, seed, fsync = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1"
    aim_window = len(sys.argv) > 4 and sys.argv[4] == "window"
    out = sys.stdout
    if aim_window:
        # stop for a moment right after a commit wrote its journal pointer, saying so:
        # the parent's kill then lands inside the journal window
        import time

        from h5pure.drivers.sec2 import Sec2Driver
        from h5pure.format.journal import POINTER_MAGIC

        real_write = Sec2Driver._write

        def write(driver: Sec2Driver, offset: int, data: object) -> None:
            real_write(driver, offset, data)  # type: ignore[arg-type]
            if bytes(memoryview(data)[:8]) == POINTER_MAGIC:  # type: ignore[arg-type]
                out.write("window\n")
                out.flush()
                time.sleep(0.05)

        Sec2Driver._write = write  # type: ignore[method-assign]

    real_flush = h5pure.File.flush
    real_close = h5pure.File.close

    def announce(f: h5pure.File) -> None:
        out.write(f"pending {powerloss.digest(f)}\n")
        out.flush()

    def flush(self: h5pure.File) -> None:
        announce(self)
        real_flush(self)
        out.write("done\n")
        out.flush()

    def close(self: h5pure.File) -> None:
        if not self.id.valid:
            return real_close(self)
        announce(self)
        real_close(self)
        out.write("done\n")
        out.flush()

    h5pure.File.flush = flush  # type: ignore[method-assign]
    h5pure.File.close = close  # type: ignore[method-assign]
    out.write("ready\n")
    out.flush()
    powerloss.workload(h5pure, path, seed, steps=3000, fsync=fsync, on_commit=lambda f: None)
    out.write("finished\n")
    out.flush()


if __name__ == "__main__":
    main()
