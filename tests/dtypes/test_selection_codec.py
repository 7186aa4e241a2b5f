"""Serialized selections and H5Sencode buffers, against libhdf5's own encoder (h5py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from h5pure.errors import FormatError
from h5pure.format.selection_codec import (
    SelectionType,
    SerializedSelection,
    decode_encoded_dataspace,
    decode_selection,
    encode_selection,
)

h5py = pytest.importorskip("h5py")
h5s = h5py.h5s

SHAPE = (10, 12)
U = h5s.UNLIMITED


def _hyper(*calls: tuple[Any, ...]) -> Callable[[Any], None]:
    def apply(sid: Any) -> None:
        for i, (start, count, stride, block) in enumerate(calls):
            sid.select_hyperslab(
                start, count, stride, block, op=h5s.SELECT_SET if i == 0 else h5s.SELECT_OR
            )

    return apply


SELECTIONS: dict[str, Callable[[Any], None]] = {
    "all": lambda sid: sid.select_all(),
    "none": lambda sid: sid.select_none(),
    "points": lambda sid: sid.select_elements(np.array([[1, 2], [9, 11], [0, 0], [1, 2]])),
    "block": _hyper(((1, 2), (1, 1), None, (3, 4))),
    "strided": _hyper(((1, 2), (3, 4), (3, 2), (1, 1))),
    "union": _hyper(((0, 0), (2, 2), None, None), ((5, 5), (1, 3), (1, 2), (2, 1))),
    "unlimited_count": _hyper(((1, 2), (U, 1), (2, 12), (1, 1))),
    "unlimited_block": _hyper(((3, 0), (1, 1), (1, 1), (U, 2))),
}


def _oracle_mask(sid: Any) -> np.ndarray:
    mask = np.zeros(SHAPE, bool)
    kind = sid.get_select_type()
    if kind == h5s.SEL_ALL:
        mask[...] = True
    elif kind == h5s.SEL_POINTS:
        for p in sid.get_select_elem_pointlist():
            mask[tuple(p)] = True
    elif kind == h5s.SEL_HYPERSLABS:
        for lo, hi in sid.get_select_hyper_blocklist().reshape(-1, 2, len(SHAPE)):
            mask[tuple(slice(a, b + 1) for a, b in zip(lo, hi))] = True
    return mask


@pytest.mark.parametrize("name", sorted(SELECTIONS))
def test_encoded_dataspace_matches_libhdf5(name: str) -> None:
    sid = h5s.create_simple(SHAPE, (U, 12))
    SELECTIONS[name](sid)
    buf = sid.encode()
    enc, used = decode_encoded_dataspace(buf)
    assert used == len(buf)
    assert enc.shape == SHAPE and enc.maxshape == (None, 12) and enc.kind == "simple"
    sel = enc.selection
    assert encode_selection(sel) == buf[len(buf) - len(encode_selection(sel)) :]
    if name.startswith("unlimited"):
        assert sel.version == 2 and sel.regular is not None  # masks: next test
    else:
        np.testing.assert_array_equal(sel.to_mask(SHAPE), _oracle_mask(sid))
        assert len(sel.coordinates(SHAPE)) == sid.get_select_npoints()
    if name == "points":  # point order and duplicates survive
        np.testing.assert_array_equal(sel.coordinates(SHAPE), sid.get_select_elem_pointlist())


def test_unlimited_regular_hyperslab_mask() -> None:
    sid = h5s.create_simple(SHAPE, (U, 12))
    SELECTIONS["unlimited_count"](sid)
    sel = decode_encoded_dataspace(sid.encode())[0].selection
    expected = np.zeros(SHAPE, bool)
    expected[1::2, 2] = True
    np.testing.assert_array_equal(sel.to_mask(SHAPE), expected)
    sid = h5s.create_simple(SHAPE, (U, 12))
    SELECTIONS["unlimited_block"](sid)
    sel = decode_encoded_dataspace(sid.encode())[0].selection
    expected = np.zeros(SHAPE, bool)
    expected[3:, 0:2] = True
    np.testing.assert_array_equal(sel.to_mask(SHAPE), expected)


def test_scalar_and_null_dataspaces() -> None:
    enc, _ = decode_encoded_dataspace(h5s.create(h5s.SCALAR).encode())
    assert (enc.kind, enc.shape, enc.selection.kind) == ("scalar", (), SelectionType.ALL)
    enc, _ = decode_encoded_dataspace(h5s.create(h5s.NULL).encode())
    assert enc.kind == "null"


def test_kind_compares_as_string() -> None:
    assert SelectionType.POINTS == "points" and SelectionType.ALL == "all"
    assert SelectionType.HYPERSLABS.code == 2


@pytest.mark.parametrize("width", [2, 4, 8])
def test_v3_and_point_v2_roundtrip(width: int) -> None:
    regular = bytes.fromhex("02000000030000000102") + (2).to_bytes(4, "little")
    regular = regular[:9] + bytes([width]) + regular[10:]
    regular += b"".join(v.to_bytes(width, "little") for v in (1, 1, 1, 2, 2, 3, 2, 1))
    sel, used = decode_selection(regular)
    assert used == len(regular) and encode_selection(sel) == regular
    expected = np.zeros((4, 9), bool)
    expected[1:3, 2] = expected[1:3, 5] = True
    np.testing.assert_array_equal(sel.to_mask((4, 9)), expected)
    pts = bytes.fromhex("0100000002000000") + bytes([width]) + (2).to_bytes(4, "little")
    pts += b"".join(v.to_bytes(width, "little") for v in (2, 3, 1, 0, 2))
    sel, used = decode_selection(pts)
    assert used == len(pts) and encode_selection(sel) == pts
    assert sel.points == ((3, 1), (0, 2))


@pytest.mark.parametrize(
    "buf",
    [
        bytes.fromhex("0900000001000000"),  # unknown type
        bytes.fromhex("0200000009000000"),  # bad hyperslab version
        bytes.fromhex("01000000010000000000000018000000")
        + (2).to_bytes(4, "little")
        + (10**6).to_bytes(4, "little"),
        bytes.fromhex("02000000010000000000000018000000")
        + (40).to_bytes(4, "little")
        + bytes(4),  # rank 40
        bytes.fromhex("0200000003000000000300"),  # bad width
        bytes.fromhex("020000000100"),  # truncated
    ],
)
def test_hostile_selections_raise(buf: bytes) -> None:
    with pytest.raises(FormatError):
        decode_selection(buf)


def test_out_of_extent_selection_raises() -> None:
    sel = SerializedSelection(SelectionType.POINTS, 2, 1, points=((20, 0),))
    with pytest.raises(FormatError):
        sel.to_mask((4, 4))
    with pytest.raises(FormatError):
        sel.coordinates((4, 4, 4))
