"""``File``: open an HDF5 file by name or file object, as h5py does."""

from __future__ import annotations

import atexit
import os
import threading
import weakref
from typing import Any

from ..drivers import get_driver, open_driver
from ..drivers.base import Driver
from ..drivers.fsspec import is_remote_url
from ..drivers.locking import LockPolicy, lock_policy
from ..errors import ClosedObjectError, LibverError, ReadOnlyError
from ..lowlevel.chunkcache import ChunkCacheSettings
from ..lowlevel.file import FileState
from ..lowlevel.objects import ObjectInfo
from ..lowlevel.writer import create_file, open_for_writing
from .base import HLObject
from .dataset import Dataset
from .datatype import Datatype
from .group import Group

_LIBVER_NAMES = ("earliest", "v108", "v110", "v112", "v114", "v200", "latest")
_WRITE_MODES = ("r+", "a", "w", "w-", "x")


_OPEN_FILES: weakref.WeakSet[File] = weakref.WeakSet()
"""Every open File: like libhdf5 at exit, h5pure closes (and so commits) what is left open."""


class _SharedFile:
    """One file (driver, device, inode) open in this process, shared by its File objects."""

    def __init__(self, state: FileState, libver: tuple[str, str]) -> None:
        self.state = state
        self.libver = libver
        self.count = 1


_SHARED: dict[tuple[str, int, int], _SharedFile] = {}
"""Open files by identity: like libhdf5 (``H5F_open`` finds the file already open and
shares it), a second open of a file this process has open returns the same open file."""
_SHARED_LOCK = threading.RLock()


def _identity(path: str, driver: str) -> tuple[str, int, int] | None:
    """What makes two opens one file: the driver and the (device, inode) of the file (the
    family's member 0); None when the file does not exist (or has no local path)."""
    if driver == "family":
        from ..drivers.family import member_name

        try:
            path = member_name(path, 0)
        except ValueError:
            return None
    elif driver not in ("sec2", "stdio", "core"):
        return None
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return (driver, st.st_dev, st.st_ino)


def _share_refusal(shared: _SharedFile, mode: str, driver: str) -> OSError | None:
    """h5py's error for opening a file this process has open already (None: the open
    shares it)."""
    if mode == "a" and driver in ("core", "stdio") and shared.state.writer is None:
        # h5py's mode "a" falls back to an exclusive create after any OSError with these
        # drivers (only the others report a missing file as FileNotFoundError)
        mode = "x"
    if mode == "w":
        return OSError(
            "Unable to synchronously create file "
            "(unable to truncate a file which is already open)"
        )
    if mode in ("w-", "x"):
        return OSError("Unable to synchronously create file (file exists)")
    if mode in ("r+", "a") and shared.state.writer is None:
        return OSError("Unable to synchronously open file (file is already open for read-only)")
    return None


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
    libhdf5's caches (``meta_block_size``, ``fs_*``, ``page_buf_size``...) are accepted
    for compatibility; ``rdcc_nslots``, ``rdcc_nbytes`` and ``rdcc_w0`` set the decoded
    chunk cache of every dataset (default 521 slots, 1 MiB, 0.75; ``rdcc_nbytes=0`` off).
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
        userblock_size = _check_userblock_size(userblock_size, mode)
        self._libver = _normalize_libver(libver)
        self._track_order = bool(track_order)
        self._is_open = False
        chunk_cache = ChunkCacheSettings().updated(rdcc_nslots, rdcc_nbytes, rdcc_w0)
        create = mode in ("w", "w-", "x") or (
            mode == "a" and not _is_fileobj(name) and not _exists(name, driver)
        )
        if mode == "a" and _is_fileobj(name):
            create = _fileobj_empty(name)
        elif mode in ("r+", "a") and not create and _empty_on_disk(name, driver):
            create = True  # libhdf5 opens a zero-length file for writing as a new file
        driver_mode = (
            "r" if mode == "r" else ("x" if mode in ("w-", "x") else "w") if create else "r+"
        )
        policy = lock_policy(locking)
        self._share_key: tuple[str, int, int] | None = None
        key = None
        if not _is_fileobj(name):
            path = os.fsdecode(os.fspath(name))
            if not (driver is None and is_remote_url(path)):
                key = _identity(path, driver or "sec2")
        with _SHARED_LOCK:
            shared = _SHARED.get(key) if key is not None else None
            if shared is not None and key is not None and shared.state.driver.closed:
                del _SHARED[key]  # left by a failed close
                shared = None
            if shared is not None:
                _check_driver_options(driver or "sec2", kwds)
                refusal = _share_refusal(shared, mode, driver or "sec2")
                if refusal is not None:
                    raise refusal
                _check_existing_userblock(userblock_size, shared.state.userblock_size)
                # another handle of a file this process has open: libhdf5 shares it, so
                # both see one file, writable when it was opened writable whatever ``mode``
                shared.count += 1
                self._state = shared.state
                self._libver = shared.libver
                self._share_key = key
                mode = "r" if shared.state.writer is None else "r+"
            else:
                self._open_new(
                    name, mode, create, driver, driver_mode, kwds, policy, userblock_size,
                    track_order,
                )
                self._state.chunk_cache = chunk_cache
            self._is_open = True
            self._mode = mode
            self._fileobj = name if _is_fileobj(name) else None
            self._meta_block_size = meta_block_size or 2048
            try:
                super().__init__(self, ObjectInfo(self._state, self._state.root_address), "/")
            except BaseException:
                if shared is not None:  # this handle never was: the file stays as it is
                    shared.count -= 1
                    self._is_open = False
                raise
            # only a File that opened whole is shared (a failed open leaves nothing behind)
            if shared is None and not _is_fileobj(name):
                key = _identity(os.fsdecode(os.fspath(name)), self._state.driver.name)
                if key is not None and key not in _SHARED:
                    _SHARED[key] = _SharedFile(self._state, self._libver)
                    self._share_key = key
        _OPEN_FILES.add(self)

    def _open_new(
        self,
        name: Any,
        mode: str,
        create: bool,
        driver: str | None,
        driver_mode: str,
        kwds: dict[str, Any],
        policy: LockPolicy,
        userblock_size: int | None,
        track_order: bool | None,
    ) -> None:
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
                _check_existing_userblock(userblock_size, self._state.userblock_size)
                if mode != "r":
                    open_for_writing(self._state, self._libver)
        except BaseException:
            driver_obj.close()
            raise

    # A File is its own file; kept as a property rather than a reference to itself, so a
    # File nobody holds is closed at once (as h5py's), not whenever the cycle collector
    # runs: its open file, lock and place in the open-file table go with it.
    @property  # type: ignore[override]
    def _file(self) -> File:
        return self

    @_file.setter
    def _file(self, value: Any) -> None:
        if value is not self:
            raise ValueError("a File is its own file")

    # -- lifecycle -------------------------------------------------------------------
    def _check_open(self) -> None:
        if not self._is_open:
            raise ClosedObjectError("Invalid file identifier (the file is closed)")

    def close(self) -> None:
        """Close the file (writing every change first); every object of it becomes invalid."""
        if self._is_open:
            last = True
            with _SHARED_LOCK:
                shared = _SHARED.get(self._share_key) if self._share_key else None
                if shared is not None and shared.state is self._state:
                    shared.count -= 1
                    last = shared.count == 0
                    if last:
                        del _SHARED[self._share_key]  # type: ignore[arg-type]
            if not last:
                # another handle keeps the file open: this one only lets go (its changes
                # are committed, as a close promises)
                self._is_open = False
                if self._state.writer is not None:
                    self._state.writer.commit()
                return
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
        if self._fileobj is not None:
            return repr(self._fileobj)  # the name h5py gives libhdf5 for a file object
        return self._state.filename

    @property
    def mode(self) -> str:
        self._check_open()
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
        self._check_open()
        return self._libver

    @property
    def userblock_size(self) -> int:
        self._check_open()
        return int(self._state.userblock_size)

    @property
    def swmr_mode(self) -> bool:
        self._check_open()
        return False

    @property
    def meta_block_size(self) -> int:
        self._check_open()
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
        from ..errors import FormatError, ObjectNotFoundError

        if not ref:
            raise ValueError("Invalid reference (null reference)")
        try:
            return self._object(int(ref.address), None)
        except FormatError:
            # an object freed since (its last link removed): libhdf5 finds no header there
            raise ObjectNotFoundError(
                "Unable to open object by token (bad object header version number)"
            ) from None

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


def _check_userblock_size(size: Any, mode: str) -> int | None:
    """h5py's checks of ``userblock_size`` (its own, then libhdf5's ``H5Pset_userblock``),
    made before any file is touched."""
    if size is None:
        return None
    if mode in ("r", "r+"):
        raise ValueError("User block may only be specified when creating a file")
    try:
        size = int(size)
    except (TypeError, ValueError):
        raise ValueError("User block size must be an integer") from None
    if size < 0:
        raise OverflowError("can't convert negative value to hsize_t")
    for bad, why in ((0 < size < 512, "less than 512"), (size & (size - 1), "not a power of two")):
        if bad:
            text = f"userblock size is non-zero and {why}"
            raise ValueError(f"{text[0].upper()}{text[1:]} ({text})")
    return int(size)


def _check_existing_userblock(wanted: int | None, actual: int) -> None:
    """Mode "a" on an existing file: the user block asked for must be the file's."""
    if wanted is not None and wanted != actual:
        raise ValueError(
            f"Requested userblock size ({wanted}) does not match that of existing file "
            f"({actual})"
        )


def _check_driver_options(driver: str, kwds: dict[str, Any]) -> None:
    """h5py's TypeError for a keyword the driver does not take (as ``open_driver``)."""
    allowed = getattr(get_driver(driver), "options", ())
    for key in kwds:
        if key not in allowed:
            raise TypeError(f"set_fapl_{driver}() got an unexpected keyword argument {key!r}")


def _exists(name: Any, driver: str | None) -> bool:
    path = os.fsdecode(os.fspath(name))
    if driver is None and is_remote_url(path):
        return True  # opened read-only, which _open_driver enforces
    return get_driver(driver or "sec2").exists(path)  # type: ignore[attr-defined]


def _empty_on_disk(name: Any, driver: str | None) -> bool:
    """True for an existing zero-length local file (opened with the default driver)."""
    if driver not in (None, "sec2") or _is_fileobj(name):
        return False
    path = os.fsdecode(os.fspath(name))
    if is_remote_url(path):
        return False
    try:
        return os.path.isfile(path) and os.path.getsize(path) == 0
    except OSError:
        return False


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
            raise LibverError(f"Invalid libver bound {v!r}")
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
