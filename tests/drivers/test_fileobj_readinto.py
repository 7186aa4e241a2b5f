"""The file-object driver as h5py's: reads go through the object's ``readinto`` (a
broken or removed ``readinto`` fails the read), an object without one is read with
``read``, and the object is let go at the close (a ``NamedTemporaryFile`` nobody else
holds is then deleted)."""

from __future__ import annotations

import gc
import io
import os
import tempfile

import numpy as np
import pytest

import h5pure


def test_reads_use_readinto() -> None:
    calls: list[int] = []

    class Counting(io.BytesIO):
        def readinto(self, b):  # type: ignore[no-untyped-def]
            calls.append(len(b))
            return super().readinto(b)

    bio = Counting()
    with h5pure.File(bio, "w") as f:
        f["x"] = np.arange(12)
    with h5pure.File(bio, "r") as f:
        np.testing.assert_array_equal(f["x"][...], np.arange(12))
    assert calls


def test_a_broken_or_removed_readinto_fails_the_read() -> None:
    class Broken(io.BytesIO):
        def readinto(self, b):  # type: ignore[no-untyped-def]
            raise RuntimeError("I am broken")

    f = h5pure.File(Broken(), "w")
    f.create_dataset("test", data=list(range(12)))
    with pytest.raises(RuntimeError, match="broken"):
        list(f["test"])
    f.close()
    bio = io.BytesIO()
    f = h5pure.File(bio, "w")
    f.create_dataset("test", data=list(range(12)))
    assert list(f["test"][:]) == list(range(12))
    bio.readinto = None  # type: ignore[method-assign]
    with pytest.raises(TypeError):
        list(f["test"])


def test_an_object_without_readinto_is_read_with_read(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "r.h5"
    with h5pure.File(path, "w") as f:
        f["x"] = np.arange(5.0)

    class ReadOnly:
        def __init__(self, data: bytes) -> None:
            self._b = io.BytesIO(data)

        def seek(self, *a):  # type: ignore[no-untyped-def]
            return self._b.seek(*a)

        def tell(self):  # type: ignore[no-untyped-def]
            return self._b.tell()

        def read(self, n=-1):  # type: ignore[no-untyped-def]
            return self._b.read(n)

    with h5pure.File(ReadOnly(path.read_bytes()), "r") as f:
        np.testing.assert_array_equal(f["x"][...], np.arange(5.0))


def test_the_object_is_let_go_at_the_close() -> None:
    fileobj = tempfile.NamedTemporaryFile()
    name = fileobj.name
    f = h5pure.File(fileobj, "w")
    del fileobj
    f.create_dataset("test", data=list(range(12)))
    assert list(f) == ["test"]
    assert os.path.isfile(name)
    f.close()
    gc.collect()
    assert not os.path.isfile(name)
