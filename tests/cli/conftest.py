"""The corpus the tool tests share: written once per session by h5py."""

import os
import shutil
import subprocess
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

SRC = os.path.join(
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "src"
)


def run_h5pure(*args, cwd=None, timeout=120):
    """``python -m h5pure ARGS`` in a subprocess (this checkout's sources)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = SRC + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.run(
        [sys.executable, "-m", "h5pure", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=timeout,
    )


def run_tool(tool, *args, cwd=None, timeout=120):
    """One of Debian's hdf5-tools (skips the test when it is not installed)."""
    exe = shutil.which(tool)
    if exe is None:
        pytest.skip(f"{tool} is not installed")
    return subprocess.run([exe, *args], capture_output=True, text=True, cwd=cwd, timeout=timeout)


@pytest.fixture(scope="session")
def corpus(tmp_path_factory):
    h5py = pytest.importorskip("h5py")
    import corpus as make

    d = tmp_path_factory.mktemp("corpus")
    pairs = make.make_pairs(str(d), h5py)
    rich = make.make_rich(str(d / "rich.h5"), h5py)
    return {"dir": str(d), "pairs": pairs, "rich": rich}
