"""The file space strategy and the page buffer through the facade's property lists, against
h5py's: ``get_create_plist().get_file_space_strategy()/get_file_space_page_size()`` read
from the file, ``get_access_plist().get_page_buffer_size()`` as libhdf5 1.14.4+ sets it up
(none without pages; whole pages, at least one)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import h5pure
from h5pure.h5py_facade._wrap import object_id

h5py = pytest.importorskip("h5py")

CREATE = [
    {"fs_strategy": "page", "page_buf_size": 16384, "min_meta_keep": 19, "min_raw_keep": 67},
    {"fs_strategy": "page", "fs_page_size": 16384},
    {"fs_strategy": "fsm", "fs_persist": True, "fs_threshold": 30},
    {},
]
OPEN = [{}, {"page_buf_size": 16384 - 100}, {"page_buf_size": 2 * 16384 - 1, "min_meta_keep": 5}]


def _ident(lib: Any, f: Any) -> Any:
    return f.id if lib is h5py else object_id(f)


def _plists(lib: Any, f: Any) -> tuple[Any, ...]:
    fid = _ident(lib, f)
    fcpl = fid.get_create_plist()
    return (
        fcpl.get_file_space_strategy(),
        fcpl.get_file_space_page_size(),
        fid.get_access_plist().get_page_buffer_size(),
    )


@pytest.mark.parametrize("create", CREATE, ids=[str(sorted(c)) for c in CREATE])
@pytest.mark.parametrize("reopen", OPEN, ids=[str(sorted(o)) for o in OPEN])
def test_plists_as_h5py(tmp_path: Path, create: dict[str, Any], reopen: dict[str, Any]) -> None:
    got = []
    for lib in (h5py, h5pure):
        path = tmp_path / f"{lib.__name__}.h5"
        with lib.File(path, "w", **create) as f:
            made = _plists(lib, f)
        with lib.File(path, "r", **reopen) as f:
            got.append((made, _plists(lib, f)))
    assert got[1] == got[0]


def test_low_level_create_with_a_file_space_fcpl(tmp_path: Path) -> None:
    """``h5p`` file creation lists with a strategy and page size, through ``h5f.create``:
    the file gets them, as h5py's does; closing the identifier releases the file."""
    import h5pure.h5py_facade as facade

    got = []
    for lib in (h5py, facade):
        fcpl = lib.h5p.create(lib.h5p.FILE_CREATE)
        fcpl.set_file_space_strategy(lib.h5f.FSPACE_STRATEGY_PAGE, True, 50)
        fcpl.set_file_space_page_size(8192)
        path = tmp_path / f"{lib.__name__}.h5"
        fid = lib.h5f.create(str(path).encode(), lib.h5f.ACC_TRUNC, fcpl=fcpl)
        fid.close()
        with h5py.File(path, "r") as f:  # (refused while h5pure still held the file)
            pl = f.id.get_create_plist()
            got.append((pl.get_file_space_strategy(), pl.get_file_space_page_size()))
        with pytest.raises(ValueError, match="less than 512"):
            fcpl.set_file_space_page_size(100)
    assert got[1] == got[0] == ((1, 1, 50), 8192)


def test_closing_an_opened_file_id_releases_the_file(tmp_path: Path) -> None:
    import h5pure.h5py_facade as facade

    path = tmp_path / "x.h5"
    h5py.File(path, "w").close()
    fid = facade.h5f.open(str(path).encode(), facade.h5f.ACC_RDWR)
    fid.close()
    assert not fid.valid
    with h5py.File(path, "r+") as f:  # the lock is gone
        f["a"] = 1
    with h5pure.File(path, "r") as f:
        ident = object_id(f)  # the identifier of a File does not own it
        ident.close()
        assert f["a"][()] == 1  # the file stays open
