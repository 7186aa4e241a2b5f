"""``compression=<int>`` through the facade as h5py 3.16 takes it: 0-9 are gzip levels
unless ``h5py._hl.dataset._LEGACY_GZIP_COMPRESSION_VALS`` is emptied (h5py's own tests do),
then they are filter ids; the deflate id without a level fails as in h5py."""

from __future__ import annotations

from pathlib import Path

import pytest

import h5pure
from h5pure.h5py_facade._hl import dataset as facade_dataset


@pytest.fixture()
def legacy_off():
    before = facade_dataset._LEGACY_GZIP_COMPRESSION_VALS
    facade_dataset._LEGACY_GZIP_COMPRESSION_VALS = ()
    yield
    facade_dataset._LEGACY_GZIP_COMPRESSION_VALS = before


def test_levels_are_gzip_by_default(tmp_path: Path) -> None:
    with h5pure.File(tmp_path / "a.h5", "w") as f:
        d = f.create_dataset("x", (20, 30), "f4", compression=3)
        assert (d.compression, d.compression_opts) == ("gzip", 3)


@pytest.mark.usefixtures("legacy_off")
def test_emptied_legacy_values_make_numbers_filter_ids(tmp_path: Path) -> None:
    with h5pure.File(tmp_path / "a.h5", "w") as f:
        d = f.create_dataset("x", (20, 30), "f4", compression=1, compression_opts=(7,))
        assert (d.compression, d.compression_opts) == ("gzip", 7)
        with pytest.raises(IndexError):
            f.create_dataset("y", (20, 30), "f4", compression=1)
        with pytest.raises(ValueError, match="Invalid filter"):
            f.create_dataset("z", (20, 30), "f4", compression=-999)
        with pytest.raises(ValueError, match="Unknown compression"):
            f.create_dataset("z", (20, 30), "f4", compression=100)


def test_restoring_the_legacy_values_restores_levels(tmp_path: Path, legacy_off: None) -> None:
    facade_dataset._LEGACY_GZIP_COMPRESSION_VALS = frozenset(range(10))
    with h5pure.File(tmp_path / "a.h5", "w") as f:
        assert f.create_dataset("x", (4,), "f4", compression=2).compression_opts == 2
