"""The codec packages: imported on first use, never by ``import h5pure``; the pure-Python
LZF fallback warns once, naming the package that makes it fast."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from h5pure.filters import lzf as lzf_mod
from h5pure.filters import optional

_IMPORTED_BY_IMPORT = textwrap.dedent(
    """
    import sys
    import h5pure
    heavy = ("imagecodecs", "deflate", "isal", "lzf", "hdf5plugin", "fsspec", "aiohttp",
             "requests", "xarray", "dask", "h5py")
    print(" ".join(sorted(m for m in sys.modules if m.split(".")[0] in heavy)))
    """
)


def test_import_h5pure_loads_no_codec_or_remote_package() -> None:
    out = subprocess.run(
        [sys.executable, "-c", _IMPORTED_BY_IMPORT], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == ""


def test_pure_python_lzf_warns_once_naming_the_package(
    tmp_path: Path, h5py: Any, monkeypatch: Any
) -> None:
    data = (np.arange(4000) % 7).astype("f4").reshape(40, 100)
    path = tmp_path / "lzf.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("d", data=data, chunks=(10, 100), compression="lzf")
    monkeypatch.setattr(lzf_mod, "_lzf", None)
    monkeypatch.setattr(lzf_mod, "_codecs", None)
    monkeypatch.setattr(optional, "_warned", set())
    import h5pure

    with h5pure.File(path, "r") as f, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        np.testing.assert_array_equal(f["d"][...], data)  # four chunks, one warning
        np.testing.assert_array_equal(f["d"][:10], data[:10])
    slow = [w for w in caught if issubclass(w.category, optional.SlowCodecWarning)]
    assert len(slow) == 1
    assert "LZF" in str(slow[0].message) and "pip install imagecodecs" in str(slow[0].message)


def test_compiled_lzf_does_not_warn(tmp_path: Path, h5py: Any) -> None:
    pytest.importorskip("imagecodecs")
    path = tmp_path / "lzf.h5"
    data = (np.arange(1000) % 7).astype("f4")
    with h5py.File(path, "w") as f:
        f.create_dataset("d", data=data, chunks=(100,), compression="lzf")
    import h5pure

    with h5pure.File(path, "r") as f, warnings.catch_warnings():
        warnings.simplefilter("error", optional.SlowCodecWarning)
        np.testing.assert_array_equal(f["d"][...], data)
