"""Fixtures of the ``h5pure`` command tests: the corpora, made once per session by h5py
(``corpus.py`` for diff/repack/stat/copy, ``lsdump_corpus.py`` for ls and dump)."""

import os
import shutil
import subprocess
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from oracle import tool_env  # noqa: E402  (beside this file)

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


@pytest.fixture(scope="session")
def corpus_dir(tmp_path_factory):
    """A directory holding every ls/dump corpus file (see ``lsdump_corpus.py``)."""
    h5py = pytest.importorskip("h5py")
    import lsdump_corpus as corpus

    directory = tmp_path_factory.mktemp("cli_corpus")
    corpus.build_corpus(directory, h5py)
    return directory


@pytest.fixture(scope="session")
def oracle_files(corpus_dir):
    """The corpus files the C tools read completely (codecs.h5 needs libhdf5's LZF plugin
    and szip, which a libhdf5 build may lack)."""
    names = [f"{name}.h5" for name in ("types", "layouts", "links", "attrs", "vds", "refs",
                                       "misc", "wrap", "names", "mixed")]
    if shutil.which("h5dump"):
        probe = subprocess.run(["h5dump", "codecs.h5"], cwd=corpus_dir, capture_output=True,
                               env=tool_env(), check=False)
        if probe.returncode == 0 and not probe.stderr:
            names.append("codecs.h5")
    return names


@pytest.fixture(scope="session")
def plugins_file(corpus_dir):
    """``plugins.h5``: plugin filters (hdf5plugin) in the corpus directory."""
    pytest.importorskip("hdf5plugin")
    h5py = pytest.importorskip("h5py")
    import lsdump_corpus as corpus

    corpus.build_plugins(str(corpus_dir / "plugins.h5"), h5py)
    return "plugins.h5"
