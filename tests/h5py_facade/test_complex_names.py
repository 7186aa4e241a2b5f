"""``h5py.get_config().complex_names`` through the facade: the member names complex
numbers are written as and read back from; two names or a TypeError (h5py 3.16)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import h5pure
from h5pure.h5py_facade import h5


@pytest.fixture()
def cfg():
    config = h5.get_config()
    yield config
    config.complex_names = ("r", "i")


def test_default_and_refused_values(cfg: Any) -> None:
    assert cfg.complex_names == ("r", "i")
    for bad in (("q", "i", "v"), ["q", "x"], ("q", 1), ("q", "q")):
        with pytest.raises(TypeError):
            cfg.complex_names = bad
    assert cfg.complex_names == ("r", "i")


def test_names_written_and_read(tmp_path: Path, h5py: Any, cfg: Any) -> None:
    path = tmp_path / "c.h5"
    z = np.array([1 + 2j, -3.5 - 0.25j], dtype="c16")
    cfg.complex_names = ("q", "x")
    assert cfg.complex_names == ("q", "x") and cfg._i_name == b"x"
    with h5pure.File(path, "w") as f:
        f["z"] = z
        f.attrs["z"] = z[0]
        assert f["z"].dtype == np.dtype("c16")
        np.testing.assert_array_equal(f["z"][...], z)
        assert f.attrs["z"] == z[0]
    with h5py.File(path, "r") as f:  # h5py with its default names sees the compound
        assert f["z"].dtype.names == ("q", "x")
        np.testing.assert_array_equal(f["z"]["q"], z.real)
    cfg.complex_names = ("r", "i")
    with h5pure.File(path, "r") as f:  # and so does h5pure, back on the defaults
        assert f["z"].dtype.names == ("q", "x")
        np.testing.assert_array_equal(f["z"]["x"], z.imag)
