"""Seed images (written by h5py once per worker) and the per-worker guards."""

from __future__ import annotations

import os

import pytest
from seeds import SEEDS, write_companions

from h5pure.testing.corrupt import memory_limit

# An allocation beyond this (the seeds are tens of KB) is one the file cannot justify.
MEMORY_HEADROOM = 1 << 30


@pytest.fixture(scope="session")
def seed_dir(tmp_path_factory):
    h5py = pytest.importorskip("h5py")
    d = tmp_path_factory.mktemp("corrupt_seeds")
    write_companions(str(d), h5py)
    for name, build in SEEDS.items():
        build(str(d / f"{name}.h5"), h5py)
    return d


@pytest.fixture(scope="session")
def seeds(seed_dir):
    """``{name: bytes}`` of every seed file."""
    return {name: (seed_dir / f"{name}.h5").read_bytes() for name in SEEDS}


@pytest.fixture
def case_path(seed_dir, worker_id):
    """Where mutated images are written: next to the companions, so external links and
    external raw storage resolve as in the seed."""
    return os.path.join(str(seed_dir), f"mutant_{worker_id}.h5")


@pytest.fixture
def bounded_memory():
    with memory_limit(MEMORY_HEADROOM) as active:
        yield active


@pytest.fixture(autouse=True)
def _external_storage_next_to_file(monkeypatch):
    """External raw data resolves relative to the HDF5 file's directory, as the seeds'
    companion file is placed (libhdf5 otherwise uses the current directory)."""
    monkeypatch.setenv("HDF5_EXTFILE_PREFIX", "${ORIGIN}")
