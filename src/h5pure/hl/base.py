"""What every h5py-style object shares: file, name, parent, attrs, identity."""

from __future__ import annotations

import posixpath
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

from ..dtypes import Reference
from ..errors import ClosedObjectLookupError
from .ids import GroupID, ObjectID
from .values import Empty, ExternalLink, HardLink, SoftLink

if TYPE_CHECKING:
    from ..lowlevel.file import FileState
    from ..lowlevel.objects import ObjectInfo
    from ..lowlevel.session import WriteSession
    from .attrs import AttributeManager
    from .files import File
    from .reference import RegionProxy

__all__ = ["Empty", "ExternalLink", "HLObject", "HardLink", "SoftLink", "TypeArgument"]

_ID_NAMES = {"group": "GroupID", "dataset": "DatasetID", "datatype": "TypeID"}


class TypeArgument(NamedTuple):
    """A ``dtype=`` argument as the API layer takes it apart."""

    committed: int | None
    """The object header address of a committed datatype of the file, or None."""
    dtype: Any
    """The numpy dtype (or what converts to one)."""
    record: Any
    """An HDF5 datatype to store exactly (a transient ``Datatype``'s), or None: the
    dtype's own, as h5py maps it."""


class HLObject:
    """Base of File, Group, Dataset and Datatype."""

    kind: ClassVar[str] = "object"
    """The kind of object header (libhdf5's "isa" classes): "group", "dataset" or
    "datatype"."""
    _file: File
    _info: ObjectInfo
    _name: str | None

    def __init__(self, file: Any, info: ObjectInfo | None = None, name: str | None = None) -> None:
        """``(file, info, name)``; or, as h5py's constructors ``Dataset(bind)``,
        ``Group(bind)``: the ``.id`` of an object of this kind, which this object then
        stands for too (ValueError for an identifier of another kind)."""
        if info is None:
            bound = getattr(file, "_obj", None)
            if not isinstance(bound, HLObject) or bound.kind != self.kind:
                raise ValueError(f"{file!r} is not a {_ID_NAMES.get(self.kind, 'ObjectID')}")
            file, info, name = bound._file, bound._info, bound._name
        self._file = file
        self._info = info  # type: ignore[assignment]
        self._name = name

    # -- identity ----------------------------------------------------------------------
    @property
    def _fs(self) -> FileState:
        self._file._check_open()
        return self._file._state

    def _session(self, what: str) -> WriteSession:
        """The file's write session; h5py's error when it was opened read-only."""
        writer = self._fs.writer
        if writer is None:
            raise ValueError(f"Unable to synchronously {what} (no write intent on file)")
        return writer

    @property
    def id(self) -> ObjectID:
        """h5py's ``.id`` (a GroupID, DatasetID, TypeID or FileID): equal for the same
        object, also across opens of the same file."""
        return GroupID(self)

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
        return self.file._reduce_object(self)

    def __dask_tokenize__(self) -> tuple[Any, ...]:
        """dask's name for this object, made without pickling it (see
        :func:`h5pure.hl.pickling.dask_token`)."""
        from .pickling import dask_token  # dask only

        return dask_token(self)

    def _type_argument(self, dtype: Any) -> TypeArgument:
        """A ``dtype=`` argument taken apart: a committed ``Datatype`` (it must live in
        this object's file), a transient one (an HDF5 type to store as it is), or a dtype."""
        if not isinstance(dtype, HLObject) and getattr(dtype, "_record", None) is not None:
            # a low-level type object (h5py's ``h5t.TypeID``): the type it holds, exactly,
            # or the committed type it stands for
            committed = getattr(dtype, "_committed", None)
            if committed is not None:
                return self._type_argument(committed)
            return TypeArgument(None, dtype.dtype, dtype._record)
        if not isinstance(dtype, HLObject) or dtype.kind != "datatype":
            return TypeArgument(None, dtype, None)
        record = getattr(dtype, "_record", None)
        if record is not None:
            return TypeArgument(None, dtype.dtype, record)  # type: ignore[attr-defined]
        if dtype.file._state is not self.file._state:
            raise ValueError("Datatype must be committed in the same file (not a file of its own)")
        return TypeArgument(int(dtype._info.address), dtype.dtype, None)  # type: ignore[attr-defined]

    # -- h5py properties ---------------------------------------------------------------
    @property
    def file(self) -> File:
        """The :class:`File` this object belongs to."""
        self._file._check_open()
        return self._file

    @property
    def name(self) -> str | None:
        """The object's path in its file (``'/group/dset'``); None for an anonymous object,
        which no link names."""
        if not self._file._is_open:
            return None  # as h5py: a closed object has no name
        if self._name is None:
            self._name = self._file._find_path(self._info.address)
        return self._name

    @property
    def parent(self) -> Any:
        """The group that holds this object, by the parent of its path (``name``)."""
        name = self.name
        if name is None:
            raise ValueError("Parent of an anonymous object is undefined")
        return self.file[posixpath.dirname(name) or "/"]

    @property
    def attrs(self) -> AttributeManager:
        """The object's attributes, a dict-like :class:`AttributeManager` (``obj.attrs['units']
        = 'm'``)."""
        if self is self._file:
            # h5py's File.attrs opens the root group, which fails on a closed file
            if not self._file._is_open:
                raise ClosedObjectLookupError(
                    "Unable to synchronously open object (invalid identifier type to function)"
                )
        from .attrs import AttributeManager  # loaded on the first look at attributes

        return AttributeManager(self)

    @property
    def ref(self) -> Reference:
        """An object :class:`Reference` to this object, to store in a dataset or attribute and
        dereference with ``f[ref]``."""
        self._file._check_open()
        return Reference(self._info.address)

    @property
    def regionref(self) -> RegionProxy:
        """h5py's region reference proxy (``[sel]`` works on datasets only)."""
        from .reference import RegionProxy

        return RegionProxy(self)

    def _region_reference(self, args: Any) -> Any:
        """``obj.regionref[args]`` (datasets override this)."""
        raise TypeError("Region references can only be made to datasets")
