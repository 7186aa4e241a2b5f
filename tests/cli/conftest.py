"""Fixtures of the ``h5pure`` command tests: the corpus, made once per session by h5py."""

import shutil
import subprocess

import pytest
from oracle import tool_env


@pytest.fixture(scope="session")
def corpus_dir(tmp_path_factory):
    """A directory holding every corpus file (see ``corpus.py``)."""
    h5py = pytest.importorskip("h5py")
    import corpus

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
    import corpus

    corpus.build_plugins(str(corpus_dir / "plugins.h5"), h5py)
    return "plugins.h5"
