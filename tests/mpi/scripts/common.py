"""What the MPI test scripts write and expect: every rank writes its own slab of each
dataset (rank ``r`` of ``n``: rows ``r*ROWS:(r+1)*ROWS``).  Importable by the scripts
(run under mpiexec, by h5pure or Debian's parallel h5py) and by the pytest side."""

from __future__ import annotations

import numpy as np

ROWS = 6
COLS = 5
CHUNKS = (3, COLS)
COMPOUND = np.dtype([("a", "<i4"), ("b", "<f8"), ("c", "S3")])


def slab(name: str, r: int) -> np.ndarray:
    """Rank ``r``'s rows of dataset ``name``."""
    base = np.arange(ROWS * COLS).reshape(ROWS, COLS) + 1000 * r
    if name == "contiguous":
        return base.astype("<f8") / 4
    if name in ("chunked", "gzip", "resizable"):
        return base.astype("<i4")
    if name == "compound":
        out = np.zeros(ROWS, dtype=COMPOUND)
        out["a"] = np.arange(ROWS) + 10 * r
        out["b"] = out["a"] / 3
        out["c"] = [f"r{r}{k}".encode() for k in range(ROWS)]
        return out
    if name == "strings":
        return np.array([f"rank {r} item {k} " + "x" * k for k in range(ROWS)], dtype=object)
    raise KeyError(name)


def expected(name: str, n: int) -> np.ndarray:
    return np.concatenate([slab(name, r) for r in range(n)])


def write_all(h5: object, path: str, comm: object, collective: bool, strings: bool = True) -> None:
    """Groups, attributes and one dataset of each kind, written by every rank (``strings``:
    also a vlen string dataset, which parallel libhdf5 1.10 refuses to write)."""
    import contextlib

    r, n = comm.Get_rank(), comm.Get_size()  # type: ignore[attr-defined]
    rows = slice(r * ROWS, (r + 1) * ROWS)
    with h5.File(path, "w", driver="mpio", comm=comm) as f:  # type: ignore[attr-defined]
        f.attrs["ranks"] = n
        g = f.create_group("group/sub")
        g.attrs["title"] = "written by every rank"
        g.attrs["vector"] = np.arange(4.0)
        dsets = {
            "contiguous": f.create_dataset("contiguous", (n * ROWS, COLS), dtype="<f8"),
            "chunked": f.create_dataset("chunked", (n * ROWS, COLS), dtype="<i4", chunks=CHUNKS),
            "gzip": f.create_dataset(
                "gzip",
                (n * ROWS, COLS),
                dtype="<i4",
                chunks=CHUNKS,
                compression="gzip",
                compression_opts=4,
                shuffle=True,
            ),
            "compound": f.create_dataset("compound", (n * ROWS,), dtype=COMPOUND),
        }
        if strings:
            dsets["strings"] = f.create_dataset(
                "strings",
                (n * ROWS,),
                dtype=h5.string_dtype(),  # type: ignore[attr-defined]
            )
        res = f.create_dataset(
            "resizable",
            (0, COLS),
            maxshape=(None, COLS),
            dtype="<i4",
            chunks=CHUNKS,
            compression="gzip",
        )
        res.resize((n * ROWS, COLS))
        dsets["resizable"] = res
        for name, d in dsets.items():
            ctx = d.collective if collective or name == "strings" else contextlib.nullcontext()
            with ctx:
                d[rows] = slab(name, r)
        f["group/sub"].attrs["done"] = True


def check_all(f: object, n: int, rows: slice | None = None) -> None:
    """Every dataset of :func:`write_all` holds the expected values (``rows``: only those)."""
    sel = rows if rows is not None else slice(None)
    assert int(f.attrs["ranks"]) == n  # type: ignore[attr-defined]
    sub = f["group/sub"]  # type: ignore[index]
    assert sub.attrs["title"] in ("written by every rank", b"written by every rank")
    assert bool(sub.attrs["done"])
    for name in ("contiguous", "chunked", "gzip", "resizable", "compound"):
        got = f[name][sel]  # type: ignore[index]
        want = expected(name, n)[sel]
        assert got.dtype == want.dtype, (name, got.dtype, want.dtype)
        assert np.array_equal(got, want), name
    if "strings" not in f:  # type: ignore[operator]
        return
    got = [s.decode() if isinstance(s, bytes) else s for s in f["strings"][sel]]  # type: ignore[index]
    assert got == list(expected("strings", n)[sel]), got
    assert f["gzip"].compression == "gzip" and f["gzip"].shuffle  # type: ignore[index]
    assert f["resizable"].shape == (n * ROWS, COLS)  # type: ignore[index]
