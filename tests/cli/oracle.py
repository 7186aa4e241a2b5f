"""Running ``h5pure <command>`` and the C tool it mirrors on the same arguments."""

import os
import shutil
import subprocess
import sys

import pytest


def tool_env():
    """The environment both tools run in: the caller's (PYTHONPATH finds this h5pure),
    without ``COLUMNS`` (h5ls takes its width from it) and with UTC (h5ls prints local
    modification times)."""
    env = dict(os.environ)
    env.pop("COLUMNS", None)
    # the tools run in the corpus directory: a relative PYTHONPATH must stay valid there
    paths = env.get("PYTHONPATH", "").split(os.pathsep)
    env["PYTHONPATH"] = os.pathsep.join(os.path.abspath(p) for p in paths if p)
    env["TZ"] = "UTC"
    return env


def run_ours(command, args, cwd):
    return subprocess.run([sys.executable, "-m", "h5pure", command, *args], cwd=cwd,
                          capture_output=True, env=tool_env(), check=False, timeout=300)


def run_theirs(tool, args, cwd):
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} (Debian's hdf5-tools) is not installed")
    return subprocess.run([tool, *args], cwd=cwd, capture_output=True, env=tool_env(),
                          check=False, timeout=300)


def assert_same(theirs, ours, what):
    """Equal stdout (bytes) and exit code; on a difference, show the first lines of it."""
    if theirs.stdout != ours.stdout:
        import difflib

        diff = difflib.unified_diff(
            theirs.stdout.decode("utf-8", "replace").splitlines(),
            ours.stdout.decode("utf-8", "replace").splitlines(),
            "C tool", "h5pure", lineterm="", n=1)
        lines = "\n".join(list(diff)[:60])
        pytest.fail(f"{what}: output differs\n{lines}\nh5pure stderr: {ours.stderr[-2000:]!r}")
    assert theirs.returncode == ours.returncode, (what, ours.stderr[-2000:])
