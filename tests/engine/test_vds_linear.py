"""Reading a virtual dataset costs work linear in its mappings and in the elements
selected (it was quadratic: 20k/40k/80k elements took 0.35/1.0/4.1 s).  The work is
counted, not timed: every numpy call the VDS reader makes is charged the sizes of its
array arguments, and a read four times larger must cost about four times as much."""

from __future__ import annotations

import numpy as np
import pytest

import h5pure
from h5pure.lowlevel import virtual


class _Counting:
    """Stands in for ``numpy`` in the VDS reader: charges each call the elements of its
    array arguments (``searchsorted`` only its needles)."""

    def __init__(self) -> None:
        self.work = 0

    def __getattr__(self, name):
        real = getattr(np, name)
        if not callable(real) or isinstance(real, type):
            return real

        def counted(*args, **kwargs):
            # a binary search costs its needles (times a log), not the sorted haystack
            charged = args[1:] if name == "searchsorted" else (*args, *kwargs.values())
            for a in charged:
                if isinstance(a, np.ndarray):
                    self.work += a.size
                elif isinstance(a, (list, tuple)):
                    self.work += sum(x.size for x in a if isinstance(x, np.ndarray))
            return real(*args, **kwargs)

        return counted


def _make(path, n, mappings):
    per = n // mappings
    layout = h5pure.VirtualLayout(shape=(n,), dtype="f8")
    with h5pure.File(path, "w", libver="latest") as f:
        for i in range(mappings):
            d = f.create_dataset(f"s{i}", data=np.arange(i * per, (i + 1) * per, dtype="f8"))
            layout[i * per : (i + 1) * per] = h5pure.VirtualSource(d)
        f.create_virtual_dataset("v", layout, fillvalue=-1)


def _work(monkeypatch, path, key):
    counter = _Counting()
    with h5pure.File(path, "r") as f:
        v = f["v"]
        want = np.arange(v.shape[0], dtype="f8")[key]
        with monkeypatch.context() as m:
            m.setattr(virtual, "np", counter)
            got = v[key]
    np.testing.assert_array_equal(got, want)
    return counter.work


@pytest.mark.parametrize("key", [np.s_[...], np.s_[::3], np.s_[7:-5]], ids=["all", "step", "cut"])
@pytest.mark.parametrize("per_mapping", [None, 100], ids=["4 mappings", "100 per mapping"])
def test_vds_read_work_is_linear(tmp_path, monkeypatch, key, per_mapping):
    small, large = 10_000, 40_000
    works = []
    for n in (small, large):
        path = tmp_path / f"v{n}.h5"
        _make(path, n, 4 if per_mapping is None else n // per_mapping)
        works.append(_work(monkeypatch, path, key))
    # linear: 4x; the quadratic reader was 16x; allow slack for per-call constants
    assert works[1] <= 6 * works[0], works


def test_corrupt_vds_counts_fail_cleanly(tmp_path):
    """A mapping whose stored counts are absurd is refused, not materialised."""
    from h5pure.format.selection_codec import RegularHyperslab, SelectionType, SerializedSelection

    reg = RegularHyperslab((0,), (1,), (1 << 50,), (1,))
    sel = SerializedSelection(SelectionType.HYPERSLABS, 1, regular=reg)
    axes = virtual._axis_sets(sel, (10,), clip=True)  # cut at the extent: cheap
    assert len(axes[0]) == 10
    with pytest.raises(OSError):
        virtual._axis_sets(sel, (10,))
    overlapping = RegularHyperslab((0,), (1,), (4,), (3,))
    with pytest.raises(OSError, match="overlap"):
        virtual._axis_sets(
            SerializedSelection(SelectionType.HYPERSLABS, 1, regular=overlapping), (10,)
        )


def _best_time(path, key, repeat=3):
    import time

    best = float("inf")
    with h5pure.File(path, "r") as f:
        v = f["v"]
        for _ in range(repeat):
            t = time.perf_counter()
            v[key]
            best = min(best, time.perf_counter() - t)
    return best


def test_vds_read_time_scales_linearly(tmp_path):
    """Wall time, with a wide margin: 8x the elements (and mappings) must not take more
    than 20x the time (the quadratic reader took about 64x)."""
    times = []
    for n in (5_000, 40_000):
        path = tmp_path / f"t{n}.h5"
        _make(path, n, n // 100)
        _best_time(path, ..., repeat=1)  # warm caches: sources, mapping decode
        times.append(_best_time(path, ...))
    assert times[1] <= 20 * max(times[0], 1e-3), times


@pytest.fixture(scope="module")
def mixed_vds(tmp_path_factory):
    """An h5py-written VDS with many mappings of each kind: unlimited (a growing
    source), strided on both sides, and list (irregular hyperslab) selections."""
    h5py = pytest.importorskip("h5py")
    path = tmp_path_factory.mktemp("mixed") / "mixed.h5"
    with h5py.File(path, "w", libver="latest") as f:
        src = f.create_dataset("src", data=np.arange(5000, dtype="f8"))
        grow = f.create_dataset("grow", data=np.arange(50, dtype="f8") * -1, maxshape=(None,))
        layout = h5py.VirtualLayout(shape=(4, 3000), dtype="f8", maxshape=(4, None))
        for i in range(100):  # strided: every other virtual element from every third source
            layout[0, 30 * i : 30 * i + 30 : 2] = h5py.VirtualSource(src)[40 * i : 40 * i + 45 : 3]
        for i in range(100):  # lists: irregular blocks on both sides
            base = 30 * i
            layout[1, [base, base + 1, base + 5, base + 17]] = h5py.VirtualSource(src)[
                [3 * i, 3 * i + 2, 3 * i + 400, 3 * i + 1001]
            ]
        layout[2, : h5py.h5s.UNLIMITED] = h5py.VirtualSource(grow)[: h5py.h5s.UNLIMITED]
        layout[3] = h5py.VirtualSource(src)[500:3500]
        f.create_virtual_dataset("v", layout, fillvalue=-0.5)
        f["grow"].resize((70,))  # after the VDS: the unlimited mapping follows it
        f["grow"][50:] = 1000 + np.arange(20)
    return path


@pytest.mark.parametrize(
    "key",
    [
        np.s_[...],
        np.s_[:, ::7],
        np.s_[1:3, 5:2900:3],
        np.s_[:, [0, 1, 5, 17, 45, 2999]],
        np.s_[2, 40:80],
        np.s_[[0, 2, 3], 100:130],
    ],
    ids=["all", "step", "slab", "list", "unlimited", "rows"],
)
def test_many_mappings_match_h5py(mixed_vds, key):
    h5py = pytest.importorskip("h5py")
    with h5py.File(mixed_vds, "r") as theirs, h5pure.File(mixed_vds, "r") as ours:
        assert ours["v"].shape == theirs["v"].shape
        np.testing.assert_array_equal(ours["v"][key], theirs["v"][key])


def test_many_mappings_points_and_repeats(mixed_vds):
    """Repeated and unordered indices (which h5py refuses) agree with numpy on the
    whole array."""
    with h5pure.File(mixed_vds, "r") as f:
        whole = f["v"][...]
        idx = np.array([2999, 5, 5, 0, 17, 1, 2999])
        np.testing.assert_array_equal(f["v"][:, idx], whole[:, idx])
        np.testing.assert_array_equal(f["v"][[3, 1, 1], 7], whole[[3, 1, 1], 7])


def _vds_heap_object(data: bytes) -> tuple[int, int]:
    """Offset and size of the first global heap object (the VDS mapping block)."""
    at = data.find(b"GCOL")
    assert at > 0
    size = int.from_bytes(data[at + 24 : at + 32], "little")
    return at + 32, size


@pytest.mark.parametrize("field", ["start", "stride", "count", "block"])
@pytest.mark.parametrize("value", [0xFFFF, 0x8000, 0])
def test_corrupt_mapping_fields_read_cleanly(tmp_path, field, value):
    """A mapping block with absurd hyperslab fields (its checksum made to match, so the
    values reach the reader) reads or raises OSError, quickly."""
    import time

    from h5pure.format.checksum import lookup3

    h5py = pytest.importorskip("h5py")
    path = tmp_path / "c.h5"
    with h5py.File(path, "w", libver="latest") as f:
        s = f.create_dataset("s", data=np.arange(1000.0))
        layout = h5py.VirtualLayout(shape=(1000,), dtype="f8")
        for i in range(10):
            layout[i * 100 : (i + 1) * 100] = h5py.VirtualSource(s)[i * 100 : (i + 1) * 100]
        f.create_virtual_dataset("v", layout, fillvalue=-1)
    data = bytearray(path.read_bytes())
    start, size = _vds_heap_object(bytes(data))
    # a regular hyperslab, version 3, 2-byte fields: flags, size 2, rank 1, start, stride,
    # count, block (h5py writes the smallest width that holds the values)
    head = bytes.fromhex("0102010000000000010001006400")
    at = data.find(head, start, start + size)
    assert at > 0
    pos = at + 6 + 2 * ["start", "stride", "count", "block"].index(field)
    data[pos : pos + 2] = value.to_bytes(2, "little")
    data[start + size - 4 : start + size] = lookup3(bytes(data[start : start + size - 4])).to_bytes(
        4, "little"
    )
    path.write_bytes(bytes(data))
    t = time.perf_counter()
    try:
        with h5pure.File(path, "r") as f:
            f["v"][...]
            f["v"][::7]
    except OSError:
        pass
    assert time.perf_counter() - t < 5
