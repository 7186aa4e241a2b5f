"""``File``: open an HDF5 file by name or file object, as h5py does."""

from __future__ import annotations

import atexit
import os
import threading
import weakref
from typing import Any

from ..errors import ClosedObjectError, FormatError, LibverError, ObjectNotFoundError
from ..lowlevel.chunkcache import ChunkCacheSettings
from ..lowlevel.objects import ObjectInfo
from ..lowlevel.opening import (
    FS_STRATEGIES,
    OpenRequest,
    close_file,
    file_space_settings,
    forget,
    held_locking,
    is_fileobj,
    open_file,
    publish,
    share,
)
from ..lowlevel.paths import OpenExternal
from .base import HLObject
from .dataset import Dataset
from .datatype import Datatype
from .group import ExternalAccess, Group
from .ids import FileID

_IN_MEMORY_LOCK = threading.Lock()
_TUNING_KEYWORDS = frozenset(
    (
        "swmr",
        "fs_persist",
        "fs_threshold",
        "fs_page_size",
        "page_buf_size",
        "min_meta_keep",
        "min_raw_keep",
        "alignment_threshold",
        "alignment_interval",
    )
)
"""``File`` keywords that tune libhdf5's caches and allocation: accepted, as ``File``
accepts them."""
_CREATION_KEYWORDS = (
    "track_order",
    "fs_strategy",
    "fs_persist",
    "fs_threshold",
    "fs_page_size",
    "userblock_size",
)
"""``File`` keywords that set how a new file is made (h5py's ``make_fcpl``)."""
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


class File(Group):
    """An HDF5 file, which is also its root group.

    Parameters follow h5py's ``File``; ``mode`` ``"r"`` reads.  ``fs_strategy``,
    ``fs_persist``, ``fs_threshold`` and ``fs_page_size`` are stored in a new file as
    libhdf5 stores them (a "page" file's blocks respect its pages); arguments that tune
    libhdf5's caches (``meta_block_size``, ``page_buf_size``...) are checked and reported
    as libhdf5 does, without the cache; ``rdcc_nslots``, ``rdcc_nbytes`` and ``rdcc_w0``
    set the decoded chunk cache of every dataset (default libhdf5 2.0's 8191 slots,
    8 MiB, 0.75; ``rdcc_nbytes=0`` off).

    Every ``flush()`` and ``close()`` commits atomically: whenever the writing process
    dies, the file holds the state of its last completed commit.  ``fsync=True`` (beyond
    h5py) also makes each commit durable against power loss (``fsync`` at its barriers);
    by default, as with h5py, a commit reaches the operating system, not the disk.
    """

    _page_buffer: tuple[int, int, int] = (0, 0, 0)
    """``(page_buf_size, min_meta_keep, min_raw_keep)`` as asked (h5py's page buffer)."""

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
        *,
        fsync: bool = False,
        _share_any_locking: bool = False,
        **kwds: Any,
    ) -> None:
        if fs_strategy and mode not in ("w", "w-", "x"):  # (h5py's check, before any other)
            raise ValueError("Unable to set file space strategy of an existing file")
        if isinstance(getattr(name, "_obj", None), File):
            self._bind(name._obj)  # h5py's File(file.id)
            return
        if mode not in ("r", *_WRITE_MODES):
            raise ValueError("Invalid mode; must be one of r, r+, w, w-, x, a")
        if fs_strategy and fs_strategy not in FS_STRATEGIES:
            raise ValueError("Invalid file space strategy type")
        if page_buf_size and mode in ("w", "w-", "x") and fs_strategy != "page":
            # libhdf5 refuses it when creating (opening another file ignores it)
            raise OSError(
                "Unable to synchronously create file (Enabling Page Buffering requires "
                "PAGE file space strategy)"
            )
        userblock_size = _check_userblock_size(userblock_size, mode)
        self._is_open = False
        request = OpenRequest(
            name=name,
            mode=mode,
            driver=driver,
            driver_options=kwds,
            libver=_normalize_libver(libver),
            userblock_size=userblock_size,
            track_order=bool(track_order),
            locking=locking,
            chunk_cache=ChunkCacheSettings().updated(rdcc_nslots, rdcc_nbytes, rdcc_w0),
            swmr_read=bool(swmr) and mode == "r",
            fsync=bool(fsync),
            match_locking=not _share_any_locking,
            file_space=(
                file_space_settings(fs_strategy, fs_persist, fs_threshold, fs_page_size)
                if fs_strategy
                else None
            ),
        )
        self._open(request, locking, meta_block_size)
        self._page_buffer = (int(page_buf_size or 0), int(min_meta_keep), int(min_raw_keep))
        if alignment_interval != 1 or alignment_threshold != 1:
            self._align(alignment_threshold, alignment_interval)

    def _align(self, threshold: Any, interval: Any) -> None:
        """h5py's ``alignment_threshold``/``alignment_interval``: this handle's new
        allocations of at least ``threshold`` bytes start at multiples of ``interval``
        (an access property, as in libhdf5: not stored in the file)."""
        threshold, interval = int(threshold), int(interval)
        if interval < 1 or threshold < 0:
            self.close()
            raise ValueError(
                f"alignment_interval must be positive and alignment_threshold not negative "
                f"(got {interval}, {threshold})"
            )
        writer = self._state.writer
        if writer is not None:
            writer.allocator.align_threshold = threshold
            writer.allocator.align_interval = interval

    def _open(self, request: OpenRequest, locking: Any, meta_block_size: int | None) -> None:
        name = request.name
        opened = open_file(request)
        if opened.state.writer is not None and opened.state.driver.name == "mpio":
            # imported here: the parallel session builds on the writer, which a file
            # opened for reading does not load
            from ..lowlevel.collective import make_parallel

            make_parallel(opened.state)
        if request.swmr_read:
            opened.state.start_swmr_read()  # h5py's swmr=True: a SWMR reader
        self._locking = locking
        self._opened = opened
        self._state = opened.state
        self._libver = opened.libver
        self._mode = opened.mode
        self._is_open = True
        self._fileobj = name if is_fileobj(name) else None
        self._meta_block_size = meta_block_size or 2048
        self._opener: OpenExternal | None = None
        try:
            super().__init__(self, ObjectInfo(self._state, self._state.root_address), "/")
        except BaseException:
            self._is_open = False
            if opened.key is not None:  # this handle never was: the file stays as it is
                forget(opened)
            else:
                self._state.close()
            raise
        publish(opened, name)
        _OPEN_FILES.add(self)

    _in_memory_count = 0

    @classmethod
    def in_memory(cls, file_image: Any = None, **kwargs: Any) -> File:
        """A file that lives in memory only (h5py 3.13's ``File.in_memory``): new and
        empty, or opened for writing from ``file_image`` (the bytes of an HDF5 file, or any
        buffer; copied).  Other keywords are ``File``'s, except ``name``, ``mode``,
        ``driver``, ``locking`` and ``backing_store``; ``block_size`` is the core driver's.
        ``f.id.get_file_image()`` gives the file's bytes back."""
        for key in ("driver", "locking", "backing_store"):
            if key in kwargs:
                raise TypeError(f"File.in_memory() got an unexpected keyword argument {key!r}")
        creation = [k for k in _CREATION_KEYWORDS if k in kwargs]
        with _IN_MEMORY_LOCK:
            name = f"h5py_in_memory_nonfile_{File._in_memory_count}"  # h5py's name
            File._in_memory_count += 1
        if not file_image:
            return cls(name, "x", driver="core", backing_store=False, **kwargs)
        if creation:
            raise TypeError(f"{', '.join(creation)} parameters cannot be used with file_image")
        return cls._from_image(file_image, name, "r+", **kwargs)

    @classmethod
    def _from_image(cls, file_image: Any, name: str, mode: str, **kwargs: Any) -> File:
        """Open the file image ``file_image`` in memory ("r" or "r+"), named ``name``."""
        image = bytes(memoryview(file_image).cast("B"))
        block_size = kwargs.pop("block_size", None)
        backing_store = bool(kwargs.pop("backing_store", False))
        self = cls.__new__(cls)
        self._is_open = False
        libver = kwargs.pop("libver", None)
        meta_block_size = kwargs.pop("meta_block_size", None)
        cache = ChunkCacheSettings().updated(
            kwargs.pop("rdcc_nslots", None),
            kwargs.pop("rdcc_nbytes", None),
            kwargs.pop("rdcc_w0", None),
        )
        unknown = sorted(set(kwargs) - _TUNING_KEYWORDS)
        if unknown:
            raise TypeError(f"File.in_memory() got an unexpected keyword argument {unknown[0]!r}")
        request = OpenRequest(
            name=name,
            mode=mode,
            driver="core",
            driver_options={"backing_store": backing_store}
            | ({} if block_size is None else {"block_size": block_size}),
            libver=_normalize_libver(libver),
            userblock_size=None,
            track_order=False,
            locking=False,
            chunk_cache=cache,
            image=image,
        )
        self._open(request, False, meta_block_size)
        return self

    def _bind(self, other: File) -> None:
        """Stand for the open file ``other`` stands for (another handle of it)."""
        other._check_open()
        self._opened = share(other._opened)
        self._state = other._state
        self._libver = other._libver
        self._mode = other._mode
        self._fileobj = other._fileobj
        self._meta_block_size = other._meta_block_size
        self._page_buffer = other._page_buffer
        self._locking = other._locking
        self._opener = None
        self._is_open = True
        HLObject.__init__(self, self, other._info, "/")
        _OPEN_FILES.add(self)

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
            self._is_open = False
            close_file(self._opened)
            # h5py lets go of a file object at the close (a NamedTemporaryFile nobody
            # else holds is then deleted)
            self._fileobj = None

    @property
    def atomic(self) -> bool:
        """MPI atomic mode of a file opened with ``driver="mpio"`` (set collectively)."""
        self._check_open()
        from ..lowlevel.collective import atomic

        return atomic(self._state)

    @atomic.setter
    def atomic(self, value: bool) -> None:
        self._check_open()
        from ..lowlevel.collective import atomic

        atomic(self._state, bool(value))

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
        """The file's name as given to ``File`` (the name of a file object, or h5py's
        placeholder for an in-memory file)."""
        self._check_open()
        if self._fileobj is not None:
            return repr(self._fileobj)  # the name h5py gives libhdf5 for a file object
        return self._state.filename

    @property
    def mode(self) -> str:
        """``'r'`` for a read-only file, ``'r+'`` for one open for writing (whatever mode
        created it)."""
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
        """The name of the driver the file was opened with (``'sec2'``, ``'core'``,
        ``'family'``...)."""
        self._check_open()
        return self._state.driver_name

    @property
    def libver(self) -> tuple[str, str]:
        """The ``(low, high)`` format version bounds the file writes with."""
        self._check_open()
        return self._libver

    @property
    def userblock_size(self) -> int:
        """Bytes of user block before the HDF5 data (0 when none)."""
        self._check_open()
        return int(self._state.userblock_size)

    @property
    def swmr_mode(self) -> bool:
        """Whether the file is in SWMR mode: opened with ``swmr=True`` to read, or switched
        on by a writer (``f.swmr_mode = True``; it stays on until the file is closed)."""
        self._check_open()
        return self._state.swmr

    @swmr_mode.setter
    def swmr_mode(self, value: bool) -> None:
        self._check_open()
        if not value:
            if self._state.swmr:
                raise ValueError("It is not possible to forcibly switch SWMR mode off.")
            return
        writer = self._state.writer
        if writer is None:
            raise ValueError(
                "Unable to start swmr writing (file is not opened for writing, or already "
                "in SWMR read mode)"
            )
        if self._state.superblock.version < 3:
            raise ValueError(
                "Unable to start swmr writing (file superblock version - should be at least 3)"
            )
        writer.start_swmr()

    @property
    def locking(self) -> Any:
        """The ``locking`` argument the file was opened with (None: libhdf5's default)."""
        return self._locking

    @property
    def meta_block_size(self) -> int:
        """The ``meta_block_size`` given to ``File`` (2048 by default); h5pure accepts it but
        does not aggregate metadata in blocks of that size."""
        self._check_open()
        return self._meta_block_size

    @property
    def name(self) -> str:
        """Always ``'/'``: the file is its root group."""
        return "/"

    @property
    def id(self) -> FileID:
        """``file.id``: equal to the root group's id, as in h5py."""
        return FileID(self)

    @property
    def parent(self) -> Any:
        """The root group itself: a file has no parent."""
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
        if not ref:
            raise ValueError("Invalid reference (null reference)")
        try:
            return self._object(int(ref.address), None)
        except FormatError:
            # an object freed since (its last link removed): libhdf5 finds no header there
            raise ObjectNotFoundError(
                "Unable to open object by token (bad object header version number)"
            ) from None

    def _open_external(self, filename: str, access: ExternalAccess | None = None) -> File:
        """The file an external link of this file names, opened once per way of access:
        by default with this file's intent ("r+" when it is writable, as libhdf5 opens
        it), SWMR mode and locking, or as ``access`` (``Group.get``'s ``elink_*``) asks."""
        mode, swmr, locking = access if access is not None else (None, None, None)
        mode = mode or self.mode
        swmr = self.swmr_mode if swmr is None else bool(swmr)
        locking = self._locking if locking is None else locking
        cache = self._state.external_files
        key = f"{filename}\0{mode}\0{swmr}\0{locking!r}"
        f = cache.get(key)
        if f is not None and f._is_open:
            return f  # type: ignore[no-any-return]
        for path in self._state.search_path(filename, "HDF5_EXT_PREFIX"):
            if os.path.exists(path):
                if self._state.filename and os.path.samefile(path, self._state.filename):
                    return self
                f = File(
                    path, mode, swmr=swmr and mode == "r", locking=locking, _share_any_locking=True
                )
                cache[key] = f
                return f
        raise FileNotFoundError(f"external link target file {filename!r} not found")

    def _external_opener(self, access: ExternalAccess | None = None) -> OpenExternal:
        """What traversals from this file call to follow external links: opens the named
        file relative to the file holding the link, returning its state and ``File``."""
        opener = self._opener if access is None else None
        if opener is None:
            owners: dict[int, File] = {id(self._state): self}

            def open_from(fs: Any, filename: str) -> tuple[Any, Any]:
                other = owners[id(fs)]._open_external(filename, access)
                owners[id(other._state)] = other
                return other._state, other

            opener = open_from
            if access is None:
                self._opener = opener
        return opener

    # -- pickling ---------------------------------------------------------------------
    def _reduce_object(self, obj: HLObject) -> tuple[Any, tuple[Any, ...]]:
        """``__reduce__`` of ``obj``, an object of this file (see :mod:`.pickling`)."""
        from .pickling import reduce_args

        return restore, reduce_args(obj)


_UNPICKLED: weakref.WeakValueDictionary[tuple[Any, ...], File] = weakref.WeakValueDictionary()
_UNPICKLED_LOCK = threading.Lock()


def restore(filename: str, driver: str | None, path: str | None, unlocked: bool = False) -> Any:
    """The object at ``path`` (the file itself when None) of ``filename`` opened read-only;
    ``unlocked``: the file was open for writing when pickled, open it without a lock.
    Unpickled objects of the same unchanged file in one process share one ``File``."""
    st = os.stat(filename)
    key = (filename, driver, unlocked, st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
    with _UNPICKLED_LOCK:
        file = _UNPICKLED.get(key)
        if file is None or not file:
            kwds: dict[str, Any] = {"locking": False} if unlocked else {}
            held = held_locking(filename)
            if held is not None:  # open in this process: shared, with its locking
                kwds = {"locking": held}
            file = File(filename, "r", driver=driver, **kwds)
            _UNPICKLED[key] = file
    return file if path is None else file[path]


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
