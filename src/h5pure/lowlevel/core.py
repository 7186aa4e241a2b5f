"""The session protocol: what the write session's parts (object headers, group storage,
attributes, chunk stores, data writes) may use of the session that owns them.

Every part takes a :class:`SessionCore` and uses nothing else of it: the two ways bytes
reach the file (:meth:`~SessionCore.write_raw` for raw data, :meth:`~SessionCore.stage`
for metadata the next commit writes), the allocator, the format versions new objects
get, the global heap and the object header models.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from ..format.context import FormatContext

if TYPE_CHECKING:
    from .allocator import Allocator
    from .create import FormatVersions
    from .file import FileState
    from .heapwriter import GlobalHeapWriter
    from .objectstore import ObjectStore

Buffer = bytes | bytearray | memoryview
"""Bytes to write: a ``bytes`` object or a flat byte view of an array."""


class SessionCore(Protocol):
    """The shared state and primitives of one write session."""

    @property
    def fs(self) -> FileState: ...

    @property
    def ctx(self) -> FormatContext: ...

    @property
    def versions(self) -> FormatVersions: ...

    @property
    def allocator(self) -> Allocator: ...

    @property
    def heap(self) -> GlobalHeapWriter: ...

    @property
    def objects(self) -> ObjectStore: ...

    def write_raw(self, address: int, data: Buffer) -> None:
        """Write raw data (dataset elements, chunks) at relative ``address`` now."""

    def stage(self, address: int, blob: bytes) -> None:
        """Queue metadata ``blob`` for relative ``address``: written by the next commit
        (readable through the file state meanwhile when staged outside a commit)."""
