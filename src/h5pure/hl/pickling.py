"""Pickling files, groups, datasets and committed datatypes (h5py's objects cannot be).

An object pickles as the absolute name of its file and its path in the file; unpickling
opens the file read-only and looks the path up, so dask and multiprocessing can ship
h5pure objects to worker processes.

Contract:

* The file must have a name on disk: objects of a file object (``io.BytesIO``...) and
  anonymous objects (no path) raise ``TypeError`` when pickled.
* Pickling an object of a file open for writing **flushes the file first**, so the
  reopened file sees every change made so far, and the copy opens it without taking a
  file lock (``locking=False``): the writer holds the lock, and dask-style workers must
  be able to read while it keeps the file open.  Changes written after the pickle are
  not promised to the copies (HDF5 without SWMR): flush again and pickle again.
* Unpickled objects of the same unchanged file in one process share one read-only
  ``File``; a file changed on disk since (size or modification time) is opened afresh.
"""

from __future__ import annotations

import os
import uuid
from typing import Any

_REOPEN_DRIVERS = ("sec2", "core", "stdio")
"""Drivers reopened by name; any other reopens with the default driver."""


def reduce_args(obj: Any) -> tuple[str, str | None, str | None, bool]:
    """What :func:`h5pure.hl.files.restore` needs to find ``obj`` again: the absolute
    file name, the driver, the object's path (None for the file itself) and whether the
    file was open for writing (its changes are flushed first)."""
    file = obj.file  # raises on a closed file
    fs = file._state
    if file._fileobj is not None or not fs.filename:
        raise TypeError(f"cannot pickle {type(obj).__name__} of a file object (no file name)")
    if fs.in_memory_only:
        raise TypeError(f"cannot pickle {type(obj).__name__} of an in-memory file")
    writing = fs.writer is not None
    if writing:
        file.flush()
    if obj is file:
        path = None
    else:
        path = obj.name
        if path is None:
            raise TypeError(f"cannot pickle an anonymous {type(obj).__name__} (it has no path)")
    driver = fs.driver_name if fs.driver_name in _REOPEN_DRIVERS else None
    return os.path.abspath(fs.filename), driver, path, writing


def dask_token(obj: Any) -> tuple[Any, ...]:
    """``__dask_tokenize__`` of a File, Group, Dataset or Datatype.

    dask would otherwise pickle and unpickle the object to name a graph, which flushes a
    file open for writing and opens a reader of it.  An object of a file open read-only
    from disk is named by the file's path, size and modification time and the object's
    path, so the same reads share a name; any other object (a file open for writing, a
    file object) gets a new name each time, as dask names h5py's objects, since its data
    can change under the same name.
    """
    file = obj.file  # raises on a closed file
    fs = file._state
    kind = type(obj).__name__
    if fs.writer is None and file._fileobj is None and fs.filename:
        st = os.stat(fs.filename)
        filename = os.path.abspath(fs.filename)
        return ("h5pure", kind, filename, obj.name, st.st_size, st.st_mtime_ns)
    return ("h5pure", kind, uuid.uuid4().hex)
