"""Files with 2-, 4- and 8-byte offsets and lengths read as h5py reads them."""

import numpy as np
import pytest
from compare import compare_files

import h5pure

SIZES = [(2, 2), (2, 4), (2, 8), (4, 2), (4, 4), (4, 8), (8, 2), (8, 4), (8, 8)]


@pytest.mark.parametrize("sizes", SIZES, ids=lambda s: f"O{s[0]}L{s[1]}")
def test_offset_and_length_sizes(tmp_path, h5py, sizes):
    path = tmp_path / "sizes.h5"
    fcpl = h5py.h5p.create(h5py.h5p.FILE_CREATE)
    fcpl.set_sizes(*sizes)
    fid = h5py.h5f.create(str(path).encode(), h5py.h5f.ACC_TRUNC, fcpl=fcpl)
    # libhdf5 itself cannot iterate dense links or attributes when lengths are 2 bytes
    # ("invalid fractal heap object size"): keep both compact there
    many = 40 if sizes[1] > 2 else 3
    with h5py.File(fid) as f:
        for i in range(many):
            f.create_group(f"g{i:02d}")
        for i in range(12 if sizes[1] > 2 else 6):
            f.attrs[f"a{i}"] = i
        f.attrs["text"] = "x"
        f["d"] = np.arange(10)
        f.create_dataset("c", data=np.arange(100.0), chunks=(10,), compression="gzip",
                         maxshape=(None,))
        f.create_dataset("fixed", data=np.arange(64).reshape(8, 8), chunks=(4, 4))
        f["s"] = ["a", "bb", "ccc"]
        f["soft"] = h5py.SoftLink("/d")
        for i in range(0, many, 3):
            del f[f"g{i:02d}"]
    with h5py.File(path, "r") as theirs, h5pure.File(path, "r") as ours:
        compare_files(ours, theirs)
