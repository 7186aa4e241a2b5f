"""``h5pure.install_as_h5py()``: ``installed_checks.py`` run in a pytest subprocess that
installs the facade first (installing is process-wide; this process keeps the real
h5py for the other tests)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
PLUGINS = HERE.parent / "client_suites" / "plugins"


@pytest.mark.timeout(600)
def test_installed_checks(tmp_path):
    import h5pure

    src = str(Path(h5pure.__file__).resolve().parent.parent)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env["PYTHONPATH"] = os.pathsep.join([str(PLUGINS), src, env.get("PYTHONPATH", "")])
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "suite_h5pure",
            "-p",
            "no:cacheprovider",
            "-q",
            "-o",
            "addopts=",
            "--rootdir",
            str(HERE),
            str(HERE / "installed_checks.py"),
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=540,
    )
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-3000:]
