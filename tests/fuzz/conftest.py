"""``run_fuzzer``: ``fuzzer.py`` in a subprocess, importing the h5pure under test."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


@pytest.fixture
def run_fuzzer():
    import h5pure

    def run(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        env = dict(os.environ)
        src = str(Path(h5pure.__file__).resolve().parents[1])
        env["PYTHONPATH"] = os.pathsep.join([src, env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
        return subprocess.run(
            [sys.executable, str(HERE / "fuzzer.py"), *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
        )

    return run
