"""``File``: open an HDF5 file by name or file object, as h5py does."""

from __future__ import annotations

import atexit
import os
import weakref
from typing import Any

from ..drivers import get_driver, open_driver
from ..drivers.base import Driver
from ..drivers.fsspec import is_remote_url
from ..drivers.locking import LockPolicy, lock_policy
from ..errors import ClosedObjectError, ReadOnlyError
from ..lowlevel.file import FileState
from ..lowlevel.objects import ObjectInfo
from ..lowlevel.writer import create_file, open_for_writing
from .base import HLObject
from .group import Group

_LIBVER_NAMES = ("earliest", "v108", "v110", "v112", "v114", "v200", "latest")
_WRITE_MODES = ("r+", "a", "w", "w-", "x")


_OPEN_FILES: weakref.WeakSet[File] = weakref.WeakSet()
"""Every open File: like libhdf5 at exit, h5pure closes (and so commits) what is left open."""


@atexit.register
def _close_open_files() -> None:
    for f in list(_OPEN_FILES):
        try:
            f.close()
        except Exception:  # noqa: BLE001 - nothing can be reported at interpreter exit
            pass


def _is_fileobj(name: Any) -> bool:
    return hasattr(name, "read") and hasattr(name, "seek")


def _open_driver(
    name: Any,
    mode: str,
    driver: str | None,
    kwds: dict[str, Any],
    locking: LockPolicy | None = None,
) -> Driver:
    """``mode`` is the driver's: "r", "r+", "w" (create/truncate) or "x" (create new)."""
    if _is_fileobj(name):
        if driver not in (None, "fileobj"):
            raise ValueError("Driver must be 'fileobj' for file-like object if specified.")
        # h5py ignores other keyword arguments with a file-like object
        fobj = get_driver("fileobj")(name, writable=mode != "r")
        if mode in ("w", "x"):
            fobj.truncate(0)
        return fobj
    path = os.fspath(name)
    if isinstance(path, bytes):
        path = path.decode("utf-8", "surrogateescape")
    if driver is None and is_remote_url(path):
        if mode != "r":
            raise ReadOnlyError(
                f"Unable to open {path!r} for writing: files behind a URL are read-only "
                "(open them with mode 'r')"
            )
        driver = "fsspec"
    if driver is None and kwds:
        # h5py passes unknown File() keywords to the driver only when one is named
        raise TypeError(f"{next(iter(kwds))!r} is an invalid keyword argument for this function")
    try:
        return open_driver(driver or "sec2", path, mode, kwds, locking)
    except FileExistsError as e:
        raise FileExistsError(
            e.errno,
            f"Unable to synchronously create file (unable to open file: name = '{path}', "
            f"errno = {e.errno}, error message = '{e.strerror}')",
        ) from None
    except FileNotFoundError as e:
        raise FileNotFoundError(
            e.errno,
            f"Unable to synchronously open file (unable to open file: name = '{path}', "
            f"errno = {e.errno}, error message = '{e.strerror}')",
        ) from None
    except IsADirectoryError as e:
        raise IsADirectoryError(
            e.errno,
            f"Unable to synchronously open file (unable to open file: name = '{path}', "
            f"error message = '{e.strerror}')",
        ) from None


class File(Group):
    """An HDF5 file, which is also its root group.

    Parameters follow h5py's ``File``; ``mode`` ``"r"`` reads.  Arguments that tune
    libhdf5's caches (``rdcc_*``, ``meta_block_size``, ``fs_*``, ``page_buf_size``...) are
    accepted for compatibility.
    """

    def __init__(
        self,
        name: Any,
        mode: str = "r",
        driver: str | None = None,
        libver: Any = None,
        userblock_size: int | None = None,
        swmr: bool = False,
        rdcc_nslots: int | None = None,
        rdcc_nbytes: int | None = None,
        rdcc_w0: float | None = None,
        track_order: bool | None = None,
        fs_strategy: str | None = None,
        fs_persist: bool = False,
        fs_threshold: int = 1,
        fs_page_size: int | None = None,
        page_buf_size: int | None = None,
        min_meta_keep: int = 0,
        min_raw_keep: int = 0,
        locking: Any = None,
        alignment_threshold: int = 1,
        alignment_interval: int = 1,
        meta_block_size: int | None = None,
        **kwds: Any,
    ) -> None:
        if mode not in ("r", *_WRITE_MODES):
            raise ValueError("Invalid mode; must be one of r, r+, w, w-, x, a")
        if userblock_size is not None and userblock_size != 0:
            if userblock_size < 512 or userblock_size & (userblock_size - 1):
                raise ValueError("User block size must be a power of 2 and at least 512")
        self._libver = _normalize_libver(libver)
        self._track_order = bool(track_order)
        self._is_open = False
        create = mode in ("w", "w-", "x") or (
            mode == "a" and not _is_fileobj(name) and not _exists(name, driver)
        )
        if mode == "a" and _is_fileobj(name):
            create = _fileobj_empty(name)
        driver_mode = (
            "r" if mode == "r" else ("x" if mode in ("w-", "x") else "w") if create else "r+"
        )
        policy = lock_policy(locking)
        driver_obj = _open_driver(name, driver_mode, driver, kwds, policy)
        try:
            fname = "" if _is_fileobj(name) else os.fspath(name)
            if isinstance(fname, bytes):
                fname = fname.decode("utf-8", "surrogateescape")
            if create:
                self._state = create_file(
                    driver_obj,
                    str(fname),
                    int(userblock_size or 0),
                    self._libver,
                    track_order=bool(track_order),
                )
            else:
                self._state = FileState(driver_obj, str(fname))
                info = self._state.driver_info()
                if info is not None:
                    driver_obj.accept_driver_info(info.driver_id, info.info)
                if mode != "r":
                    open_for_writing(self._state, self._libver)
        except BaseException:
            driver_obj.close()
            raise
        self._is_open = True
        self._mode = mode
        self._fileobj = name if _is_fileobj(name) else None
        self._meta_block_size = meta_block_size or 2048
        super().__init__(self, ObjectInfo(self._state, self._state.root_address), "/")
        _OPEN_FILES.add(self)

    # -- lifecycle -------------------------------------------------------------------
    def _check_open(self) -> None:
        if not self._is_open:
            raise ClosedObjectError("Invalid file identifier (the file is closed)")

    def close(self) -> None:
        """Close the file (writing every change first); every object of it becomes invalid."""
        if self._is_open:
            try:
                if self._state.writer is not None:
                    from ..lowlevel.anonymous import free_unlinked

                    free_unlinked(self._state.writer)
                    self._state.writer.close()
            finally:
                self._is_open = False
                self._state.close()

    def flush(self) -> None:
        """Write every change to the file (the commit point)."""
        self._check_open()
        if self._state.writer is not None:
            self._state.writer.commit()

    def __enter__(self) -> File:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __bool__(self) -> bool:
        return self._is_open

    def __repr__(self) -> str:
        if not self._is_open:
            return "<Closed HDF5 file>"
        return f'<HDF5 file "{os.path.basename(self.filename)}" (mode {self.mode})>'

    # -- properties --------------------------------------------------------------------
    @property
    def filename(self) -> str:
        self._check_open()
        return self._state.filename

    @property
    def mode(self) -> str:
        return "r" if self._mode == "r" else "r+"

    def __del__(self) -> None:
        # like h5py, an unreferenced file is closed, which writes its changes
        try:
            if getattr(self, "_is_open", False):
                self.close()
        except Exception:  # noqa: BLE001 - nothing can be reported from a finalizer
            pass

    @property
    def driver(self) -> str:
        self._check_open()
        return self._state.driver.name

    @property
    def libver(self) -> tuple[str, str]:
        return self._libver

    @property
    def userblock_size(self) -> int:
        self._check_open()
        return int(self._state.userblock_size)

    @property
    def swmr_mode(self) -> bool:
        return False

    @property
    def meta_block_size(self) -> int:
        return self._meta_block_size

    @property
    def name(self) -> str:
        return "/"

    @property
    def parent(self) -> Any:
        return self

    # -- objects --------------------------------------------------------------------
    def _root(self) -> Group:
        return Group(self, self._info, "/")

    def _object(self, address: int, name: str | None) -> HLObject:
        """The Group, Dataset or Datatype whose object header is at ``address``."""
        from .dataset import Dataset
        from .datatype import Datatype

        self._check_open()
        if address == self._info.address:
            return Group(self, self._info, name or "/")
        info = ObjectInfo(self._state, address)
        kind = info.kind
        if kind == "group":
            return Group(self, info, name)
        if kind == "dataset":
            return Dataset(self, info, name)
        if kind == "datatype":
            return Datatype(self, info, name)
        raise TypeError(f"Unknown object type at address 0x{address:x}")

    def _find_path(self, address: int) -> str | None:
        """A path to the object at ``address`` (for objects reached by reference)."""
        if address == self._info.address:
            return "/"
        found: list[str] = []

        def match(name: str, obj: Any) -> Any:
            if obj._info.address == address:
                found.append("/" + name)
                return True
            return None

        self.visititems(match)
        return found[0] if found else None

    def _dereference(self, ref: Any) -> HLObject:
        if not ref:
            raise ValueError("Invalid reference (null reference)")
        return self._object(int(ref.address), None)

    def _open_external(self, filename: str) -> File:
        cache = self._state.external_files
        f = cache.get(filename)
        if f is not None and f._is_open:
            return f  # type: ignore[no-any-return]
        candidates = []
        prefix = os.environ.get("HDF5_EXT_PREFIX")
        if prefix:
            candidates += [os.path.join(p, filename) for p in prefix.split(os.pathsep)]
        if not os.path.isabs(filename) and self._state.filename:
            candidates.append(os.path.join(self._state.dirname, filename))
        candidates.append(filename)
        for path in candidates:
            if os.path.exists(path):
                if self._state.filename and os.path.samefile(path, self._state.filename):
                    return self
                f = File(path, "r")
                cache[filename] = f
                return f
        raise FileNotFoundError(f"external link target file {filename!r} not found")


def _exists(name: Any, driver: str | None) -> bool:
    path = os.fsdecode(os.fspath(name))
    if driver is None and is_remote_url(path):
        return True  # opened read-only, which _open_driver enforces
    return get_driver(driver or "sec2").exists(path)  # type: ignore[attr-defined]


def _fileobj_empty(fileobj: Any) -> bool:
    pos = fileobj.tell()
    end = fileobj.seek(0, os.SEEK_END)
    fileobj.seek(pos)
    return bool(end == 0)


def _normalize_libver(libver: Any) -> tuple[str, str]:
    if libver is None:
        return ("earliest", "v200")
    if isinstance(libver, str):
        low, high = libver, "latest"
    else:
        low, high = libver
    for v in (low, high):
        if v not in _LIBVER_NAMES:
            raise ValueError(f"Invalid libver bound {v!r}")
    alias = {"latest": "v200"}
    return (alias.get(low, low), alias.get(high, high))


def is_hdf5(fname: Any) -> bool:
    """True when ``fname`` names a readable HDF5 file (h5py's ``is_hdf5``); False for
    other files, directories and missing names."""
    try:
        with File(fname, "r", locking=False):
            return True
    except (OSError, ValueError):
        return False
