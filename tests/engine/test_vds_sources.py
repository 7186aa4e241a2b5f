"""A virtual dataset's sources are looked up once and kept, as libhdf5 keeps them open; a
missing source is looked for again at the next read, and a source in a file this
process writes is looked up afresh (its links may change)."""

from __future__ import annotations

import numpy as np
import pytest

import h5pure
from h5pure.lowlevel import virtual

h5py = pytest.importorskip("h5py")


def _count_lookups(monkeypatch):
    calls = []
    real = virtual._find_source

    def counting(*args, **kwargs):
        calls.append(args[1:3])
        return real(*args, **kwargs)

    monkeypatch.setattr(virtual, "_find_source", counting)
    return calls


def test_sources_looked_up_once(tmp_path, monkeypatch):
    path = tmp_path / "v.h5"
    layout = h5py.VirtualLayout(shape=(40,), dtype="f8")
    with h5py.File(path, "w", libver="latest") as f:
        for i in range(4):
            d = f.create_dataset(f"s{i}", data=np.arange(10.0) + 10 * i)
            layout[10 * i : 10 * i + 10] = h5py.VirtualSource(d)
        f.create_virtual_dataset("v", layout, fillvalue=-1)
    calls = _count_lookups(monkeypatch)
    with h5pure.File(path, "r") as f:
        v = f["v"]
        for _ in range(3):
            np.testing.assert_array_equal(v[...], np.arange(40.0))
            np.testing.assert_array_equal(v[::3], np.arange(40.0)[::3])
    assert len(calls) == 4


def test_a_missing_source_is_looked_for_again(tmp_path):
    layout = h5py.VirtualLayout(shape=(2, 5), dtype="i4")
    layout[0] = h5py.VirtualSource("a.h5", "x", shape=(5,))
    layout[1] = h5py.VirtualSource("b.h5", "x", shape=(5,))
    with h5py.File(tmp_path / "a.h5", "w") as f:
        f["x"] = np.arange(5, dtype="i4")
    with h5py.File(tmp_path / "v.h5", "w") as f:
        f.create_virtual_dataset("v", layout, fillvalue=-7)
    with h5pure.File(tmp_path / "v.h5", "r") as f:
        v = f["v"]
        np.testing.assert_array_equal(v[1], [-7] * 5)
        with h5py.File(tmp_path / "b.h5", "w") as g:  # the missing source appears
            g["x"] = np.arange(5, dtype="i4") * 3
        np.testing.assert_array_equal(v[...], [np.arange(5), np.arange(5) * 3])


def test_a_source_in_the_file_being_written_follows_its_links(tmp_path):
    with h5pure.File(tmp_path / "w.h5", "w") as f:
        f["a"] = np.arange(6.0)
        layout = h5pure.VirtualLayout(shape=(6,), dtype="f8")
        layout[:] = h5pure.VirtualSource(f["a"])
        v = f.create_virtual_dataset("v", layout, fillvalue=-1)
        np.testing.assert_array_equal(v[...], np.arange(6.0))
        del f["a"]
        f["a"] = np.arange(6.0) * 2  # another dataset under the same name
        np.testing.assert_array_equal(v[...], np.arange(6.0) * 2)


def test_a_source_open_elsewhere_in_this_process_is_not_kept(tmp_path):
    """A source read through a File the user opened (and may close, or drop to the
    garbage collector) is looked up again at the next read, not kept."""
    with h5py.File(tmp_path / "a.h5", "w") as f:
        f["x"] = np.arange(5, dtype="i4")
    layout = h5py.VirtualLayout(shape=(5,), dtype="i4")
    layout[:] = h5py.VirtualSource(str(tmp_path / "a.h5"), "x", shape=(5,))
    with h5py.File(tmp_path / "v.h5", "w") as f:
        f.create_virtual_dataset("v", layout, fillvalue=-1)
    other = h5pure.File(tmp_path / "a.h5", "r")  # open while the virtual dataset reads
    with h5pure.File(tmp_path / "v.h5", "r") as f:
        v = f["v"]
        np.testing.assert_array_equal(v[...], np.arange(5))
        # read through a handle of its own: the user's File (or the garbage collector,
        # for a File nobody holds) may close the other one in the middle of a read
        assert f._state.vds_sources
        assert all(s is not other._state for s in f._state.vds_sources.values())
        other.close()
        np.testing.assert_array_equal(v[...], np.arange(5))
