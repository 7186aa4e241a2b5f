"""Anonymous objects: created without a link (``create_dataset(None, ...)``).

libhdf5 gives such an object header a link count of 0; a later hard link raises it to 1.
An object still unlinked when it is closed is deleted (``H5O_close`` -> ``H5O__delete``);
h5pure deletes it when the file is closed, the point where every handle of it goes.
"""

from __future__ import annotations

from typing import Any

_KEY = "_anonymous_objects"


def register_anonymous(writer: Any, address: int) -> None:
    """Mark the new object at ``address`` as unlinked (reference count 0)."""
    model = writer.object_model(address)
    model.refcount = 0
    model.touch()
    writer.__dict__.setdefault(_KEY, set()).add(address)


def free_unlinked(writer: Any) -> None:
    """Delete every anonymous object that never got a hard link (before the last commit)."""
    pending = writer.__dict__.pop(_KEY, set())
    with writer.lock:
        for address in sorted(pending):
            model = writer.objects.get(address)
            if model is not None and model.refcount == 0:
                model.refcount = 1  # release_object drops the last reference itself
                writer.release_object(address)
