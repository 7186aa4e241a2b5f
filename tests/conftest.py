"""Shared fixtures.  Heavy optional packages are imported inside fixtures, never here."""

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture
def h5py():
    return pytest.importorskip("h5py")
