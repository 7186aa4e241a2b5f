"""Object and region references: value classes and on-disk decoding (h5py as the oracle)."""

from __future__ import annotations

import struct
from typing import Any

import numpy as np
import pytest

from h5pure.dtypes import Reference, RegionReference, storage_dtype, to_memory
from h5pure.dtypes.references import decode_revised_blob, decode_revised_ref
from h5pure.errors import FormatError
from h5pure.format.context import FormatContext
from h5pure.format.global_heap import read_global_heap_collection
from h5pure.format.messages.datatype import ReferenceKind, ReferenceType, decode_datatype
from h5pure.format.selection_codec import SelectionType, decode_selection, encode_selection
from h5pure.testing.sources import BytesSource

h5py = pytest.importorskip("h5py")


class HeapResolver:
    def __init__(self, path: str) -> None:
        self.src = BytesSource.from_path(path)

    def global_heap_object(self, collection_address: int, index: int) -> bytes:
        return read_global_heap_collection(self.src, FormatContext(), collection_address).objects[
            index
        ]


REGIONS: list[Any] = [
    np.s_[1:3, 2:5],
    np.s_[1:9:2, ::3],
    np.s_[[1, 3, 4], :],
    np.s_[5, 5],
    np.s_[...],
]


@pytest.fixture(scope="module", params=["earliest", "latest"])
def refs_file(request: Any, tmp_path_factory: Any) -> str:
    path = str(tmp_path_factory.mktemp("r") / f"refs_{request.param}.h5")
    with h5py.File(path, "w", libver=request.param) as f:
        d = f.create_dataset("d", data=np.arange(100).reshape(10, 10))
        g = f.create_group("g")
        o = f.create_dataset("o", (3,), dtype=h5py.ref_dtype)
        o[0] = d.ref
        o[1] = g.ref  # o[2] stays null
        r = f.create_dataset("r", (len(REGIONS) + 3,), dtype=h5py.regionref_dtype)
        for i, key in enumerate(REGIONS):
            r[i] = d.regionref[key]
        sid = d.id.get_space()
        sid.select_elements(np.array([[0, 1], [5, 5], [2, 9], [0, 1]]))
        r[len(REGIONS)] = h5py.h5r.create(d.id, b".", h5py.h5r.DATASET_REGION, sid)
        sid.select_none()
        r[len(REGIONS) + 1] = h5py.h5r.create(d.id, b".", h5py.h5r.DATASET_REGION, sid)
    return path


def _read(path: str, name: str) -> np.ndarray:
    with h5py.File(path, "r") as f:
        tid = f[name].id.get_type()
        off, size = f[name].id.get_offset(), f[name].id.get_storage_size()
    dt, _ = decode_datatype(tid.encode()[2:])
    assert isinstance(dt, ReferenceType)
    with open(path, "rb") as fh:
        fh.seek(off)
        raw = np.frombuffer(fh.read(size), dtype=storage_dtype(dt))
    return to_memory(raw, dt, HeapResolver(path))


def test_object_references(refs_file: str) -> None:
    refs = _read(refs_file, "o")
    with h5py.File(refs_file, "r") as f:
        assert refs[0].address == h5py.h5o.get_info(f["d"].id).addr
        assert refs[1].address == h5py.h5o.get_info(f["g"].id).addr
        assert [bool(r) for r in refs] == [bool(r) for r in f["o"][...]] == [True, True, False]
        assert [repr(r) for r in refs] == [repr(r) for r in f["o"][...]]


def test_region_references_match_h5py(refs_file: str) -> None:
    refs = _read(refs_file, "r")
    with h5py.File(refs_file, "r") as f:
        d = f["d"]
        data = d[...]
        addr = h5py.h5o.get_info(d.id).addr
        for ours, theirs in zip(refs, f["r"][...]):
            assert bool(ours) == bool(theirs)
            assert repr(ours) == repr(theirs)
            if not theirs:
                continue
            assert isinstance(ours, RegionReference) and ours.address == addr
            sid = h5py.h5r.get_region(theirs, d.id)
            sel = ours.selection
            assert sel is not None
            coords = sel.coordinates(d.shape)
            kind = sid.get_select_type()
            if kind == h5py.h5s.SEL_POINTS:
                assert sel.kind == SelectionType.POINTS
                np.testing.assert_array_equal(coords, sid.get_select_elem_pointlist())
            elif kind == h5py.h5s.SEL_HYPERSLABS:
                assert sel.kind == SelectionType.HYPERSLABS
                mask = np.zeros(d.shape, bool)
                for lo, hi in sid.get_select_hyper_blocklist().reshape(-1, 2, 2):
                    mask[lo[0] : hi[0] + 1, lo[1] : hi[1] + 1] = True
                np.testing.assert_array_equal(sel.to_mask(d.shape), mask)
            elif kind == h5py.h5s.SEL_NONE:
                assert sel.kind == SelectionType.NONE and len(coords) == 0
            assert len(coords) == sid.get_select_npoints()
            np.testing.assert_array_equal(data[tuple(coords.T)].reshape(-1), d[theirs].reshape(-1))


def test_region_blob_roundtrip(refs_file: str) -> None:
    """The selection bytes in each heap blob re-encode identically."""
    with h5py.File(refs_file, "r") as f:
        off, size = f["r"].id.get_offset(), f["r"].id.get_storage_size()
    data = open(refs_file, "rb").read()
    resolver = HeapResolver(refs_file)
    for i in range(size // 12):
        address, index = struct.unpack_from("<QI", data, off + 12 * i)
        if not address:
            continue
        blob = resolver.global_heap_object(address, index)
        sel, used = decode_selection(blob, 8)
        assert 8 + used == len(blob)
        assert encode_selection(sel) == blob[8:]


def test_value_classes() -> None:
    a, b, n = Reference(96), Reference(96), Reference(0)
    assert a == b and hash(a) == hash(b) and a != Reference(97)
    assert bool(a) and not n
    assert repr(n) == "<HDF5 object reference (null)>"
    ra = RegionReference(96, None)
    assert ra != a and len({a, b, ra}) == 2
    assert repr(RegionReference()) == repr(h5py.h5r.RegionReference())
    assert repr(Reference()) == repr(h5py.h5r.Reference())


class _FakeHeap:
    def __init__(self, blobs: dict[tuple[int, int], bytes]) -> None:
        self.blobs = blobs

    def global_heap_object(self, collection_address: int, index: int) -> bytes:
        return self.blobs[(collection_address, index)]


def test_revised_reference_layouts() -> None:
    # No oracle can write revised references through h5py; the layout follows
    # src/H5Tref.c (H5T__ref_disk_write) and src/H5Rint.c (H5R__encode).
    # v1 hyperslab, rank 2, one block (1, 2)-(2, 4)
    sel = bytes.fromhex(
        "02000000010000000000000018000000020000000100000001000000020000000200000004000000"
    )
    region_blob = bytes([8]) + (0x320).to_bytes(8, "little") + struct.pack("<II", len(sel), 2) + sel
    attr_blob = bytes([8]) + (0x400).to_bytes(8, "little") + struct.pack("<H", 5) + b"units"
    ext_blob = bytes([8]) + (0x500).to_bytes(8, "little") + struct.pack("<H", 6) + b"ext.h5"
    heap = _FakeHeap({(4096, 1): region_blob, (4096, 2): attr_blob, (4096, 3): ext_blob})

    def stored(kind: int, flags: int, blob: bytes, index: int) -> bytes:
        return (
            bytes([kind, flags])
            + struct.pack("<I", len(blob))
            + (4096).to_bytes(8, "little")
            + struct.pack("<I", index)
        )

    r = decode_revised_ref(stored(3, 0, region_blob, 1), 8, heap)
    assert r.kind == ReferenceKind.DATASET_REGION2 and r.address == 0x320
    assert r.selection is not None and r.selection.blocks == (((1, 2), (2, 4)),)
    a = decode_revised_ref(stored(4, 0, attr_blob, 2), 8, heap)
    assert (a.kind, a.address, a.attribute_name) == (ReferenceKind.ATTRIBUTE, 0x400, "units")
    e = decode_revised_ref(stored(2, 1, ext_blob, 3), 8, heap)
    assert (e.address, e.external_file) == (0x500, "ext.h5")
    assert decode_revised_ref(bytes(18), 8, heap).address == 0
    with pytest.raises(FormatError):
        decode_revised_blob(region_blob[:-3], ReferenceKind.DATASET_REGION2, 0)
    # through the datatype path: an 18-byte H5T_STD_REF type, version 4
    dt = ReferenceType(4, 18, ReferenceKind.OBJECT2, 1)
    raw = np.frombuffer(stored(3, 0, region_blob, 1) + bytes(18), dtype=storage_dtype(dt))
    vals = to_memory(raw, dt, heap)
    assert isinstance(vals[0], RegionReference) and vals[0].address == 0x320
    assert not vals[1]
