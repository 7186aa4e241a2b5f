"""Helpers for the format-layer tests: decode h5py-written files from their bytes."""

from __future__ import annotations

import ctypes
import glob
import os
from dataclasses import dataclass
from typing import Any

import pytest

from h5pure.format.context import FormatContext
from h5pure.format.superblock import Superblock, decode_superblock, locate_superblock
from h5pure.testing.sources import BytesSource


@dataclass
class Image:
    """A whole HDF5 file image with its superblock decoded."""

    data: bytes
    sb: Superblock
    ctx: FormatContext
    source: BytesSource


def load_image(path: Any) -> Image:
    with open(path, "rb") as fh:
        data = fh.read()
    at = locate_superblock(lambda off, n: data[off : off + n], len(data))
    sb = decode_superblock(data[at : at + 4096], at)
    return Image(data, sb, sb.context(), BytesSource(data, sb.base_address))


@pytest.fixture
def image():
    """``image(path) -> Image``."""
    return load_image


def _libhdf5() -> ctypes.CDLL:
    import h5py

    libs = glob.glob(
        os.path.join(os.path.dirname(h5py.__file__), "..", "h5py.libs", "libhdf5-*.so*")
    )
    if not libs:
        pytest.skip("h5py's bundled libhdf5 not found (needed for H5Pset_istore_k)")
    lib = ctypes.CDLL(libs[0])
    lib.H5Pset_istore_k.argtypes = [ctypes.c_int64, ctypes.c_uint]
    lib.H5Pset_sym_k.argtypes = [ctypes.c_int64, ctypes.c_uint, ctypes.c_uint]
    lib.H5Pset_shared_mesg_nindexes.argtypes = [ctypes.c_int64, ctypes.c_uint]
    lib.H5Pset_shared_mesg_index.argtypes = [
        ctypes.c_int64,
        ctypes.c_uint,
        ctypes.c_uint,
        ctypes.c_uint,
    ]
    return lib


@pytest.fixture
def libhdf5():
    """h5py's bundled libhdf5 through ctypes, for property-list calls h5py does not wrap."""
    return _libhdf5()


@pytest.fixture
def make_sized_file():
    """``make_sized_file(path, sizes, istore_k, sym_k, libver_low)``: a file created through
    libhdf5 with non-default offset/length sizes and B-tree K values (h5py lacks
    ``set_istore_k``/``set_sym_k``, so they are called through ctypes on h5py's libhdf5)."""
    import h5py

    def make(path: Any, sizes: int, istore_k: int, sym_k: tuple[int, int], low: int) -> None:
        lib = _libhdf5()
        fcpl = h5py.h5p.create(h5py.h5p.FILE_CREATE)
        fcpl.set_sizes(sizes, sizes)
        if lib.H5Pset_istore_k(fcpl.id, istore_k) < 0 or lib.H5Pset_sym_k(fcpl.id, *sym_k) < 0:
            raise RuntimeError("H5Pset_istore_k/H5Pset_sym_k failed")
        fapl = h5py.h5p.create(h5py.h5p.FILE_ACCESS)
        fapl.set_libver_bounds(low, h5py.h5f.LIBVER_LATEST)
        fid = h5py.h5f.create(os.fsencode(str(path)), fcpl=fcpl, fapl=fapl)
        fid.close()
        with h5py.File(path, "a") as f:
            f.create_group("g")
            f.create_dataset("d", data=[1, 2, 3], dtype="i4")

    return make
