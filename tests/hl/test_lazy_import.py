"""``import h5pure`` loads numpy and the version only; the public names load the engine on
first use, and opening a file for reading does not load the writer."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

import h5pure


def _run(code: str, *args: str) -> list[str]:
    out = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.split()


def test_import_loads_no_engine_module() -> None:
    loaded = _run(
        """
        import sys
        import h5pure
        print(*sorted(m for m in sys.modules if m.startswith("h5pure.")))
        """
    )
    assert loaded == ["h5pure.version"]


def test_opening_for_reading_does_not_load_the_writer(tmp_path: Path, h5py: Any) -> None:
    path = tmp_path / "f.h5"
    with h5py.File(path, "w") as f:
        f["x"] = [1, 2, 3]
    loaded = _run(
        """
        import sys
        import h5pure
        with h5pure.File(sys.argv[1], "r") as f:
            assert list(f["x"][...]) == [1, 2, 3]
        print(*sorted(m for m in sys.modules if m.startswith("h5pure.lowlevel.")))
        """,
        str(path),
    )
    for writer in ("session", "datawriter", "groupwriter", "attrwriter", "chunkstore"):
        assert f"h5pure.lowlevel.{writer}" not in loaded


def test_public_names_resolve_on_first_use() -> None:
    from h5pure import File, string_dtype

    assert File is h5pure.hl.File and string_dtype is h5pure.dtypes.string_dtype
    assert h5pure.get_threads() >= 1
    for name in h5pure.__all__:
        assert getattr(h5pure, name) is not None, name
        assert name in dir(h5pure)
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        h5pure.nope  # noqa: B018


def test_a_look_at_a_file_loads_only_the_reader(tmp_path: Path, h5py: Any) -> None:
    """Open read-only, list, a dataset's shape: what a short script or command does first.
    The filters, the other drivers and chunk indexes, the attribute and journal modules,
    the writer's dtype conversions and the thread pool are loaded when first needed."""
    path = tmp_path / "f.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("x", data=list(range(100)), chunks=(10,), compression="gzip")
        f.create_group("g").attrs["a"] = 1
    loaded = set(
        _run(
            """
            import sys
            import h5pure
            f = h5pure.File(sys.argv[1], "r")
            assert sorted(f) == ["g", "x"] and f["x"].shape == (100,)
            f.close()
            print(*sorted(sys.modules))
            """,
            str(path),
        )
    )
    for module in (
        "h5pure.filters",
        "h5pure.drivers.core",
        "h5pure.drivers.fileobj",
        "h5pure.drivers.mpio",
        "h5pure.format.chunk_index.fixed_array",
        "h5pure.format.chunk_index.extensible_array",
        "h5pure.format.messages.misc",
        "h5pure.format.messages.attribute",
        "h5pure.format.sohm",
        "h5pure.format.selection_codec",
        "h5pure.lowlevel.attributes",
        "h5pure.lowlevel.journal",
        "h5pure.lowlevel.specs",
        "h5pure.hl.attrs",
        "h5pure.hl.copying",
        "h5pure.hl.create",
        "h5pure.hl.virtual",
        "h5pure.dtypes.from_numpy",
        "h5pure.dtypes.to_storage",
        "concurrent.futures",
    ):
        assert module not in loaded, module


def test_a_direct_submodule_import_keeps_the_package_names() -> None:
    """``import h5pure.dtypes.to_storage`` first (as a pickle naming the module would)
    must not turn the package's ``to_storage`` function into the module."""
    code = (
        "import h5pure.dtypes.to_storage, sys\n"
        "from h5pure.dtypes import to_storage\n"
        "assert callable(to_storage) and not isinstance(to_storage, type(sys)), to_storage\n"
        "assert type(sys.modules['h5pure.dtypes.to_storage']) is type(sys)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
