"""``visit`` walks names only: a version 1 header is scanned for its message types, not
decoded, and no object is opened -- with h5py's order, deduplication, early stop and
errors; h5py is the oracle."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import h5pure
from h5pure.format import object_header
from h5pure.lowlevel import file as file_mod


def _build(h5py: Any, path: Path, libver: Any = "earliest") -> None:
    with h5py.File(path, "w", libver=libver) as f:
        for g in range(12):
            grp = f.create_group(f"g{g:02d}", track_order=g % 3 == 0)
            grp.attrs["n"] = g
            for k in range(3):
                d = grp.create_dataset(f"d{k}", data=np.arange(10) + g, chunks=(5,))
                d.attrs["units"] = "m"  # moves the header into a continuation chunk
            grp.create_group("sub").create_dataset("leaf", data=1.5)
        f["g00/hard_again"] = f["g01/d0"]  # one object, two names: visited once
        f["g02/cycle"] = f["g02"]  # a group linking to itself
        f["soft"] = h5py.SoftLink("/g03/d1")
        f["ext"] = h5py.ExternalLink("elsewhere.h5", "/x")
        f["dtype"] = np.dtype("<i2")  # a committed datatype
        f.create_group("empty")


def _dataset_addresses(h5py: Any, path: Path) -> set[int]:
    """The object header addresses of the file's datasets, by h5py."""
    found: set[int] = set()
    with h5py.File(path, "r") as f:
        f.visititems(
            lambda n, o: found.add(h5py.h5o.get_info(o.id).addr)
            if isinstance(o, h5py.Dataset)
            else None
        )
    return found


def _spy_headers(monkeypatch: Any, reader: str) -> list[int]:
    """The addresses of the object headers ``file_mod.<reader>`` reads from now on."""
    seen: list[int] = []
    plain = getattr(file_mod, reader)

    def spy(source: Any, ctx: Any, address: int) -> Any:
        seen.append(address)
        return plain(source, ctx, address)

    monkeypatch.setattr(file_mod, reader, spy)
    return seen


def _spy_decoder(monkeypatch: Any) -> list[int]:
    """The addresses of the object headers decoded from now on."""
    return _spy_headers(monkeypatch, "read_object_header")


@pytest.mark.parametrize("libver", ["earliest", "latest"])
def test_visit_names_match_h5py(tmp_path: Path, h5py: Any, libver: str) -> None:
    path = tmp_path / "v.h5"
    _build(h5py, path, libver)
    want: list[str] = []
    got: list[str] = []
    with h5py.File(path, "r") as f:
        f.visit(want.append)
    with h5pure.File(path, "r") as f:
        f.visit(got.append)
        sub: list[str] = []
        f["g04"].visit(sub.append)
    assert got == want
    with h5py.File(path, "r") as f:
        want_sub: list[str] = []
        f["g04"].visit(want_sub.append)
    assert sub == want_sub


def test_no_dataset_header_is_decoded(tmp_path: Path, h5py: Any, monkeypatch: Any) -> None:
    path = tmp_path / "v.h5"
    _build(h5py, path)
    datasets = _dataset_addresses(h5py, path)
    decoded = _spy_decoder(monkeypatch)
    names: list[str] = []
    with h5pure.File(path, "r") as f:
        f.visit(names.append)
    assert len(names) > 40
    assert datasets and not datasets & set(decoded)


def test_early_stop_returns_the_value(tmp_path: Path, h5py: Any) -> None:
    path = tmp_path / "v.h5"
    _build(h5py, path)
    seen: list[str] = []

    def stop(name: str) -> Any:
        seen.append(name)
        return name if name.endswith("leaf") else None

    with h5pure.File(path, "r") as f:
        assert f.visit(stop) == "g00/sub/leaf"
    assert seen[-1] == "g00/sub/leaf"


def test_a_writer_sees_its_own_objects(tmp_path: Path) -> None:
    path = tmp_path / "w.h5"
    with h5pure.File(path, "w") as f:
        f.create_group("a").create_dataset("x", data=[1, 2])
        names: list[str] = []
        f.visit(names.append)
        assert names == ["a", "a/x"]
    with h5pure.File(path, "r+") as f:
        f.create_group("b")
        names = []
        f.visit(names.append)
        assert names == ["a", "a/x", "b"]


def test_a_corrupt_header_is_an_error_not_a_skip(tmp_path: Path, h5py: Any) -> None:
    """The scan gives up on anything irregular; the full decoder then names the fault."""
    path = tmp_path / "c.h5"
    with h5py.File(path, "w", libver="earliest") as f:
        f.create_dataset("x", data=np.arange(4))
        address = h5py.h5o.get_info(f["x"].id).addr
    with open(path, "r+b") as fh:
        fh.seek(address)
        fh.write(b"\x07")  # not a version 1 prefix nor "OHDR"
    with h5pure.File(path, "r") as f, pytest.raises(OSError, match="object header"):
        f.visit(lambda name: None)


def test_scan_agrees_with_the_decoder(tmp_path: Path, h5py: Any) -> None:
    path = tmp_path / "v.h5"
    _build(h5py, path)
    with h5pure.File(path, "r") as f:
        fs = f._state
        addresses: list[int] = []
        f.visititems(lambda n, o: addresses.append(o._info.address))
        for address in addresses:
            header = object_header.read_object_header(fs.source, fs.ctx, address)
            types = object_header.scan_v1_message_types(fs.source, fs.ctx, address)
            if header.version == 1:
                assert types == {m.type for m in header.messages}
            else:  # a group tracking creation order: version 2 even in this file
                assert types is None


@pytest.mark.parametrize("libver", ["earliest", "latest"])
def test_visit_links_match_h5py_without_opening_datasets(
    tmp_path: Path, h5py: Any, monkeypatch: Any, libver: str
) -> None:
    """``visit_links``/``visititems_links`` enter groups found by the header scan; the
    links (hard, soft, external) come in h5py's order, each group entered once."""
    path = tmp_path / "v.h5"
    _build(h5py, path, libver)
    want: list[tuple[str, str]] = []
    with h5py.File(path, "r") as f:
        f.visititems_links(lambda n, link: want.append((n, type(link).__name__)))
    datasets = _dataset_addresses(h5py, path)
    decoded = _spy_decoder(monkeypatch)
    got: list[tuple[str, str]] = []
    with h5pure.File(path, "r") as f:
        f.visititems_links(lambda n, link: got.append((n, type(link).__name__)))
        names: list[str] = []
        f["g05"].visit_links(names.append)
    assert got == want
    if libver == "earliest":  # version 1 headers: scanned, not decoded
        assert datasets and not datasets & set(decoded)
    assert names == [n[len("g05/") :] for n, _ in want if n.startswith("g05/")]


def _spy_scanner(monkeypatch: Any) -> list[int]:
    """The addresses of the object headers scanned for their message types from now on."""
    return _spy_headers(monkeypatch, "scan_v1_message_types")


def test_old_style_groups_are_known_from_their_parents_entries(
    tmp_path: Path, h5py: Any, monkeypatch: Any
) -> None:
    """libhdf5 caches an old-style group's symbol table in its parent's entry (cache type
    1): ``visit`` takes such an object for a group without scanning its header."""
    path = tmp_path / "v.h5"
    with h5py.File(path, "w", libver="earliest") as f:
        for g in range(5):
            f.create_group(f"g{g}").create_dataset("d", data=[g])
        groups = {h5py.h5o.get_info(f[f"g{g}"].id).addr for g in range(5)}
        datasets = {h5py.h5o.get_info(f[f"g{g}/d"].id).addr for g in range(5)}
    scanned = _spy_scanner(monkeypatch)
    names: list[str] = []
    with h5pure.File(path, "r") as f:
        f.visit(names.append)
    assert names == [n for g in range(5) for n in (f"g{g}", f"g{g}/d")]
    assert set(scanned) == datasets and not groups & set(scanned)


def test_an_entry_that_calls_a_dataset_a_group_is_not_walked_into(
    tmp_path: Path, h5py: Any
) -> None:
    """A corrupt parent entry claiming cache type 1 for a dataset: the name is still
    listed, and walking into the dataset finds no links in it: the walk is as h5py's."""
    path = tmp_path / "c.h5"
    with h5py.File(path, "w", libver="earliest") as f:
        f.create_dataset("x", data=np.arange(4))
        f.create_group("y").create_dataset("z", data=[1])
    raw = bytearray(path.read_bytes())
    # the root's symbol table node: "SNOD", version, reserved, count, then 40-byte entries
    # (name offset, header address, cache type, reserved, 16-byte scratch pad)
    node = raw.index(b"SNOD")
    count = int.from_bytes(raw[node + 6 : node + 8], "little")
    with h5py.File(path, "r") as f:
        x_addr = h5py.h5o.get_info(f["x"].id).addr
    for k in range(count):
        entry = node + 8 + 40 * k
        if int.from_bytes(raw[entry + 8 : entry + 16], "little") == x_addr:
            raw[entry + 16 : entry + 20] = (1).to_bytes(4, "little")
            break
    else:
        raise AssertionError("entry of x not found")
    path.write_bytes(bytes(raw))
    names: list[str] = []
    with h5pure.File(path, "r") as f:
        f.visit(names.append)
        links: list[str] = []
        f.visit_links(links.append)
        assert isinstance(f["x"], h5pure.Dataset)
    assert names == ["x", "y", "y/z"]
    assert links == ["x", "y", "y/z"]
