"""Opening and closing files: the driver, the file state, the write session, and the
table of files this process has open.

``File()`` (hl) normalises h5py's arguments into an :class:`OpenRequest`; :func:`open_file`
does everything below: picks and opens the driver (a path, a file object or a URL), reads
or creates the file, attaches a write session, and shares a file this process has open
already as libhdf5 does.  :func:`close_file` lets one handle go; the last one commits,
frees unlinked objects and closes the driver.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from typing import Any

from ..drivers import get_driver, open_driver
from ..drivers.base import Driver
from ..drivers.family import member_name
from ..drivers.fsspec import is_remote_url
from ..drivers.locking import LockPolicy, lock_policy
from ..errors import FormatError, ReadOnlyError
from ..format.superblock import SIGNATURE
from .chunkcache import ChunkCacheSettings
from .file import FileState, set_open_file_lookup

FileKey = tuple[str, int, int]
"""What makes two opens one file: the driver and the (device, inode) of the file."""


@dataclass(frozen=True)
class OpenRequest:
    """h5py's ``File()`` arguments, already checked by the API layer."""

    name: Any
    """A path (str, bytes, os.PathLike), a URL, or a Python file object."""
    mode: str
    """"r", "r+", "a", "w", "w-" or "x"."""
    driver: str | None
    driver_options: dict[str, Any]
    libver: tuple[str, str]
    userblock_size: int | None
    track_order: bool
    locking: Any
    chunk_cache: ChunkCacheSettings
    fsync: bool = False
    """``File(fsync=True)``: commits ``fsync`` the file at their barriers (durable against
    power loss), and replaying an interrupted commit at open does too."""
    image: bytes | None = None
    """The file's content (h5py's ``File.in_memory(file_image)``): opened in memory with
    the core driver; ``name`` only names it."""
    swmr_read: bool = False
    """A SWMR reader (``swmr=True`` with mode "r"): the file may grow under it, and its
    stored end of file may be ahead of the bytes written so far."""
    file_space: Any = None
    """File space settings to store in a new file (a ``FileSpaceInfo``; h5py's
    ``fs_strategy``/``fs_persist``/``fs_threshold``/``fs_page_size``), None: libhdf5's
    defaults, nothing stored."""
    match_locking: bool = True
    """Sharing a file open in this process requires the same file locking (libhdf5's
    check); False for files h5pure opens for itself (external link targets, which it
    keeps open where libhdf5 closes them after each traversal)."""


FS_STRATEGIES = ("fsm", "page", "aggregate", "none")
"""h5py's ``fs_strategy`` names, in the order of their H5F_fspace_strategy_t values."""


def check_fs_page_size(size: Any) -> int:
    """A file space page size as libhdf5's ``H5Pset_file_space_page_size`` takes it."""
    size = int(size)
    if size < 512:
        raise ValueError(
            "Cannot set file space page size to less than 512 "
            "(cannot set file space page size to less than 512)"
        )
    return size


def file_space_settings(strategy: str, persist: Any, threshold: Any, page_size: Any) -> Any:
    """The file space settings a new file stores for h5py's ``fs_*`` arguments (a
    ``FileSpaceInfo``; the page size only counts for "page", as in h5py), with libhdf5's
    checks."""
    from ..format.messages.misc import FileSpaceInfo

    size = check_fs_page_size(page_size) if strategy == "page" and page_size else 4096
    threshold = int(threshold)
    if threshold < 0:
        raise OverflowError("can't convert negative value to unsigned PY_LONG_LONG")
    if strategy in ("aggregate", "none"):
        # no free-space managers: libhdf5 stores neither persistence nor a threshold
        persist, threshold = False, 1
    return FileSpaceInfo(
        1, FS_STRATEGIES.index(strategy), bool(persist), threshold, size, 0, None, ()
    )


@dataclass
class OpenedFile:
    """One handle's share of an open file."""

    state: FileState
    libver: tuple[str, str]
    mode: str
    """"r" or "r+" when the handle shares a file opened earlier, else the mode asked for."""
    key: FileKey | None
    """The entry of the open-file table this handle counts in (None: not shared)."""


class _SharedFile:
    """One file (driver, device, inode) open in this process, shared by its handles."""

    def __init__(self, state: FileState, libver: tuple[str, str]) -> None:
        self.state = state
        self.libver = libver
        self.count = 1


_SHARED: dict[FileKey, _SharedFile] = {}
"""Open files by identity: like libhdf5 (``H5F_open`` finds the file already open and
shares it), a second open of a file this process has open returns the same open file."""
_SHARED_LOCK = threading.RLock()


def _open_state_at(path: str) -> FileState | None:
    """The file open in this process at ``path`` (any of sec2, stdio, core)."""
    with _SHARED_LOCK:
        for driver in ("sec2", "stdio", "core"):
            key = _identity(path, driver)
            shared = _SHARED.get(key) if key is not None else None
            if shared is not None and not shared.state.driver.closed:
                return shared.state
    return None


set_open_file_lookup(_open_state_at)


def held_locking(path: str) -> Any:
    """h5py's ``locking=`` value the file at ``path`` is open with in this process (an
    open that shares it must ask for the same), or None when it is not open here."""
    state = _open_state_at(path)
    policy = state.lock_policy if state is not None else None
    if policy is None:
        return None
    if not policy.use:
        return False
    return "best-effort" if policy.ignore_when_disabled else True


def is_fileobj(name: Any) -> bool:
    """Whether ``name`` is a Python file object (anything with ``read`` and ``seek``)."""
    return hasattr(name, "read") and hasattr(name, "seek")


def _path_of(name: Any) -> str:
    return os.fsdecode(os.fspath(name))


def _identity(path: str, driver: str) -> FileKey | None:
    """The driver and the (device, inode) of the file (the family's member 0); None when
    the file does not exist (or has no local path)."""
    if driver == "family":
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
            "Unable to synchronously create file (unable to truncate a file which is already open)"
        )
    if mode in ("w-", "x"):
        return OSError("Unable to synchronously create file (file exists)")
    if mode in ("r+", "a") and shared.state.writer is None:
        return OSError("Unable to synchronously open file (file is already open for read-only)")
    return None


def _check_same_locking(held: LockPolicy | None, wanted: LockPolicy) -> None:
    """libhdf5 (1.14.4 on) shares an open file only with an open asking for the same file
    locking: h5py's ``locking=`` (None is "best-effort") must match the first open's."""
    if held is None:
        return
    if held.use != wanted.use:
        raise OSError("Unable to synchronously open file (file locking flag values don't match)")
    if held.ignore_when_disabled != wanted.ignore_when_disabled:
        raise OSError(
            "Unable to synchronously open file "
            "(file locking 'ignore disabled locks' flag values don't match)"
        )


def check_existing_userblock(wanted: int | None, actual: int) -> None:
    """Mode "a" on an existing file: the user block asked for must be the file's."""
    if wanted is not None and wanted != actual:
        raise ValueError(
            f"Requested userblock size ({wanted}) does not match that of existing file ({actual})"
        )


def check_not_truncated(state: FileState) -> None:
    """Refuse a file shorter than the end of file its superblock records, as libhdf5 does
    at open (a copy cut short, a download not finished): without this the file would open
    and fail later, at whatever address a read first falls off the end."""
    sb = state.superblock
    size = state.driver.size()
    if size < sb.eof_address:
        # libhdf5's numbers: eof from the base address, stored_eof from the file's start
        raise FormatError(
            f"Unable to open file {state.filename!r} (truncated file: "
            f"eof = {size - sb.base_address}, sblock->base_addr = {sb.base_address}, "
            f"stored_eof = {sb.eof_address})"
        )


def check_driver_options(driver: str, kwds: dict[str, Any]) -> None:
    """h5py's TypeError for a keyword the driver does not take (as ``open_driver``)."""
    allowed = getattr(get_driver(driver), "options", ())
    for key in kwds:
        if key not in allowed:
            raise TypeError(f"set_fapl_{driver}() got an unexpected keyword argument {key!r}")


def _exists(name: Any, driver: str | None) -> bool:
    path = _path_of(name)
    if driver is None and is_remote_url(path):
        return True  # opened read-only, which _open_driver enforces
    return get_driver(driver or "sec2").exists(path)  # type: ignore[attr-defined]


def _empty_on_disk(name: Any, driver: str | None) -> bool:
    """True for an existing zero-length local file (opened with the default driver)."""
    if driver not in (None, "sec2") or is_fileobj(name):
        return False
    path = _path_of(name)
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


def _superblock_at_zero(driver: Driver) -> bool:
    """Whether the file starts with the superblock signature, as most do: then no journal
    pointer of an interrupted commit can stand anywhere it is looked for (it replaces the
    first signature), and the journal modules are not loaded."""
    return driver.size() >= len(SIGNATURE) and driver.read(0, len(SIGNATURE)) == SIGNATURE


def _open_driver(
    name: Any,
    mode: str,
    driver: str | None,
    kwds: dict[str, Any],
    locking: LockPolicy | None = None,
    image: bytes | None = None,
) -> Driver:
    """``mode`` is the driver's: "r", "r+", "w" (create/truncate) or "x" (create new)."""
    if image is not None:
        check_driver_options("core", kwds)
        return get_driver("core")(str(_path_of(name)), mode, locking=locking, image=image, **kwds)
    if is_fileobj(name):
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


def _open_state(req: OpenRequest, create: bool, driver_mode: str) -> FileState:
    """Open the driver and read (or create) the file on it."""
    policy = lock_policy(req.locking)
    driver_obj = _open_driver(
        req.name, driver_mode, req.driver, req.driver_options, policy, req.image
    )
    try:
        fname = "" if is_fileobj(req.name) else os.fspath(req.name)
        if isinstance(fname, bytes):
            fname = fname.decode("utf-8", "surrogateescape")
        if create:
            from .session import create_file  # the writer: loaded when first needed

            state = create_file(
                driver_obj,
                str(fname),
                int(req.userblock_size or 0),
                req.libver,
                track_order=req.track_order,
                file_space=req.file_space,
            )
        else:
            if not _superblock_at_zero(driver_obj):  # else no journal pointer stands there
                from .journal import OverlayDriver, find_interrupted_commit, replay

                interrupted = find_interrupted_commit(driver_obj, str(fname))
                if interrupted is not None:
                    # a writer died inside a commit whose journal is complete: finish it
                    if req.mode == "r":  # in memory only: a read-only open changes nothing
                        driver_obj = OverlayDriver(driver_obj, interrupted.absolute())
                    else:
                        replay(driver_obj, interrupted, sync=req.fsync)
            state = FileState(driver_obj, str(fname))
            try:
                info = state.driver_info()
            except FormatError:
                if not req.swmr_read:
                    check_not_truncated(state)  # the likelier reason
                raise
            if info is not None:  # (a family member opened alone is refused here)
                driver_obj.accept_driver_info(info.driver_id, info.info)
            if not req.swmr_read:
                check_not_truncated(state)
            check_existing_userblock(req.userblock_size, state.userblock_size)
            if req.mode != "r":
                from .session import open_for_writing

                open_for_writing(state, req.libver)
    except BaseException:
        driver_obj.close()
        raise
    if state.writer is not None:
        state.writer.fsync = req.fsync
    state.chunk_cache = req.chunk_cache
    state.lock_policy = policy
    return state


def open_file(req: OpenRequest) -> OpenedFile:
    """Open (or create) the file ``req`` names, or share the one this process has open."""
    name, mode, driver = req.name, req.mode, req.driver
    if req.image is not None:  # a file image: never on disk, never shared
        return OpenedFile(
            _open_state(req, False, "r" if mode == "r" else "r+"), req.libver, mode, None
        )
    fileobj = is_fileobj(name)
    create = mode in ("w", "w-", "x") or (mode == "a" and not fileobj and not _exists(name, driver))
    if mode == "a" and fileobj:
        create = _fileobj_empty(name)
    elif mode in ("r+", "a") and not create and _empty_on_disk(name, driver):
        create = True  # libhdf5 opens a zero-length file for writing as a new file
    driver_mode = "r" if mode == "r" else ("x" if mode in ("w-", "x") else "w") if create else "r+"
    key = None
    if not fileobj:
        path = _path_of(name)
        if not (driver is None and is_remote_url(path)):
            key = _identity(path, driver or "sec2")
    with _SHARED_LOCK:
        shared = _SHARED.get(key) if key is not None else None
        if shared is not None and key is not None and shared.state.driver.closed:
            del _SHARED[key]  # left by a failed close
            shared = None
        if shared is not None:
            check_driver_options(driver or "sec2", req.driver_options)
            refusal = _share_refusal(shared, mode, driver or "sec2")
            if refusal is not None:
                raise refusal
            if req.match_locking:
                _check_same_locking(shared.state.lock_policy, lock_policy(req.locking))
            check_existing_userblock(req.userblock_size, shared.state.userblock_size)
            # another handle of a file this process has open: libhdf5 shares it, so both
            # see one file, writable when it was opened writable whatever ``mode`` asks
            shared.count += 1
            return OpenedFile(
                shared.state, shared.libver, "r" if shared.state.writer is None else "r+", key
            )
        return OpenedFile(_open_state(req, create, driver_mode), req.libver, mode, None)


def publish(opened: OpenedFile, name: Any) -> None:
    """Enter a file that opened whole into the open-file table (a failed open leaves
    nothing behind); file objects and URLs are never shared."""
    if opened.key is not None or is_fileobj(name):
        return
    with _SHARED_LOCK:
        key = _identity(_path_of(name), opened.state.driver.name)
        if key is not None and key not in _SHARED:
            _SHARED[key] = _SharedFile(opened.state, opened.libver)
            opened.key = key


def share(opened: OpenedFile) -> OpenedFile:
    """Another handle of the file ``opened`` holds (h5py's ``File(file.id)``): counted in
    the open-file table when the file is in it, else closing either handle closes the
    file (as both stand for one libhdf5 identifier)."""
    with _SHARED_LOCK:
        shared = _SHARED.get(opened.key) if opened.key is not None else None
        if shared is not None and shared.state is opened.state:
            shared.count += 1
            return OpenedFile(opened.state, opened.libver, opened.mode, opened.key)
    return OpenedFile(opened.state, opened.libver, opened.mode, None)


def forget(opened: OpenedFile) -> None:
    """Undo the count of a shared open whose handle failed to come up."""
    with _SHARED_LOCK:
        shared = _SHARED.get(opened.key) if opened.key is not None else None
        if shared is not None and shared.state is opened.state:
            shared.count -= 1


def close_file(opened: OpenedFile) -> None:
    """Let one handle go: its changes are committed; the last handle of the file also
    frees unlinked objects, cuts the file at its end and closes the driver."""
    state = opened.state
    last = True
    with _SHARED_LOCK:
        shared = _SHARED.get(opened.key) if opened.key is not None else None
        if shared is not None and shared.state is state:
            shared.count -= 1
            last = shared.count == 0
            if last:
                del _SHARED[opened.key]  # type: ignore[arg-type]
    if not last:
        if state.writer is not None:
            state.writer.commit()
        return
    try:
        if state.writer is not None:
            state.writer.close()
    finally:
        state.close()
