"""What every h5py-style object shares: file, name, parent, attrs, identity."""

from __future__ import annotations

import posixpath
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import ClosedObjectError, ClosedObjectLookupError

if TYPE_CHECKING:
    from ..lowlevel.file import FileState
    from ..lowlevel.objects import ObjectInfo
    from .attrs import AttributeManager
    from .files import File


class Empty:
    """An empty (null dataspace) dataset or attribute value of a given dtype, as h5py's."""

    shape = None
    size = None

    def __init__(self, dtype: Any) -> None:
        self.dtype = np.dtype(dtype)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Empty) and self.dtype == other.dtype

    def __hash__(self) -> int:
        return hash(("Empty", self.dtype))

    def __repr__(self) -> str:
        return f"Empty(dtype={self.dtype!r})"


class HardLink:
    """A hard link (returned by ``Group.get(name, getlink=True)``)."""

    def __repr__(self) -> str:
        return "<HardLink>"


class SoftLink:
    """A symbolic link to a path in the same file."""

    def __init__(self, path: str) -> None:
        self._path = str(path)

    @property
    def path(self) -> str:
        return self._path

    def __repr__(self) -> str:
        return f'<SoftLink to "{self.path}">'

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SoftLink) and self._path == other._path

    def __hash__(self) -> int:
        return hash(("SoftLink", self._path))


class ExternalLink:
    """A link to an object in another HDF5 file."""

    def __init__(self, filename: str, path: str) -> None:
        self._filename = str(filename)
        self._path = str(path)

    @property
    def path(self) -> str:
        return self._path

    @property
    def filename(self) -> str:
        return self._filename

    def __repr__(self) -> str:
        # (h5py's repr really lacks the closing ">")
        return f'<ExternalLink to "{self.path}" in file "{self.filename}"'

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, ExternalLink)
            and self._path == other._path
            and self._filename == other._filename
        )

    def __hash__(self) -> int:
        return hash(("ExternalLink", self._filename, self._path))


class ObjectID:
    """The small ``.id`` object: identifies one object of one open file."""

    def __init__(self, fs: FileState, address: int) -> None:
        self._fs = fs
        self.address = address

    @property
    def valid(self) -> bool:
        return not self._fs.driver.closed

    @property
    def fileno(self) -> Any:
        """What identifies the file: the same for every open of one file on disk."""
        from .lowlevel_id import file_key

        fs = self._fs
        return fs.memo(("file_key",), lambda: file_key(fs))

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, ObjectID)
            and self.address == other.address
            and (self._fs is other._fs or self.fileno == other.fileno)
        )

    def __hash__(self) -> int:
        return hash((self.fileno, self.address))

    def __bool__(self) -> bool:
        return self.valid


class HLObject:
    """Base of File, Group, Dataset and Datatype."""

    def __init__(self, file: File, info: ObjectInfo, name: str | None) -> None:
        self._file = file
        self._info = info
        self._name = name

    # -- identity ----------------------------------------------------------------------
    @property
    def _fs(self) -> FileState:
        self._file._check_open()
        return self._file._state

    @property
    def id(self) -> ObjectID:
        """h5py's ``.id`` (a GroupID, DatasetID, TypeID or FileID): equal for the same
        object, also across opens of the same file."""
        from .lowlevel_id import make_id

        return make_id(self)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, HLObject):
            return NotImplemented
        return self.id == other.id

    def __hash__(self) -> int:
        return hash(self.id)

    def __bool__(self) -> bool:
        return self._file._is_open

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        """Pickle by file name and path; unpickled, the file is open read-only (beyond
        h5py, whose objects cannot be pickled; see :mod:`h5pure.hl.pickling`)."""
        from .pickling import reduce_object

        return reduce_object(self)

    def __dask_tokenize__(self) -> tuple[Any, ...]:
        """dask's name for this object, made without pickling it (see
        :func:`h5pure.hl.pickling.dask_token`)."""
        from .pickling import dask_token

        return dask_token(self)

    # -- h5py properties ---------------------------------------------------------------
    @property
    def file(self) -> File:
        self._file._check_open()
        return self._file

    @property
    def name(self) -> str | None:
        if not self._file._is_open:
            return None  # as h5py: a closed object has no name
        if self._name is None:
            self._name = self._file._find_path(self._info.address)
        return self._name

    @property
    def parent(self) -> Any:
        name = self.name
        if name is None:
            raise ValueError("Parent of an anonymous object is undefined")
        return self.file[posixpath.dirname(name) or "/"]

    @property
    def attrs(self) -> AttributeManager:
        from .attrs import AttributeManager

        if self is self._file:
            # h5py's File.attrs opens the root group, which fails on a closed file
            if not self._file._is_open:
                raise ClosedObjectLookupError(
                    "Unable to synchronously open object (invalid identifier type to function)"
                )
        return AttributeManager(self)

    @property
    def ref(self) -> Any:
        from ..dtypes import Reference

        self._file._check_open()
        return Reference(self._info.address)

    @property
    def regionref(self) -> Any:
        """h5py's region reference proxy (``[sel]`` works on datasets only)."""
        from .reference import RegionProxy

        return RegionProxy(self)

    def _check_alive(self) -> None:
        if not self._file._is_open:
            raise ClosedObjectError("Invalid location identifier (object of a closed file)")
