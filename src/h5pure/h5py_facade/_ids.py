"""What every identifier of the facade shares: the h5py name of a missing call, closing.

h5py's low-level identifiers wrap libhdf5 ``hid_t`` handles.  The facade's wrap h5pure
objects: an HDF5 object of an open file (through h5pure's own ``.id`` classes, which these
extend) or a value (a datatype record, a dataspace, a property list).  A call h5py has and
the facade does not is an :class:`AttributeError` naming it, so ``hasattr`` probes keep
working and nothing is silently skipped.
"""

from __future__ import annotations

from typing import Any

from ..format.messages import MessageType


def missing(owner: str, name: str) -> AttributeError:
    """The error for h5py's ``owner.name`` when the facade does not provide it."""
    return AttributeError(
        f"{owner}.{name} is not provided by h5pure's h5py facade "
        f"({owner!r} object has no attribute {name!r})"
    )


class FacadeID:
    """Mixin of the facade's identifiers: h5py's ``close()``/``valid`` life cycle and the
    error naming a call that is not provided."""

    _closed = False

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        cls = type(self)
        raise missing(f"{cls.__module__}.{cls.__name__}", name)

    def close(self) -> None:
        """Release this identifier (the object it names stays in the file)."""
        self._closed = True

    def _close(self) -> None:
        self.close()

    @property
    def valid(self) -> bool:
        """False once closed, or when the file it belongs to was closed."""
        return not self._closed and self._alive()

    def _alive(self) -> bool:
        return True

    def _check_valid(self) -> None:
        if not self.valid:
            raise ValueError("Invalid identifier (identifier is not of specified type)")


class ObjectIDMixin(FacadeID):
    """An identifier of an object of an open file: the h5pure object is ``_obj``."""

    _obj: Any

    def _alive(self) -> bool:
        return bool(self._obj._file._is_open)

    @property
    def valid(self) -> bool:
        """False once closed, or once the file holding the object was closed."""
        return not self._closed and self._alive()

    def get_comment(self) -> bytes:
        """The object's comment (libhdf5's object comment message); ``b""`` when it has
        none."""
        found = self._obj._info.first(MessageType.COMMENT)
        return b"" if found is None else str(found.text).encode("utf-8", "surrogateescape")

    @property
    def id(self) -> int:
        """h5py's integer handle: here the object's address."""
        return int(self.address)


def module_getattr(namespace: dict[str, Any]) -> Any:
    """A module ``__getattr__`` raising the facade's error for a name it does not
    provide (``namespace`` is the module's ``globals()``, read when raising, so the error
    shows the module's h5py name once installed)."""

    def __getattr__(name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        raise missing(str(namespace["__name__"]), name)

    return __getattr__
