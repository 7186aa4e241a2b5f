"""Global heap collections (III.E): vlen strings of h5py files."""

from __future__ import annotations

import struct

import numpy as np
import pytest

from h5pure.errors import FormatError
from h5pure.format.context import FormatContext
from h5pure.format.global_heap import (
    encode_global_heap_collection,
    read_global_heap_collection,
)
from h5pure.testing.sources import BytesSource

h5py = pytest.importorskip("h5py")

CTX = FormatContext()


@pytest.fixture(scope="module", params=["earliest", "latest"])
def vlen_file(request, tmp_path_factory):
    path = str(tmp_path_factory.mktemp("gh") / "vlen.h5")
    strings = [f"string number {i} " + "é" * (i % 50) for i in range(1500)]
    with h5py.File(path, "w", libver=request.param) as f:
        d = f.create_dataset("s", data=strings, dtype=h5py.string_dtype())
        offset = d.id.get_offset()
    data = open(path, "rb").read()
    return data, offset, strings


def _heap_ids(data: bytes, offset: int, n: int) -> list[tuple[int, int, int]]:
    """Vlen elements on disk: u32 length, collection address, u32 object index."""
    return [struct.unpack_from("<IQI", data, offset + 16 * i) for i in range(n)]


def test_vlen_strings_match(vlen_file):
    data, offset, strings = vlen_file
    src = BytesSource(data)
    collections = {}
    for s, (length, addr, index) in zip(strings, _heap_ids(data, offset, len(strings))):
        if addr not in collections:
            collections[addr] = read_global_heap_collection(src, CTX, addr)
        obj = collections[addr].objects[index]
        assert obj[:length] == s.encode()
    assert len(collections) > 1, "expected the strings to span several collections"
    for coll in collections.values():
        assert coll.size >= 4096 and 0 not in coll.objects


def test_encode_roundtrip(vlen_file):
    data, offset, strings = vlen_file
    _, addr, _ = _heap_ids(data, offset, 1)[0]
    coll = read_global_heap_collection(BytesSource(data), CTX, addr)
    enc = encode_global_heap_collection(coll.objects, CTX, min_size=coll.size)
    assert len(enc) == coll.size
    again = read_global_heap_collection(BytesSource(enc), CTX, 0)
    assert again.objects == coll.objects and again.free_space == coll.free_space
    # libhdf5's objects (refcount 0) and layout: identical bytes up to the free space
    used = coll.size - coll.free_space
    assert enc[:used] == data[addr : addr + used]


def test_corrupt_collection(vlen_file):
    data, offset, _ = vlen_file
    _, addr, index = _heap_ids(data, offset, 1)[0]
    bad = bytearray(data)
    bad[addr : addr + 4] = b"GCOX"
    with pytest.raises(FormatError, match=f"collection at 0x{addr:x}: bad signature"):
        read_global_heap_collection(BytesSource(bytes(bad)), CTX, addr)
    bad = bytearray(data)
    bad[addr + 16 + 8 : addr + 16 + 16] = (10**9).to_bytes(8, "little")
    with pytest.raises(FormatError, match="runs past the collection end"):
        read_global_heap_collection(BytesSource(bytes(bad)), CTX, addr)
    with pytest.raises(FormatError):
        read_global_heap_collection(BytesSource(data[: addr + 100]), CTX, addr)
    coll = read_global_heap_collection(BytesSource(data), CTX, addr)
    with pytest.raises(FormatError, match="no object 65000"):
        coll.get(65000)
    assert np.frombuffer(coll.get(index), dtype=np.uint8).size > 0
