"""A sample file for the viewer, in the spirit of H5Web's own sample set: every datatype
class (big-endian ones too), NaN and infinities, fixed and variable-length strings, enum,
bool, compound, complex, references, empty datasets, a 2-D image, a 4-D stack and NeXus
NXdata groups -- written by h5pure, so the viewer's tests also read h5pure's output
through h5py (the h5grove oracle).

``make_sample(path)`` writes it; ``SAMPLE_PATHS`` lists what the tests look for.
"""

from __future__ import annotations

from os import PathLike
from types import ModuleType
from typing import Any

import numpy as np

import h5pure

IMAGE_SHAPE = (120, 160)
STACK_SHAPE = (3, 4, 40, 50)


def _image() -> np.ndarray:
    y, x = np.mgrid[0 : IMAGE_SHAPE[0], 0 : IMAGE_SHAPE[1]]
    return (np.sin(x / 9.0) * np.cos(y / 7.0) * 100 + x * 0.5).astype("<f4")


def _stack() -> np.ndarray:
    a, b, y, x = np.indices(STACK_SHAPE)
    return (a * 1000 + b * 100 + np.hypot(y - 20, x - 25) * (1 + a + b)).astype("<f8")


def _dtypes(lib: Any, g: Any) -> None:
    for name in ("i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8"):
        g[f"int_{name}"] = np.arange(-3, 7).astype(name) if name[0] == "i" else np.arange(10, dtype=name)
    g["int_be_i4"] = np.arange(-5, 5, dtype=">i4")
    g["float_f2"] = np.linspace(-1, 1, 9).astype("<f2")
    g["float_f4"] = np.linspace(0, 1, 11).astype("<f4")
    g["float_f8"] = np.array([0.1, 1e-7, 1.5e300, -2.5, 1e16, 0.00001], dtype="<f8")
    g["float_be_f8"] = np.array([1.5, -2.25, 3e-10, 4e20], dtype=">f8")
    g["float_be_f4"] = np.array([[1.5, -2.25], [3.0, 0.1]], dtype=">f4")
    g["float_nan_inf"] = np.array([1.0, np.nan, np.inf, -np.inf, -3.5, 0.0], dtype="<f8")
    g["bool"] = np.array([True, False, True, True])
    g["enum"] = np.array([0, 1, 2, 1], dtype=lib.enum_dtype({"RED": 0, "GREEN": 1, "BLUE": 2}, "u1"))
    g["complex_c8"] = np.array([1 + 2j, -0.5j, 3], dtype="<c8")
    g["complex_c16"] = np.array([[1 + 1j, 2 - 2j], [0.25, -1j]], dtype="<c16")
    g["str_fixed"] = np.array([b"alpha", b"beta", b"gamma"], dtype="S8")
    g.create_dataset(
        "str_vlen_utf8", data=np.array(["héllo", "wörld", "∑"], dtype=object), dtype=lib.string_dtype()
    )
    g.create_dataset(
        "str_vlen_ascii",
        data=np.array([b"one", b"two"], dtype=object),
        dtype=lib.string_dtype("ascii"),
    )
    g["scalar_int"] = np.int32(42)
    g["scalar_float"] = np.float64(3.25)
    g.create_dataset("scalar_str", data="a scalar string", dtype=lib.string_dtype())
    g["compound"] = np.array(
        [(1, 2.5, b"x"), (2, -1.0, b"yz")], dtype=[("id", "<i4"), ("value", "<f8"), ("tag", "S4")]
    )
    g["compound_nested"] = np.array(
        [((1, 2), 0.5)], dtype=[("pos", [("x", "<i2"), ("y", "<i2")]), ("w", ">f4")]
    )
    arr = g.create_dataset("array_type", shape=(4,), dtype=np.dtype(("<i2", (3,))))
    arr[...] = np.arange(12, dtype="<i2").reshape(4, 3)
    vl = np.empty(3, dtype=object)
    vl[:] = [np.arange(2, dtype="i4"), np.arange(5, dtype="i4"), np.arange(0, dtype="i4")]
    g.create_dataset("vlen_int", data=vl, dtype=lib.vlen_dtype(np.dtype("i4")))
    g.create_dataset("empty_f4", data=lib.Empty("<f4"))
    g.create_dataset("zero_size", shape=(0, 4), dtype="<f4")


def _references(lib: Any, f: Any) -> None:
    g = f["dtypes"]
    refs = g.create_dataset("object_refs", (2,), dtype=lib.ref_dtype)
    refs[0] = f["nD/image"].ref
    refs[1] = f["entities"].ref
    regs = g.create_dataset("region_refs", (1,), dtype=lib.regionref_dtype)
    regs[0] = f["nD/image"].regionref[10:20, 30:40]


def _attributes(lib: Any, obj: Any) -> None:
    a = obj.attrs
    a["int"] = np.int64(7)
    a["float_f4"] = np.float32(0.1)
    a["float_array"] = np.array([1.5, np.nan, np.inf], dtype="<f8")
    a["be_int"] = np.array([1, 2], dtype=">i2")
    a["str"] = "a string attribute"
    a["bytes"] = np.bytes_(b"fixed bytes")
    a["bool"] = np.bool_(True)
    a["complex"] = np.complex128(1 - 2j)
    a.create("empty", data=lib.Empty("<i4"))
    a["compound"] = np.array((3, 0.5), dtype=[("a", "<i4"), ("b", "<f4")])


def _nexus(f: Any) -> None:
    entry = f.create_group("nexus_entry")
    entry.attrs["NX_class"] = "NXentry"
    entry.attrs["default"] = "image"
    img = entry.create_group("image")
    img.attrs["NX_class"] = "NXdata"
    img.attrs["signal"] = "data"
    img.attrs["axes"] = np.array(["Y", "X"], dtype=object)
    d = img.create_dataset("data", data=_image())
    d.attrs["units"] = "counts"
    img["X"] = np.linspace(-8, 8, IMAGE_SHAPE[1] + 1)
    img["Y"] = np.linspace(0, 6, IMAGE_SHAPE[0])
    img["X"].attrs["units"] = "mm"
    spec = entry.create_group("spectrum")
    spec.attrs["NX_class"] = "NXdata"
    spec.attrs["signal"] = "counts"
    spec.attrs["axes"] = "energy"
    energy = np.linspace(1.0, 10.0, 200)
    spec["energy"] = energy
    spec["energy"].attrs["units"] = "keV"
    spec["counts"] = (np.exp(-((energy - 5.5) ** 2)) * 1000).astype("<f4")
    spec["counts_errors"] = np.sqrt(spec["counts"][()] + 1).astype("<f4")


BIG_SHAPE = (4096, 4096)


def _big() -> np.ndarray:
    y, x = np.ogrid[0 : BIG_SHAPE[0], 0 : BIG_SHAPE[1]]
    return (np.sin(x / 300.0) + np.cos(y / 200.0)).astype("<f4")


def make_sample(path: str | PathLike[str], lib: ModuleType = h5pure, big: bool = False) -> None:
    """Write the viewer's sample file at ``path`` (overwriting it) with ``lib``: h5pure,
    or h5py (the same calls).  ``big`` adds ``/nD/big``, 4096 x 4096 float32 (64 MiB),
    more than one answer of the viewer may hold."""
    with lib.File(path, "w") as f:
        _attributes(lib, f)
        ent = f.create_group("entities")
        ent.create_group("empty_group")
        ent["dataset"] = np.arange(5, dtype="<i4")
        ent["dataset"].attrs["note"] = "a plain dataset"
        ent["datatype"] = np.dtype("<f8")
        ent["soft_link"] = lib.SoftLink("/entities/dataset")
        ent["dangling_soft_link"] = lib.SoftLink("/nowhere")
        ent["external_link"] = lib.ExternalLink("missing_file.h5", "/data")
        _dtypes(lib, f.create_group("dtypes"))
        nd = f.create_group("nD")
        nd["line"] = np.sin(np.linspace(0, 6 * np.pi, 500)).astype("<f8")
        nd["x_values"] = np.linspace(0.0, 30.0, 500)
        nd.create_dataset("image", data=_image(), chunks=(32, 40), compression="gzip", shuffle=True)
        nd.create_dataset("stack_4d", data=_stack(), chunks=(1, 1, 40, 50), compression="gzip")
        nd["image"].attrs["description"] = "a 2-D image"
        nd["image_u16_be"] = (np.abs(_image()) * 10).astype(">u2")
        if big:
            nd["big"] = _big()
        _references(lib, f)
        _nexus(f)


SAMPLE_PATHS = (
    "/",
    "/entities",
    "/entities/empty_group",
    "/entities/dataset",
    "/entities/datatype",
    "/entities/soft_link",
    "/entities/dangling_soft_link",
    "/entities/external_link",
    "/nD/line",
    "/nD/image",
    "/nD/stack_4d",
    "/nexus_entry/image",
)
