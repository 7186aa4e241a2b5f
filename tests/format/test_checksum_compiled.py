"""lookup3: imagecodecs' compiled function (loaded once Python has checksummed enough
bytes to pay for the import) and the Python one agree on every length and seed."""

from __future__ import annotations

import os

import pytest

from h5pure.format import checksum

imagecodecs = pytest.importorskip("imagecodecs")


@pytest.mark.parametrize("n", [0, 1, 3, 4, 11, 12, 13, 23, 24, 25, 100, 4096, 70_001])
@pytest.mark.parametrize("seed", [0, 1, 0xDEADBEEF, 0xFFFFFFFF])
def test_compiled_and_python_agree(n, seed):
    data = os.urandom(n)
    want = checksum.lookup3_python(data, seed)
    assert imagecodecs.h5checksum_lookup3(data, seed) == want
    assert checksum.lookup3(memoryview(bytearray(data)), seed) == want


def test_known_value():
    # the first 12 bytes of a v2 superblock signature region, as libhdf5 computes it
    assert checksum.lookup3_python(b"") == 0xDEADBEEF
    assert checksum.lookup3(b"Four score and seven years ago", 0) == 0x17770551


def test_switches_to_compiled_after_enough_python(monkeypatch):
    monkeypatch.setattr(checksum, "_compiled", None)
    monkeypatch.setattr(checksum, "_python_bytes", 0)
    block = os.urandom(1000)
    for _ in range(checksum._COMPILED_AFTER // 1000):
        checksum.lookup3(block)
    assert checksum._compiled is None  # not yet: a small file never loads it
    checksum.lookup3(block)
    checksum.lookup3(block)
    assert checksum._compiled is imagecodecs.h5checksum_lookup3


def test_without_imagecodecs_python_stays(monkeypatch):
    monkeypatch.setattr(checksum, "_compiled", False)
    block = os.urandom(100)
    assert checksum.lookup3(block) == checksum.lookup3_python(block)
