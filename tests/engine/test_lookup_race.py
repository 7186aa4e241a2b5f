"""Readers of a dataset never see the chunk lookup vanish while a writer drops it: a
writer that adds chunks or resizes resets the lookup between a reader's test and its
use (the race seen as ``AttributeError: 'NoneType' object has no attribute 'table'``)."""

import sys
import threading

import numpy as np
import pytest

import h5pure

READERS = 3
ROUNDS = 150
ROWS = 64


@pytest.fixture
def fast_switching():
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(old)


def test_readers_while_a_writer_appends_resizes_and_rewrites(tmp_path, fast_switching):
    base = np.arange(ROWS * 8, dtype="<i4").reshape(ROWS, 8)
    path = tmp_path / "race.h5"
    with h5pure.File(path, "w") as f:
        f.create_dataset("plain", data=base, maxshape=(None, 8), chunks=(4, 8))
        f.create_dataset("gz", data=base, maxshape=(None, 8), chunks=(4, 8), compression="gzip")
    errors: list[BaseException] = []
    stop = threading.Event()
    with h5pure.File(path, "r+") as f:
        dsets = [f["plain"], f["gz"]]

        def reader(k: int) -> None:
            rng = np.random.default_rng(k)
            try:
                while not stop.is_set():
                    for d in dsets:
                        a = int(rng.integers(0, ROWS - 1))
                        np.testing.assert_array_equal(d[a : a + 2], base[a : a + 2])
                        np.testing.assert_array_equal(d[a, 3], base[a, 3])
                        np.testing.assert_array_equal(d[:ROWS:5], base[::5])
            except BaseException as e:  # noqa: BLE001 - reported below
                errors.append(e)

        threads = [threading.Thread(target=reader, args=(k,)) for k in range(READERS)]
        for t in threads:
            t.start()
        try:
            for r in range(ROUNDS):
                for d in dsets:
                    n = d.shape[0]
                    d.resize((n + 3, 8))  # a new edge chunk each few rounds
                    d[n : n + 3] = r
                    d[r % ROWS] = base[r % ROWS]  # rewrite a chunk with the same values
                if errors:
                    break
        finally:
            stop.set()
            for t in threads:
                t.join()
    assert not errors, repr(errors[0])
