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
