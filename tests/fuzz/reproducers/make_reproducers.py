"""Minimal reproducers of what the fuzzer found, each a small self-contained file: an
h5py-written file with the one corruption that triggered the finding (checksums made to
match, so the corrupt value reaches the decoder behind them).

Regenerate explicitly (needs h5py): ``python tests/fuzz/reproducers/make_reproducers.py``.
``tests/fuzz/test_reproducers.py`` exercises every ``*.h5`` here; each must read
cleanly (OK or an error of h5py's types) within the fuzzer's time and memory bounds.
"""

from __future__ import annotations

import struct
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent

REPRODUCERS: dict[str, Callable[[Path], None]] = {}


def reproducer(fn: Callable[[Path], None]) -> Callable[[Path], None]:
    REPRODUCERS[fn.__name__] = fn
    return fn


def _patch(path: Path, edits: list[tuple[int, bytes]]) -> None:
    """Write ``edits`` (offset, bytes) into ``path`` and refresh the checksums of the
    blocks they touch."""
    from h5pure.testing.corrupt import checksummed_blocks, refresh_checksums

    data = bytearray(path.read_bytes())
    blocks = checksummed_blocks(bytes(data))
    for at, raw in edits:
        data[at : at + len(raw)] = raw
    out = bytes(data)
    for at, raw in edits:
        for t in range(at, at + len(raw)):
            out = refresh_checksums(out, blocks, t)
    path.write_bytes(out)


def _printf_vds(path: Path) -> int:
    """An h5py VDS ``printf`` whose mapping takes one 5-element block from each of the
    datasets ``p-0``, ``p-1``, ``p-2`` of the same file; returns the offset of its
    dataspace message (version 2, rank 1, max dims: dims 0, max unlimited)."""
    import h5py

    with h5py.File(path, "w", libver="latest") as f:
        for i in range(3):
            f.create_dataset(f"p-{i}", data=np.full(5, i + 1, dtype="i2"))
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        vspace = h5py.h5s.create_simple((0,), (h5py.h5s.UNLIMITED,))
        vspace.select_hyperslab((0,), (h5py.h5s.UNLIMITED,), (5,), (5,))
        dcpl.set_virtual(vspace, b".", b"p-%b", h5py.h5s.create_simple((5,)))
        space = h5py.h5s.create_simple((0,), (h5py.h5s.UNLIMITED,))
        h5py.h5d.create(f.id, b"printf", h5py.h5t.STD_I16LE, space, dcpl=dcpl)
    pattern = bytes([2, 1, 1, 1]) + struct.pack("<Q", 0) + b"\xff" * 8
    at = path.read_bytes().find(pattern)
    assert at > 0, "dataspace message not found"
    return at


@reproducer
def vds_printf_huge_extent(path: Path) -> None:
    """Fuzz case 433 (seed 1, vds_unlimited): a printf-named VDS mapping (``p-%b``, one
    5-element block per source) whose stored extent says 2**39 elements and whose maximum
    is no longer unlimited.  The reader probed one source name per block of the extent,
    ~10**11 lookups (a hang); libhdf5 stops at the first missing source."""
    at = _printf_vds(path)
    _patch(path, [(at + 4, struct.pack("<QQ", 2**39, 2**40))])  # dims 2**39, max 2**40


@reproducer
def vds_scalar_dataspace(path: Path) -> None:
    """Fuzz case 19789 (seed 1, vds_unlimited): the printf VDS's dataspace turned into a
    version 1 scalar one, its rank-1 mapping kept.  Reading indexed the rank-0 extent
    with the mapping's axis: IndexError.  Now an OSError, as libhdf5 refuses the mapping."""
    at = _printf_vds(path)
    _patch(path, [(at, bytes([1, 0, 0, 0]))])


@reproducer
def efl_offset_overflow(path: Path) -> None:
    """Fuzz case 7718 (seed 2, misc): an external raw storage slot whose file offset is
    2**63 (past a signed off_t).  Reading sought there: ValueError from ``seek``.  The
    external file is the reproducer itself, so it exists wherever the file is."""
    import h5py

    with h5py.File(path, "w", libver="earliest") as f:
        f.create_dataset("ext", shape=(4,), dtype="<i4", external=[(path.name, 0, 16)])
    data = path.read_bytes()
    # the slot: name offset, file offset 0, size 16 (8 bytes each); one slot only
    slot = struct.pack("<QQ", 0, 16)
    at = data.find(slot)
    assert at > 0 and data.find(slot, at + 1) < 0, "external file list slot not found"
    _patch(path, [(at, struct.pack("<Q", 2**63))])


@reproducer
def compound_duplicate_names(path: Path) -> None:
    """Fuzz case 9067 (seed 2, earliest): a compound datatype whose two members have the
    same name.  numpy refused the dtype with a bare ValueError ("name already used as a
    name or title"); libhdf5 never writes one (H5Tinsert: "member name is not unique"),
    so it is an OSError at the datatype message now."""
    import h5py

    comp = np.dtype([("ab", "<i4"), ("ac", "<f8")])
    with h5py.File(path, "w", libver="earliest") as f:
        f.create_dataset("compound", data=np.zeros(3, dtype=comp))
    data = path.read_bytes()
    at = data.find(b"ac\0")
    assert at > 0 and data.find(b"ac\0", at + 1) < 0, "member name not found"
    _patch(path, [(at, b"ab")])


@reproducer
def extent_past_numpy(path: Path) -> None:
    """Fuzz case 8892 (seed 4, latest): a chunked dataset of shape (3, 0), unlimited along
    its first axis, whose first dimension became 2**63 - 2**60.  It holds no element, but
    numpy cannot describe an array of that shape (the size times the element size
    overflows before the zero): reading it raised numpy's bare ValueError ("array is too
    big").  Now a ValueError naming the dataset and the shape."""
    import h5py

    with h5py.File(path, "w", libver="latest") as f:
        f.create_dataset("d", shape=(3, 0), maxshape=(None, 4), chunks=(2, 4), dtype="<i2")
    data = path.read_bytes()
    pattern = bytes([2, 2, 1, 1]) + struct.pack("<QQ", 3, 0)
    at = data.find(pattern)
    assert at > 0 and data.find(pattern, at + 1) < 0, "dataspace message not found"
    _patch(path, [(at + 4, struct.pack("<Q", 2**63 - 2**60))])


@reproducer
def sparse_extent_many_chunks(path: Path) -> None:
    """Fuzz cases 33144 and 39462 (seed 4, h5pure_earliest): a chunked dataset whose
    extent became (6, 2**21) -- 12 MiB of uint8, allowed by its unlimited maximum -- in
    chunks of 1 x 1: 12.6 million chunks of which 48 are stored.  Every read enumerated
    every touched chunk (a hang past 10 s); a read now walks the stored chunks when the
    selection touches many times more."""
    import h5py

    with h5py.File(path, "w", libver="earliest") as f:
        f.create_dataset(
            "d", data=np.arange(48, dtype="u1").reshape(6, 8), chunks=(1, 1), maxshape=(6, None)
        )
    data = path.read_bytes()
    pattern = bytes([1, 2, 1, 0, 0, 0, 0, 0]) + struct.pack("<QQQ", 6, 8, 6) + b"\xff" * 8
    at = data.find(pattern)
    assert at > 0 and data.find(pattern, at + 1) < 0, "dataspace message not found"
    _patch(path, [(at + 16, struct.pack("<Q", 2**21))])


@reproducer
def unlimited_current_extent(path: Path) -> None:
    """Fuzz case 35941 (seed 6, misc): a chunked dataset of shape (3, 0), unlimited along
    axis 0, whose current first dimension became 2**64 - 1 (the 'unlimited' value, equal
    to its maximum; the dataset still holds no element).  Parsing a slice over it counted the positions with ``len(range())``,
    which overflows past 2**63: a bare OverflowError.  The count is arithmetic now and
    the read ends in an error of h5py's types naming the dataset."""
    import h5py

    with h5py.File(path, "w", libver="earliest") as f:
        f.create_dataset("d", shape=(3, 0), maxshape=(None, 4), chunks=(2, 4), dtype="<i4")
    data = path.read_bytes()
    pattern = bytes([1, 2, 1, 0, 0, 0, 0, 0]) + struct.pack("<QQ", 3, 0) + b"\xff" * 8
    at = data.find(pattern)
    assert at > 0 and data.find(pattern, at + 1) < 0, "dataspace message not found"
    _patch(path, [(at + 8, b"\xff" * 8)])


def main(argv: list[str] | None = None) -> int:
    sys.path.insert(0, str(HERE.parents[2] / "src"))
    names = argv if argv else list(REPRODUCERS)
    for name in names:
        path = HERE / f"{name}.h5"
        REPRODUCERS[name](path)
        print(f"{path.name}\t{path.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
