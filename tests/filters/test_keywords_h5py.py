"""h5py's filter keywords through ``normalize_filter_args`` + ``build_pipeline``, and stored
pipelines through ``describe_pipeline``, against h5py and libhdf5 themselves.

For every case of :mod:`keyword_cases` h5py creates the dataset (or refuses to); the pipeline
libhdf5 stored is read back with h5pure's reader.  The pipeline h5pure builds from the same
keywords must be that one, byte for byte (ids, flags, stored names, client data), or the
refusal the same exception with the same message; describing the stored pipeline must give
what h5py's ``Dataset`` reports.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest
from keyword_cases import (
    ALL_CASES,
    REFUSED_CASES,
    Case,
    dtype_of,
    element_size,
    fill_bytes,
    outcome,
)

import h5pure
from h5pure.filters import (
    build_pipeline,
    describe_pipeline,
    h5py_encoders,
    normalize_filter_args,
)
from h5pure.testing.filters import pipeline_from_dcpl


def _h5py_view(dset: Any) -> tuple[Any, ...]:
    return (
        dict(dset._filters),
        dset.compression,
        dset.compression_opts,
        dset.shuffle,
        dset.fletcher32,
        dset.scaleoffset,
    )


def _h5py_view_of_new(f: Any, name: str, case: Case, h5py: Any) -> tuple[Any, ...]:
    return _h5py_view(_create_h5py(f, name, case, h5py))


def _create_h5py(f: Any, name: str, case: Case, h5py: Any) -> Any:
    return f.create_dataset(
        name,
        shape=case.chunks,
        chunks=case.chunks,
        dtype=dtype_of(case, h5py),
        fillvalue=case.fill,
        **case.kwargs,
    )


@pytest.fixture(scope="module")
def libhdf5(tmp_path_factory: Any) -> dict[str, tuple[Any, Any]]:
    """Per case id: (what h5py did: ("ok", stored pipeline) or the error, h5py's view)."""
    h5py = pytest.importorskip("h5py")
    path = tmp_path_factory.mktemp("keywords") / "h5py.h5"
    made: dict[str, tuple[Any, Any]] = {}
    with h5py.File(path, "w") as f:
        for i, case in enumerate(ALL_CASES):
            got = outcome(_h5py_view_of_new, f, f"d{i}", case, h5py)
            made[case.id] = (f"d{i}", got)
    out = {}
    with h5pure.File(path, "r") as f:
        for key, (name, got) in made.items():
            if got[0] == "ok":
                out[key] = (("ok", tuple(f[name]._storage.filters)), got[1])
            else:
                out[key] = (got, None)
    return out


def _ours(case: Case, h5py: Any) -> tuple[Any, ...]:
    dtype = dtype_of(case, h5py)
    kwargs = dict(case.kwargs)
    allow = kwargs.pop("allow_unknown_filter", False)
    args = normalize_filter_args(dtype=dtype, allow_unknown_filter=allow, **kwargs)
    return build_pipeline(
        dtype=dtype,
        chunks=case.chunks,
        fill=fill_bytes(case, dtype),
        element_size=element_size(case),
        **args._asdict(),
    )


@pytest.mark.parametrize("case", ALL_CASES, ids=[c.id for c in ALL_CASES])
def test_pipeline_and_description_match_libhdf5(
    libhdf5: dict[str, tuple[Any, Any]], h5py: Any, case: Case
) -> None:
    stored, h5py_view = libhdf5[case.id]
    built = outcome(_ours, case, h5py)
    described = None if stored[0] != "ok" else tuple(describe_pipeline(stored[1]))
    assert (built, described) == (stored, h5py_view)


@pytest.mark.parametrize("case", REFUSED_CASES, ids=[c.id for c in REFUSED_CASES])
def test_refusals_raise_what_h5py_raises(h5py: Any, case: Case) -> None:
    """Each option h5py refuses is refused with h5py's exception type and message."""
    with h5py.File("mem.h5", "w", driver="core", backing_store=False) as f:
        with pytest.raises(Exception) as theirs:
            _create_h5py(f, "x", case, h5py)
    with pytest.raises(type(theirs.value), match=f"^{re.escape(str(theirs.value))}$"):
        _ours(case, h5py)


def test_encoders_are_h5pys(h5py: Any) -> None:
    """The names ``compression=`` takes (h5py's ``filters.encode``)."""
    assert sorted(h5py_encoders()) == sorted(h5py.filters.encode)


@pytest.mark.parametrize("scaleoffset", [None, 0])
@pytest.mark.parametrize("shuffle", [False, True])
@pytest.mark.parametrize("compression", [None, "gzip", "lzf", 300])
def test_filtered_as_h5py_chunks(
    h5py: Any, compression: Any, shuffle: bool, scaleoffset: int | None
) -> None:
    """``FilterArgs.filtered`` is what makes h5py pick a chunk shape itself."""
    args = normalize_filter_args(
        dtype=np.dtype("i4"),
        compression=compression,
        shuffle=shuffle,
        scaleoffset=scaleoffset,
        allow_unknown_filter=True,
    )
    with h5py.File("mem.h5", "w", driver="core", backing_store=False) as f:
        dset = f.create_dataset(
            "x",
            (100,),
            "i4",
            compression=compression,
            shuffle=shuffle,
            scaleoffset=scaleoffset,
            allow_unknown_filter=True,
        )
        assert args.filtered == (dset.chunks is not None)


class _PluginRef:
    """A filter reference as hdf5plugin's classes are (``h5py.filters.FilterRefBase``)."""

    def __new__(cls, h5py: Any, filter_id: int, options: tuple[int, ...]) -> Any:
        ref = type("Ref", (h5py.filters.FilterRefBase,), {"filter_id": filter_id})()
        ref.filter_options = options
        return ref


@pytest.mark.parametrize(
    ("make", "allow"),
    [
        pytest.param(lambda h5py: h5py.filters.Gzip(), False, id="Gzip()"),
        pytest.param(lambda h5py: h5py.filters.Gzip(9), False, id="Gzip(9)"),
        pytest.param(lambda h5py: _PluginRef(h5py, 32000, (0, 7)), False, id="lzf-ref"),
        pytest.param(lambda h5py: _PluginRef(h5py, 300, (1, 2)), True, id="plugin-ref"),
        pytest.param(lambda h5py: _PluginRef(h5py, 300, (1, 2)), False, id="unknown-ref"),
        pytest.param(lambda h5py: _PluginRef(h5py, 300, [1]), True, id="list-options-ref"),
    ],
)
def test_filter_references(h5py: Any, make: Any, allow: bool) -> None:
    """``compression=`` given one of h5py's filter references, as hdf5plugin's are."""
    assert outcome(_ours_from_ref, h5py, make, allow) == outcome(_h5pys_from_ref, h5py, make, allow)


def _h5pys_from_ref(h5py: Any, make: Any, allow: bool) -> tuple[Any, ...]:
    with h5py.File("mem.h5", "w", driver="core", backing_store=False) as f:
        dset = f.create_dataset(
            "x", (6, 7), "<i4", chunks=(6, 7), compression=make(h5py), allow_unknown_filter=allow
        )
        return pipeline_from_dcpl(dset.id.get_create_plist()).filters, _h5py_view(dset)


def _ours_from_ref(h5py: Any, make: Any, allow: bool) -> tuple[Any, ...]:
    dtype = np.dtype("<i4")
    args = normalize_filter_args(dtype=dtype, compression=make(h5py), allow_unknown_filter=allow)
    built = build_pipeline(dtype=dtype, chunks=(6, 7), **args._asdict())
    return list(built), tuple(describe_pipeline(built))
