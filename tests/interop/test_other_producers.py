"""Files written by PyTables, netCDF4 and pandas read as h5py reads them."""

import numpy as np
import pytest
from compare import compare_files

import h5pure


def _compare(path):
    import h5py

    with h5py.File(path, "r") as theirs, h5pure.File(path, "r") as ours:
        compare_files(ours, theirs)


def test_pytables(tmp_path):
    tables = pytest.importorskip("tables")
    path = tmp_path / "pt.h5"

    class Particle(tables.IsDescription):
        name = tables.StringCol(16)
        idnumber = tables.Int64Col()
        energy = tables.Float64Col()

    filters = tables.Filters(complevel=5, complib="zlib", shuffle=True)
    with tables.open_file(str(path), "w", title="pytables test") as h:
        grp = h.create_group("/", "detector", "Detector information")
        table = h.create_table(grp, "readout", Particle, "Readout example", filters=filters)
        row = table.row
        for i in range(200):
            row["name"] = f"Particle: {i:6d}"
            row["idnumber"] = i
            row["energy"] = float(i * i)
            row.append()
        table.flush()
        h.create_array("/", "array", np.arange(30).reshape(5, 6), "an array")
        ea = h.create_earray("/", "earray", tables.Float32Atom(), (0, 4), filters=filters)
        ea.append(np.ones((10, 4), dtype="f4"))
        h.create_carray("/", "carray", tables.Int16Atom(), (50, 50), filters=filters)[:10] = 3
        vl = h.create_vlarray("/", "vlarray", tables.Int32Atom())
        vl.append([1, 2, 3])
        vl.append([4])
    _compare(path)


def test_netcdf4(tmp_path):
    netCDF4 = pytest.importorskip("netCDF4")
    path = tmp_path / "nc.nc"
    with netCDF4.Dataset(str(path), "w", format="NETCDF4") as ds:
        ds.title = "netCDF4 test"
        ds.createDimension("time", None)
        ds.createDimension("lat", 10)
        ds.createDimension("lon", 12)
        t = ds.createVariable("time", "f8", ("time",))
        lat = ds.createVariable("lat", "f4", ("lat",))
        lon = ds.createVariable("lon", "f4", ("lon",))
        temp = ds.createVariable(
            "temp", "f4", ("time", "lat", "lon"), zlib=True, complevel=4, fill_value=-999.0
        )
        temp.units = "K"
        lat[:] = np.linspace(-45, 45, 10)
        lon[:] = np.linspace(0, 330, 12)
        t[:5] = np.arange(5)
        temp[:5] = np.random.default_rng(1).random((5, 10, 12))
        g = ds.createGroup("sub")
        g.createVariable("s", str, ("lat",))[0] = "hello"
        g.setncattr("names", ["a", "b"])
    _compare(path)


def test_pandas(tmp_path):
    pd = pytest.importorskip("pandas")
    pytest.importorskip("tables")
    path = tmp_path / "pd.h5"
    df = pd.DataFrame({"a": np.arange(10), "b": np.linspace(0, 1, 10), "c": list("abcdefghij")})
    df.to_hdf(str(path), key="fixed", format="fixed")
    df.to_hdf(
        str(path), key="table", format="table", data_columns=True, complib="zlib", complevel=3
    )
    _compare(path)
