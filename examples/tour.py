"""A short tour of h5pure: write an HDF5 file with the h5py API, list it, read it back.

Run: `python examples/tour.py` (after `pip install .`).  The file it writes, tour.h5,
opens in h5py, h5dump and HDFView.
"""

import os

import numpy as np

import h5pure as h5py
from h5pure.cli.ls import LsOptions, list_objects

PATH = os.path.abspath("tour.h5")


def write() -> None:
    rng = np.random.default_rng(42)
    with h5py.File(PATH, "w") as f:
        f.attrs["title"] = "h5pure tour"
        run = f.create_group("sim/run1")
        run.attrs["temperature"] = 293.15
        field = run.create_dataset(
            "field", shape=(40, 30), dtype="f4", chunks=(10, 10), compression="gzip", shuffle=True
        )
        field[...] = np.arange(40 * 30, dtype="f4").reshape(40, 30)
        field[0] = -1  # partial I/O: only the touched chunks are rewritten
        field.attrs["units"] = "K"
        f.create_dataset("sim/time", data=np.linspace(0, 1, 40))
        table = np.zeros(5, dtype=[("id", "i4"), ("x", "f8"), ("name", "S8")])
        table["id"] = np.arange(5)
        table["x"] = rng.random(5)
        table["name"] = [b"a", b"b", b"c", b"d", b"e"]
        f.create_dataset("tables/particles", data=table)
        f["notes"] = ["first", "second", "third"]
        f["latest"] = h5py.SoftLink("/sim/run1")


def read() -> None:
    with h5py.File(PATH, "r") as f:
        print("title:", f.attrs["title"])
        field = f["sim/run1/field"]
        print(field, "chunks", field.chunks, "compression", field.compression)
        print("field[3, ::10] =", field[3, ::10])
        print("mean over a slab:", float(np.mean(field[10:20, 5:25])))
        print("units:", field.attrs["units"])
        print("particles:", f["tables/particles"][...])
        print("notes:", f["notes"].asstr()[...])
        print("soft link latest ->", f["latest"].name, list(f["latest"]))


def main() -> None:
    write()
    print(f"== wrote {PATH}\n== h5pure ls -r -v tour.h5")
    listing, _, _ = list_objects([PATH], LsOptions(recursive=True, full=True, verbose=1))
    print("".join(listing), end="")
    print("\n== reading it back")
    read()


if __name__ == "__main__":
    main()
