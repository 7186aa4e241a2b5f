"""h5py's ``h5f``: file identifiers (``f.id``), ``open``/``create`` with property lists."""

from __future__ import annotations

from typing import Any

from ..drivers.locking import lock_policy
from ..hl import File
from ..hl import ids as hl_ids
from ..hl import is_hdf5 as _is_hdf5
from ..lowlevel.opening import FS_STRATEGIES
from ._ids import module_getattr
from ._objects import phil, with_phil
from ._wrap import attr_creation_order, hl_object, register, text
from .h5g import GroupID
from .h5p import CRT_ORDER_INDEXED, CRT_ORDER_TRACKED, PropFAID, PropFCID

__all__ = [
    "FileID",
    "create",
    "flush",
    "get_name",
    "is_hdf5",
    "open",
    "open_file_image",
    "phil",
    "with_phil",
]

__getattr__ = module_getattr(globals())

ACC_RDONLY = 0
ACC_RDWR = 1
ACC_TRUNC = 2
ACC_EXCL = 4
ACC_SWMR_WRITE = 32
ACC_SWMR_READ = 64
SCOPE_LOCAL = 0
SCOPE_GLOBAL = 1
CLOSE_DEFAULT = 0
CLOSE_WEAK = 1
CLOSE_SEMI = 2
CLOSE_STRONG = 3
OBJ_FILE = 1
OBJ_DATASET = 2
OBJ_GROUP = 4
OBJ_DATATYPE = 8
OBJ_ATTR = 16
OBJ_ALL = 31
OBJ_LOCAL = 32
UNLIMITED = 2**64 - 1
LIBVER_EARLIEST = 0
LIBVER_V18 = 1
LIBVER_V110 = 2
LIBVER_V112 = 3
LIBVER_V114 = 4
LIBVER_V200 = 5
LIBVER_LATEST = 5
FILE_IMAGE_OPEN_RW = 1
FSPACE_STRATEGY_FSM_AGGR = 0
FSPACE_STRATEGY_PAGE = 1
FSPACE_STRATEGY_AGGR = 2
FSPACE_STRATEGY_NONE = 3

_LIBVER = {"earliest": 0, "v108": 1, "v110": 2, "v112": 3, "v114": 4, "v200": 5, "latest": 5}
_LIBVER_NAME = {0: "earliest", 1: "v108", 2: "v110", 3: "v112", 4: "v114", 5: "latest"}


class FileID(GroupID, hl_ids.FileID):
    """An open file (h5py's ``h5f.FileID``), equal to its root group's identifier; as in
    h5py it is a ``GroupID``: the root group's links, ``len`` and iteration."""

    _owns = False
    """Made by ``h5f.open``/``h5f.create``: closing it closes the file, as closing the
    last identifier of a file does in libhdf5 (an ``f.id`` of a ``File`` does not)."""

    def __init__(self, file: Any) -> None:
        hl_ids.FileID.__init__(self, file)
        self._obj = file

    def close(self) -> None:
        """Release this identifier; the file itself when ``h5f.open``/``h5f.create`` made it
        (its lock and handle go, another program may open it)."""
        super().close()
        if self._owns:
            self._obj.close()

    def get_name(self) -> bytes:
        """The file's name, as bytes (beyond h5py's ``FileID``, which has ``name``; the
        module's :func:`get_name` takes any identifier)."""
        return text(self._obj.filename).encode("utf-8", "surrogateescape")

    @property
    def name(self) -> bytes:
        """The file's name as it was opened, as bytes."""
        return self.get_name()

    def get_access_plist(self) -> PropFAID:
        """The file's access settings: driver, version bounds, chunk cache."""
        f = self._obj
        low, high = f.libver
        cache = f._state.chunk_cache
        policy = lock_policy(f.locking)
        return PropFAID(
            driver_name=f.driver,
            libver_bounds=(_LIBVER[low], _LIBVER[high]),
            cache=(0, cache.nslots, cache.nbytes, cache.w0),
            meta_block_size=f.meta_block_size,
            file_locking=(policy.use, policy.ignore_when_disabled),
            page_buffer_size=_page_buffer(f),
        )

    def get_create_plist(self) -> PropFCID:
        """The file's creation settings: user block, sizes, creation order of the root,
        file space strategy and page size (its File Space Info message, else libhdf5's
        defaults)."""
        from ..lowlevel.describe import describe_superblock

        f = self._obj
        ctx = f._state.ctx
        order = CRT_ORDER_TRACKED | CRT_ORDER_INDEXED if f._links().track_order else 0
        sb = describe_superblock(f._state)
        return PropFCID(
            userblock=f.userblock_size,
            sizes=(ctx.size_of_offsets, ctx.size_of_lengths),
            link_creation_order=order,
            attr_creation_order=attr_creation_order(f),
            file_space_strategy=(
                sb.file_space_strategy,
                sb.free_space_persist,
                sb.free_space_threshold,
            ),
            file_space_page_size=sb.file_space_page_size,
        )

    def get_vfd_handle(self, fapl: Any = None) -> int:
        """The operating-system file descriptor of the file (sec2, stdio, core with a
        backing store)."""
        driver = self._obj._state.driver
        fd = getattr(driver, "fd", None)
        if fd is None and self._obj.driver == "core":
            return -1  # libhdf5's core driver without a backing store has no descriptor
        if fd is None:
            raise NotImplementedError(
                f"FileID.get_vfd_handle: the {self._obj.driver!r} driver has no descriptor"
            )
        return int(fd)

    def flush(self) -> None:
        """Write every pending change of the file (nothing to do when it is read-only)."""
        self._obj.flush()

    def get_file_image(self) -> bytes:
        """The whole file as bytes, after writing what is pending (any driver)."""
        f = self._obj
        if f.mode != "r":
            f.flush()
        return f._state.image()


@register("file")
def _file_id(file: Any) -> FileID:
    return FileID(file)


def _file_keywords(fapl: Any, fcpl: Any) -> dict[str, Any]:
    """``File`` keywords for what the property lists set; anything else is refused."""
    kwds: dict[str, Any] = {}
    honoured: set[str] = set()
    if fapl is not None:
        settings = fapl.changed()
        driver = settings.get("driver_name")
        if driver is not None and driver != "sec2":
            kwds["driver"] = driver
        if "core" in settings:
            block_size, backing_store = settings["core"]
            kwds.update(block_size=block_size, backing_store=backing_store)
        if "family" in settings:
            kwds["memb_size"] = settings["family"]
        if "libver_bounds" in settings:
            low, high = settings["libver_bounds"]
            kwds["libver"] = (_LIBVER_NAME[low], _LIBVER_NAME[high])
        if "cache" in settings:
            _, nslots, nbytes, w0 = settings["cache"]
            kwds.update(rdcc_nslots=nslots, rdcc_nbytes=nbytes, rdcc_w0=w0)
        if "meta_block_size" in settings:
            kwds["meta_block_size"] = settings["meta_block_size"]
        if "file_locking" in settings:
            use, ignore = settings["file_locking"]
            kwds["locking"] = "best-effort" if ignore and use else bool(use)
        honoured |= {"driver_name", "core", "family", "libver_bounds", "cache", "file_image"}
        if settings.get("fclose_degree", CLOSE_WEAK) not in (CLOSE_DEFAULT, CLOSE_WEAK):
            raise NotImplementedError(
                "h5py.h5f: a file close degree other than CLOSE_WEAK is not provided"
            )
        honoured |= {"meta_block_size", "file_locking", "fclose_degree"}
        _refuse(settings, honoured, "fapl")
    if fcpl is not None:
        settings = fcpl.changed()
        if settings.get("userblock"):
            kwds["userblock_size"] = settings["userblock"]
        if settings.get("link_creation_order") or settings.get("attr_creation_order"):
            kwds["track_order"] = True
        if settings.get("sizes", (8, 8)) != (8, 8):
            raise NotImplementedError("h5py.h5f.create: sizes other than (8, 8) are not provided")
        if "file_space_strategy" in settings or "file_space_page_size" in settings:
            strategy, persist, threshold = settings.get("file_space_strategy", (0, False, 1))
            kwds.update(
                fs_strategy=FS_STRATEGIES[int(strategy)],
                fs_persist=bool(persist),
                fs_threshold=int(threshold),
                fs_page_size=settings.get("file_space_page_size"),
            )
        _refuse(
            settings,
            {
                "userblock",
                "link_creation_order",
                "attr_creation_order",
                "sizes",
                "file_space_strategy",
                "file_space_page_size",
            },
            "fcpl",
        )
    return kwds


def _owned(fid: FileID) -> FileID:
    fid._owns = True
    return fid



def _page_buffer(f: File) -> tuple[int, int, int]:
    """The page buffer libhdf5 (1.14.4+) would set up for ``f``: none for a file without
    pages, else the size asked rounded down to whole pages, at least one page."""
    size, meta, raw = f._page_buffer
    page = f._state.page_size()
    if not size or not page:
        return (0, 0, 0)
    return (max(page, size // page * page), meta, raw)


def _refuse(settings: dict[str, Any], honoured: set[str], what: str) -> None:
    extra = sorted(set(settings) - honoured)
    if extra:
        raise NotImplementedError(
            f"h5py.h5f: {what} settings {extra} are not provided by h5pure's h5py facade"
        )


def open(name: Any, flags: int = ACC_RDONLY, fapl: Any = None) -> FileID:  # noqa: A001
    """Open the existing file ``name`` (``ACC_RDWR`` to write); with a file image in
    ``fapl``, that image in memory.  The SWMR flags are accepted and ignored."""
    mode = "r+" if int(flags) & ACC_RDWR else "r"
    kwds = _file_keywords(fapl, None)
    image = fapl.get_file_image() if fapl is not None else b""
    if image:
        kwds.pop("driver", None)
        kwds.pop("locking", None)
        return _owned(FileID(File._from_image(image, _fs_name(name), mode, **kwds)))
    return _owned(FileID(File(_fs_name(name), mode, **kwds)))


def open_file_image(image: Any, flags: int = 0) -> FileID:
    """Open the bytes of an HDF5 file in memory (``FILE_IMAGE_OPEN_RW`` to write)."""
    global _image_count
    with phil:
        name = f"file_image_{_image_count}"
        _image_count += 1
    mode = "r+" if int(flags) & FILE_IMAGE_OPEN_RW else "r"
    return _owned(FileID(File._from_image(image, name, mode)))


_image_count = 0


def create(name: Any, flags: int = ACC_TRUNC, fcpl: Any = None, fapl: Any = None) -> FileID:
    """Create the file ``name`` (``ACC_TRUNC`` replaces one that exists, ``ACC_EXCL``
    refuses to)."""
    mode = "w-" if int(flags) & ACC_EXCL else "w"
    return _owned(FileID(File(_fs_name(name), mode, **_file_keywords(fapl, fcpl))))


def _fs_name(name: Any) -> Any:
    return name.decode("utf-8", "surrogateescape") if isinstance(name, bytes) else name


def is_hdf5(name: Any) -> bool:
    """Whether ``name`` (str or bytes) is an HDF5 file h5pure can open; unlike libhdf5,
    False rather than an error for a name that does not exist."""
    return _is_hdf5(_fs_name(name))


def flush(obj: Any, scope: int = SCOPE_LOCAL) -> None:
    """Write every change of the file ``obj`` belongs to (``scope`` is accepted and
    ignored)."""
    hl_object(obj).file.flush()


def get_name(obj: Any) -> bytes:
    """The name of the file ``obj`` belongs to."""
    return text(hl_object(obj).file.filename).encode("utf-8", "surrogateescape")
