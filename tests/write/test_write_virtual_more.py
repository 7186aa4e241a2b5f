"""Virtual datasets beyond fixed slices: unlimited mappings (``h5py.h5s.UNLIMITED``),
strided and index-list selections in every format bound, ``build_virtual_dataset``,
``virtual_prefix`` and sources open for writing in this process.  The same code runs
through h5py and h5pure; the stored mapping blocks must be byte-identical."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import h5pure
from h5pure.format.vds import read_vds_mappings

U = 2**64 - 1  # h5py.h5s.UNLIMITED


def _layouts(lib: Any) -> dict[str, Any]:
    def vs(name: str, shape: tuple[int, ...], maxshape: Any = None) -> Any:
        return lib.VirtualSource("src.h5", name, shape=shape, maxshape=maxshape)

    out = {}
    lay = lib.VirtualLayout((10, 1), "i4", maxshape=(None, 1))
    lay[:U, 0] = vs("grow", (10, 4), (None, 4))[:U, 1]
    out["unlimited"] = lay
    lay = lib.VirtualLayout((10, 2), "i4", maxshape=(None, 2))
    lay[3:U:2, 1] = vs("grow", (10, 4), (None, 4))[2:U, 0]
    out["unlimited_strided"] = lay
    lay = lib.VirtualLayout((10,), "i4")
    lay[:] = vs("fixed", (40,))[::4]
    out["strided"] = lay
    for n in (3, 4):
        lay = lib.VirtualLayout((n,), "i4")
        lay[:] = vs("fixed", (40,))[0 : 2 * n : 2]
        out[f"stride2_{n}"] = lay  # version 1 or 2 by size, from v110 on
    lay = lib.VirtualLayout((10,), "i4")
    lay[[0, 1, 4, 5, 8]] = vs("fixed", (40,))[[1, 2, 3, 7, 9]]
    out["lists"] = lay
    lay = lib.VirtualLayout((8,), "i4")
    lay[[0, 2, 4, 6]] = vs("fixed", (40,))[[1, 2, 5, 6]]
    out["lists_regular"] = lay
    lay = lib.VirtualLayout((3,), "i1")
    lay[:] = vs("big", (70000,))[[1, 2, 66000]]
    out["wide_numbers"] = lay
    lay = lib.VirtualLayout((2, 3), "i4")
    lay[:, :] = vs("two", (10, 10))[[1, 2], 0:6:2]
    out["two_d"] = lay
    lay = lib.VirtualLayout((2,), "i4")
    lay[:] = vs("two", (10, 10))[3, [1, 5]]
    out["int_and_list"] = lay
    lay = lib.VirtualLayout((40,), "i4")
    lay[...] = vs("fixed", (40,))
    out["all"] = lay
    return out


@pytest.fixture
def source(tmp_path: Path, h5py: Any, monkeypatch: Any) -> Path:
    monkeypatch.chdir(tmp_path)
    with h5py.File("src.h5", "w") as f:
        f.create_dataset(
            "grow", data=np.arange(40).reshape(10, 4), maxshape=(None, 4), chunks=(2, 4)
        )
        f["fixed"] = np.arange(40, dtype="i4")
        f["two"] = np.arange(100, dtype="i4").reshape(10, 10)
        f["big"] = (np.arange(70000) % 100).astype("i1")
    return tmp_path


def _blocks(path: str) -> dict[str, bytes]:
    out = {}
    with h5pure.File(path, "r") as f:
        fs = f._state
        for name in f:
            layout = f[name]._storage.layout
            out[name] = read_vds_mappings(
                fs.source, fs.ctx, layout.virtual_heap_address, layout.virtual_heap_index
            ).raw
    return out


@pytest.mark.parametrize("low", ["earliest", "v108", "v110", "v112", "v114", "latest"])
def test_mappings_stored_as_libhdf5_stores_them(source: Path, h5py: Any, low: str) -> None:
    for lib, path in ((h5py, "theirs.h5"), (h5pure, "ours.h5")):
        with lib.File(path, "w", libver=(low, "latest")) as f:
            for name, layout in _layouts(lib).items():
                f.create_virtual_dataset(name, layout, fillvalue=-1)
    assert _blocks("ours.h5") == _blocks("theirs.h5")
    with h5py.File("ours.h5", "r") as ours, h5py.File("theirs.h5", "r") as theirs:
        for name in theirs:
            assert ours[name].shape == theirs[name].shape
            assert ours[name].maxshape == theirs[name].maxshape
            np.testing.assert_array_equal(ours[name][()], theirs[name][()])


def test_unlimited_mapping_follows_its_source(tmp_path: Path, h5py: Any) -> None:
    path = tmp_path / "grow.h5"
    with h5pure.File(path, "w") as f:
        src = f.create_dataset(
            "source",
            data=np.arange(20).reshape(10, 2),
            maxshape=(None, 2),
            chunks=(10, 1),
            fillvalue=-1,
        )
        layout = h5pure.VirtualLayout((10, 1), int, maxshape=(None, 1))
        layout[:U, 0] = h5pure.VirtualSource(src)[:U, 1]
        f.create_virtual_dataset("virtual", layout)
    with h5pure.File(path, "a") as f:
        virtual = f["virtual"]
        assert virtual.shape == (10, 1) and virtual.maxshape == (None, 1)
        f["source"].resize(20, axis=0)  # in this process: seen at once
        assert virtual.shape == (20, 1)
        np.testing.assert_array_equal(virtual[10:, 0], -1)
        f["source"][10:, 1] = 7
        np.testing.assert_array_equal(virtual[:, 0], np.r_[np.arange(1, 20, 2), [7] * 10])
    with h5py.File(path, "r") as f:  # and libhdf5 sees the same
        assert f["virtual"].shape == (20, 1)
        np.testing.assert_array_equal(f["virtual"][:, 0], np.r_[np.arange(1, 20, 2), [7] * 10])


def test_unlimited_mapping_errors_as_h5py(tmp_path: Path, h5py: Any) -> None:
    cases = [
        ((slice(0, U), 0), lambda s: s[0:10, 1], "no printf specifiers"),
        ((slice(0, 10), 0), lambda s: s[0:U, 1], "different numbers of elements"),
        ((slice(0, U), slice(0, 1)), lambda s: s[0:U, 1:3], "non-unlimited dimensions"),
    ]
    for lib in (h5py, h5pure):
        src = lib.VirtualSource("src.h5", "data", shape=(10, 4), maxshape=(None, 4))
        for key, pick, message in cases:
            layout = lib.VirtualLayout((10, 2), "i4", maxshape=(None, 2))
            with pytest.raises(ValueError, match=message):
                layout[key] = pick(src)


def test_build_virtual_dataset(tmp_path: Path, h5py: Any) -> None:
    path = tmp_path / "built.h5"
    with h5pure.File(path, "w") as f:
        f["a"] = np.arange(5.0)
        with f.build_virtual_dataset("v", (2, 5), "f8", fillvalue=-1) as layout:
            layout[0] = h5pure.VirtualSource(f["a"])
        with f.build_virtual_dataset("empty", (3,), "i4"):
            pass
        with pytest.raises(RuntimeError), f.build_virtual_dataset("never", (3,), "i4"):
            raise RuntimeError("the block failed")
        assert "never" not in f
    renamed = tmp_path / "renamed.h5"
    path.rename(renamed)  # a source in the same file is stored as "."
    with h5py.File(renamed, "r") as f:
        np.testing.assert_array_equal(f["v"][0], np.arange(5.0))
        np.testing.assert_array_equal(f["v"][1], -1)
        assert f["empty"].is_virtual and f["empty"].virtual_sources() == []


def test_virtual_prefix_and_sources_open_for_writing(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    src = h5pure.File(tmp_path / "a" / "src.h5", "w")  # open, nothing committed yet
    src["data"] = np.arange(10)
    vds = h5pure.File(tmp_path / "b" / "vds.h5", "w")
    layout = h5pure.VirtualLayout((10,), np.int64)
    layout[:] = h5pure.VirtualSource("src.h5", "data", shape=(10,))
    vds.create_virtual_dataset("data", layout, fillvalue=-1)
    np.testing.assert_array_equal(vds["data"][()], -1)  # not found next to vds.h5
    again = vds.require_dataset("data", (10,), np.int64, virtual_prefix=str(tmp_path / "a"))
    np.testing.assert_array_equal(again[()], np.arange(10))  # read through the open file
    vds.close()
    src.close()


def test_external_storage_prefix_and_maxshape(tmp_path: Path, h5py: Any, monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ext").mkdir()
    data = np.random.default_rng(1).random((6, 100))
    for lib in (h5py, h5pure):
        with lib.File(f"{lib.__name__}.h5", "w") as f:
            d = f.create_dataset(
                "d", data.shape, data.dtype, external=[("raw.bin", 0, U)], efile_prefix="ext"
            )
            d[...] = data
            assert (tmp_path / "ext" / "raw.bin").read_bytes() == data.tobytes()
            d2 = f.require_dataset("d", data.shape, data.dtype, efile_prefix="ext")
            np.testing.assert_array_equal(d2[()], data)
            grow = f.create_dataset("grow", (8, 4), "f4", maxshape=(None, 4), external="g.bin")
            assert grow.chunks is None and grow.maxshape == (None, 4)
            for external, message in (
                ([("x.bin", 0, 1000)], "unlimited dataspace but finite storage"),
                ([("x.bin", 0, "many")], None),
            ):
                with pytest.raises(ValueError if message else TypeError, match=message):
                    f.create_dataset("bad", (8, 4), "f4", maxshape=(None, 4), external=external)
            with pytest.raises(ValueError, match="exceeds external storage size"):
                f.create_dataset("small", (10,), "f4", maxshape=(20,), external=[("y", 0, 40)])
        (tmp_path / "ext" / "raw.bin").unlink()
