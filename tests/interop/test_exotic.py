"""h5pure reads the unusual structures libhdf5 writes exactly as h5py does."""

import os

import numpy as np
import pytest
from compare import compare_files

import h5pure

h5py = pytest.importorskip("h5py")
import exotic_builders as eb  # noqa: E402


def _compare(path):
    with h5py.File(path, "r") as theirs, h5pure.File(path, "r") as ours:
        compare_files(ours, theirs)


def _need_lib():
    if eb.libhdf5() is None:
        pytest.skip("h5py's bundled libhdf5 not found (needed for ctypes property calls)")


# --------------------------------------------------------------------------- VDS


@pytest.fixture(scope="module")
def vds_file(tmp_path_factory):
    return eb.build_vds(tmp_path_factory.mktemp("vds"), h5py)


@pytest.fixture(scope="module")
def vds_unlimited_file(tmp_path_factory):
    return eb.build_vds_unlimited(tmp_path_factory.mktemp("vds_unlim"), h5py)


def test_vds_whole_file(vds_file, monkeypatch):
    monkeypatch.chdir("/")  # relative source names resolve against the VDS file's directory
    _compare(vds_file)


@pytest.mark.parametrize(
    "key",
    [
        np.s_[...],
        np.s_[1:5:2, ::3],
        np.s_[[0, 4, 5], 5],
        np.s_[3],
        np.s_[5, [0, 1, 7]],
        np.s_[2:4, 2:8:2],
        np.s_[0:0, 1],
    ],
)
@pytest.mark.parametrize("name", ["vds", "blocked"])
def test_vds_selections(vds_file, name, key):
    with h5py.File(vds_file, "r") as theirs, h5pure.File(vds_file, "r") as ours:
        np.testing.assert_array_equal(ours[name][key], theirs[name][key])


def test_vds_any_order_and_points(vds_file):
    with h5py.File(vds_file, "r") as theirs, h5pure.File(vds_file, "r") as ours:
        full = theirs["blocked"][...]
        np.testing.assert_array_equal(ours["blocked"][[7, 0, 0], 1:7], full[[7, 0, 0], 1:7])
        mask = (np.arange(64) % 3 == 0).reshape(8, 8)
        np.testing.assert_array_equal(ours["blocked"][mask], full[mask])


def test_vds_sources(vds_file):
    with h5py.File(vds_file, "r") as theirs, h5pure.File(vds_file, "r") as ours:
        for name in ("vds", "blocked"):
            assert ours[name].is_virtual and theirs[name].is_virtual
            ts, os_ = theirs[name].virtual_sources(), ours[name].virtual_sources()
            assert len(ts) == len(os_)
            for t, o in zip(ts, os_):
                assert (o.file_name, o.dset_name) == (t.file_name, t.dset_name)
                for a, b in ((o.vspace, t.vspace), (o.src_space, t.src_space)):
                    assert a.get_select_type() == b.get_select_type()
                    assert a.shape == b.shape
                    if b.get_select_type() == 2:
                        assert a.get_select_bounds() == b.get_select_bounds()
                        assert a.get_select_npoints() == b.get_select_npoints()
                        assert len(a.coordinates) == b.get_select_npoints()
                        if b.is_regular_hyperslab():
                            assert a.get_regular_hyperslab() == b.get_regular_hyperslab()
        first = ours["vds"].virtual_sources()[0]
        assert first.vspace.slices == (slice(0, 1, 1), slice(0, 20, 1))
        assert not ours["local"].is_virtual


def test_vds_missing_sources_read_fill(vds_file):
    with h5pure.File(vds_file, "r") as f:
        assert (f["vds"][2] == -7).all()


def test_vds_prefix_environment(vds_file, tmp_path, monkeypatch):
    moved = tmp_path / "vds.h5"
    moved.write_bytes(vds_file.read_bytes())
    monkeypatch.setenv("HDF5_VDS_PREFIX", str(vds_file.parent))
    with h5py.File(moved, "r") as theirs, h5pure.File(moved, "r") as ours:
        np.testing.assert_array_equal(ours["vds"][...][:2], theirs["vds"][...][:2])
        np.testing.assert_array_equal(ours["blocked"][...], theirs["blocked"][...])


def test_vds_unlimited(vds_unlimited_file, monkeypatch):
    monkeypatch.chdir("/")
    _compare(vds_unlimited_file)
    with h5pure.File(vds_unlimited_file, "r") as f:
        assert f["grow"].shape == (2, 17)
        assert f["printf"].shape == (15,)
        assert f["printf"].virtual_sources()[0].file_name == "part-%b.h5"


# -------------------------------------------------------------------------- SOHM


@pytest.mark.parametrize("list_max,btree_min,index_type", [(50, 40, 0), (0, 0, 1)])
def test_sohm(tmp_path, list_max, btree_min, index_type):
    _need_lib()
    path = eb.build_sohm(tmp_path, h5py, list_max, btree_min)
    _compare(path)

    with h5pure.File(path, "r") as f:
        indexes = f._state.sohm_indexes()
        assert [i.index_type for i in indexes] == [index_type, index_type]
        assert all(i.num_messages > 0 for i in indexes)
        if index_type == 0:
            from h5pure.format.sohm import read_sohm_list

            records = read_sohm_list(f._state.source, f._state.ctx, indexes[0])
            assert len(records) == indexes[0].num_messages
            # location 1 = a message kept in its only object header, merely indexed
            assert {r.location for r in records} <= {0, 1}
            assert any(r.location == 0 and (r.refcount or 0) > 1 for r in records)


# ------------------------------------------------------------- non-default sizes


@pytest.mark.parametrize(
    "sizes,istore_k,sym_k,low",
    [(4, 8, (8, 4), "earliest"), (4, 64, (8, 4), "latest")],
)
def test_sized(tmp_path, sizes, istore_k, sym_k, low):
    _need_lib()
    lowc = h5py.h5f.LIBVER_EARLIEST if low == "earliest" else h5py.h5f.LIBVER_LATEST
    path = eb.build_sized(tmp_path, h5py, sizes, istore_k, sym_k, lowc)
    _compare(path)
    with h5pure.File(path, "r") as f:
        sb = f._state.superblock
        assert (sb.size_of_offsets, sb.size_of_lengths) == (sizes, sizes)
        if low == "earliest":
            assert sb.version == 1 and sb.indexed_storage_k == istore_k


# ---------------------------------------------------------------- everything else


@pytest.fixture(scope="module")
def misc_file(tmp_path_factory):
    return eb.build_misc(tmp_path_factory.mktemp("misc"), h5py)


def test_misc_whole_file(misc_file, monkeypatch):
    monkeypatch.chdir(misc_file.parent)  # libhdf5 opens external raw files from the cwd
    _compare(misc_file)
    with h5pure.File(misc_file, "r") as f:
        assert f.userblock_size == 1024
        assert f._state.ctx.base_address == 1024
        assert list(f)[:2] == ["z_first", "a_second"]
        assert f["compact"]._storage.layout_class == "compact"
        assert f["implicit"]._storage.layout.index_type.name == "IMPLICIT"
        assert len(f["many_attrs"].attrs) == 1000
        assert f["huge"].attrs["big"].shape == (20000,)
        assert f["timed"]._info.header.modification_time
        assert isinstance(f["named_type"], h5pure.Datatype)
        assert f["nbit"].compression == "unknown"


def test_external_prefix_origin(misc_file, monkeypatch):
    monkeypatch.chdir("/")
    # libhdf5 reads this variable once, at library start-up, so h5py cannot be the
    # oracle here; the expected values are what build_misc wrote
    monkeypatch.setenv("HDF5_EXTFILE_PREFIX", "${ORIGIN}")
    with h5pure.File(misc_file, "r") as ours:
        np.testing.assert_array_equal(ours["external"][...], np.arange(12).reshape(3, 4))
    monkeypatch.delenv("HDF5_EXTFILE_PREFIX")
    with h5pure.File(misc_file, "r") as ours, pytest.raises(OSError):
        ours["external"][...]


@pytest.mark.parametrize("i", [0, 1, 2])
def test_stored_region_references(misc_file, i):
    with h5py.File(misc_file, "r") as theirs, h5pure.File(misc_file, "r") as ours:
        t, o = theirs["target"], ours["target"]
        a = t[theirs["point_regrefs"][i]]
        b = o[ours["point_regrefs"][i]]
        assert a.shape == b.shape
        np.testing.assert_array_equal(a, b)
        assert ours[ours["point_regrefs"][i]] == o


@pytest.mark.parametrize(
    "key",
    [
        np.s_[2:8:3, 1:4],
        np.s_[[1, 3, 7], 2],
        np.s_[4, 5],
        np.s_[...],
        np.s_[1:3, [0, 4]],
        np.s_[0:0],
    ],
)
def test_in_memory_region_references(misc_file, tmp_path, key):
    copy = tmp_path / "rw.h5"
    copy.write_bytes(misc_file.read_bytes())
    with h5py.File(copy, "r+") as theirs, h5pure.File(misc_file, "r") as ours:
        t, o = theirs["target"], ours["target"]
        ref = o.regionref[key]
        assert isinstance(ref, h5pure.RegionReference)
        expected = t[t.regionref[key]]
        got = o[ref]
        assert got.shape == expected.shape
        np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("libver", ["earliest", "latest"])
def test_groups_of_5000(tmp_path, libver):
    path = eb.build_big_groups(tmp_path, h5py, libver)
    with h5py.File(path, "r") as theirs, h5pure.File(path, "r") as ours:
        assert list(ours["big"]) == list(theirs["big"])
        assert ours["big/n04321"].name == "/big/n04321"


def test_dims_visit_get_datatype(tmp_path):
    path = eb.build_dims(tmp_path, h5py)
    _compare(path)
    with h5py.File(path, "r") as theirs, h5pure.File(path, "r") as ours:
        for axis in range(2):
            assert ours["data"].dims[axis].keys() == theirs["data"].dims[axis].keys()
            assert [s.name for s in ours["data"].dims[axis].values()] == [
                s.name for s in theirs["data"].dims[axis].values()
            ]
        assert ours["data"].dims[1].label == "col"
        seen_o, seen_t = [], []
        ours.visit(seen_o.append)
        theirs.visit(seen_t.append)
        assert seen_o == seen_t
        assert ours.get("t", getclass=True) is h5pure.Datatype
        assert isinstance(ours["t"], h5pure.Datatype) and ours["t"].dtype == theirs["t"].dtype
        assert ours.get("soft", getlink=True).path == "/data"
        assert ours.get("nope", default=5) == 5
        assert ours["typed"].dtype == theirs["typed"].dtype
        assert os.path.basename(ours.filename) == "dims.h5"
