"""Behaviour h5py users rely on that h5pure once got wrong (issue 12's list), each with
h5py (libhdf5) as the oracle: the same calls through both, the same outcome."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import h5pure
from h5pure.format.checksum import lookup3

# -- a vlen-string fill value given as a 0-d object array (what h5netcdf passes) ------------


@pytest.mark.parametrize("encoding", ["utf-8", "ascii"])
def test_vlen_string_fillvalue_as_0d_object_array(tmp_path: Path, h5py: Any, encoding: str) -> None:
    text = "bár" if encoding == "utf-8" else "bar"
    seen = {}
    for module in (h5py, h5pure):
        path = tmp_path / f"{module.__name__}.h5"
        dtype = module.string_dtype(encoding)
        fill = np.array(text).astype(dtype)  # h5netcdf's _check_fillvalue does this
        assert fill.shape == () and fill.dtype.kind == "O"
        with module.File(path, "w") as f:
            f.create_dataset("x", (4,), dtype=dtype, fillvalue=fill)
        with h5py.File(path, "r") as f:  # both files read by libhdf5
            seen[module.__name__] = (f["x"][0], f["x"].fillvalue, list(f["x"][...]))
    assert seen["h5pure"] == seen["h5py"]
    assert seen["h5py"][0] == text.encode()


# -- files opened through external links stay usable after the linking file closes --------


def test_external_link_target_outlives_the_linking_file(tmp_path: Path, h5py: Any) -> None:
    results = []
    for module in (h5py, h5pure):
        target = tmp_path / f"{module.__name__}_target.h5"
        main = tmp_path / f"{module.__name__}_main.h5"
        with module.File(target, "w") as t:
            t["inside/data"] = np.arange(5)
        with module.File(main, "w") as f:
            f["ext"] = module.ExternalLink(str(target), "/inside")
        f = module.File(main, "r")
        group = f["ext"]
        f.close()
        results.append((bool(group), list(group["data"][...]), group.file.filename))
        group.file.close()
    assert results[1][:2] == results[0][:2] == (True, [0, 1, 2, 3, 4])


# -- an Empty attribute is attribute message version 1, as libhdf5 writes it --------------


def _attribute_messages(data: bytes) -> list[bytes]:
    """The bodies of the attribute messages (type 0x000C) of version 1 object headers."""
    found = []
    at = data.find(b"\x0c\x00", 0)
    while at != -1:
        size = int.from_bytes(data[at + 2 : at + 4], "little")
        if data[at + 5 : at + 8] == b"\0\0\0" and 0 < size < 4096 and size % 8 == 0:
            body = data[at + 8 : at + 8 + size]
            if body[:1] in (b"\x01", b"\x02", b"\x03") and b"empty\0" in body[:32]:
                found.append(body)
        at = data.find(b"\x0c\x00", at + 1)
    return found


def test_empty_attribute_is_message_version_1(tmp_path: Path, h5py: Any) -> None:
    bodies = []
    for module in (h5py, h5pure):
        path = tmp_path / f"{module.__name__}.h5"
        with module.File(path, "w") as f:
            f.attrs["empty"] = module.Empty("<f4")
        with h5py.File(path, "r") as f:
            assert f.attrs["empty"] == h5py.Empty("<f4")
        (body,) = _attribute_messages(path.read_bytes())
        bodies.append(body)
    assert bodies[1] == bodies[0]
    assert bodies[0][0] == 1  # version 1, with its 8-byte aligned fields


# -- an LZF chunk that does not shrink is stored raw with the filter's mask bit ------------


def test_lzf_chunk_that_does_not_shrink_is_stored_raw(tmp_path: Path, h5py: Any) -> None:
    if "lzf" not in h5pure.filters.h5py_encoders():
        pytest.skip("no LZF compressor installed")
    noise = np.random.default_rng(0).integers(0, 2**63, size=1000, dtype="i8")
    infos = []
    for module in (h5py, h5pure):
        path = tmp_path / f"{module.__name__}.h5"
        with module.File(path, "w") as f:
            f.create_dataset("d", data=noise, chunks=(1000,), compression="lzf")
        with h5py.File(path, "r") as f:
            info = f["d"].id.get_chunk_info(0)
            infos.append((info.filter_mask, info.size))
            np.testing.assert_array_equal(f["d"][...], noise)
    assert infos[1] == infos[0] == (1, noise.nbytes)


# -- a file shorter than its stored end of file is refused at open -------------------------


@pytest.mark.parametrize("userblock", [0, 512])
@pytest.mark.parametrize("mode", ["r", "r+", "a"])
def test_truncated_file_refused_at_open(
    tmp_path: Path, h5py: Any, mode: str, userblock: int
) -> None:
    whole = tmp_path / "whole.h5"
    with h5pure.File(whole, "w", userblock_size=userblock or None) as f:
        f["d"] = np.arange(10_000.0)
    for cut in (os.path.getsize(whole) - 100, 3000):
        messages = []
        for module in (h5py, h5pure):
            path = tmp_path / f"cut_{module.__name__}.h5"
            shutil.copy(whole, path)
            os.truncate(path, cut)
            with pytest.raises(OSError, match="truncated file") as caught:
                module.File(path, mode)
            assert os.path.getsize(path) == cut  # nothing written, nothing extended
            messages.append(str(caught.value))
        numbers = messages[0][messages[0].index("(truncated") :]
        assert numbers in messages[1]  # libhdf5's eof, base address and stored eof
        assert str(tmp_path / "cut_h5pure.h5") in messages[1]  # and which file


def test_stored_eof_ahead_of_the_file_is_accepted_for_a_swmr_reader(
    tmp_path: Path, h5py: Any
) -> None:
    # a SWMR writer's superblock may record space it has allocated and not written yet:
    # libhdf5 skips the check for a SWMR reader, so does h5pure
    path = tmp_path / "swmr.h5"
    with h5pure.File(path, "w", libver="latest") as f:
        f["d"] = np.arange(10)
    data = bytearray(path.read_bytes())
    assert data[8] == 3  # superblock version 3: eof at 28, checksum at 44
    eof = int.from_bytes(data[28:36], "little")
    data[28:36] = (eof + 4096).to_bytes(8, "little")
    data[44:48] = lookup3(bytes(data[:44])).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    for module in (h5py, h5pure):
        with pytest.raises(OSError, match="truncated file"):
            module.File(path, "r")
        with module.File(path, "r", swmr=True) as f:
            assert list(f["d"][...]) == list(range(10))


# -- a filter that cannot write here is refused when the dataset is created -----------------

_WITHOUT_CODECS = textwrap.dedent(
    """
    import sys
    class Hide:
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in ("lzf", "imagecodecs", "hdf5plugin", "numcodecs"):
                raise ImportError(name)
    sys.meta_path.insert(0, Hide())
    import numpy as np, h5pure
    with h5pure.File(sys.argv[1], "w") as f:
        for name in ("lzf", "szip"):
            try:
                f.create_dataset(name, data=np.arange(100), chunks=(10,), compression=name)
                print(name, "created")
            except ValueError as e:
                print(name, "refused:", e)
        try:
            f.create_dataset("by_id", data=np.arange(100), chunks=(10,), compression=32000)
            print("32000 created")
        except ValueError as e:
            print("32000 refused:", e)
        print(sorted(f))
    with h5pure.File(sys.argv[1], "r") as f:  # reading LZF needs no package
        pass
    """
)


def test_compression_without_its_codec_is_refused_at_create(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-c", _WITHOUT_CODECS, str(tmp_path / "f.h5")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert out == [
        'lzf refused: Compression filter "lzf" is unavailable (pip install imagecodecs)',
        'szip refused: Compression filter "szip" is unavailable (pip install imagecodecs)',
        "32000 refused: Unknown compression filter number: 32000",
        "[]",
    ]
