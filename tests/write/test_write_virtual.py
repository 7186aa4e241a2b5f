"""Writing virtual datasets: the same VirtualLayout code runs through h5py and h5pure; h5py
and h5dump read ours as h5py's, and the mapping block is byte-identical to libhdf5's."""

import shutil
import subprocess

import numpy as np
import pytest

import h5pure
from h5pure.format.vds import decode_vds_block, encode_vds_block, read_vds_mappings


def _build(lib, path, src):
    with lib.File(path, "w") as f:
        f["b"] = np.arange(6, dtype="f8")
        layout = lib.VirtualLayout(shape=(4, 10), dtype="f8")
        vs = lib.VirtualSource(src, "a", shape=(10,))
        layout[0] = vs
        layout[1, 0:6] = lib.VirtualSource(f["b"])
        layout[2, ::2] = vs[0:5]
        layout[3, 5:9] = vs[1:9:2]
        d = f.create_virtual_dataset("v", layout, fillvalue=-1)
        layout2 = lib.VirtualLayout(shape=(2, 3), dtype="i2")
        layout2[1] = lib.VirtualSource(src, "m", shape=(2, 3))[0]
        f.create_virtual_dataset("g/w", layout2)
        return d[...] if lib is h5pure else None


@pytest.fixture
def files(tmp_path, h5py, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with h5py.File("src.h5", "w") as f:
        f["a"] = np.arange(10.0)
        f["m"] = np.arange(6, dtype="i2").reshape(2, 3)
    _build(h5py, "theirs.h5", "src.h5")
    before_flush = _build(h5pure, "ours.h5", "src.h5")
    return tmp_path, before_flush


def _block(path):
    with h5pure.File(path, "r") as f:
        st = f["v"]._storage
        fs = f._state
        return read_vds_mappings(
            fs.source, fs.ctx, st.layout.virtual_heap_address, st.layout.virtual_heap_index
        ).raw


def test_h5py_reads_our_virtual_dataset(files, h5py):
    _, before_flush = files
    with h5py.File("theirs.h5", "r") as t, h5py.File("ours.h5", "r") as o:
        expected = t["v"][...]
        np.testing.assert_array_equal(o["v"][...], expected)
        np.testing.assert_array_equal(before_flush, expected)
        assert o["v"].is_virtual and o["v"].fillvalue == -1
        assert [(m.file_name, m.dset_name) for m in o["v"].virtual_sources()] == [
            (m.file_name, m.dset_name) for m in t["v"].virtual_sources()
        ]
        assert o["g/w"].dtype == np.dtype("i2")
        np.testing.assert_array_equal(o["g/w"][...], [[0, 0, 0], [0, 1, 2]])
    assert _block("ours.h5") == _block("theirs.h5")


def test_h5dump_reads_our_virtual_dataset(files):
    if shutil.which("h5dump") is None:
        pytest.skip("h5dump not installed")
    out = subprocess.run(
        ["h5dump", "-d", "/v", "ours.h5"], capture_output=True, text=True, check=True
    ).stdout
    assert "(3,0): -1, -1, -1, -1, -1, 1, 3, 5, 7, -1" in out


def test_block_encoder_round_trips_libhdf5_bytes(files):
    raw = _block("theirs.h5")
    with h5pure.File("theirs.h5", "r") as f:
        ctx = f._state.ctx
    block = decode_vds_block(raw, ctx)
    assert encode_vds_block(list(block.mappings), ctx) == raw


def test_bad_mappings(tmp_path, h5py):
    for lib in (h5py, h5pure):
        layout = lib.VirtualLayout(shape=(4,), dtype="f8")
        with pytest.raises(ValueError):
            layout[0:2] = lib.VirtualSource("x.h5", "a", shape=(3,))
        with pytest.raises(TypeError):
            lib.VirtualSource("x.h5", "a")
    with h5pure.File(tmp_path / "ro.h5", "w") as f:
        f["a"] = 1
    with h5pure.File(tmp_path / "ro.h5", "r") as f:
        with pytest.raises(ValueError):
            f.create_virtual_dataset("v", h5pure.VirtualLayout((1,), "f8"))
