"""Checks of ``h5pure.install_as_h5py()`` seen from code that imports h5py.

Run by ``test_installed.py`` in a subprocess whose pytest loads the ``suite_h5pure``
plugin (which installs the facade before anything imports h5py): installing is
process-wide, and the project's other tests use the real h5py as their oracle.
"""

from __future__ import annotations

import importlib.util
import pickle
import subprocess
import sys

import h5py  # noqa: I001 - the facade, installed by the plugin
import numpy as np
import pytest

import h5pure


def test_identity():
    assert h5py.__name__ == "h5py"
    assert h5py.__version__ == h5py.version.version == "3.16.0"
    assert h5py.version.version_tuple[:2] == (3, 16)
    assert "h5pure" in h5py.version.info
    # true exactly when driver="mpio" is available (mpi4py imports)
    assert h5py.get_config().mpi is (importlib.util.find_spec("mpi4py") is not None)
    assert h5py.get_config().track_order is False
    assert sys.modules["h5py"] is h5py
    assert h5py is sys.modules["h5pure.h5py_facade"]


def test_submodules_import():
    import h5py._hl.dataset
    import h5py.h5t
    from h5py._hl.base import HLObject
    from h5py._hl.dataset import AsStrView, AsTypeView
    from h5py.h5t import check_string_dtype, string_dtype

    assert h5py.h5t.__name__ == "h5py.h5t"
    assert HLObject is h5py.HLObject
    assert AsTypeView.__name__ == "AsTypeView" and AsStrView.__module__ == "h5py._hl.dataset"
    assert check_string_dtype(string_dtype()).encoding == "utf-8"
    assert h5py.filters.__name__ == "h5py._hl.filters"
    assert "gzip" in h5py.filters.encode
    with pytest.raises(ModuleNotFoundError):
        import h5py.no_such_module  # noqa: F401


def test_module_names(tmp_path):
    with h5py.File(tmp_path / "x.h5", "w") as f:
        dset = f.create_dataset("dset", data=np.arange(4))
        f["t"] = np.dtype("i2")
        grp = f.create_group("g")
        assert type(f).__module__ == "h5py._hl.files"
        assert type(grp).__module__ == "h5py._hl.group"
        assert type(dset).__module__ == "h5py._hl.dataset"
        assert type(f["t"]).__module__ == "h5py._hl.datatype"
        assert type(dset.attrs).__module__ == "h5py._hl.attrs"
        assert type(dset.astype("f4")).__name__ == "AsTypeView"
        assert type(f.id).__module__ == "h5py.h5f"
        assert type(dset.id).__module__ == "h5py.h5d"
        assert type(grp.id).__module__ == "h5py.h5g"
        assert type(f["t"].id).__name__ == "TypeIntegerID"
        assert isinstance(dset.id, h5py.h5d.DatasetID)
        assert isinstance(dset.id, h5py._objects.ObjectID)
        assert type(dset.ref).__module__ == "h5py.h5r"
        assert pickle.loads(pickle.dumps(h5py.Empty("f4"))) == h5py.Empty("f4")


def test_install_twice_is_a_no_op():
    h5pure.install_as_h5py()
    import h5py as again

    assert again is h5py


def test_missing_calls_name_themselves(tmp_path):
    with pytest.raises(AttributeError, match=r"h5py\.h5o\.visit"):
        h5py.h5o.visit  # noqa: B018
    with h5py.File(tmp_path / "x.h5", "w") as f:
        with pytest.raises(AttributeError, match=r"h5py\.h5f\.FileID\.get_mdc_config"):
            f.id.get_mdc_config()
    with pytest.raises(NotImplementedError, match="h5py.register_driver"):
        h5py.register_driver("x", lambda plist: None)
    with pytest.raises(NotImplementedError, match="track_order"):
        h5py.get_config().track_order = True


def test_install_after_real_h5py_refuses():
    code = "import h5py, h5pure\ntry:\n    h5pure.install_as_h5py()\nexcept RuntimeError as e:\n    print(e)\n"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "before h5py is imported" in out.stdout


def test_lowlevel_calls_write_through_the_public_api(tmp_path):
    path = tmp_path / "ll.h5"
    with h5py.File(path, "w") as f:
        tid = h5py.h5t.C_S1.copy()
        tid.set_size(5)
        sid = h5py.h5s.create(h5py.h5s.SCALAR)
        aid = h5py.h5a.create(f.id, b"title", tid, sid)
        aid.write(np.array(b"hello"), mtype=aid.get_type())
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        dcpl.set_chunk((4,))
        dcpl.set_fill_value(np.array(7, "i4"))
        space = h5py.h5s.create_simple((8,), (h5py.h5s.UNLIMITED,))
        did = h5py.h5d.create(f.id, b"x", h5py.h5t.NATIVE_INT32, space, dcpl=dcpl)
        did.write(h5py.h5s.ALL, h5py.h5s.ALL, np.arange(8, dtype="i4"))
        did.extend((12,))
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        dcpl.set_layout(h5py.h5d.COMPACT)
        dcpl.set_fill_value(np.array(-1, "i2"))
        cid = h5py.h5d.create(f.id, b"c", h5py.h5t.NATIVE_INT16, h5py.h5s.create_simple((5,)), dcpl)
        cid.write(h5py.h5s.ALL, h5py.h5s.ALL, np.arange(5, dtype="i2"))
        f["c"][1:3] = -7
        enum = h5py.h5t.enum_create(h5py.h5t.py_create(np.dtype("u1")))
        enum.enum_insert(b"a", 0)
        enum.enum_insert(b"b", 1)
        enum.commit(f.id, b"e")
        with pytest.raises(KeyError, match="name already exists"):
            enum.copy().commit(f.id, b"e")
        gcpl = f.create_group("g", track_order=True).id.get_create_plist()
        assert (
            gcpl.get_link_creation_order()
            == h5py.h5p.CRT_ORDER_TRACKED | h5py.h5p.CRT_ORDER_INDEXED
        )
        assert f.id.get_access_plist().get_libver_bounds() == (0, 5)
    with h5py.File(path, "r") as f:
        assert f.attrs["title"] == b"hello"
        assert f["x"].shape == (12,) and f["x"].chunks == (4,)
        assert f["c"].id.get_create_plist().get_layout() == h5py.h5d.COMPACT
        assert f["c"].id.get_create_plist().get_alloc_time() == h5py.h5d.ALLOC_TIME_EARLY
        np.testing.assert_array_equal(f["c"][...], [0, -7, -7, 3, 4])
        np.testing.assert_array_equal(f["x"][...], [0, 1, 2, 3, 4, 5, 6, 7, 7, 7, 7, 7])
        assert h5py.check_enum_dtype(f["e"].dtype) == {"a": 0, "b": 1}
        assert isinstance(f["e"].id, h5py.h5t.TypeEnumID)
        out = np.zeros(3, "i4")
        fspace = f["x"].id.get_space()
        fspace.select_hyperslab((2,), (3,))
        f["x"].id.read(h5py.h5s.create_simple((3,)), fspace, out)
        np.testing.assert_array_equal(out, [2, 3, 4])


def test_h5netcdf_and_netcdf4_roundtrip(tmp_path):
    h5netcdf = pytest.importorskip("h5netcdf")
    netCDF4 = pytest.importorskip("netCDF4")
    path = str(tmp_path / "x.nc")
    with h5netcdf.File(path, "w") as f:
        assert f._h5py is h5py
        f.dimensions = {"x": 3, "t": None}
        v = f.create_variable("v", ("t", "x"), float, chunks=(1, 3))
        f.resize_dimension("t", 2)
        v[...] = np.arange(6.0).reshape(2, 3)
        v.attrs["units"] = "K"
        f.attrs["title"] = "tést"
    with netCDF4.Dataset(path) as nc:
        np.testing.assert_array_equal(nc["v"][...], np.arange(6.0).reshape(2, 3))
        assert nc["v"].units == "K" and nc.title == "tést"
        assert nc.dimensions["t"].isunlimited()


def test_xarray_h5netcdf_engine_roundtrip(tmp_path):
    xr = pytest.importorskip("xarray")
    pytest.importorskip("h5netcdf")
    path = tmp_path / "x.nc"
    ds = xr.Dataset({"a": (("x",), np.arange(4.0), {"units": "m"})}, coords={"x": [1, 2, 3, 4]})
    ds.to_netcdf(path, engine="h5netcdf")
    with xr.open_dataset(path, engine="h5netcdf") as back:
        xr.testing.assert_identical(back.load(), ds)


def test_settings_not_honoured_are_refused(tmp_path):
    """Nothing a property list sets is silently dropped: what h5pure cannot honour raises,
    naming it."""
    with h5py.File(tmp_path / "x.h5", "w") as f:
        space = h5py.h5s.create_simple((4,))
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        dcpl.set_layout(h5py.h5d.COMPACT)
        dcpl.set_alloc_time(h5py.h5d.ALLOC_TIME_LATE)
        with pytest.raises(ValueError, match="compact dataset must have early space"):
            h5py.h5d.create(f.id, b"c", h5py.h5t.NATIVE_INT8, space, dcpl=dcpl)
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        dcpl.set_alloc_time(h5py.h5d.ALLOC_TIME_EARLY)
        with pytest.raises(NotImplementedError, match="allocation time"):
            h5py.h5d.create(f.id, b"e", h5py.h5t.NATIVE_INT8, space, dcpl=dcpl)
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        dcpl.set_attr_phase_change(0, 0)
        with pytest.raises(NotImplementedError, match="attr_phase_change"):
            h5py.h5d.create(f.id, b"p", h5py.h5t.NATIVE_INT8, space, dcpl=dcpl)
        assert "c" not in f and "e" not in f and "p" not in f
    fapl = h5py.h5p.create(h5py.h5p.FILE_ACCESS)
    fapl.set_fclose_degree(h5py.h5f.CLOSE_STRONG)
    with pytest.raises(NotImplementedError, match="close degree"):
        h5py.h5f.create(str(tmp_path / "y.h5").encode(), fapl=fapl)
    fapl = h5py.h5p.create(h5py.h5p.FILE_ACCESS)
    fapl.set_libver_bounds(h5py.h5f.LIBVER_LATEST, h5py.h5f.LIBVER_LATEST)
    fid = h5py.h5f.create(str(tmp_path / "z.h5").encode(), fapl=fapl)
    assert fid.get_access_plist().get_libver_bounds() == (5, 5)
    fid._obj.close()


def test_dimension_scales_through_h5ds(tmp_path):
    with h5py.File(tmp_path / "x.h5", "w") as f:
        data = f.create_dataset("data", (3, 4), dtype="f4")
        x = f.create_dataset("x", data=np.arange(4.0))
        h5py.h5ds.set_scale(x.id, b"x axis")
        h5py.h5ds.attach_scale(data.id, x.id, 1)
        h5py.h5ds.set_label(data.id, 0, b"rows")
        assert h5py.h5ds.is_scale(x.id) and not h5py.h5ds.is_scale(data.id)
        assert h5py.h5ds.is_attached(data.id, x.id, 1)
        assert h5py.h5ds.get_num_scales(data.id, 1) == 1
        assert h5py.h5ds.get_scale_name(x.id) == b"x axis"
        assert h5py.h5ds.get_label(data.id, 0) == b"rows"
        found = []
        h5py.h5ds.iterate(data.id, 1, lambda sid: found.append(sid) or None)
        assert found == [x.id]
        assert data.dims[1][0] == x


def test_file_id_is_a_group_id(tmp_path):
    with h5py.File(tmp_path / "x.h5", "w") as f:
        f.create_group("b")
        f["a"] = h5py.SoftLink("/b")
        fid = f.id
        assert isinstance(fid, h5py.h5g.GroupID) and isinstance(fid, h5py.h5f.FileID)
        assert len(fid) == fid.get_num_objs() == 2 and list(fid) == [b"a", b"b"]
        assert fid.links.exists(b"b") and fid.get_linkval(b"a") == b"/b"
        assert fid.get_objname_by_idx(1) == b"b"
        fid.link(b"b", b"c")
        fid.move(b"c", b"d")
        fid.unlink(b"a")
        assert sorted(f) == ["b", "d"]
