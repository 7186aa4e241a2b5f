"""Adding a filter is one class: a plugin filter defined here works through the keyword
normaliser, the pipeline builder, the chunk codec and the describer; ids nobody registered
get a stand-in; filters are found by h5py's names."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import h5pure
from h5pure.errors import FilterError
from h5pure.filters import (
    ChunkInfo,
    Filter,
    LocalInfo,
    UnregisteredFilter,
    base,
    build_pipeline,
    decode_chunk,
    describe_pipeline,
    encode_chunk,
    filter_for,
    h5py_filter,
    normalize_filter_args,
    register_filter,
)
from h5pure.format.messages.filter_pipeline import FilterInfo, FilterPipeline

XOR_ID = 40123


class Xor(Filter):
    """A plugin: every byte XORed with a key; ``set_local`` adds the element size."""

    filter_id = XOR_ID
    name = "xor"
    size_preserving = True

    def set_local(self, values: tuple[int, ...], local: LocalInfo) -> tuple[int, ...]:
        key = values[0] if values else 0x5A
        return (key, local.size)

    def decode(self, data: bytes, info: FilterInfo, chunk: ChunkInfo) -> bytes:
        return self.encode(data, info, chunk)

    def encode(self, data: bytes, info: FilterInfo, chunk: ChunkInfo) -> bytes:
        key = np.uint8(info.client_data[0])
        return (np.frombuffer(data, dtype=np.uint8) ^ key).tobytes()


@pytest.fixture
def xor(monkeypatch: pytest.MonkeyPatch) -> Filter:
    """The plugin registered for one test (the registry is restored afterwards)."""
    monkeypatch.setattr(base, "_REGISTRY", dict(base._REGISTRY))
    register_filter(Xor)
    return base.get_filter(XOR_ID)


def _pipeline(**kw: Any) -> tuple[FilterInfo, ...]:
    dtype = np.dtype(">u2")
    args = normalize_filter_args(dtype=dtype, **kw)
    return build_pipeline(dtype=dtype, chunks=(4, 5), **args._asdict())


@pytest.mark.parametrize(
    ("opts", "client_data"), [(None, (0x5A, 2)), ((7,), (7, 2)), ((7, 9), (7, 2))]
)
def test_plugin_set_local_runs(xor: Filter, opts: Any, client_data: tuple[int, ...]) -> None:
    """Registered, the plugin is available (no ``allow_unknown_filter``) and its
    ``set_local`` completes the client data."""
    assert _pipeline(compression=XOR_ID, compression_opts=opts) == (
        FilterInfo(XOR_ID, None, 1, client_data),
    )


def test_plugin_in_h5py_order(xor: Filter) -> None:
    got = _pipeline(compression=XOR_ID, shuffle=True, fletcher32=True)
    assert [(f.filter_id, f.flags) for f in got] == [(2, 1), (XOR_ID, 1), (3, 0)]


def test_plugin_chunks_round_trip(xor: Filter) -> None:
    pipeline = FilterPipeline(2, list(_pipeline(compression=XOR_ID, shuffle=True)))
    message = FilterPipeline.decode(pipeline.encode())  # as stored and read back
    data = np.arange(20, dtype=">u2").reshape(4, 5)
    chunk = ChunkInfo(2, (4, 5))
    stored, mask = encode_chunk(data.tobytes(), message, chunk)
    assert mask == 0
    assert stored != data.tobytes()
    back = decode_chunk(stored, message, mask, chunk)
    np.testing.assert_array_equal(np.frombuffer(back, dtype=">u2").reshape(4, 5), data)


def test_plugin_described_as_h5py_does(xor: Filter) -> None:
    described = describe_pipeline(_pipeline(compression=XOR_ID, compression_opts=(7,)))
    assert tuple(described) == ({str(XOR_ID): (7, 2)}, "unknown", None, False, False, None)


def test_unregistered_id_needs_allow_unknown_filter() -> None:
    with pytest.raises(ValueError, match=f"^Unknown compression filter number: {XOR_ID}$"):
        _pipeline(compression=XOR_ID)


def test_unregistered_id_stores_client_data_as_given() -> None:
    got = _pipeline(compression=XOR_ID, compression_opts=(7,), allow_unknown_filter=True)
    assert got == (FilterInfo(XOR_ID, None, 1, (7,)),)
    assert describe_pipeline(got).filters == {str(XOR_ID): (7,)}


def test_stand_in_cannot_run() -> None:
    stand_in = filter_for(XOR_ID)
    assert isinstance(stand_in, UnregisteredFilter)
    assert (stand_in.filter_id, stand_in.h5py_key(), stand_in.available()) == (
        XOR_ID,
        str(XOR_ID),
        False,
    )
    pipeline = FilterPipeline(1, [FilterInfo(XOR_ID, None, 1, ())])
    with pytest.raises(FilterError, match=f"unknown filter id {XOR_ID}"):
        decode_chunk(b"abcd", pipeline, 0, ChunkInfo(1, (4,)))


@pytest.mark.parametrize(
    ("name", "filter_id", "flags"),
    [
        ("gzip", 1, 1),
        ("shuffle", 2, 1),
        ("fletcher32", 3, 0),
        ("szip", 4, 1),
        ("scaleoffset", 6, 1),
        ("lzf", 32000, 1),
    ],
)
def test_h5py_names(name: str, filter_id: int, flags: int) -> None:
    found = h5py_filter(name)
    assert (found.filter_id, found.flags, found.h5py_key()) == (filter_id, flags, name)
    assert filter_for(filter_id) is found


@pytest.mark.parametrize("name", ["deflate", "nbit", "blosc", "unknown"])
def test_names_h5py_does_not_have(name: str) -> None:
    with pytest.raises(KeyError):
        h5py_filter(name)


@pytest.mark.parametrize("filter_id", [5, 32001, 32004, 32008, 32015])
def test_registered_plugins_keep_their_client_data(filter_id: int) -> None:
    """Filters without a ``set_local`` here store what they are given, as before."""
    dtype = np.dtype("<f4")
    got = build_pipeline(dtype=dtype, chunks=(10,), compression=filter_id, compression_opts=(3,))
    assert got == (FilterInfo(filter_id, None, 1, (3,)),)


def test_vlen_shuffle_written_here_reads_in_h5py(h5py: Any, tmp_path: Any) -> None:
    """libhdf5 keeps h5py's empty shuffle client data for variable-length strings and
    stores such chunks unshuffled (mask bit set); chunks h5pure writes into the dataset
    must do the same, or libhdf5 cannot read them."""
    path = tmp_path / "f.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset(
            "s", (40,), chunks=(20,), dtype=h5py.string_dtype(), shuffle=True, compression="gzip"
        )
    words = np.array([f"word {i}".encode() for i in range(40)], dtype=object)
    with h5pure.File(path, "r+") as f:
        f["s"][...] = words
    with h5py.File(path, "r") as f:
        assert f["s"].id.read_direct_chunk((0,))[0] == 0b01  # shuffle skipped, gzip applied
        assert list(f["s"][...]) == list(words)
