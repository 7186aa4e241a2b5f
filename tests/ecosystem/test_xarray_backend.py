"""xarray's ``engine="h5pure"`` against the h5py-backed ``engine="h5netcdf"`` (and
netCDF-C's ``engine="netcdf4"``) on files written by xarray, netCDF4-python and h5py.

netCDF4 runs in a subprocess (``netcdf4_side.py`` says why)."""

import os
import pickle
import subprocess
import sys
import warnings
from pathlib import Path
from typing import NamedTuple

import dask
import h5py
import numpy as np
import pandas as pd
import pytest
import xarray as xr

import h5pure
from h5pure.xarray_backend import H5pureBackendEntrypoint


def _sample_dataset():
    packed = xr.Variable(("time",), np.array([1.5, np.nan, 3.0, 4.5]), {"note": "packed"})
    packed.encoding.update(dtype="i2", scale_factor=0.5, _FillValue=-1)
    return xr.Dataset(
        {
            "temp": (("time", "x"), np.arange(12.0).reshape(4, 3), {"units": "K"}),
            "packed": packed,
            "name": (("x",), np.array(["a", "bb", "ccc"], dtype=object)),
            "flag": (("x",), np.array([1, 0, 1], dtype="i1"), {"valid": [0, 1]}),
        },
        coords={
            "time": pd.date_range("2000-01-01", periods=4),
            "x": [10, 20, 30],
            "lat": (("x",), [1.0, 2.0, 3.0]),
        },
        attrs={"title": "sample", "count": 3, "values": [1, 2]},
    )


def _sub_dataset():
    return xr.Dataset(
        {"g": (("y",), [1, 2], {"long_name": "in a group"})},
        coords={"y": [0.5, 1.5]},
        attrs={"about": "subgroup"},
    )


@pytest.fixture(scope="module", params=["netcdf4", "h5netcdf"])
def xarray_file(request, tmp_path_factory):
    """The sample dataset (and a group "sub") as xarray writes it with the given engine."""
    if request.param == "netcdf4":
        return request.getfixturevalue("netcdf_c_files").xarray_file
    path = tmp_path_factory.mktemp("xr") / "h5netcdf.nc"
    _sample_dataset().to_netcdf(path, engine="h5netcdf", unlimited_dims=["time"])
    _sub_dataset().to_netcdf(path, mode="a", group="sub", engine="h5netcdf")
    return path


class NetcdfCFiles(NamedTuple):
    xarray_file: Path
    """The sample datasets as xarray's netcdf4 engine writes them."""
    direct_file: Path
    """Written by netCDF4-python (``netcdf4_side.write_direct``)."""
    read_by_netcdf_c: dict
    """What engine="netcdf4" reads of ``direct_file``'s groups, by group."""


@pytest.fixture(scope="module")
def netcdf_c_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("nc")
    datasets, read = folder / "datasets.pkl", folder / "read.pkl"
    datasets.write_bytes(pickle.dumps((_sample_dataset(), _sub_dataset())))
    files = NetcdfCFiles(folder / "netcdf4.nc", folder / "direct.nc", {})
    script = os.path.join(os.path.dirname(__file__), "netcdf4_side.py")
    args = [datasets, files.xarray_file, files.direct_file, read]
    subprocess.run([sys.executable, script, *map(str, args)], check=True)
    return files._replace(read_by_netcdf_c=pickle.loads(read.read_bytes()))


@pytest.fixture(scope="module")
def netcdf4_file(netcdf_c_files):
    return netcdf_c_files.direct_file, netcdf_c_files.read_by_netcdf_c


@pytest.fixture(scope="module")
def plain_file(tmp_path_factory):
    """Plain HDF5 from h5py: no netCDF dimensions except one h5py dimension scale, so
    most axes get phony dimensions."""
    path = tmp_path_factory.mktemp("h5") / "plain.h5"
    with h5py.File(path, "w") as f:
        f["a"] = np.arange(12.0).reshape(3, 4)
        f["b"] = np.arange(9).reshape(3, 3)
        f["c"] = np.arange(4)
        f["scalar"] = 2.5
        f["lab"] = np.arange(5.0)
        f["lab"].make_scale("lab")
        f["labelled"] = np.arange(5) * 2
        f["labelled"].dims[0].attach_scale(f["lab"])
        f.attrs["vlen"] = "text"
        f.attrs["fixed"] = np.bytes_(b"fixed-len")
        f.attrs["one"] = np.array([1.5])
        f.attrs["chars"] = np.array([b"a", b"b"], dtype="S1")
        f.attrs["words"] = np.array([b"abc", b"de"], dtype="S3")
        f.attrs["empty"] = h5py.Empty("f4")
        g = f.create_group("g")
        g["d"] = np.arange(32, dtype="i2").reshape(2, 4, 4)
        g["e"] = np.array(["x", "yy"], dtype=h5py.string_dtype())
        g.create_group("h")["q"] = np.ones(7)
        f["z"] = np.ones(6)
    return path


def _open_pair(path, **kwds):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # h5netcdf's notes about phony_dims defaults
        ours = xr.open_dataset(path, engine="h5pure", **kwds)
        reference = xr.open_dataset(path, engine="h5netcdf", **kwds)
    return ours, reference


@pytest.mark.parametrize("group", [None, "sub"])
@pytest.mark.parametrize("mask_and_scale", [True, False])
def test_files_written_by_xarray(xarray_file, group, mask_and_scale):
    ours, reference = _open_pair(xarray_file, group=group, mask_and_scale=mask_and_scale)
    with ours, reference:
        xr.testing.assert_identical(ours.load(), reference.load())
        assert ours.encoding["unlimited_dims"] == reference.encoding["unlimited_dims"]
        for name, var in reference.variables.items():
            for key in ("dtype", "chunksizes", "contiguous", "zlib", "shuffle", "source"):
                assert ours[name].encoding.get(key) == var.encoding.get(key), (name, key)


def test_round_trip_of_what_xarray_wrote(xarray_file):
    with xr.open_dataset(xarray_file, engine="h5pure") as ds:
        xr.testing.assert_identical(ds.load(), _sample_dataset())
        assert ds.encoding["unlimited_dims"] == {"time"}
        assert ds["packed"].encoding["scale_factor"] == 0.5
        assert ds["packed"].encoding["_FillValue"] == -1
    with xr.open_dataset(xarray_file, engine="h5pure", group="sub") as ds:
        xr.testing.assert_identical(ds.load(), _sub_dataset())


def test_cf_decoding_is_optional(xarray_file):
    with xr.open_dataset(xarray_file, engine="h5pure", mask_and_scale=False) as ds:
        np.testing.assert_array_equal(ds["packed"].values, np.array([3, -1, 6, 9], "i2"))
        assert ds["packed"].attrs["scale_factor"] == 0.5
        assert ds["packed"].attrs["_FillValue"] == -1
    with xr.open_dataset(xarray_file, engine="h5pure", decode_times=False) as ds:
        assert ds["time"].attrs["units"] == "days since 2000-01-01 00:00:00"
        np.testing.assert_array_equal(ds["time"].values, np.arange(4))


@pytest.mark.parametrize("group", [None, "inner"])
def test_files_written_by_netcdf4_python(netcdf4_file, group):
    path, read_by_netcdf_c = netcdf4_file
    with xr.open_dataset(path, engine="h5pure", group=group) as ours:
        with xr.open_dataset(path, engine="h5netcdf", group=group) as reference:
            xr.testing.assert_identical(ours.load(), reference.load())
        xr.testing.assert_identical(ours, read_by_netcdf_c[group])


def test_netcdf4_structure(netcdf4_file):
    path, _ = netcdf4_file
    with xr.open_dataset(path, engine="h5pure") as ds:
        assert ds["x"].dims == ("n",)  # _nc4_non_coord_x, renamed back
        assert ds["n"].dims == ("n", "x")  # by its _Netcdf4Coordinates
        assert dict(ds.sizes) == {"t": 5, "x": 3, "n": 4}
        a = ds["a"].values  # 2 rows stored, 5 read: the rest is the fill value, masked
        np.testing.assert_array_equal(a[:2], np.arange(6).reshape(2, 3))
        assert np.isnan(a[2:]).all()
        assert ds["a"].encoding["zlib"] and ds["a"].encoding["chunksizes"] == (1, 3)
        assert ds.attrs["names"] == ["ab", "cde"]
        assert ds["chars"].attrs["flags"] == ["a", "b"]  # netCDF-C stores NC_STRING
    with xr.open_dataset(path, engine="h5pure", group="inner") as ds:
        assert ds["v"].dims == ("t", "k")  # t from the parent group
        assert ds["s"].values.tolist() == ["hello", "wörld"]


@pytest.mark.parametrize(
    "key",
    [
        {"t": slice(1, 4)},
        {"t": 4},
        {"t": [4, 0, 2], "k": 1},
        {"t": slice(3, 5)},
        {"t": slice(None, None, -2)},
    ],
)
def test_padded_reads_for_any_selection(netcdf4_file, key):
    """``v`` has 3 of the 5 rows of the unlimited ``t``: any selection reads as netCDF-C's."""
    path, read_by_netcdf_c = netcdf4_file
    with xr.open_dataset(path, engine="h5pure", group="inner") as ours:
        expected = read_by_netcdf_c["inner"]["v"][key]
        xr.testing.assert_identical(ours["v"][key].load(), expected)


@pytest.mark.parametrize("group", [None, "g", "g/h"])
@pytest.mark.parametrize("phony_dims", ["sort", "access"])
def test_plain_hdf5_phony_dimensions(plain_file, group, phony_dims):
    ours, reference = _open_pair(plain_file, group=group, phony_dims=phony_dims)
    with ours, reference:
        xr.testing.assert_identical(ours.load(), reference.load())


def test_plain_hdf5_attributes(plain_file):
    with xr.open_dataset(plain_file, engine="h5pure", phony_dims="sort") as ds:
        assert {k: v for k, v in ds.attrs.items() if k != "empty"} == {
            "vlen": "text",
            "fixed": "fixed-len",
            "one": 1.5,
            "chars": [b"a", b"b"],  # one-byte strings are netCDF chars: kept as bytes
            "words": ["abc", "de"],
        }
        assert ds.attrs["empty"].dtype == np.float32 and ds.attrs["empty"].size == 0
        assert ds["labelled"].dims == ("lab",)


@pytest.mark.parametrize(
    "key", [{"time": 2}, {"time": [3, 1]}, {"x": slice(None, None, -1)}, {"x": [0, 2], "time": 0}]
)
def test_lazy_indexing(xarray_file, key):
    with xr.open_dataset(xarray_file, engine="h5pure") as ds:
        xr.testing.assert_identical(ds.isel(key).load(), _sample_dataset().isel(key))


def test_chunks_with_dask(xarray_file):
    expected = _sample_dataset()
    with xr.open_dataset(xarray_file, engine="h5pure", chunks={}) as ds:
        temp = ds["temp"].data
        assert isinstance(temp, dask.array.Array)
        # preferred chunks: the HDF5 chunk shape
        assert temp.chunksize == ds["temp"].encoding["chunksizes"]
        with dask.config.set(scheduler="threads"):
            xr.testing.assert_identical(ds.compute(), expected)
        # the lazy dataset pickles, so process and distributed schedulers can read it
        copy = pickle.loads(pickle.dumps(ds))
        xr.testing.assert_identical(copy.compute(scheduler="sync"), expected)
        with dask.config.set({"multiprocessing.context": "fork"}):
            computed = ds.compute(scheduler="processes", num_workers=2)
        xr.testing.assert_identical(computed, expected)


def test_open_h5pure_objects(xarray_file):
    with h5pure.File(xarray_file, "r") as f:
        with xr.open_dataset(f, engine="h5pure") as ds:
            xr.testing.assert_identical(ds.load(), _sample_dataset())
        assert f["temp"].shape == (4, 3)  # the caller's file stays open
        with xr.open_dataset(f["sub"], engine="h5pure") as ds:
            xr.testing.assert_identical(ds.load(), _sub_dataset())


def test_close_closes_the_file(xarray_file):
    ds = xr.open_dataset(xarray_file, engine="h5pure")
    ds.close()
    with pytest.raises(ValueError, match="closed"):
        ds["temp"].values  # noqa: B018 (nothing was loaded before closing)


def test_guess_can_open(xarray_file, tmp_path):
    entry = H5pureBackendEntrypoint()
    assert entry.guess_can_open(xarray_file)
    assert entry.guess_can_open(str(xarray_file))
    text = tmp_path / "notes.txt"
    text.write_text("not HDF5")
    assert not entry.guess_can_open(text)


def test_bad_group_and_phony_mode(xarray_file, plain_file):
    with pytest.raises(KeyError):
        xr.open_dataset(xarray_file, engine="h5pure", group="missing")
    with pytest.raises(ValueError, match="not a group"):
        xr.open_dataset(xarray_file, engine="h5pure", group="temp")
    with pytest.raises(ValueError, match="phony_dims"):
        xr.open_dataset(plain_file, engine="h5pure", phony_dims="bogus")


def test_import_h5pure_does_not_import_xarray():
    code = "import sys, h5pure; print('xarray' in sys.modules, 'dask' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
