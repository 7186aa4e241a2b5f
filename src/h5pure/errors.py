"""Error types.

Every error h5pure raises is an :class:`H5PureError` that also inherits the builtin
exception h5py raises in the same situation, so ``except OSError`` / ``except KeyError``
in h5py code keeps working.
"""

from __future__ import annotations


class H5PureError(Exception):
    """Base class of every h5pure-specific error."""


class H5pyWarning(UserWarning):
    """h5py's base warning class (``h5py.h5py_warnings.H5pyWarning``)."""


class H5pyDeprecationWarning(H5pyWarning):
    """A deprecated h5py feature was used (h5py's ``H5pyDeprecationWarning``)."""


class FormatError(H5PureError, OSError):
    """The file's bytes are not valid HDF5: bad signature, bad version, out-of-range address,
    checksum mismatch, truncated structure.  The message says which structure at which address.
    """


class ChecksumError(FormatError):
    """A Jenkins lookup3 (metadata) or Fletcher-32 (raw data) checksum did not match."""


class UnsupportedFeatureError(H5PureError, OSError):
    """Valid HDF5 that h5pure cannot read (e.g. a VAX float order or the time class)."""


class FilterError(H5PureError, OSError):
    """A filter in a dataset's pipeline is unavailable or failed to decode a chunk."""


class ObjectNotFoundError(H5PureError, KeyError):
    """A name does not resolve to an object (h5py raises KeyError)."""

    def __str__(self) -> str:  # KeyError quotes its argument; h5py's messages are plain
        return str(self.args[0]) if self.args else ""


class ClosedObjectError(H5PureError, ValueError, RuntimeError):
    """An operation on a closed file or on an object of a closed file.  h5py raises
    ValueError or RuntimeError depending on the call (libhdf5's error stack); this is both."""


class ClosedObjectLookupError(ClosedObjectError, KeyError):
    """``group[name]`` or ``attrs[name]`` on a closed file (h5py raises KeyError there)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class ExtentError(H5PureError, ValueError, RuntimeError):
    """A dataset's new extent exceeds its maximum dimensions.  libhdf5 2.x makes h5py raise
    RuntimeError here, 1.x ValueError; code written for either keeps working."""


class CopyError(H5PureError, ValueError, RuntimeError):
    """``Group.copy`` cannot place the copy (the destination exists or has no name).
    libhdf5 2.x makes h5py raise RuntimeError here, 1.x ValueError; this is both."""


class CopySourceNotFoundError(ObjectNotFoundError, RuntimeError):
    """``Group.copy`` of a name that does not exist (h5py with libhdf5 2.x raises
    RuntimeError, 1.x KeyError)."""


class LibverError(H5PureError, ValueError, KeyError):
    """An unknown ``libver`` bound (h5py raises KeyError from its lookup table)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class ClosedDatatypeError(ClosedObjectError, TypeError):
    """``Datatype.dtype`` of a closed file (h5py raises TypeError: not a datatype)."""


class ImmutableDatatypeError(H5PureError, KeyError):
    """Committing one of libhdf5's predefined, immutable types (the reference types)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class ReadOnlyError(H5PureError, OSError):
    """A write was attempted on a file opened read-only."""


class SelectionRangeError(H5PureError, IndexError, OSError):
    """A fancy index lies outside the dataset's extent.  h5py raises IndexError for
    negative positions and libhdf5's OSError for positions past the end; numpy users
    expect IndexError.  Both ``except`` clauses catch this one."""
