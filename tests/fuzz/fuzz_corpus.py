"""The fuzzer's seed corpus: small files that between them hold every structure the
reader decodes, written at run time by h5py (libhdf5) and by h5pure.

``build_corpus(directory)`` writes every seed into its own sub-directory (a seed's
companions -- VDS sources, external link targets, external raw files -- sit beside
it, and mutants are written next to their seed so those still resolve) and returns
``{name: path}``.  Run as a script to build one: ``python tests/fuzz/fuzz_corpus.py DIR``.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent


def _sibling(name: str, relpath: str):
    """A helper module of another test directory, loaded by path (those directories are
    not packages)."""
    spec = importlib.util.spec_from_file_location(name, HERE.parent / relpath)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _h5pure_seed(path: Path, libver: str) -> None:
    """What h5pure itself writes: the same structures through the other writer."""
    import h5pure

    with h5pure.File(path, "w", libver=libver) as f:
        f.attrs["title"] = "h5pure seed"
        g = f.create_group("g", track_order=True)
        for i in range(10):
            g.create_group(f"sub{i}")
            g.attrs[f"a{i}"] = np.arange(i + 1, dtype="i4")
        data = np.arange(30 * 12, dtype="<f4").reshape(30, 12)
        f.create_dataset("contig", data=data)
        f.create_dataset("chunked", data=data, chunks=(7, 5), compression="gzip", shuffle=True)
        f.create_dataset("lzf", data=data, chunks=(8, 12), compression="lzf", fletcher32=True)
        e = f.create_dataset("ext", shape=(5, 3), maxshape=(None, 3), chunks=(2, 3), dtype="i2")
        e.resize((40, 3))
        e[...] = np.arange(120, dtype="i2").reshape(40, 3)
        b = f.create_dataset("bt2", shape=(6, 6), maxshape=(None, None), chunks=(4, 4), dtype="u1")
        b[...] = np.arange(36, dtype="u1").reshape(6, 6)
        f.create_dataset("vlen", data=["x", "yy", "zzz"], dtype=h5pure.string_dtype())
        f.create_dataset("scaleoffset", data=np.arange(64, dtype="i4"), chunks=(16,), scaleoffset=0)
        refs = f.create_dataset("refs", shape=(2,), dtype=h5pure.ref_dtype)
        refs[0] = f["contig"].ref
        refs[1] = g.ref
        x = f.create_dataset("x", data=np.arange(30.0))
        x.make_scale("x")
        f["contig"].dims[0].attach_scale(x)


def _v108_seed(path: Path, h5py) -> None:
    """libver v108: superblock v2, object header v2, layout v3 (v1 B-tree chunks)."""
    with h5py.File(path, "w", libver=("v108", "v108")) as f:
        f.create_dataset("chunked", data=np.arange(100, dtype="i8"), chunks=(9,), maxshape=(None,))
        g = f.create_group("g")
        for i in range(10):
            g[f"l{i}"] = h5py.SoftLink("/chunked")
        f.attrs["s"] = "v108"


def build_corpus(directory: str | os.PathLike[str]) -> dict[str, Path]:
    import h5py

    root = Path(directory)
    seeds = _sibling("_fuzz_corruption_seeds", "corruption/seeds.py")
    eb = _sibling("_fuzz_exotic_builders", "interop/exotic_builders.py")
    out: dict[str, Path] = {}

    def place(name: str) -> Path:
        d = root / name
        d.mkdir(parents=True, exist_ok=True)
        return d

    for name, build in seeds.SEEDS.items():
        d = place(name)
        seeds.write_companions(str(d), h5py)
        build(str(d / f"{name}.h5"), h5py)
        out[name] = d / f"{name}.h5"
    out["vds"] = Path(eb.build_vds(place("vds"), h5py))
    out["vds_unlimited"] = Path(eb.build_vds_unlimited(place("vds_unlimited"), h5py))
    out["misc"] = Path(eb.build_misc(place("misc"), h5py))
    out["dims"] = Path(eb.build_dims(place("dims"), h5py))
    if eb.libhdf5() is not None:  # property calls h5py does not wrap go through ctypes
        out["sohm_list"] = Path(eb.build_sohm(place("sohm_list"), h5py, 50, 40))
        out["sohm_btree"] = Path(eb.build_sohm(place("sohm_btree"), h5py, 0, 0))
        out["sized"] = Path(
            eb.build_sized(place("sized"), h5py, 4, 8, (8, 4), h5py.h5f.LIBVER_EARLIEST)
        )
    for libver in ("earliest", "latest"):
        name = f"h5pure_{libver}"
        out[name] = place(name) / f"{name}.h5"
        _h5pure_seed(out[name], libver)
    out["v108"] = place("v108") / "v108.h5"
    _v108_seed(out["v108"], h5py)
    return out


if __name__ == "__main__":
    for name, path in build_corpus(sys.argv[1]).items():
        print(f"{name}\t{path}\t{path.stat().st_size}")
