"""A local heap whose free list is torn -- what libhdf5's own crashes leave behind -- does
not make its group unreadable: names never need the free list.  A writer changing such a
group rebuilds its heap whole, free list included, so the result is valid for h5py too
(issue 13)."""

from __future__ import annotations

import struct

import numpy as np
import pytest

import h5pure
from h5pure.format.context import FormatContext
from h5pure.format.local_heap import LocalHeap

h5py = pytest.importorskip("h5py")

# free-list head values: past the segment, inside it (a block of garbage size), the
# segment start (a zero-sized block: libhdf5's "free block size is zero?"), all ones
TORN = {"past": 10**6, "inside": 3, "start": 0, "huge": 0xDEADBEEFDEADBEEF}


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """An h5py file whose groups have local heaps with free blocks (a deleted name)."""
    path = tmp_path_factory.mktemp("heap") / "heap.h5"
    with h5py.File(path, "w", libver="earliest") as f:
        g = f.create_group("g")
        for i in range(5):
            g.create_dataset(f"d{i}", data=np.arange(i + 1))
        del g["d2"]
        f.create_dataset("top", data=np.arange(3.0))
    return path


def _heaps(data: bytes) -> list[int]:
    out, at = [], data.find(b"HEAP")
    while at >= 0:
        out.append(at)
        at = data.find(b"HEAP", at + 1)
    return out


def _tear(src, dst, which: int, head: int) -> None:
    """Copy ``src`` to ``dst`` with the free-list head of its ``which``-th local heap
    (0: the root group's, 1: /g's) set to ``head``."""
    data = bytearray(src.read_bytes())
    at = _heaps(bytes(data))[which]
    # "HEAP", version, 3 reserved, data segment size (8), free list head (8), address
    data[at + 16 : at + 24] = struct.pack("<Q", head)
    dst.write_bytes(bytes(data))


@pytest.mark.parametrize("head", TORN.values(), ids=TORN.keys())
@pytest.mark.parametrize("which", [0, 1], ids=["root", "group"])
def test_torn_free_list_reads(written, tmp_path, which, head):
    path = tmp_path / "torn.h5"
    _tear(written, path, which, head)
    before = path.read_bytes()
    with h5pure.File(path, "r") as f:
        assert sorted(f) == ["g", "top"]
        assert sorted(f["g"]) == ["d0", "d1", "d3", "d4"]
        np.testing.assert_array_equal(f["g/d4"][...], np.arange(5))
        np.testing.assert_array_equal(f["top"][...], np.arange(3.0))
        names = []
        f.visit(names.append)
        assert len(names) == 6
    assert path.read_bytes() == before  # a reader repairs nothing in place


@pytest.mark.parametrize("head", TORN.values(), ids=TORN.keys())
@pytest.mark.parametrize("which", [0, 1], ids=["root", "group"])
def test_writing_into_a_torn_group_rebuilds_its_heap(written, tmp_path, which, head):
    path = tmp_path / "torn.h5"
    _tear(written, path, which, head)
    group = "/" if which == 0 else "/g"
    with h5pure.File(path, "a") as f:
        f[group].create_dataset("new", data=np.arange(7))
        f[group].create_group("a_longer_name_than_any_before_it" * 2)
        del f[group]["new"]
        f[group]["new2"] = np.arange(4)
    for lib in (h5py, h5pure):
        with lib.File(path, "r") as f:
            assert "new2" in f[group] and "new" not in f[group]
            np.testing.assert_array_equal(f[group]["new2"][...], np.arange(4))
            assert {"d0", "d1", "d3", "d4"} <= set(f["g"])
            np.testing.assert_array_equal(f["g/d4"][...], np.arange(5))
    # the rebuilt heap's free list is whole
    data = path.read_bytes()
    ctx = FormatContext()
    with open(path, "rb") as fh:
        source = _Bytes(fh.read())
    for at in _heaps(data):
        heap = LocalHeap.read(source, ctx, at)
        if heap.free_list_head in TORN.values():
            continue  # the other group's heap, torn as given, untouched
        heap.free_blocks  # noqa: B018 - walks the list; raises when torn


class _Bytes:
    """A whole file image as a byte source."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def read(self, address: int, size: int) -> bytes:
        return self.data[address : address + size]


def test_free_list_still_checked_when_asked(written, tmp_path):
    """The free list is decoded on demand, and a torn one is an OSError naming the heap."""
    path = tmp_path / "torn.h5"
    _tear(written, path, 1, TORN["past"])
    data = path.read_bytes()
    at = _heaps(data)[1]
    heap = LocalHeap.read(_Bytes(data), FormatContext(), at)
    with pytest.raises(OSError, match=f"local heap at 0x{at:x}"):
        heap.free_blocks  # noqa: B018


def test_seed_free_lists_walk(written):
    """The seed itself is valid, with free blocks: the torn cases differ only there."""
    data = written.read_bytes()
    assert any(LocalHeap.read(_Bytes(data), FormatContext(), at).free_blocks for at in _heaps(data))
