"""The netCDF-C side of the xarray tests, run in a subprocess.

netCDF4-python loads its own libhdf5, and once it is loaded h5py's plugin filters
(hdf5plugin) fail in that process, so a pytest worker never imports netCDF4; the tests
run this script instead:

    python netcdf4_side.py DATASETS.pkl XARRAY_OUT.nc DIRECT_OUT.nc READBACK.pkl

writes the pickled (root, sub) datasets with xarray's netcdf4 engine, writes a file with
netCDF4-python directly, and pickles what engine="netcdf4" reads of the latter's groups
(one subprocess: starting Python with xarray and netCDF4 takes seconds).
"""

import pickle
import sys

import netCDF4
import numpy as np
import xarray as xr

DIRECT_GROUPS = (None, "inner")


def write_with_xarray(datasets_pkl, path):
    with open(datasets_pkl, "rb") as fh:
        root, sub = pickle.load(fh)
    root.to_netcdf(path, engine="netcdf4", unlimited_dims=["time"])
    sub.to_netcdf(path, mode="a", group="sub", engine="netcdf4")


def write_direct(path):
    """A ragged unlimited dimension, char arrays, a variable named like a dimension it
    does not coordinate, a 2-D coordinate variable, dimensions inherited by a group,
    vlen strings, compression."""
    with netCDF4.Dataset(path, "w") as nc:
        nc.createDimension("t", None)
        nc.createDimension("x", 3)
        nc.createDimension("n", 4)
        nc.title = "direct"
        nc.setncattr("names", ["ab", "cde"])
        a = nc.createVariable("a", "f4", ("t", "x"), fill_value=-9.0, zlib=True, chunksizes=(1, 3))
        a[:] = np.arange(6).reshape(2, 3)  # t grows to 5 below: a reads padded
        b = nc.createVariable("b", "i4", ("t",))
        b[:] = np.arange(5)
        c = nc.createVariable("chars", "S1", ("x", "n"))
        c[:] = netCDF4.stringtochar(np.array(["ab", "cde", "f"], dtype="S4"))
        c.flags = np.array([b"a", b"b"])
        x = nc.createVariable("x", "f8", ("n",))  # stored as _nc4_non_coord_x
        x[:] = np.arange(4) * 0.5
        m = nc.createVariable("n", "i4", ("n", "x"))  # a 2-D coordinate variable
        m[:] = np.arange(12).reshape(4, 3)
        g = nc.createGroup("inner")
        g.createDimension("k", 2)
        g.note = "inner group"
        v = g.createVariable("v", "f8", ("t", "k"))
        v[:] = np.ones((3, 2))
        s = g.createVariable("s", str, ("k",))
        s[0] = "hello"
        s[1] = "wörld"


def read_back(path, out_pkl):
    read = {}
    for group in DIRECT_GROUPS:
        with xr.open_dataset(path, engine="netcdf4", group=group) as ds:
            read[group] = ds.load()
    with open(out_pkl, "wb") as fh:
        pickle.dump(read, fh)


def main(datasets_pkl, xarray_out, direct_out, readback_pkl):
    write_with_xarray(datasets_pkl, xarray_out)
    write_direct(direct_out)
    read_back(direct_out, readback_pkl)


if __name__ == "__main__":
    main(*sys.argv[1:])
