"""Run the MPI test scripts under the right ``mpiexec``: this environment's (pip's MPICH,
next to the running Python) for h5pure, Debian's Open MPI with Debian's Python for the
parallel h5py oracle.  The two MPI stacks are kept apart by absolute paths."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig

import pytest

SCRIPTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "scripts")
SRC = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "src"))
ORACLE_MPIEXEC = "/usr/bin/mpiexec.openmpi"
ORACLE_PYTHON = "/usr/bin/python3"


def mpiexec() -> str:
    """This environment's ``mpiexec`` (installed with the ``mpich`` wheel); skips the test
    when mpi4py or it is missing."""
    pytest.importorskip("mpi4py", reason="mpi4py not installed (pip install 'h5pure[mpi]')")
    scripts = sysconfig.get_path("scripts")
    found = shutil.which("mpiexec", path=scripts) or shutil.which(
        "mpiexec", path=os.path.dirname(sys.executable)
    )
    if found is None:
        pytest.skip(f"no mpiexec next to {sys.executable} (pip install mpich)")
    return found


def run(n: int, script: str, *args: str, timeout: float = 120, env: dict | None = None):
    """``mpiexec -n n python scripts/script args``; the completed process."""
    environ = dict(os.environ, PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""))
    environ.update(env or {})
    cmd = [mpiexec(), "-n", str(n), sys.executable, os.path.join(SCRIPTS, script), str(n), *args]
    return subprocess.run(
        cmd, capture_output=True, text=True, timeout=timeout, env=environ, check=False
    )


def oracle_available() -> bool:
    if not (os.access(ORACLE_MPIEXEC, os.X_OK) and os.access(ORACLE_PYTHON, os.X_OK)):
        return False
    probe = subprocess.run(
        [ORACLE_PYTHON, "-c", "import h5py._debian_h5py_mpi, mpi4py"],
        capture_output=True,
        env=_oracle_env(),
        check=False,
    )
    return probe.returncode == 0


def _oracle_env() -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env.update(
        OMPI_ALLOW_RUN_AS_ROOT="1",
        OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
        OMPI_MCA_rmaps_base_oversubscribe="1",
    )
    return env


def run_oracle(n: int, script: str, *args: str, timeout: float = 180):
    """Debian's parallel h5py: ``/usr/bin/mpiexec.openmpi -n n /usr/bin/python3 ...``."""
    if not oracle_available():
        pytest.skip(
            "Debian's parallel h5py is not installed (apt-get install python3-h5py-mpi openmpi-bin)"
        )
    cmd = [ORACLE_MPIEXEC, "-n", str(n), ORACLE_PYTHON, os.path.join(SCRIPTS, script), str(n)]
    return subprocess.run(
        [*cmd, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=_oracle_env(),
        check=False,
    )


def check_ok(proc, n: int) -> None:
    """Every one of the ``n`` ranks printed its ok line, and the job succeeded."""
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    for r in range(n):
        assert f"rank {r}/{n}: ok" in proc.stdout, out
