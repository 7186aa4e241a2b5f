"""Build hook: the viewer's front end (``webapp/``) is built into the package.

Everything else about the package is in ``pyproject.toml``.  Building the package
(``pip install .``, ``pip wheel .``, editable installs too) runs ``npm ci`` and ``npm run
build`` in ``webapp/`` before the Python files are collected; Vite writes the bundle to
``src/h5pure/viewer/static/`` (with ``THIRD_PARTY_LICENSES.txt``, the licences of every
npm package in it), which the wheel ships as package data.

``H5PURE_VIEWER_BUILD`` chooses what happens:

- ``auto`` (default): build when the bundle is missing or older than its sources; without
  Node.js/npm, warn and build the package without the viewer's front end (``h5pure view``
  then says how to get it);
- ``require``: as ``auto``, but a missing Node.js/npm or a failed build fails the build;
- ``skip``: never run npm.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
WEBAPP = ROOT / "webapp"
STATIC = ROOT / "src" / "h5pure" / "viewer" / "static"
SOURCES = ("index.html", "vite.config.js", "package.json", "package-lock.json", "src")


def _newest_source() -> float:
    newest = 0.0
    for name in SOURCES:
        path = WEBAPP / name
        files = path.rglob("*") if path.is_dir() else [path]
        for f in files:
            if f.is_file():
                newest = max(newest, f.stat().st_mtime)
    return newest


def _bundle_is_current() -> bool:
    index = STATIC / "index.html"
    return index.is_file() and index.stat().st_mtime >= _newest_source()


def _run(cmd: list[str]) -> None:
    print(f"h5pure: running {' '.join(cmd)} in webapp/", flush=True)
    subprocess.run(cmd, cwd=WEBAPP, check=True)


def build_frontend() -> None:
    mode = os.environ.get("H5PURE_VIEWER_BUILD", "auto").lower()
    if mode == "skip" or not (WEBAPP / "package.json").is_file():
        return
    if _bundle_is_current():
        return
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        message = (
            "h5pure: Node.js and npm are not on the PATH, so the viewer's front end "
            "(h5pure view) is not built into this package"
        )
        if mode == "require":
            raise SystemExit(message)
        print(f"WARNING: {message}", file=sys.stderr, flush=True)
        return
    try:
        lock = WEBAPP / "package-lock.json"
        modules = WEBAPP / "node_modules" / ".package-lock.json"
        if not modules.is_file() or modules.stat().st_mtime < lock.stat().st_mtime:
            _run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"])
        _run([npm, "run", "build"])
    except (OSError, subprocess.CalledProcessError) as exc:
        if mode == "require":
            raise
        print(f"WARNING: h5pure: the viewer's front end failed to build: {exc}",
              file=sys.stderr, flush=True)


class BuildPyWithFrontend(build_py):
    """``build_py`` that builds the front end first, so its files are package data."""

    def run(self) -> None:
        build_frontend()
        # a rebuilt bundle has new hashed file names: drop the previous build's copy, or
        # an in-tree build directory (build/lib) would ship both
        shutil.rmtree(Path(self.build_lib) / "h5pure" / "viewer" / "static", ignore_errors=True)
        super().run()


setup(cmdclass={"build_py": BuildPyWithFrontend})
