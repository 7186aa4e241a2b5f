"""User blocks through every driver, and h5py's rules for ``userblock_size``."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import h5pure

USER = b"#!user block: survives every later write\n"


class Target:
    """Where a file lives for one driver, and how its first bytes are reached directly."""

    def __init__(self, tmp_path: Path, driver: str) -> None:
        self.driver = driver
        self.kwds: dict[str, Any] = {}
        self.loc: Any
        if driver == "fileobj":
            self.loc = io.BytesIO()
        elif driver == "family":
            self.loc = str(tmp_path / "fam%d.h5")
            self.kwds = {"driver": "family", "memb_size": 4096}
        else:
            self.loc = str(tmp_path / "ub.h5")
            self.kwds = {"driver": driver}

    @property
    def first(self) -> str:
        return self.loc % 0 if self.driver == "family" else self.loc

    def write_user_bytes(self) -> None:
        if isinstance(self.loc, io.BytesIO):
            self.loc.seek(0)
            self.loc.write(USER)
            return
        with open(self.first, "r+b") as fh:
            fh.write(USER)

    def head(self) -> bytes:
        if isinstance(self.loc, io.BytesIO):
            return self.loc.getvalue()[: len(USER)]
        with open(self.first, "rb") as fh:
            return fh.read(len(USER))

    def open(self, module: Any, mode: str, **kwds: Any) -> Any:
        return module.File(self.loc, mode, **self.kwds, **kwds)


DRIVERS = ["sec2", "stdio", "core", "family", "fileobj"]


@pytest.mark.parametrize("writer", ["h5pure", "h5py"])
@pytest.mark.parametrize("driver", DRIVERS)
def test_user_block_survives_later_writes(
    tmp_path: Path, h5py: Any, driver: str, writer: str
) -> None:
    first = h5pure if writer == "h5pure" else h5py
    other = h5py if writer == "h5pure" else h5pure
    t = Target(tmp_path, driver)
    data = np.arange(2000.0)
    with t.open(first, "w", userblock_size=1024) as f:
        f["a"] = data
    t.write_user_bytes()
    with t.open(other, "r") as f:
        assert f.userblock_size == 1024
        np.testing.assert_array_equal(f["a"][...], data)
    # the other library appends (mode "a" with the file's own size is accepted), then the
    # first one does, in mode "r+"
    with t.open(other, "a", userblock_size=1024) as f:
        f["b"] = data[::-1]
        f["a"][:3] = -1
    assert t.head() == USER
    with t.open(first, "r+") as f:
        assert f.userblock_size == 1024
        f.create_dataset("c", data=np.arange(5000), chunks=(100,), compression="gzip")
    assert t.head() == USER
    for module in (h5py, h5pure):
        with t.open(module, "r") as f:
            assert f.userblock_size == 1024
            assert sorted(f) == ["a", "b", "c"]
            np.testing.assert_array_equal(f["a"][3:], data[3:])
            np.testing.assert_array_equal(f["b"][...], data[::-1])
            np.testing.assert_array_equal(f["c"][...], np.arange(5000))


ARGUMENTS = [
    ("w", 256),
    ("w", 100),
    ("w", 1000),
    ("w", 768),
    ("w", -512),
    ("w", "big"),
    ("w-", 3000),
    ("a", 1000),  # on the existing file (user block 512): checked before the open
    ("a", 1024),  # a valid size that is not the file's
    ("a", 0),
    ("r", 512),
    ("r+", 512),
    ("r+", 0),
]


@pytest.mark.parametrize(("mode", "size"), ARGUMENTS)
def test_bad_userblock_arguments_like_h5py(
    tmp_path: Path, h5py: Any, mode: str, size: Any
) -> None:
    path = tmp_path / "has512.h5"
    with h5py.File(path, "w", userblock_size=512) as f:
        f["x"] = np.arange(3)
    before = path.read_bytes()
    target = path if mode in ("a", "r", "r+") else tmp_path / "new.h5"
    with pytest.raises(Exception) as theirs:
        h5py.File(target, mode, userblock_size=size)
    assert path.read_bytes() == before
    with pytest.raises(type(theirs.value)) as ours:
        h5pure.File(target, mode, userblock_size=size)
    assert str(ours.value) == str(theirs.value)
    assert path.read_bytes() == before
    assert not os.path.exists(tmp_path / "new.h5")


@pytest.mark.parametrize("size", [0, 512, 512.0, 1 << 16])
def test_good_userblock_sizes(tmp_path: Path, h5py: Any, size: Any) -> None:
    for module, name in ((h5py, "theirs.h5"), (h5pure, "ours.h5")):
        with module.File(tmp_path / name, "w", userblock_size=size) as f:
            assert f.userblock_size == int(size)
            f["x"] = 1
        with module.File(tmp_path / name, "a", userblock_size=size) as f:
            f["y"] = 2
    for module in (h5py, h5pure):
        with module.File(tmp_path / "ours.h5", "r") as f:
            assert f.userblock_size == int(size) and sorted(f) == ["x", "y"]
