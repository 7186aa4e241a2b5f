"""Regenerate examples/data/tour.h5 with h5py (libhdf5): `python examples/make_tour_file.py`.

The tour reads this file with h5pure until h5pure writes files itself.  It is small on
purpose and holds a little of everything: groups, chunked compressed data, attributes,
strings, a compound table, links and a dimension scale.
"""

import os

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "data", "tour.h5")


def main() -> None:
    rng = np.random.default_rng(42)
    with h5py.File(OUT, "w") as f:
        f.attrs["title"] = "h5pure tour"
        f.attrs["version"] = 1
        run = f.create_group("sim/run1")
        run.attrs["temperature"] = 293.15
        field = run.create_dataset(
            "field",
            data=np.arange(40 * 30, dtype="f4").reshape(40, 30),
            chunks=(10, 10),
            compression="gzip",
            shuffle=True,
        )
        field.attrs["units"] = "K"
        t = f.create_dataset("sim/time", data=np.linspace(0, 1, 40))
        t.make_scale("time")
        field.dims[0].attach_scale(t)
        field.dims[0].label = "t"
        table = np.zeros(5, dtype=[("id", "i4"), ("x", "f8"), ("name", "S8")])
        table["id"] = np.arange(5)
        table["x"] = rng.random(5)
        table["name"] = [b"a", b"b", b"c", b"d", b"e"]
        f.create_dataset("tables/particles", data=table)
        f.create_dataset("notes", data=["first", "second", "third"], dtype=h5py.string_dtype())
        f["latest"] = h5py.SoftLink("/sim/run1")


if __name__ == "__main__":
    main()
