"""A short tour of h5pure: open an HDF5 file written by libhdf5 and look inside.

Run: `python examples/tour.py` (after `pip install .`).
"""

import os

import numpy as np

import h5pure as h5py
from h5pure.cli.ls import list_file

HERE = os.path.dirname(os.path.abspath(__file__))
PATH = os.path.join(HERE, "data", "tour.h5")


def main() -> None:
    print(f"== h5pure ls -r {os.path.relpath(PATH)}")
    list_file(PATH, recursive=True, verbose=False)
    with h5py.File(PATH, "r") as f:
        print("\n== reading")
        print("title:", f.attrs["title"])
        field = f["sim/run1/field"]
        print(field, "chunks", field.chunks, "compression", field.compression)
        print("field[3, ::10] =", field[3, ::10])
        print("mean over a slab:", float(np.mean(field[10:20, 5:25])))
        print(
            "units:", field.attrs["units"], "| dims[0]:", field.dims[0].label, field.dims[0][0].name
        )
        print("particles:", f["tables/particles"][...])
        print("notes:", f["notes"].asstr()[...])
        print("soft link latest ->", f["latest"].name, list(f["latest"]))


if __name__ == "__main__":
    main()
